"""`igmigrate probe`: run the Basic Display getting-started flow live and classify each answer.

One module per job: steps (what to send), safety (where secrets may go), http (sending with
timeouts, retries and a budget), masking (no secret ever leaves unmasked), signatures (verdicts
from rules/probe.yaml), record (recordings for --record/--replay), runner (ties them together),
render (table and JSON), command (the Typer command).
"""
