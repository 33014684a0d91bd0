"""`igmigrate report`: scan, then write the migration report as Markdown or one HTML page;
with --from-json, merge saved scans of many repositories into one organisation report.

Exit codes: 0 when the report was written (a report is not a gate: use `igmigrate scan
--fail-on` for that), 2 on usage, config, knowledge-base or input-file errors.

Only the options live at module level (the CLI imports this module whatever command runs),
without `from __future__ import annotations` (see cli.py).
"""

import datetime as dt
from importlib import import_module
from pathlib import Path
from typing import List, Optional

import typer

from igmigrate.cli_support import (  # the options every scanning command takes
    CONFIG_OPTION, EXCLUDE_OPTION, IGNORE_OPTION, JOBS_OPTION, MAX_FILE_SIZE_OPTION, SELECT_OPTION)

# Renderer modules by --format name, imported when a report is written.
RENDERERS = {"markdown": "igmigrate.report.markdown", "html": "igmigrate.report.html"}
ORG_RENDERERS = {"markdown": "igmigrate.report.org_markdown", "html": "igmigrate.report.org_html"}
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}

HELP = """Write a migration report: what breaks and where, the flows to migrate, what to change (with before/after examples), what no code change fixes, live evidence from probe results, and every finding. Markdown (fits a pull-request comment) or one self-contained HTML page.

--from-json: the arguments are saved scans (`igmigrate scan --format json` files, `-` for stdin), one per repository, merged into one organisation report: a row per repository, totals, charts and each repository's detail. Two scans of the same repository: the later commit date counts and the report names the dropped one. --history FILE adds the burndown from `igmigrate history --format json`.

--probe-results takes the output of `igmigrate probe --format json`; it has no date of its own, so the report uses --probe-date, else the file's modification time. --baseline takes any JSON holding "fingerprint" values (a baseline file, or `igmigrate scan --format json` output).

Exit codes: 0 report written, 2 usage, config, knowledge-base or input-file error."""


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(report_command)


def _format(name: str | None, output: Path | None) -> str:
    if name is None:
        return _SUFFIX_FORMATS.get(output.suffix.lower(), "markdown") if output else "markdown"
    if name not in RENDERERS:
        raise ValueError(f"--format {name!r}: choose from {', '.join(RENDERERS)}")
    return name


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"--probe-date {value!r}: expected a date YYYY-MM-DD") from None


def report_command(
    paths: Optional[List[str]] = typer.Argument(
        None, help="Files or directories (default: .); with --from-json, saved scan files (- for stdin)."),
    from_json: bool = typer.Option(False, "--from-json", help="Merge saved scans (the arguments) into an organisation report."),
    history: Optional[Path] = typer.Option(
        None, "--history", metavar="FILE", help="Add the burndown from `igmigrate history --format json`."),
    output_format: Optional[str] = typer.Option(
        None, "--format", "-f", help="markdown|html (default: from the -o suffix, else markdown)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of stdout."),
    probe_results: Optional[Path] = typer.Option(
        None, "--probe-results", metavar="FILE", help="JSON from `igmigrate probe --format json`."),
    probe_date: Optional[str] = typer.Option(
        None, "--probe-date", metavar="YYYY-MM-DD", help="When the probe ran (default: the file's modification time)."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", metavar="FILE", help="JSON with finding fingerprints: report new and fixed findings apart."),
    title: Optional[str] = typer.Option(None, "--title", help="Report title."),
    exclude: Optional[List[str]] = EXCLUDE_OPTION,
    select: Optional[List[str]] = SELECT_OPTION,
    ignore: Optional[List[str]] = IGNORE_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    max_file_size: Optional[int] = MAX_FILE_SIZE_OPTION,
    config_file: Optional[Path] = CONFIG_OPTION,
) -> None:
    from igmigrate.cli_support import UsageFailure, build_options, check_output_targets, fail, write_output
    from igmigrate.masking import mask
    from igmigrate.config import ConfigError
    from igmigrate.knowledge import KnowledgeBaseError
    from igmigrate.scanner import scan
    from igmigrate.report.inputs import InputError, read_baseline, read_probe_results
    from igmigrate.report.model import build_report
    from igmigrate.report.spec import load_spec
    from igmigrate.provenance import scan_block, scan_roots
    from igmigrate.report.model import ScanInfo
    from igmigrate.history.model import read_history

    if from_json:
        scan_only = {"--probe-results": probe_results, "--probe-date": probe_date, "--baseline": baseline,
                     "--exclude": exclude, "--select": select, "--ignore": ignore, "--jobs": jobs,
                     "--max-file-size": max_file_size, "--config": config_file}
        given = [name for name, value in scan_only.items() if value]
        if given:
            raise fail(f"{', '.join(given)}: apply to a scan, not to --from-json (saved scans are merged as they are)")
        _org_report(paths or [], output_format, output, title, history)
    try:
        fmt = _format(output_format, output)
        check_output_targets([output] if output is not None else [])
        burndown = read_history(history) if history is not None else None
        date = _date(probe_date)
        options, _, kb = build_options(paths, exclude, select, ignore, jobs, max_file_size, config_file, None)
        spec = load_spec(kb)
        probe = read_probe_results(probe_results, date) if probe_results is not None else None
        fingerprints = read_baseline(baseline) if baseline is not None else None
        result = scan(options, kb)
    except (ValueError, InputError, UsageFailure, ConfigError, KnowledgeBaseError) as exc:
        raise fail(str(exc))
    if fingerprints is not None and not fingerprints:
        typer.echo(f"igmigrate report: warning: --baseline {baseline} holds no fingerprints; every finding is new", err=True)
    scanned = ScanInfo.from_block(scan_block(options.paths, Path.cwd()))  # one git process
    report = build_report(result, kb, spec, roots=tuple(scan_roots(options.paths, Path.cwd())), title=title, probe=probe,
                          baseline=fingerprints, baseline_path=str(baseline) if baseline is not None else None,
                          scanned=scanned, history=burndown)
    text = mask(import_module(RENDERERS[fmt]).render(report))
    if output is None:
        typer.echo(text, nl=False)
        raise typer.Exit(0)
    write_output(output, text)
    typer.echo(f"igmigrate report: wrote {output} ({fmt}, {report.total} findings in {report.files_affected} files)",
               err=True)
    raise typer.Exit(0)


def _org_report(sources: list[str], output_format, output, title, history) -> None:
    """report --from-json: saved scans streamed into the organisation report; exits."""
    from igmigrate.cli_support import UsageFailure, check_output_targets, fail, write_output
    from igmigrate.history.model import read_history
    from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base
    from igmigrate.masking import mask
    from igmigrate.report.inputs import InputError
    from igmigrate.report.organisation import build_org_report
    from igmigrate.report.saved import read_saved_scans
    from igmigrate.report.spec import load_spec

    if not sources:
        raise fail("--from-json: give the saved scan files (igmigrate scan --format json output), or - for stdin")
    try:
        fmt = _format(output_format, output)
        check_output_targets([output] if output is not None else [])
        kb = default_knowledge_base()
        spec = load_spec(kb)
        burndown = read_history(history) if history is not None else None
        scans = read_saved_scans(sources, lambda rule_id: spec.flow_of(kb, rule_id), spec.effort.weight)
        report = build_org_report(scans, kb, spec, title=title, history=burndown)
    except (ValueError, InputError, UsageFailure, KnowledgeBaseError) as exc:
        raise fail(str(exc))
    text = import_module(ORG_RENDERERS[fmt]).render(report)
    if output is None:
        typer.echo(mask(text), nl=False)  # saved scans come from elsewhere: masked again (write_output masks too)
        raise typer.Exit(0)
    write_output(output, text)
    dropped = f", {len(report.dropped)} older scans dropped" if report.dropped else ""
    typer.echo(f"igmigrate report: wrote {output} ({fmt}, {len(report.repos)} repositories, "
               f"{report.total} findings{dropped})", err=True)
    raise typer.Exit(0)
