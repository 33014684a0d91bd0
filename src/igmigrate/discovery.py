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
from collections.abc import Callable
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


@dataclass(frozen=True, slots=True)  # slots: one is made per listed file
class SourceFile:
    path: str  # absolute (a string: a Path per listed file was a fifth of discovery)
    display: str  # POSIX, relative to the current directory when under it
    rel: str  # POSIX, relative to its scan root (for excludes and project grouping)
    root: Path


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (display path, message)


# Names the OS gives as bytes that are not UTF-8 arrive as lone surrogates (surrogateescape);
# they cannot be printed or written as UTF-8, so shown paths spell each such byte \\xNN.
_SURROGATE = re.compile("[\udc80-\udcff]")


def shown(text: str) -> str:
    """A path as outputs show it: undecodable bytes written as backslash escapes."""
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)


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
    return _matches(_compile_excludes(tuple(patterns)), rel, anchored_rel)


def _matches(compiled: _Excludes, rel: str, anchored_rel: str | None) -> bool:
    rel = rel if _NORMCASE_IS_IDENTITY else os.path.normcase(rel)
    target = rel if anchored_rel is None else (
        anchored_rel if _NORMCASE_IS_IDENTITY else os.path.normcase(anchored_rel))
    directory, _, name = rel.rpartition("/")
    return compiled.folder_blocked(directory, target) or compiled.file_excluded(name, target)


# Compiled excludes (profile: per-pattern fnmatch calls for every part of every path were
# over half of discovery on a 50,000-file tree). One matcher per kind of pattern (see
# _any_of), each exactly fnmatch's answer.
_NORMCASE_IS_IDENTITY = os.path.normcase("aA") == "aA"


@dataclass(frozen=True)
class _Excludes:
    names: Callable[[str], bool] | None  # any path part (non-anchored file patterns)
    dirs: Callable[[str], bool] | None  # directory parts (non-anchored 'dir/' patterns)
    anchored_prefix: Callable[[str], bool] | None  # a leading folder path (anchored patterns)
    anchored_file: Callable[[str], bool] | None  # the whole path (anchored file patterns)
    _folders: dict = field(default_factory=dict, compare=False)  # folder -> excluded by a part

    def folder_excluded(self, folder: str) -> bool:
        """Whether any part of the folder path matches a name or 'dir/' pattern (memoized:
        every file of a folder asks the same question)."""
        answer = self._folders.get(folder)
        if answer is not None:
            return answer
        # A folder is excluded when its parent is or its own name matches: climb to the
        # nearest folder already answered (the walk asks parents first), then come back down.
        pending = [folder]
        answer = False
        parent = folder.rpartition("/")[0]
        while parent:
            known = self._folders.get(parent)
            if known is not None:
                answer = known
                break
            pending.append(parent)
            parent = parent.rpartition("/")[0]
        for path in reversed(pending):
            part = path.rpartition("/")[2]
            answer = answer or (self.names is not None and self.names(part)) or \
                (self.dirs is not None and self.dirs(part))
            self._folders[path] = answer
        return answer

    def folder_blocked(self, directory: str, target: str) -> bool:
        """Whether a file in `directory` ('' for the scan root) is excluded by its folders: a
        part matching a name or 'dir/' pattern, or a leading folder of `target` (the path
        anchored patterns see) matching an anchored pattern. The same for every file of a
        folder, so callers may ask once per folder."""
        if directory and self.folder_excluded(directory):
            return True
        if self.anchored_prefix is None:
            return False
        pieces = target.split("/")
        return any(self.anchored_prefix("/".join(pieces[:i])) for i in range(1, len(pieces)))

    def file_excluded(self, name: str, target: str) -> bool:
        """Whether the file itself matches: its name, or its whole anchored path."""
        return (self.names is not None and self.names(name)) or \
            (self.anchored_file is not None and self.anchored_file(target))


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
    return _Excludes(**{kind: _any_of(found) if found else None for kind, found in kinds.items()})


_GLOB_CHARS = re.compile(r"[*?[]")


def _any_of(patterns: list[str]) -> Callable[[str], bool]:
    """fnmatch against any of the patterns in one call. Most excludes are a plain name or
    '*' and a plain ending ('*.so'): a set lookup and one str.endswith answer those exactly
    (a regex alternation of sixty '.*' patterns cost two microseconds a file name, and
    file names rarely repeat); the rest go to one memoized regex."""
    exact: set[str] = set()
    endings: list[str] = []
    rest: list[str] = []
    for pattern in patterns:
        if not _GLOB_CHARS.search(pattern):
            exact.add(pattern)
        elif pattern.startswith("*") and not _GLOB_CHARS.search(pattern, 1):
            endings.append(pattern[1:])
        else:
            rest.append(pattern)
    ending = tuple(endings)
    regex = re.compile("|".join(fnmatch.translate(p) for p in rest)).match if rest else None
    answers: dict[str, bool] = {}  # regex answers: folder names repeat, and later calls re-ask

    def check(part: str) -> bool:
        if part in exact or part.endswith(ending):
            return True
        if regex is None:
            return False
        answer = answers.get(part)
        if answer is None:
            answer = answers[part] = regex(part) is not None
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
    # One decode for the whole listing: NUL never occurs inside a UTF-8 sequence, so this
    # equals decoding name by name. dict.fromkeys drops repeats (a path both cached and
    # modified) and keeps git's order.
    return [rel for rel in dict.fromkeys(os.fsdecode(listing.stdout).split("\0")) if rel]


def _ignored_by_git(root: Path) -> bool:
    try:
        check = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--", "."],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return check.returncode == 0


def needs_gitignore(pattern: str) -> bool:
    """Whether a pattern reads differently under gitignore rules than under the compiled fast
    path: a negation, '**' (also matching no folder at all), or a glob in a pattern with an
    inner '/' (gitignore's '*' stops at '/', fnmatch's does not: `src/*.py` must not match
    `src/a/b.py`). Plain names, 'dir/' and anchored paths without globs read the same."""
    text = pattern.strip()
    text = text[2:] if text.startswith("./") else text
    if text.startswith("!") or "**" in text:
        return True
    return "/" in text.strip("/") and _GLOB_CHARS.search(text) is not None


def _gitignore_spec(patterns: tuple[str, ...]):
    """A pathspec GitIgnoreSpec (imported only here: most scans have no such pattern)."""
    import pathspec

    lines = []
    for raw in patterns:
        text = raw.strip()
        lines.append(text[2:] if text.startswith("./") else text)
    return pathspec.GitIgnoreSpec.from_lines(lines)


class _Rules:
    """The excludes of one discover() call, with the shortcuts its hot loops use. User
    patterns that need gitignore semantics (needs_gitignore) go, all of them in their order
    (a negation may re-include what an earlier pattern dropped), to a pathspec matcher; the
    default excludes always take the compiled fast path."""

    def __init__(self, patterns: tuple[str, ...], base: Path, gitignore: tuple[str, ...] = ()) -> None:
        self.compiled = _compile_excludes(patterns)
        self.spec = _gitignore_spec(gitignore) if gitignore else None
        self.base = base
        # Only anchored patterns read a path relative to the base folder.
        self.needs_base = self.compiled.anchored_prefix is not None or self.compiled.anchored_file is not None
        # Per-part shortcuts split on "/", which is exact only where normcase leaves paths alone.
        self.fast = _NORMCASE_IS_IDENTITY
        # pruned() asks about a file named "\0" in the folder, so a name pattern matching
        # that ('*', but also '?') prunes every folder of a walk.
        names = self.compiled.names
        self.prunes_all = names is not None and names("\0")
        self._leads: dict[str, str | None] = {}  # anchor_lead() per root

    def from_base(self, path: str) -> str | None:
        # root is resolved and listings never pass through a symlinked folder, so path
        # needs no resolve() (a dozen lstat calls per file in the profile).
        relative = display_path(path, self.base)
        return None if os.path.isabs(relative) else relative  # absolute: not under base

    def target(self, path: str, rel: str) -> str:
        """The path anchored patterns match: relative to the base folder, else to the root."""
        relative = self.from_base(path) if self.needs_base else None
        return rel if relative is None else relative

    def folder_target(self, prefix: str, directory: str) -> str:
        """target() of a file in the folder, as far as folder_blocked() reads it ("\0": a name
        no real file has)."""
        inside = f"{directory}/\0" if directory else "\0"
        return self.target(prefix + inside, inside)

    def excluded(self, rel: str, path: str) -> bool:
        """The general rule, for a path rel below its root (or as shown, for named files)."""
        return _matches(self.compiled, rel, self.from_base(path) if self.needs_base else None) or \
            self.spec_excludes(path, rel)

    def spec_excludes(self, path: str, rel: str, folder: bool = False) -> bool:
        """The gitignore patterns' answer for path (relative to the base folder when under
        it, else rel from the scan root, as for anchored patterns)."""
        if self.spec is None:
            return False
        relative = self.from_base(path)
        target = rel if relative is None else relative
        return self.spec.match_file(target + "/" if folder else target)

    def pruned(self, prefix: str, rel_dir: str) -> bool:
        # A folder is skipped when a file inside it would be. "\0" stands for any name:
        # only '*' and the like match it. ('?' does too, and then prunes every folder while
        # excluding only one-letter files elsewhere: kept as it was.)
        inside = f"{rel_dir}/\0"
        return self.excluded(inside, prefix + inside)

    def subfolder_pruned(self, prefix: str, rel_dir: str, name: str) -> bool:
        """pruned() for a folder the walk reached, so its parent was not pruned (nor is the
        root blocked): only its own name and its own anchored path are new to check."""
        if not self.fast:
            return self.pruned(prefix, rel_dir)
        compiled = self.compiled
        if self.prunes_all or (compiled.names is not None and compiled.names(name)) or \
                (compiled.dirs is not None and compiled.dirs(name)):
            return True
        if not self.needs_base:
            return False
        # ".../rel_dir/\0", or just "\0" for the base folder itself (then it has no leading folders).
        lead = self.anchor_lead(prefix)
        target = lead + f"{rel_dir}/\0" if lead is not None else self.folder_target(prefix, rel_dir)
        folder, slash, _ = target.rpartition("/")
        return (bool(slash) and compiled.anchored_prefix(folder)) or compiled.file_excluded("\0", target)

    def path_test(self, prefix: str) -> Callable[[str], bool] | None:
        """What is left to check per file once folders and file names are checked (the
        fast case), or the whole rule; None when nothing is left."""
        if not self.fast:
            return lambda rel: self.excluded(rel, prefix + rel)
        anchored_file = self.compiled.anchored_file
        if anchored_file is None:
            return None
        lead = self.anchor_lead(prefix)
        if lead is not None:  # the same target() for every file, with no path arithmetic per file
            return lambda rel: anchored_file(lead + rel)
        return lambda rel: anchored_file(self.target(prefix + rel, rel))

    def anchor_lead(self, prefix: str) -> str | None:
        """What target() puts before every rel below this root: the root's path from the base
        folder and a slash when the root is inside it, "" when it is the base or outside it;
        None when the base folder is inside the root (then it differs per file)."""
        if not self.needs_base:
            return ""
        if prefix not in self._leads:
            self._leads[prefix] = self._anchor_lead(prefix)
        return self._leads[prefix]

    def _anchor_lead(self, prefix: str) -> str | None:
        root = prefix[:-1] if len(prefix) > 1 else prefix
        relative = self.from_base(root)
        if relative is not None:
            return "" if relative == "." else relative + "/"
        base = str(self.base)
        return None if base.startswith(prefix) else ""

    def root_blocked(self, prefix: str) -> bool:
        """Whether anchored patterns exclude everything in the root: a leading folder of its
        path from the base folder matches one (pruned() is never asked about the root)."""
        return self.fast and self.compiled.folder_blocked("", self.folder_target(prefix, ""))


def _walk(prefix: str, rules: _Rules, problems: list[tuple[str, str]], cwd: Path) -> tuple[list[str], list[str]]:
    """Files below the root (prefix: its path and a separator), as relative POSIX paths:
    regular files, and the rest (symlinks, special files) for the caller to look at.

    os.scandir's entries carry their type, so regular files need no lstat of their own (one
    syscall per file was a quarter of discovery); excluded folders are never entered
    (__pycache__, node_modules: most of a big tree), so a file still to check needs only its
    name (and whole anchored path) checked. Symlinked folders are not followed, so the walk
    cannot loop."""
    regular: list[str] = []
    others: list[str] = []
    names = rules.compiled.names if rules.fast else None
    path_test = rules.path_test(prefix)
    spec = rules.spec
    blocked_root = rules.root_blocked(prefix)
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(prefix + rel_dir) as listing:
                entries = list(listing)
        except OSError as exc:
            problems.append((shown(display_path(prefix + rel_dir, cwd)), f"cannot read directory: {exc.strerror}"))
            continue
        if blocked_root:
            break  # anchored excludes cover the root itself: read (an unreadable root is reported), keep nothing
        into = f"{rel_dir}/" if rel_dir else ""
        for entry in entries:
            name = entry.name
            try:
                # Files first: most entries are files, and one type check is all they need.
                is_regular = entry.is_file(follow_symlinks=False)
                if not is_regular and entry.is_dir(follow_symlinks=False):
                    if name != ".git" and not rules.subfolder_pruned(prefix, into + name, name) and \
                            not rules.spec_excludes(prefix + into + name, into + name, folder=True):
                        stack.append(into + name)
                    continue
            except OSError:
                continue
            if names is not None and names(name):
                continue
            rel = into + name
            if path_test is not None and path_test(rel):
                continue
            if spec is not None and rules.spec_excludes(prefix + rel, rel):
                continue
            (regular if is_regular else others).append(rel)
    return regular, others


def _kept(rels: list[str], prefix: str, rules: _Rules) -> tuple[list[str], list[str]]:
    """The files of a git listing that no exclude matches, split like the walk's: regular
    files, and the rest for the caller to look at (symlinks, submodules, files deleted since).

    Nothing was pruned, so folders are checked too, once per folder. File types come from
    one scandir per folder instead of an lstat per file; a name not listed there as a
    regular file (or one the folder's listing spells differently) goes to the rest."""
    compiled = rules.compiled
    names = compiled.names if rules.fast else None
    path_test = rules.path_test(prefix)
    blocked: dict[str, bool] = {}
    files_in: dict[str, set[str]] = {}
    regular: list[str] = []
    others: list[str] = []
    for rel in rels:
        directory, _, name = rel.rpartition("/")
        if rules.fast:
            folder = blocked.get(directory)
            if folder is None:
                folder = blocked[directory] = compiled.folder_blocked(directory, rules.folder_target(prefix, directory))
            if folder or (names is not None and names(name)):
                continue
        if path_test is not None and path_test(rel):
            continue
        if rules.spec is not None and rules.spec_excludes(prefix + rel, rel):
            continue
        files = files_in.get(directory)
        if files is None:
            files = files_in[directory] = _regular_files(prefix + directory)
        (regular if name in files else others).append(rel)
    return regular, others


def _regular_files(folder: str) -> set[str]:
    """Names of the regular files in a folder (none when it cannot be read: its files are
    then looked at one by one)."""
    found = set()
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                try:
                    if entry.is_file(follow_symlinks=False):
                        found.add(entry.name)
                except OSError:
                    continue
    except OSError:
        return set()
    return found


def _display_prefix(prefix: str, cwd: Path) -> str | None:
    """What display_path() shows before the rel of every file below prefix (a root and a
    separator), so display paths are built by concatenation; None when that varies per file
    (the current directory inside the root) or paths are not POSIX."""
    if os.sep != "/":
        return None
    base = str(cwd)
    base_prefix = base if base.endswith("/") else base + "/"
    if prefix.startswith(base_prefix):
        return prefix[len(base_prefix):]
    if base_prefix.startswith(prefix):
        return None
    return prefix  # neither contains the other: display_path() leaves the path absolute


def _source_files(root: Path, prefix: str, regular: list[str], others: list[str], cwd: Path,
                  problems: list[tuple[str, str]]) -> list[SourceFile]:
    """SourceFiles in sorted rel order; `others` (type unknown) are looked at one by one:
    symlinks are skipped (those leaving the tree reported), as is anything not a regular file."""
    lead = _display_prefix(prefix, cwd)
    plain = lead is not None and lead.isascii() and "".join(regular).isascii() and "".join(others).isascii()
    if not others and plain:  # the usual walk: nothing left to look at per file
        return [SourceFile(prefix + rel, lead + rel, rel, root) for rel in sorted(regular)]
    unchecked = set(others)
    root_real = os.path.realpath(root)
    files = []
    for rel in sorted(regular + others):
        path = prefix + rel
        display = shown(lead + rel if lead is not None else display_path(path, cwd))
        if rel in unchecked and not _is_regular(path, root_real, display, problems):
            continue
        files.append(SourceFile(path, display, rel, root))
    return files


def _is_regular(path: str, root_real: str, display: str, problems: list[tuple[str, str]]) -> bool:
    try:
        mode = os.lstat(path).st_mode  # one call for islink() and isfile()
    except OSError:
        return False  # deleted-but-tracked files
    if stat.S_ISLNK(mode):
        # Symlinks to files inside the tree are skipped too: their targets are scanned on their own.
        target = os.path.realpath(path)
        if not (target == root_real or target.startswith(root_real + os.sep)):
            problems.append((display, "symlink points outside the scanned tree; skipped"))
        return False
    return stat.S_ISREG(mode)  # not: submodule directories, sockets, fifos


def _files_of(given: Path, cwd: Path, rules: _Rules, problems: list[tuple[str, str]]) -> list[SourceFile]:
    """The files one command-line path stands for, in sorted order."""
    absolute = given if given.is_absolute() else cwd / given
    if not os.path.lexists(absolute):
        problems.append((shown(given.as_posix()), "no such file or directory"))
        return []
    if absolute.is_file() and not absolute.is_symlink():
        root = absolute.parent.resolve()
        prefix = _prefix(root)
        path = prefix + absolute.name
        # Excludes also apply to files named on the command line (pre-commit passes names).
        if rules.excluded(display_path(path, cwd), path):
            return []
        return _source_files(root, prefix, [], [absolute.name], cwd, problems)
    if absolute.is_dir():
        root = absolute.resolve()
        prefix = _prefix(root)
        listing = _git_files(root)
        if listing is None:
            regular, others = _walk(prefix, rules, problems, cwd)
        else:
            regular, others = _kept(listing, prefix, rules)
        return _source_files(root, prefix, regular, others, cwd, problems)
    problems.append((shown(given.as_posix()), "symlink skipped" if absolute.is_symlink() else "not a regular file"))
    return []


def _prefix(root: Path) -> str:
    """root and a separator: file paths are prefix + rel (what os.path.join gave, for less)."""
    text = os.fspath(root)
    return text if text.endswith(os.sep) else text + os.sep


def discover(paths: list[Path], excludes: tuple[str, ...], cwd: Path | None = None,
             use_default_excludes: bool = True, exclude_base: Path | None = None) -> Discovery:
    cwd = (cwd or Path.cwd()).resolve()
    user = tuple(excludes)
    gitignore = user if any(needs_gitignore(p) for p in user) else ()
    patterns = (() if gitignore else user) + (DEFAULT_EXCLUDES + BINARY_EXCLUDES if use_default_excludes else ())
    rules = _Rules(patterns, (exclude_base or cwd).resolve(), gitignore)
    result = Discovery()
    seen: set[str] = set()
    paths = list(paths)
    for index, given in enumerate(paths):
        files = _files_of(Path(given), cwd, rules, result.problems)
        if seen:  # one path's files are distinct; overlapping paths repeat them
            files = [f for f in files if f.path not in seen]
        if index + 1 < len(paths):  # the last path's files need not be remembered
            seen.update(f.path for f in files)
        result.files += files
    return result
