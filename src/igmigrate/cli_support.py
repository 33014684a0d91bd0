"""Helpers every command shares (scan, report, baseline, probe): usage errors, option
merging, the result cache, output files and the colour decision.

This module sits below every command module, and cli.py registers the commands: imports
point down only (a command module never imports cli.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from igmigrate.atomic import write_atomically
from igmigrate.config import config_start, find_config, load_config
from igmigrate.display import shown_path
from igmigrate.knowledge import default_knowledge_base
from igmigrate.outputs import FORMATS
from igmigrate.scanner import DEFAULT_MAX_FILE_SIZE, ScanOptions

# Options every scanning command (scan, report, fix, baseline) takes, declared once so their
# flags and help read the same everywhere.
PATHS_ARGUMENT = typer.Argument(None, help="Files or directories (default: .).")
EXCLUDE_OPTION = typer.Option(None, "--exclude", help="Extra exclude pattern (gitignore style).")
SELECT_OPTION = typer.Option(None, "--select", help="Only these rule ids (or prefixes).")
IGNORE_OPTION = typer.Option(None, "--ignore", help="Drop these rule ids (or prefixes).")
JOBS_OPTION = typer.Option(None, "--jobs", "-j", min=0, help="Worker processes (default: CPU count).")
MAX_FILE_SIZE_OPTION = typer.Option(None, "--max-file-size", min=1, help="Skip files larger than this (bytes).")
CONFIG_OPTION = typer.Option(None, "--config", help="Config file (default: nearest .igmigrate.toml or pyproject.toml).")


if TYPE_CHECKING:
    from igmigrate.cache import ResultCache
    from igmigrate.knowledge import KnowledgeBase

COLOR_CHOICES = ("auto", "always", "never")


class UsageFailure(Exception):
    """A user mistake: printed as one line, exit 2."""


def fail(message: str) -> typer.Exit:
    """Print one error line on stderr; the caller raises the returned Exit (code 2)."""
    typer.echo(f"igmigrate: error: {message}", err=True)
    return typer.Exit(2)


def parse_outputs(specs: list[str]) -> list[tuple[str, Path | None]]:
    """`--output FORMAT[=FILE]` values as (format, file or None for stdout)."""
    outputs = []
    for spec in specs:
        name, _, target = spec.partition("=")
        if name not in FORMATS:
            raise UsageFailure(f"--output {spec}: unknown format {name!r} (choose from {', '.join(sorted(FORMATS))})")
        outputs.append((name, Path(target) if target else None))
    return outputs


# Formats that can share stdout: line-oriented logs (GitHub reads its annotations from any line).
_LOG_FORMATS = ("text", "github")


def main_output_file(value: Path | None) -> Path | None:
    """`-o FILE`: the main format goes to FILE. `-o sarif=FILE` is the repeatable --output's job."""
    if value is None:
        return None
    name, sep, _ = str(value).partition("=")
    if sep and name in FORMATS:
        raise UsageFailure(f"-o {value}: -o/--output-file takes a file for the main --format; "
                           f"for another format use --output {value}")
    return value


def check_one_stdout_document(formats: list[str]) -> None:
    """Two documents on stdout (JSON then SARIF) parse as neither: refuse before scanning."""
    if len(formats) > 1 and any(name not in _LOG_FORMATS for name in formats):
        raise UsageFailure(f"{' and '.join(formats)} would all go to stdout; give all but one a file "
                           f"(-o FILE for the main format, --output FORMAT=FILE for the others)")


def check_paths(paths: list[str] | None) -> None:
    """Every path given must exist: a typo is an error (exit 2), not an empty, green scan."""
    for given in paths or ():
        if given == "-":
            raise UsageFailure("'-': reading source from stdin is not supported; give files or directories")
        if not os.path.lexists(given):
            raise UsageFailure(f"{shown_path(given)}: no such file or directory")


def split_rule_ids(values: list[str] | None, option: str, known: dict) -> list[str]:
    """`--select IGM101,igm110 --select IGM2` -> ['IGM101', 'IGM110', 'IGM2'] (ids or prefixes,
    any case); an id that names no rule is a usage error."""
    ids = []
    for value in values or ():
        for part in value.split(","):
            rule_id = part.strip().upper()
            if not rule_id:
                continue
            if not any(r.startswith(rule_id) for r in known):
                raise UsageFailure(f"{option}: unknown rule {part.strip()!r}")
            ids.append(rule_id)
    return ids


def build_options(paths, exclude, select, ignore, jobs, max_file_size, config_file,
                  fail_on) -> tuple[ScanOptions, str, KnowledgeBase]:
    """Merge command-line options over the project config; returns (ScanOptions, fail_on, kb)."""
    check_paths(paths)
    kb = default_knowledge_base()
    config_path = config_file or find_config(config_start([Path(p) for p in (paths or ["."])], Path.cwd()))
    config = load_config(config_path, set(kb.rules))
    select = split_rule_ids(select, "--select", kb.rules)
    ignore = split_rule_ids(ignore, "--ignore", kb.rules)
    options = ScanOptions(
        paths=[Path(p) for p in (paths or ["."])],
        excludes=tuple(config.exclude) + tuple(exclude or ()),
        jobs=jobs if jobs is not None else (config.jobs or 0),
        max_file_size=max_file_size or config.max_file_size or DEFAULT_MAX_FILE_SIZE,
        select=tuple(select or config.select),
        ignore=tuple(ignore) + tuple(config.ignore),
        severity_overrides=config.severity,
        exclude_base=config.path.parent if config.path else None,
    )
    return options, fail_on or config.fail_on or "error", kb


def result_cache(options: ScanOptions, kb, no_cache: bool, cache_dir: Optional[Path]) -> ResultCache | None:
    """The per-file result cache for this scan (see igmigrate.cache), or None with --no-cache."""
    if no_cache:
        return None
    from igmigrate.cache import ResultCache, default_cache_dir

    directory = cache_dir or default_cache_dir(options.paths)
    return ResultCache.create(directory, kb.digest, options.max_file_size)


def check_output_targets(paths: list[Path]) -> None:
    """Refuse, before any work, a target that is not a regular file or lies in no folder."""
    from igmigrate.atomic import NotARegularFile, resolve_target

    for path in paths:
        try:
            target, _ = resolve_target(path)
        except NotARegularFile as exc:
            raise UsageFailure(f"cannot write {shown_path(path)}: {exc.strerror}") from None
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise UsageFailure(f"cannot write {shown_path(path)}: folder {shown_path(folder)} does not exist")


def write_output(path: Path, text: str) -> None:
    """Write an output, report or baseline file, masked (igmigrate.masking); any failure is
    one line and exit 2."""
    from igmigrate.masking import mask

    try:
        write_atomically(path, mask(text))
    except OSError as exc:
        raise fail(f"cannot write {shown_path(path)}: {exc.strerror or exc}") from None


def use_colour(choice: str, stream_is_tty: bool, environ: os._Environ | dict | None = None) -> bool:
    """--color always/never win; with auto, FORCE_COLOR forces colour, NO_COLOR and TERM=dumb
    turn it off, else colour only on a terminal (https://no-color.org, https://force-color.org)."""
    if choice not in COLOR_CHOICES:
        raise UsageFailure(f"--color {choice!r}: choose from {', '.join(COLOR_CHOICES)}")
    if choice != "auto":
        return choice == "always"
    env = os.environ if environ is None else environ
    if env.get("FORCE_COLOR"):
        return True
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return stream_is_tty
