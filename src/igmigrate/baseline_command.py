"""`igmigrate baseline create|update`: write the file that `scan --baseline` reads.

The CLI imports this module whatever command runs (a pre-commit scan included), so
igmigrate.baseline is imported by the commands that use it; and no `from __future__ import
annotations`: typer reads these signatures on every run (see cli.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from igmigrate.cli_support import (CONFIG_OPTION, EXCLUDE_OPTION, JOBS_OPTION, PATHS_ARGUMENT, UsageFailure, build_options,
                                    check_output_targets, fail, write_output)
from igmigrate.config import ConfigError
from igmigrate.knowledge import KnowledgeBaseError
from igmigrate.scanner import scan

if TYPE_CHECKING:
    from igmigrate.baseline import Baseline

baseline_app = typer.Typer(
    no_args_is_help=True,
    help="Accept today's findings once; `scan --baseline FILE` then fails only on new ones.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _scan(paths, exclude, config_file, jobs, target: Path):
    from igmigrate import baseline as baselines

    try:
        check_output_targets([target])
        options, _, kb = build_options(paths, exclude, None, None, jobs, None, config_file, None)
        result = scan(options, kb)
    except (UsageFailure, ConfigError, KnowledgeBaseError) as exc:
        raise fail(str(exc))
    result.findings = baselines.without_baseline_files(result.findings, Path.cwd())
    return options, result


def _write(path: Path, baseline: "Baseline") -> None:
    write_output(path, baseline.render())




@baseline_app.command("create")
def create_command(
    paths: Optional[List[str]] = PATHS_ARGUMENT,
    output: Path = typer.Option(..., "--output", "-o", help="Baseline file to write (JSON)."),
    exclude: Optional[List[str]] = EXCLUDE_OPTION,
    config_file: Optional[Path] = CONFIG_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
) -> None:
    """Scan and record every current (unsuppressed) finding in FILE."""
    from igmigrate import baseline as baselines

    _, result = _scan(paths, exclude, config_file, jobs, output)
    baseline = baselines.Baseline.from_findings(result.findings)
    _write(output, baseline)
    typer.echo(f"igmigrate: wrote {len(baseline.entries)} baseline entries to {output}", err=True)


@baseline_app.command("update")
def update_command(
    file: Path = typer.Argument(..., help="The baseline file to update in place."),
    paths: Optional[List[str]] = PATHS_ARGUMENT,
    add_new: bool = typer.Option(False, "--add-new", help="Also accept findings that are not in the baseline yet."),
    exclude: Optional[List[str]] = EXCLUDE_OPTION,
    config_file: Optional[Path] = CONFIG_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
) -> None:
    """Drop entries whose findings are gone; never add new ones unless --add-new."""
    from igmigrate import baseline as baselines

    try:
        current = baselines.load(file)
    except baselines.BaselineError as exc:
        raise fail(str(exc))
    options, result = _scan(paths, exclude, config_file, jobs, file)
    scope = baselines.scan_scope(options.paths, options.only_files, Path.cwd(), result.scanned)
    comparison = baselines.compare(current, result.findings, scope)
    fresh = baselines.updated(current, comparison, add_new)
    new = sum(not f.suppressed for f in comparison.new)
    _write(file, fresh)
    message = f"igmigrate: {file}: removed {len(comparison.fixed)} fixed entries"
    if add_new:
        message += f", added {new} new findings"
    elif new:
        message += f"; {new} new findings not added (use --add-new to accept them)"
    typer.echo(message + f"; {len(fresh.entries)} entries", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(baseline_app, name="baseline")
