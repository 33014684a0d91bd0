"""Command line: `igmigrate scan` (and the commands other modules register).

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, config,
knowledge-base or internal errors (one line on stderr naming the file and key).

No `from __future__ import annotations` in the command modules: typer reads every command's
signature on every run (a pre-commit scan included), and string annotations would be eval'd
each time (~5 ms a run).
"""

import sys
from pathlib import Path
from typing import List, Optional

import typer  # below 0.29: later releases import pydantic to parse options (see pyproject.toml)

from igmigrate import __version__
from igmigrate.cli_support import (CONFIG_OPTION, EXCLUDE_OPTION, IGNORE_OPTION, JOBS_OPTION, MAX_FILE_SIZE_OPTION,
                                   PATHS_ARGUMENT, SELECT_OPTION, UsageFailure, build_options, check_one_stdout_document,
                                   check_output_targets, fail, main_output_file, parse_outputs, result_cache, use_colour, write_output)
from igmigrate.config import FAIL_ON, ConfigError
from igmigrate.findings import fails
from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base
from igmigrate.outputs import FORMATS, render
from igmigrate.scanner import scan
from igmigrate.progress import Progress
from igmigrate.provenance import ScanContext
from igmigrate import ci_scan, statistics  # CI: baseline, changed files, --statistics

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find Instagram Basic Display (and Legacy) API usage and say exactly what to change.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("scan")
def scan_command(
    paths: Optional[List[str]] = PATHS_ARGUMENT,
    output_format: str = typer.Option("text", "--format", "--output-format", "-f", help=f"Main format: {', '.join(sorted(FORMATS))}."),
    output_file: Optional[Path] = typer.Option(None, "--output-file", "-o", metavar="FILE", help="Write the main format to FILE instead of stdout."),
    output: Optional[List[str]] = typer.Option(None, "--output", metavar="FORMAT[=FILE]", help="Extra output (stdout without =FILE); repeatable."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="error|warning|note|never (default: error)."),
    exclude: Optional[List[str]] = EXCLUDE_OPTION,
    select: Optional[List[str]] = SELECT_OPTION,
    ignore: Optional[List[str]] = IGNORE_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    max_file_size: Optional[int] = MAX_FILE_SIZE_OPTION,
    config_file: Optional[Path] = CONFIG_OPTION,
    show_suppressed: bool = typer.Option(False, "--show-suppressed", help="List suppressed findings in text output."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every skipped file."),
    color: str = typer.Option("auto", "--color", help="auto|always|never (auto: a terminal, FORCE_COLOR, not NO_COLOR or TERM=dumb)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings reach --fail-on (errors still exit 2)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no findings; the exit code says it all (errors still go to stderr)."),
    show_statistics: bool = typer.Option(False, "--statistics", help="Print counts per rule and per file after the findings."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Hide findings recorded in this baseline file (SARIF keeps them as baselineState unchanged; see `igmigrate baseline`)."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF", help="Scan only files changed since the merge base with REF (commits, staged, unstaged, untracked)."),
    changed_lines: bool = typer.Option(False, "--changed-lines", help="Keep only findings on changed lines (base: --changed-since REF, else HEAD)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Analyze every file afresh; neither read nor write the result cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", envvar="IGMIGRATE_CACHE_DIR", help="Result cache folder (default: .igmigrate_cache/ at the git top level, else in the first scanned folder)."),
) -> None:
    """Scan code for Basic Display and Legacy Instagram API use."""
    if output_format not in FORMATS:
        raise fail(f"--format {output_format!r}: choose from {', '.join(sorted(FORMATS))}")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise fail(f"--fail-on {fail_on!r}: choose from {', '.join(FAIL_ON)}")
    try:
        colour = use_colour(color, sys.stdout.isatty() and output_file is None)
        outputs = parse_outputs(output or [])
        main_output = main_output_file(output_file)
        stdout_formats = [name for name, target in outputs if target is None]
        if main_output is None and not quiet:
            stdout_formats.insert(0, output_format)
        check_one_stdout_document(stdout_formats)
        check_output_targets([target for _, target in outputs if target is not None] + [main_output] * bool(main_output))
        options, threshold, kb = build_options(paths, exclude, select, ignore, jobs, max_file_size, config_file, fail_on)
        ci = ci_scan.CIOptions(baseline=baseline, changed_since=changed_since, changed_lines=changed_lines)
        changes = ci_scan.restrict(ci, options, Path.cwd())
        result = scan(options, kb, cache=result_cache(options, kb, no_cache, cache_dir), progress=Progress())
        ci_outcome = ci_scan.finish(ci, result, options, changes, Path.cwd())
        result = ci_outcome.result
    except (UsageFailure, ConfigError, KnowledgeBaseError, ci_scan.CIError) as exc:
        raise fail(str(exc))
    render_options = {"colour": colour, "show_suppressed": show_suppressed, "verbose": verbose, "fail_on": threshold,
                      "scan_context": ScanContext(options.paths, Path.cwd())}  # git runs only if JSON is written
    files = [(name, target) for name, target in outputs if target is not None]
    if main_output is not None:
        files.insert(0, (output_format, main_output))
    for name, target in files:
        write_output(target, render(name, result, kb, {**render_options, "colour": False}))
    if not quiet:
        if main_output is None:
            # color= keeps click from stripping the codes we chose to emit (--color always into a pipe).
            typer.echo(render(output_format, result, kb, render_options), nl=False, color=colour)
        for name, target in outputs:
            if target is None:
                typer.echo(render(name, result, kb, render_options), nl=False)
        # After the findings, never instead of them; stderr when stdout holds a machine format.
        to_stderr = any(name not in ("text", "github") for name in stdout_formats)
        for note in ci_outcome.notes:
            typer.echo(f"igmigrate: {note}", err=to_stderr)
        if show_statistics:
            typer.echo(statistics.render(result.findings, kb), nl=False, err=to_stderr)
    raise typer.Exit(1 if fails(result.findings, threshold) and not exit_zero else 0)


@app.command("rules")
def rules_command() -> None:
    """List the rules of the knowledge base."""
    try:
        kb = default_knowledge_base()
    except KnowledgeBaseError as exc:
        raise fail(str(exc))
    for rule in kb.rules.values():
        typer.echo(f"{rule.id}  {rule.severity:<7}  {rule.name:<34} {rule.title}")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"igmigrate {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Show the version."),
) -> None:
    """igmigrate: audit code for the Instagram Basic Display API."""


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("igmigrate: interrupted", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: exit 2, one line, no traceback
        typer.echo(f"igmigrate: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)


# These modules hold only each command's options; what a command runs is imported when it
# runs, so `igmigrate scan` (the pre-commit hook) pays for none of it.
from igmigrate.probe.command import register as register_probe  # probe
register_probe(app)  # probe
from igmigrate.baseline_command import register as register_baseline  # CI: baseline create/update
register_baseline(app)  # CI

from igmigrate.report.command import register as register_report  # report
register_report(app)  # report

from igmigrate.fix.command import register as register_fix  # fix
register_fix(app)  # fix

from igmigrate.history.command import register as register_history  # history
register_history(app)  # history
