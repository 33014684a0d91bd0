"""Which commits `igmigrate history` scans, and their trees, read from git without touching
the work tree or the repository's index.

Commits: first-parent history of HEAD (the current branch as it was merged into, not the
commits of merged side branches), committer dates. Trees: `git read-tree -u` into a
temporary folder with a private index file; moving that folder from one commit to the next
rewrites only the files that differ, so the scanner's stat index and content cache see the
rest unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SEP = "\x1f"


class HistoryError(Exception):
    """git could not answer or the options ask for nothing (the CLI exits 2)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # committer date, ISO 8601 with offset


def _git(top: Path, *args: str, env: dict | None = None) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    except FileNotFoundError:
        raise HistoryError("git is not installed (igmigrate history reads commits from git)") from None
    except subprocess.TimeoutExpired:
        raise HistoryError(f"git {args[0]} timed out") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise HistoryError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(proc.returncode)}")
    return proc.stdout


def parse_since(value: str | None) -> str | None:
    """--since YYYY-MM-DD (or a full ISO date-time) for git; anything else is a usage error."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise HistoryError(f"--since {value!r}: expected a date YYYY-MM-DD") from None


def select(commits: list[Commit], count: int, every: int) -> list[Commit]:
    """From newest-first commits: every Nth (the newest always included), the newest `count`
    of those, oldest first."""
    if count < 1 or every < 1:
        raise HistoryError("--commits and --every must be at least 1")
    return list(reversed(commits[::every][:count]))


def first_parent_commits(top: Path, since: str | None = None) -> list[Commit]:
    """Newest first."""
    args = ["log", "--first-parent", "--no-show-signature", f"--format=%H{_SEP}%cI", "HEAD"]
    if since:
        args.insert(1, f"--since={since}")
    try:
        _git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except HistoryError:
        raise HistoryError(f"{top}: the repository has no commits yet") from None
    out = _git(top, *args)
    commits = []
    for line in out.splitlines():
        sha, sep, date = line.partition(_SEP)
        if sep:
            commits.append(Commit(sha, date))
    return commits


def top_level(path: Path) -> Path:
    try:
        return Path(_git(path if path.is_dir() else path.parent, "rev-parse", "--show-toplevel").strip()).resolve()
    except HistoryError:
        raise HistoryError(f"{path}: not inside a git work tree (igmigrate history scans past commits)") from None


def _drop_stale_lock(lock: Path) -> None:
    """A lock whose process is gone (a killed run) is removed."""
    try:
        pid = int(lock.read_text() or "0")
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        lock.unlink(missing_ok=True)
    except OSError:
        pass  # alive, or not ours to ask about: leave it


class TreeCheckout:
    """A folder holding one commit's tree at a time.

    With a cache folder the tree lives on in it (`history-tree/<repository key>/`), so the
    next run starts from the last commit's files and the scanner's stat index knows them;
    a lock file keeps two runs out of the same tree (the second gets a temporary one).
    Without, a temporary folder is removed on exit."""

    def __init__(self, top: Path, cache_dir: Path | None = None):
        self.top = top
        self._lock: Path | None = None
        self._base = self._reuse(cache_dir) if cache_dir is not None else None
        self._temporary = self._base is None
        if self._base is None:
            self._base = Path(tempfile.mkdtemp(prefix="igmigrate-history-"))
        self.tree = self._base / "tree"
        self.tree.mkdir(parents=True, exist_ok=True)
        self._env = {"GIT_INDEX_FILE": str(self._base / "index"), "GIT_WORK_TREE": str(self.tree)}

    def _reuse(self, cache_dir: Path) -> Path | None:
        key = hashlib.sha256(str(self.top).encode()).hexdigest()[:16]
        base = cache_dir / "history-tree" / key
        try:
            base.mkdir(parents=True, exist_ok=True)
            _drop_stale_lock(base / "lock")
            fd = os.open(base / "lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except OSError:
            return None  # in use by another run, or not writable: a temporary tree instead
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        self._lock = base / "lock"
        return base

    def __enter__(self) -> "TreeCheckout":
        return self

    def __exit__(self, *exc) -> None:
        if self._temporary:
            shutil.rmtree(self._base, ignore_errors=True)
        elif self._lock is not None:
            self._lock.unlink(missing_ok=True)

    def checkout(self, sha: str) -> Path:
        # --reset: the private index matches the folder, so only files that differ are written.
        _git(self.top, "-c", "core.hooksPath=/dev/null", "read-tree", "--reset", "-u", sha, env=self._env)
        return self.tree
