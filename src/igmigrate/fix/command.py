"""`igmigrate fix`: rewrite what the knowledge base knows how to migrate (docs/fix.md).

Exit codes: without --diff, 0 when fixes were applied or nothing was fixable; with --diff,
1 when something would change and 0 when not (nothing is written either way: no file of
the tree, no cache); 2 on usage, config, knowledge-base or I/O errors.

Only the options live at module level (cli.py imports this module whatever command runs),
without `from __future__ import annotations` (see cli.py).
"""

from pathlib import Path
from typing import List, Optional

import typer

from igmigrate.cli_support import (  # the options every scanning command takes
    CONFIG_OPTION, EXCLUDE_OPTION, IGNORE_OPTION, JOBS_OPTION, MAX_FILE_SIZE_OPTION, PATHS_ARGUMENT, SELECT_OPTION)

HELP = """Apply the fixes the knowledge base knows (docs/fix.md): safe ones by default (retired business_* scope values to their instagram_business_* names); unsafe ones with --unsafe-fixes (Basic Display scopes to instagram_business_basic, the authorize host, a dependency bump to the first migrated release): they need the companion steps printed at the end.

Review first with --diff (a unified diff, nothing written), apply, then re-scan.

Exit codes: 0 fixes applied or nothing to fix; with --diff 1 when something would change, 0 when not; 2 usage, config or I/O error."""

FORMATS = ("text", "json")


def register(app: typer.Typer) -> None:
    app.command("fix", help=HELP)(fix_command)


def fix_command(
    paths: Optional[List[str]] = PATHS_ARGUMENT,
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff of what would change; write nothing."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes that need companion steps."),
    output_format: str = typer.Option("text", "--format", "-f", help="text|json."),
    exclude: Optional[List[str]] = EXCLUDE_OPTION,
    select: Optional[List[str]] = SELECT_OPTION,
    ignore: Optional[List[str]] = IGNORE_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    max_file_size: Optional[int] = MAX_FILE_SIZE_OPTION,
    config_file: Optional[Path] = CONFIG_OPTION,
) -> None:
    # Imported here: the scan path must not pay for the fix engine (libcst, tree-sitter).
    from igmigrate.cli_support import UsageFailure, build_options, fail
    from igmigrate.config import ConfigError
    from igmigrate.fix import apply, render
    from igmigrate.fix.engine import plan as make_plan
    from igmigrate.knowledge import KnowledgeBaseError
    from igmigrate.scanner import scan

    if output_format not in FORMATS:
        raise fail(f"--format {output_format!r}: choose from {', '.join(FORMATS)}")
    try:
        options, _, kb = build_options(paths, exclude, select, ignore, jobs, max_file_size, config_file, None)
        result = scan(options, kb)  # no result cache: --diff writes nothing inside the tree
    except (UsageFailure, ConfigError, KnowledgeBaseError) as exc:
        raise fail(str(exc))
    mask = apply.masker(kb)
    plan = make_plan(result.findings, Path.cwd(), kb, unsafe=unsafe_fixes, scanned=options.paths)
    if diff:
        if output_format == "json":
            typer.echo(render.as_json(plan, mask, "diff"), nl=False)
        else:
            typer.echo(render.diff(plan, mask), nl=False)
            typer.echo(render.text(plan, mask, would=True), nl=False, err=True)
        raise typer.Exit(2 if plan.errors else 1 if plan.files else 0)
    written = apply.write(plan)
    if output_format == "json":
        typer.echo(render.as_json(written, mask, "apply"), nl=False)
    else:
        typer.echo(render.text(written, mask), nl=False)
    raise typer.Exit(2 if written.errors else 0)
