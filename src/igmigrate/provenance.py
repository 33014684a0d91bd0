"""What a scan looked at: its roots and, in a git work tree, the repository, commit, branch
and committer date (the `scan` block of the JSON output, and the report's header).

Cost: at most one git process per scan (`git log -1`), whatever the number of files. The
branch comes from reading HEAD and the repository name from the config file, both plain
reads. Remote URLs lose any user name, password, token, query and fragment before they are
used: a CI checkout's remote often carries a token (`https://x-access-token:...@github.com/...`).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_REMOTE_SECTION = re.compile(r'^\s*\[\s*remote\s+"((?:[^"\\]|\\.)*)"\s*\]')
_ANY_SECTION = re.compile(r"^\s*\[")
_URL_KEY = re.compile(r"^\s*url\s*=\s*(.*?)\s*$", re.IGNORECASE)
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?([^:/\s]+):(?!//)(.+)$")  # git@host:org/repo.git
_SEP = "\x1f"


@dataclass(frozen=True)
class GitState:
    repository: str | None
    commit: str | None
    branch: str | None
    commit_date: str | None  # committer date, ISO 8601 with offset


def scan_roots(paths: list[Path], cwd: Path) -> list[str]:
    """Scan roots as the scanner displays them: a directory, or a named file's directory."""
    from igmigrate.discovery import display_path

    cwd = cwd.resolve()
    roots = []
    for given in paths:
        absolute = given if given.is_absolute() else cwd / given
        root = absolute.parent if absolute.is_file() else absolute
        roots.append(display_path(root.resolve(), cwd))
    return list(dict.fromkeys(roots))


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(work-tree top level, git dir) of the repository holding start, without running git.
    A `.git` file (worktrees, submodules) points at the real git dir."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return candidate, dot_git
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:"):].strip())
                return candidate, (target if target.is_absolute() else candidate / target)
            return None
    return None


def _common_dir(git_dir: Path) -> Path:
    """A worktree's git dir keeps HEAD; config and refs live in the common dir."""
    try:
        text = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    common = Path(text)
    return common if common.is_absolute() else (git_dir / common)


def read_branch(git_dir: Path) -> str | None:
    """The checked-out branch from HEAD; None when HEAD is detached (CI checkouts often are)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if head.startswith("ref:"):
        ref = head[4:].strip()
        return ref.removeprefix("refs/heads/") or None
    return None


def remote_url(config_text: str) -> str | None:
    """The `origin` remote's URL, else the first remote's, from a git config file's text."""
    urls: dict[str, str] = {}
    current: str | None = None
    for line in config_text.splitlines():
        section = _REMOTE_SECTION.match(line)
        if section:
            current = section.group(1)
            continue
        if _ANY_SECTION.match(line):
            current = None
            continue
        key = _URL_KEY.match(line)
        if current is not None and key and current not in urls:
            value = key.group(1)
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            urls[current] = value
    if not urls:
        return None
    return urls.get("origin") or next(iter(urls.values()))


def repository_name(url: str) -> str | None:
    """host/path of a remote without credentials or .git ("github.com/acme/shop"); a local
    path remote gives its last folder name."""
    from urllib.parse import urlsplit  # here: a text scan never pays for it

    url = url.strip()
    if not url:
        return None
    if "://" in url:
        parts = urlsplit(url)
        host = parts.hostname or ""  # hostname drops user:password@ and the port
        path = parts.path
    else:
        scp = _SCP_LIKE.match(url)
        if scp and not url.startswith(("/", ".")):
            host, path = scp.group(1), scp.group(2)
        else:
            host, path = "", url
    path = path.strip("/").removesuffix(".git").strip("/")
    if not host:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        return name or None
    return f"{host.lower()}/{path}" if path else host.lower()


def _log_head(top: Path) -> tuple[str | None, str | None]:
    """(commit, committer date) of HEAD: the one git process."""
    try:
        proc = subprocess.run(["git", "-C", str(top), "log", "-1", "--no-show-signature", f"--format=%H{_SEP}%cI"],
                              capture_output=True, text=True, timeout=30,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return None, None
    commit, sep, date = proc.stdout.strip().partition(_SEP)
    if proc.returncode != 0 or not sep or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        return None, None
    return commit, date or None


def git_state(root: Path) -> GitState:
    """Repository, commit, branch and committer date for the tree holding root; outside git
    (or without git installed) the repository is the folder's name and the rest is None."""
    root = root.resolve()
    found = find_git_dir(root)
    folder_name = (root if root.is_dir() else root.parent).name or None
    if found is None:
        return GitState(folder_name, None, None, None)
    top, git_dir = found
    common = _common_dir(git_dir)
    try:
        config = (common / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        config = ""
    url = remote_url(config)
    name = (repository_name(url) if url else None) or top.name or folder_name
    commit, date = _log_head(top)
    return GitState(name, commit, read_branch(git_dir), date)


def scan_block(paths: list[Path], cwd: Path) -> dict:
    """The JSON output's `scan` object (see docs/scan-json.md)."""
    roots = scan_roots(paths, cwd)
    first = paths[0] if paths else Path(".")
    state = git_state(first if first.is_absolute() else cwd / first)
    return {"roots": roots, "repository": state.repository, "commit": state.commit, "branch": state.branch,
            "commit_date": state.commit_date}


class ScanContext:
    """What a renderer needs to write the `scan` block, worked out on first use and once per
    run (a scan writing JSON to stdout and to a file still runs git once; text output never)."""

    def __init__(self, paths: list[Path], cwd: Path):
        self.paths, self.cwd = list(paths), cwd
        self._block: dict | None = None

    def block(self) -> dict:
        if self._block is None:
            self._block = scan_block(self.paths, self.cwd)
        return self._block
