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

from igmigrate.probe.steps import DEFAULT_API, DEFAULT_GRAPH, SECRET_ENV, Inputs, plan

if TYPE_CHECKING:
    from igmigrate.probe.masking import Masker
    from igmigrate.probe.model import Exchange


class Format(str, enum.Enum):
    text = "text"
    json = "json"


class Expect(str, enum.Enum):
    removed = "removed"
    alive = "alive"


class Settings(NamedTuple):  # not a dataclass: that costs ~1 ms to create, on every igmigrate run
    api_base: str
    graph_base: str
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


HELP = f"""Run the Basic Display getting-started flow against the live API and say, step by step,
whether each endpoint still answers (removed / alive / inconclusive / unreachable / skipped).

Secrets are read only from the environment: {', '.join(SECRET_ENV.values())}.
They are masked in all output and sent only to Instagram's hosts or loopback (see --allow-host).

Exit codes: 0 ran (and --expect held), 1 --expect failed, 2 usage error, 3 nothing reachable."""


def _say(message: str) -> None:
    typer.echo(f"igmigrate probe: {message}", err=True)


def register(app: typer.Typer) -> None:
    app.command("probe", help=HELP)(probe)


def probe(
    app_id: Annotated[Optional[str], typer.Option("--app-id", metavar="ID", help="Instagram app id (client_id).")] = None,
    redirect_uri: Annotated[Optional[str], typer.Option("--redirect-uri", metavar="URI", help="The app's OAuth redirect URI.")] = None,
    user_id: Annotated[Optional[str], typer.Option("--user-id", metavar="ID", help="Instagram user id for the user step.")] = None,
    api_base: Annotated[str, typer.Option("--api-base", metavar="URL", help="OAuth host.")] = DEFAULT_API,
    graph_base: Annotated[str, typer.Option("--graph-base", metavar="URL", help="Graph host.")] = DEFAULT_GRAPH,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", metavar="HOST", help="Also send secrets to this host (repeatable).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.01, help="Seconds per attempt.")] = 10.0,
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
                        record_file, replay_file, output, expect.value if expect else None, dry_run)
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
    from igmigrate.probe import record, render, runner
    from igmigrate.probe.http import Transport
    from igmigrate.probe.safety import UsageError, check_base, check_secret_hosts
    from igmigrate.probe.signatures import load_signatures

    signatures = load_signatures()
    if s.replay_file is not None:
        if s.record_file is not None or s.dry_run:
            raise UsageError("--replay cannot be combined with --record or --dry-run")
        exchanges = _remask(record.load(s.replay_file), masker)
        header = f"igmigrate probe: replay of {s.replay_file} (nothing sent)"
    else:
        check_base("--api-base", s.api_base)
        check_base("--graph-base", s.graph_base)
        planned = plan(inputs, s.api_base, s.graph_base)
        if all(p.request is None for p in planned):
            raise UsageError("nothing to probe: give --app-id and --redirect-uri, "
                             f"or set {SECRET_ENV['access_token']} (see --help)")
        check_secret_hosts(planned, s.allow_hosts)
        if s.record_file is not None and not s.record_file.resolve().parent.is_dir():
            raise UsageError(f"--record {s.record_file}: directory does not exist")
        header = f"igmigrate probe: api {s.api_base}, graph {s.graph_base}"
        if s.dry_run:
            results = runner.classify_all(runner.dry_run(planned, masker), signatures)
            typer.echo(render.to_json(results, runner.summarize(results)) if s.output is Format.json
                       else render.dry_run_text(results, header))
            return runner.EXIT_OK
        transport = Transport(s.timeout, s.retries, s.backoff, s.max_requests)
        try:
            exchanges = runner.run_live(planned, transport, masker)
        finally:
            transport.close()
        if s.record_file is not None:
            record.save(s.record_file, exchanges)
    results = runner.classify_all(exchanges, signatures)
    summary = runner.summarize(results)
    typer.echo(render.to_json(results, summary) if s.output is Format.json
               else render.to_text(results, summary, header))
    code = runner.exit_code(results, s.expect)
    if code == runner.EXIT_UNREACHABLE:
        _say("no endpoint could be reached")
    elif code == runner.EXIT_EXPECTATION:
        got = ", ".join(f"{r.exchange.step} {r.verdict}" for r in results if r.ran) or "no step ran"
        _say(f"expected {s.expect} for every step that ran; got {got}")
    return code


def _remask(exchanges: "list[Exchange]", masker: "Masker") -> "list[Exchange]":
    """A recording is masked when written, but it may have been edited since: mask again."""
    for ex in exchanges:
        ex.url = masker.text(ex.url)
        ex.form = masker.mapping(ex.form)
        ex.headers = masker.mapping(ex.headers) or {}
        ex.body = masker.text(ex.body) or ""
    return exchanges
