"""Scan each chosen commit's tree with the normal scanner, sharing one result cache across
commits (and with `igmigrate scan`), so a file that did not change between commits costs a
cache lookup, not an analysis."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from igmigrate.cache import CacheStats, ResultCache, default_cache_dir
from igmigrate.config import Config, ConfigError, find_config, load_config
from igmigrate.findings import ScanResult
from igmigrate.history.commits import Commit, TreeCheckout, first_parent_commits, select, top_level
from igmigrate.history.model import History, HistoryPoint
from igmigrate.knowledge import KnowledgeBase
from igmigrate.provenance import git_state
from igmigrate.scanner import DEFAULT_MAX_FILE_SIZE, ScanOptions, scan


@dataclass
class HistoryRun:
    history: History
    seconds: float
    stats: CacheStats = field(default_factory=CacheStats)
    notes: list[str] = field(default_factory=list)  # commits scanned with defaults (a broken config)


def _config_in_tree(tree: Path, target: Path, kb: KnowledgeBase, sha: str, notes: list[str]) -> Config:
    """The commit's own configuration, as a scan of its checkout would find it (never one
    from outside the tree)."""
    found = find_config(target if target.is_dir() else target.parent)
    if found is None or tree not in found.parents:
        return Config()
    try:
        return load_config(found, set(kb.rules))
    except ConfigError as exc:
        notes.append(f"commit {sha[:12]}: {exc}; scanned with the default configuration")
        return Config()


def tree_home(top: Path, folder: Path | None) -> Path | None:
    """Where the commits' trees live between runs: in the cache folder, unless that folder is
    inside the work tree (the default `.igmigrate_cache/`): a whole checkout does not belong
    there, so it goes to the user's cache folder ($XDG_CACHE_HOME or ~/.cache)."""
    if folder is None:
        return None
    resolved = folder.resolve()
    if resolved == top or top in resolved.parents:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "igmigrate"
    return folder


def scan_options(target: Path, config: Config, jobs: int | None) -> ScanOptions:
    return ScanOptions(
        paths=[target], excludes=tuple(config.exclude), jobs=jobs if jobs is not None else (config.jobs or 0),
        max_file_size=config.max_file_size or DEFAULT_MAX_FILE_SIZE, select=tuple(config.select),
        ignore=tuple(config.ignore), severity_overrides=config.severity,
        exclude_base=config.path.parent if config.path else None,
    )


def point_of(commit: Commit, result: ScanResult) -> HistoryPoint:
    active = [f for f in result.findings if not f.suppressed]
    counts = Counter(f.severity for f in active)
    return HistoryPoint(commit.sha, commit.date, counts["error"], counts["warning"], counts["note"],
                        dict(Counter(f.rule_id for f in active)))


def run_history(path: Path, kb: KnowledgeBase, *, since: str | None = None, commits: int = 50, every: int = 1,
                jobs: int | None = None, cache_dir: Path | None = None, no_cache: bool = False) -> HistoryRun:
    started = time.perf_counter()
    top = top_level(path)
    sub = path.resolve().relative_to(top) if path.resolve() != top else Path(".")
    chosen = select(first_parent_commits(top, since), commits, every)
    state = git_state(top)
    salts: dict[int, ResultCache] = {}  # by max file size (part of the cache salt)
    stats = CacheStats()
    notes: list[str] = []
    points = []
    folder = None if no_cache else (cache_dir or default_cache_dir([top]))
    if folder is not None:
        ResultCache.create(folder, kb.digest, DEFAULT_MAX_FILE_SIZE).prepare()  # its .gitignore first
    with TreeCheckout(top, tree_home(top, folder)) as checkout:
        for commit in chosen:
            tree = checkout.checkout(commit.sha)
            target = tree / sub
            if not target.exists():  # the folder did not exist yet at this commit
                points.append(HistoryPoint(commit.sha, commit.date, 0, 0, 0, {}))
                continue
            options = scan_options(target, _config_in_tree(tree, target, kb, commit.sha, notes), jobs)
            cache = None
            if folder is not None:
                salted = salts.get(options.max_file_size)
                if salted is None:
                    salted = salts[options.max_file_size] = ResultCache.create(folder, kb.digest, options.max_file_size)
                # A fresh start time per commit: files git wrote more than the racy margin
                # before this scan are trusted by their stat, not read again.
                cache = ResultCache(salted.directory, salted.salt)
            points.append(point_of(commit, scan(options, kb, cwd=tree, cache=cache)))
            if cache is not None:
                stats.add(cache.stats)
    history = History(tuple(points), state.repository, state.branch, every)
    return HistoryRun(history, time.perf_counter() - started, stats, notes)
