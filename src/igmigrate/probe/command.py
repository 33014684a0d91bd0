"""The `igmigrate probe` command: options in, table or JSON out, exit code by the rules of issue 3.

The CLI imports this module to register the command whatever command runs, so only the
options live at module level; the probe's machinery is imported when a probe runs. No
`from __future__ import annotations`: typer reads this signature on every run, and would
eval each string annotation (see cli.py).
"""

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, Optional

import typer

from igmigrate.probe.steps import BASIC_DISPLAY, SECRET_ENV, Bases, Inputs

if TYPE_CHECKING:
    from igmigrate.probe.masking import Masker
    from igmigrate.probe.model import Exchange
    from igmigrate.probe.runner import Job


class Format(str, enum.Enum):
    text = "text"
    json = "json"


class Expect(str, enum.Enum):
    removed = "removed"
    alive = "alive"
    works = "works"


class Flow(str, enum.Enum):
    basic_display = "basic-display"
    instagram_login = "instagram-login"


# The verdict --expect may ask for, by flow (a basic-display run never says `works`).
EXPECTABLE = {"basic-display": ("removed", "alive"), "instagram-login": ("works",)}


class Settings(NamedTuple):  # not a dataclass: that costs ~1 ms to create, on every igmigrate run
    api_base: str | None
    graph_base: str | None
    allow_hosts: tuple[str, ...]
    timeout: float
    retries: int
    max_requests: int
    backoff: float
    record_file: Path | None
    replay_file: Path | None
    output: Format
    expect: str | None
    dry_run: bool
    flow: str
    from_scan: Path | None
    deadline: float


HELP = f"""Run a login flow against the live API and say, step by step, what each endpoint answers.

--flow basic-display (default): the Basic Display tutorial (removed / alive / inconclusive / unreachable / skipped).
--flow instagram-login: its successor, Instagram Login (works / broken / inconclusive / unreachable / skipped).
--from-scan FILE: the calls a saved `igmigrate scan --format json` found, each step naming its call sites.

Secrets are read only from the environment: {', '.join(SECRET_ENV.values())}.
They are masked in all output and sent only to Instagram's hosts or loopback (see --allow-host).

Exit codes: 0 ran (and --expect held), 1 --expect failed, 2 usage error, 3 nothing reachable."""


def _say(message: str) -> None:
    from igmigrate.probe.render import terminal_safe

    typer.echo(terminal_safe(f"igmigrate probe: {message}"), err=True)


def register(app: typer.Typer) -> None:
    app.command("probe", help=HELP)(probe)


def probe(
    app_id: Annotated[Optional[str], typer.Option("--app-id", metavar="ID", help="Instagram app id (client_id).")] = None,
    redirect_uri: Annotated[Optional[str], typer.Option("--redirect-uri", metavar="URI", help="The app's OAuth redirect URI.")] = None,
    user_id: Annotated[Optional[str], typer.Option("--user-id", metavar="ID", help="Instagram user id for the user step.")] = None,
    flow: Annotated[Flow, typer.Option("--flow", help="Which login flow to probe.")] = Flow.basic_display,
    from_scan: Annotated[Optional[Path], typer.Option(
        "--from-scan", metavar="FILE", help="Probe the calls of a saved `igmigrate scan --format json`.")] = None,
    api_base: Annotated[Optional[str], typer.Option(
        "--api-base", metavar="URL", help="Replaces both OAuth hosts (api. and www.instagram.com).")] = None,
    graph_base: Annotated[Optional[str], typer.Option(
        "--graph-base", metavar="URL", help="Replaces the Graph host (graph.instagram.com).")] = None,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", metavar="HOST", help="Also send secrets to this host (repeatable).")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", metavar="SECONDS", min=0.01, help="Deadline for each request: connect, headers and body.")] = 10.0,
    deadline: Annotated[float, typer.Option(
        "--deadline", metavar="SECONDS", min=0.01, help="Deadline for the whole run, retries included.")] = 120.0,
    retries: Annotated[int, typer.Option(
        "--retries", metavar="N", min=0, max=10, help="Retries on 429, 5xx and connection errors.")] = 2,
    max_requests: Annotated[int, typer.Option(
        "--max-requests", metavar="N", min=1, help="Most HTTP requests for the whole run, retries included.")] = 25,
    record_file: Annotated[Optional[Path], typer.Option(
        "--record", metavar="FILE", help="Write the masked exchanges to this JSON file.")] = None,
    replay_file: Annotated[Optional[Path], typer.Option(
        "--replay", metavar="FILE", help="Classify a recording again, offline.")] = None,
    output: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    expect: Annotated[Optional[Expect], typer.Option(
        "--expect", help="Exit 1 unless every step that ran has this verdict.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the masked requests; send nothing.")] = False,
    backoff: Annotated[float, typer.Option("--backoff", min=0.0, hidden=True)] = 0.5,
) -> None:
    from igmigrate.knowledge import KnowledgeBaseError
    from igmigrate.probe import record, runner
    from igmigrate.probe.masking import Masker
    from igmigrate.probe.safety import UsageError

    inputs = Inputs.from_env(app_id, redirect_uri, user_id)
    masker = Masker(inputs.secrets())
    settings = Settings(api_base, graph_base, tuple(allow_host or ()), timeout, retries, max_requests, backoff,
                        record_file, replay_file, output, expect.value if expect else None, dry_run,
                        flow.value, from_scan, deadline)
    try:
        code = _probe(inputs, masker, settings)
    except (UsageError, record.ReplayError, KnowledgeBaseError) as exc:
        _say(f"error: {masker.text(str(exc))}")
        raise typer.Exit(runner.EXIT_USAGE) from None
    except Exception as exc:  # a traceback could print secrets (URLs, locals): one masked line instead
        _say(f"internal error: {type(exc).__name__}: {masker.text(str(exc))}")
        raise typer.Exit(runner.EXIT_USAGE) from None
    raise typer.Exit(code)


def _probe(inputs: Inputs, masker: "Masker", s: Settings) -> int:
    import time

    from igmigrate.probe import record, render, runner
    from igmigrate.probe.http import Transport
    from igmigrate.probe.safety import UsageError, check_base, check_secret_hosts
    from igmigrate.probe.signatures import load_signatures, load_token_kinds

    started = time.monotonic()  # --deadline counts from here, before the rules are read
    signatures = load_signatures()
    extra: dict = {}
    if s.replay_file is not None:
        if s.record_file is not None or s.dry_run or s.from_scan is not None:
            raise UsageError("--replay cannot be combined with --record, --dry-run or --from-scan")
        exchanges = _remask(record.load(s.replay_file), masker)
        header = f"igmigrate probe: replay of {s.replay_file} (nothing sent)"
        flows = sorted({ex.flow for ex in exchanges})
    else:
        if s.api_base is not None:
            check_base("--api-base", s.api_base)
        if s.graph_base is not None:
            check_base("--graph-base", s.graph_base)
        bases = Bases.of(s.api_base, s.graph_base)
        jobs, left_out = _jobs(s)
        if left_out:  # texts from a scan file: masked like everything else the probe prints
            extra["not_probed"] = [{**f, "path": masker.text(f["path"]), "reason": masker.text(f["reason"])}
                                   for f in left_out]
        flows = sorted({j.flow for j in jobs}) or [s.flow]
        if s.expect and s.from_scan is None and s.expect not in EXPECTABLE[s.flow]:
            raise UsageError(f"--expect {s.expect} is not a verdict of the {s.flow} flow "
                             f"(use {' or '.join(EXPECTABLE[s.flow])})")
        planned = runner.plan_ahead(jobs, inputs, bases)
        if not jobs:
            raise UsageError(f"--from-scan {s.from_scan}: no call in the scan maps to a probe step")
        if all(p.request is None for p in planned):
            raise UsageError("nothing to probe: give --app-id and --redirect-uri, "
                             f"or set {SECRET_ENV['access_token']} (see --help)")
        check_secret_hosts(planned, s.allow_hosts)
        if s.record_file is not None and not s.record_file.resolve().parent.is_dir():
            raise UsageError(f"--record {s.record_file}: directory does not exist")
        source = f", calls from {s.from_scan}" if s.from_scan is not None else ""
        header = (f"igmigrate probe: flow {'/'.join(flows)}{source}; "
                  f"api {bases.api}, www {bases.www}, graph {bases.graph}")
        if s.dry_run:
            results = runner.classify_all(runner.dry_run(planned, masker), signatures)
            typer.echo(render.to_json(results, runner.summarize(results, flows), _flow_name(flows), extra)
                       if s.output is Format.json else render.dry_run_text(results, header))
            return runner.EXIT_OK
        transport = Transport(s.timeout, s.retries, s.backoff, s.max_requests, run_deadline=started + s.deadline)
        try:
            exchanges = runner.run_live(jobs, inputs, bases, transport, masker, load_token_kinds())
        finally:
            transport.close()
        exchanges = _remask(exchanges, masker)  # tokens issued late in the run are masked everywhere
        if s.record_file is not None:
            record.save(s.record_file, exchanges)
    results = runner.classify_all(exchanges, signatures)
    summary = runner.summarize(results, flows)
    typer.echo(render.to_json(results, summary, _flow_name(flows), extra) if s.output is Format.json
               else render.to_text(results, summary, header, extra.get("not_probed")))
    code = runner.exit_code(results, s.expect)
    if code == runner.EXIT_UNREACHABLE:
        _say("no endpoint could be reached")
    elif code == runner.EXIT_EXPECTATION:
        got = ", ".join(f"{r.exchange.step} {r.verdict}" for r in results if r.ran) or "no step ran"
        _say(f"expected {s.expect} for every step that ran; got {got}")
    return code


def _flow_name(flows: list[str]) -> str:
    return flows[0] if len(flows) == 1 else "mixed"


def _jobs(s: Settings) -> "tuple[list[Job], list[dict]]":
    from igmigrate.probe import runner

    if s.from_scan is None:
        return runner.flow_jobs(s.flow), []
    from igmigrate.probe.fromscan import jobs_from_scan, load_call_rules

    return jobs_from_scan(s.from_scan, s.flow, load_call_rules())


def _remask(exchanges: "list[Exchange]", masker: "Masker") -> "list[Exchange]":
    """Mask again: a recording may have been edited since it was written, and a live run may
    have learnt a secret (an issued token) after an earlier answer that held it was masked."""
    for ex in exchanges:
        ex.url = masker.text(ex.url)
        ex.form = masker.mapping(ex.form)
        ex.headers = masker.mapping(ex.headers) or {}
        ex.body = masker.text(ex.body) or ""
        ex.skipped = masker.text(ex.skipped)
        ex.not_sent = masker.text(ex.not_sent)
    return exchanges
