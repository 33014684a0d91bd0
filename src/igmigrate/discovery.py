"""Find the files to scan.

Inside a git work tree, `git ls-files --cached --others --exclude-standard` gives exactly the
files git would consider (so .gitignore, .git/info/exclude and global excludes apply); elsewhere
we walk the tree. Default excludes (vendored dependencies, build output, minified bundles)
and user excludes apply in both cases. Symlinks are never followed out of the root or
around a loop.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".git/", ".hg/", ".svn/", "node_modules/", ".venv/", "venv/", ".tox/", ".nox/", "dist/", "build/",
    "__pycache__/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".igmigrate_cache/",
    "*.min.js", "*.min.css", "*.bundle.js", "*.map", "*.pyc",
)
# Binary formats by name: never source, and a quarter of the bytes of a big Python tree
# (shared libraries, archives). Other binaries are found by content and reported.
BINARY_EXCLUDES = (
    "*.so", "*.so.[0-9]*", "*.dylib", "*.dll", "*.exe", "*.pyd", "*.o", "*.a", "*.lib", "*.class", "*.jar",
    "*.gz", "*.tgz", "*.bz2", "*.xz", "*.zst", "*.zip", "*.whl", "*.egg", "*.tar", "*.7z", "*.rar",
    "*.png", "*.jpg", "*.jpeg", "*.gif", "*.bmp", "*.ico", "*.webp", "*.tif", "*.tiff", "*.psd",
    "*.pdf", "*.woff", "*.woff2", "*.ttf", "*.otf", "*.eot", "*.mp3", "*.mp4", "*.wav", "*.ogg", "*.mov",
    "*.avi", "*.webm", "*.npz", "*.npy", "*.pkl", "*.db", "*.sqlite", "*.sqlite3", "*.mo",
)


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute (a string: a Path per listed file was a fifth of discovery)
    display: str  # POSIX, relative to the current directory when under it
    rel: str  # POSIX, relative to its scan root (for excludes and project grouping)
    root: Path


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (display path, message)


def display_path(path: Path | str, cwd: Path) -> str:
    text, base = os.fspath(path), str(cwd)
    if os.sep == "/" and os.path.isabs(text) and cwd.is_absolute():
        # String prefix instead of relative_to(): same answer for absolute paths, a tenth of the cost.
        if text == base:
            return "."
        prefix = base if base.endswith("/") else base + "/"
        return text[len(prefix):] if text.startswith(prefix) else text
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return Path(path).as_posix()


def matches_exclude(rel: str, patterns: tuple[str, ...] | list[str], anchored_rel: str | None = None) -> bool:
    """gitignore-flavoured patterns. 'name' or 'dir/' match at any depth; '/dir/' or 'a/b'
    are anchored: matched from the base folder (the config file's folder, given as
    anchored_rel) or, without one, from the scan root."""
    compiled = _compile_excludes(tuple(patterns))
    directory, _, name = (rel if _NORMCASE_IS_IDENTITY else os.path.normcase(rel)).rpartition("/")
    if directory and compiled.folder_excluded(directory):
        return True
    if compiled.names is not None and compiled.names(name):
        return True
    if compiled.anchored_prefix is not None or compiled.anchored_file is not None:
        target = (anchored_rel if anchored_rel is not None else rel)
        target = target if _NORMCASE_IS_IDENTITY else os.path.normcase(target)
        pieces = target.split("/")
        if compiled.anchored_prefix is not None and any(
                compiled.anchored_prefix("/".join(pieces[:i])) for i in range(1, len(pieces))):
            return True
        if compiled.anchored_file is not None and compiled.anchored_file(target):
            return True
    return False


# Compiled excludes (profile: per-pattern fnmatch calls for every part of every path were
# over half of discovery on a 50,000-file tree). One regex per kind of pattern, built from
# fnmatch.translate, so matching is exactly fnmatch's.
_NORMCASE_IS_IDENTITY = os.path.normcase("aA") == "aA"


@dataclass(frozen=True)
class _Excludes:
    names: object  # matcher for any path part (non-anchored file patterns), or None
    dirs: object  # matcher for directory parts (non-anchored 'dir/' patterns), or None
    anchored_prefix: object  # matcher for a leading folder path (anchored patterns), or None
    anchored_file: object  # matcher for the whole path (anchored file patterns), or None
    _folders: dict = field(default_factory=dict, compare=False)  # folder -> excluded by a part

    def folder_excluded(self, folder: str) -> bool:
        """Whether any part of the folder path matches a name or 'dir/' pattern (memoized:
        every file of a folder asks the same question)."""
        answer = self._folders.get(folder)
        if answer is None:
            parts = folder.split("/")
            answer = (self.names is not None and any(self.names(p) for p in parts)) or \
                     (self.dirs is not None and any(self.dirs(p) for p in parts))
            self._folders[folder] = answer
        return answer


@lru_cache(maxsize=32)
def _compile_excludes(patterns: tuple[str, ...]) -> _Excludes:
    kinds: dict[str, list[str]] = {"names": [], "dirs": [], "anchored_prefix": [], "anchored_file": []}
    for raw in patterns:
        pattern = raw.strip()
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not pattern:
            continue
        is_dir = pattern.endswith("/") or pattern.endswith("/**")
        anchored = pattern.startswith("/") or "/" in pattern.strip("/").removesuffix("/**")
        pattern = os.path.normcase(pattern.strip("/").removesuffix("/**"))
        if anchored:
            kinds["anchored_prefix"].append(pattern)
            if not is_dir:
                kinds["anchored_file"].append(pattern)
        else:
            kinds["dirs" if is_dir else "names"].append(pattern)
    return _Excludes(**{kind: _memoized(re.compile("|".join(fnmatch.translate(p) for p in found)).match)
                        if found else None for kind, found in kinds.items()})


def _memoized(match):
    """Path parts repeat (every file of a folder shares its folder names): answer each once."""
    answers: dict[str, bool] = {}

    def check(part: str) -> bool:
        answer = answers.get(part)
        if answer is None:
            answer = answers[part] = match(part) is not None
        return answer

    return check


def _git_files(root: Path) -> list[str] | None:
    """Files git sees under root (tracked + untracked, not ignored), or None outside git."""
    try:
        probe = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, timeout=30,
        )
        if probe.returncode != 0 or probe.stdout.strip() != "true":
            return None
        listing = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True, timeout=300,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listing.returncode != 0:
        return None
    if not listing.stdout and _ignored_by_git(root):
        return None  # a folder git ignores as a whole (a tool's install tree): walk it
    seen = set()
    out = []
    for raw in listing.stdout.split(b"\0"):
        if raw:
            rel = os.fsdecode(raw)
            if rel not in seen:
                seen.add(rel)
                out.append(rel)
    return out


def _ignored_by_git(root: Path) -> bool:
    try:
        check = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--", "."],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return check.returncode == 0


def _walk(root: Path, problems: list[tuple[str, str]], cwd: Path, pruned=None) -> tuple[list[str], set[str]]:
    """Every file below root (relative POSIX paths) and the subset known to be regular files.

    os.scandir's entries carry their type, so regular files need no lstat of their own (one
    syscall per file was a quarter of discovery); folders `pruned(rel_dir)` calls excluded are
    never entered (__pycache__, node_modules: most of a big tree). Symlinked folders are not
    followed, so the walk cannot loop."""
    out: list[str] = []
    regular: set[str] = set()
    top = os.fspath(root)
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(top, rel_dir) if rel_dir else top) as listing:
                entries = list(listing)
        except OSError as exc:
            problems.append((display_path(os.path.join(top, rel_dir), cwd), f"cannot read directory: {exc.strerror}"))
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != ".git" and not (pruned and pruned(rel)):
                        stack.append(rel)
                    continue
                if entry.is_file(follow_symlinks=False):
                    regular.add(rel)
            except OSError:
                continue
            out.append(rel)  # symlinks and special files are checked by the caller
    return out, regular


def discover(paths: list[Path], excludes: tuple[str, ...], cwd: Path | None = None,
             use_default_excludes: bool = True, exclude_base: Path | None = None) -> Discovery:
    cwd = (cwd or Path.cwd()).resolve()
    base = (exclude_base or cwd).resolve()

    def from_base(path: Path | str) -> str | None:
        try:
            # root is resolved and listings never pass through a symlinked folder, so
            # path needs no resolve() (a dozen lstat calls per file in the profile).
            relative = display_path(path, base)
            return None if os.path.isabs(relative) else relative  # absolute: not under base
        except ValueError:
            return None

    result = Discovery()
    patterns = tuple(excludes) + (DEFAULT_EXCLUDES + BINARY_EXCLUDES if use_default_excludes else ())
    seen: set[str] = set()
    compiled = _compile_excludes(patterns)
    needs_base = compiled.anchored_prefix is not None or compiled.anchored_file is not None
    for given in paths:
        given = Path(given)
        absolute = (cwd / given) if not given.is_absolute() else given
        if not os.path.lexists(absolute):
            result.problems.append((given.as_posix(), "no such file or directory"))
            continue
        if absolute.is_file() and not absolute.is_symlink():
            root = absolute.parent.resolve()
            rels = [absolute.name]
            regular = None
            explicit = True
        elif absolute.is_dir():
            root = absolute.resolve()
            rels = _git_files(root)
            regular: set[str] | None = None  # git listings carry no file types
            if rels is None:
                def pruned(rel_dir: str, root_text: str = os.fspath(root)) -> bool:
                    # A folder is skipped when a file inside it would be: "\0" matches no glob
                    # but "*", and "*" excludes everything anyway.
                    inside = f"{rel_dir}/\0"
                    return matches_exclude(inside, patterns,
                                           from_base(os.path.join(root_text, inside)) if needs_base else None)
                rels, regular = _walk(root, result.problems, cwd, pruned)
            explicit = False
        elif absolute.is_symlink():
            result.problems.append((given.as_posix(), "symlink skipped"))
            continue
        else:
            result.problems.append((given.as_posix(), "not a regular file"))
            continue
        root_real = os.path.realpath(root)
        root_text = os.fspath(root)
        for rel in sorted(rels):
            # A string until the file is kept: Path objects for every listed file were a
            # third of discovery in the profile.
            path = os.path.join(root_text, rel)
            # Excludes also apply to files named on the command line (pre-commit passes names).
            if matches_exclude(rel if not explicit else display_path(path, cwd), patterns,
                               from_base(path) if needs_base else None):  # only anchored patterns read it
                continue
            if regular is not None and rel in regular:
                mode = stat.S_IFREG  # the walk already knows
            else:
                try:
                    mode = os.lstat(path).st_mode  # one call for islink() and isfile()
                except OSError:
                    continue  # deleted-but-tracked files
            if stat.S_ISLNK(mode):
                target = os.path.realpath(path)
                if not (target == root_real or target.startswith(root_real + os.sep)):
                    result.problems.append((display_path(path, cwd), "symlink points outside the scanned tree; skipped"))
                    continue
                if os.path.isdir(target) or not os.path.exists(target):
                    continue
                # A symlink to a file inside the tree: its target is scanned on its own.
                continue
            if not stat.S_ISREG(mode):
                continue  # submodule directories
            resolved = path  # already real: see from_base
            if resolved in seen:
                continue
            seen.add(resolved)
            result.files.append(SourceFile(path=path, display=display_path(path, cwd), rel=rel, root=root))
    return result
