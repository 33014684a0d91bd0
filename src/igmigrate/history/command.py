"""`igmigrate history`: scan past commits of the current branch and chart the findings.

Only the options live at module level (the CLI imports this module whatever command runs),
without `from __future__ import annotations` (see cli.py).
"""

from pathlib import Path
from typing import Optional

import typer

_SUFFIX_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}

HELP = """Scan past commits of the current branch and show how the findings went down: errors, warnings and notes per commit, oldest first, with the count per rule.

Commits are the first-parent history of HEAD (newest 50 by default, all when fewer), dated by committer date. The work tree and the repository's index are never touched: each commit's tree is written by git into a folder outside the work tree (under --cache-dir, else ~/.cache/igmigrate; a temporary folder with --no-cache), and unchanged files come from the cache, so a second run costs little. Each commit is scanned with its own .igmigrate.toml / pyproject.toml settings.

--format json gives {"points": [{"commit", "date", "errors", "warnings", "notes", "by_rule"}]}, which `igmigrate report --history FILE` turns into a chart.

Exit codes: 0 written, 2 usage or git errors (not a git work tree, no commits)."""


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP)(history_command)


def history_command(
    path: Optional[Path] = typer.Argument(None, help="A folder inside a git work tree (default: .)."),
    output_format: Optional[str] = typer.Option(
        None, "--format", "-f", help="json|markdown|html (default: from the -o suffix, else markdown)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of stdout."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE", help="Only commits since this committer date (YYYY-MM-DD)."),
    commits: int = typer.Option(50, "--commits", min=1, help="The newest N commits (default 50)."),
    every: int = typer.Option(1, "--every", min=1, help="Every Nth commit (the newest always included)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=0, help="Worker processes per scan (default: CPU count)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the result cache."),
    cache_dir: Optional[Path] = typer.Option(
        None, "--cache-dir", envvar="IGMIGRATE_CACHE_DIR", help="Result cache folder (default: as for scan)."),
) -> None:
    from igmigrate.cli_support import UsageFailure, check_output_targets, fail, write_output
    from igmigrate.history import render
    from igmigrate.history.commits import HistoryError, parse_since
    from igmigrate.history.engine import run_history
    from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base

    fmt = output_format or (_SUFFIX_FORMATS.get(output.suffix.lower(), "markdown") if output else "markdown")
    if fmt not in render.FORMATS:
        raise fail(f"--format {fmt!r}: choose from {', '.join(render.FORMATS)}")
    try:
        check_output_targets([output] if output is not None else [])
        kb = default_knowledge_base()
        run = run_history(path or Path("."), kb, since=parse_since(since), commits=commits, every=every, jobs=jobs,
                          cache_dir=cache_dir, no_cache=no_cache)
    except (HistoryError, UsageFailure, KnowledgeBaseError) as exc:
        raise fail(str(exc))
    for note in run.notes:
        typer.echo(f"igmigrate history: {note}", err=True)
    history = run.history
    if fmt == "json":
        text = render.render_json(history)
    elif fmt == "html":
        text = render.render_html(history, kb.version)
    else:
        text = render.render_markdown(history)
    s = run.stats
    summary = (f"igmigrate history: {len(history.points)} commits in {run.seconds:.2f} s "
               f"(cache: {s.unchanged} files unchanged, {s.hits} hits, {s.misses} analyzed)")
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_output(output, text)
        summary += f"; wrote {output} ({fmt})"
    typer.echo(summary, err=True)
    raise typer.Exit(0)
