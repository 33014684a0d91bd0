"""Per-file result cache: what an analyzer found in a file, reused while nothing it depends
on has changed.

What is cached is the per-file `FileAnalysis` (hits, evidence, suppressions, lines), never
findings: classification weighs evidence across files, so it always reruns (it is cheap).

An entry's key is the hash of
  - the file's content (SHA-256 of its bytes),
  - a salt: cache format, tool version, a fingerprint of the analysis code, the knowledge
    base digest and the effective analysis config (max file size),
  - what the analyzers see besides the bytes: the file name (language and manifest
    detection), its Python module name (relative imports), the package names its project
    declares (markers), and whether the prefilter was bypassed.
A Python file can also read constants of other modules of the tree (`from .consts import
BASE`). Those reads are recorded while it is analyzed (see `RecordingModuleIndex`), and the
entry keeps each lookup with the content hash of the module it found; an entry is used only
if every lookup still finds the same module with the same content. This is exact where "a
hash of all module names" would be both wrong (an imported constant changes, no name does)
and wasteful (any new .py file anywhere would invalidate every Python entry).

A stat index (path -> size, mtime, ctime, inode, verdict) lets an unchanged file be skipped
without reading it, like git's index. A stat is trusted only if the file's mtime and ctime
are older than the scan's start by a margin (`racy_seconds`): a file written in the same
clock tick as our read could otherwise change unseen.

Storage: JSON files under the cache directory, written to a temporary file and renamed
(`os.replace`), so a reader sees a whole entry or none; concurrent runs at worst write the
same entry twice. An entry that does not parse or does not match its key is ignored and
rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from igmigrate import __version__
from igmigrate.analyzers.base import FileAnalysis
from igmigrate.atomic import write_atomically as _write_atomically
from igmigrate.modules import ModuleFinder

CACHE_FORMAT = 1
DEFAULT_DIRNAME = ".igmigrate_cache"
ENV_VAR = "IGMIGRATE_CACHE_DIR"
RACY_SECONDS = 3.0
# Modules whose code decides what a file's analysis contains (any edit invalidates entries,
# which matters for development checkouts where the version number does not move).
_ANALYSIS_CODE = ("analyzers", "scanner.py", "suppressions.py", "knowledge.py", "prefilter.py", "cache.py")

Dependency = tuple[str, "str | None", "str | None"]  # (module asked for, module found, content hash)


@dataclass
class CacheStats:
    hits: int = 0  # candidates whose analysis came from the cache (analyzer not run)
    misses: int = 0  # candidates analyzed and stored
    unchanged: int = 0  # files skipped without reading (stat index)
    corrupt: int = 0  # unreadable entries ignored (then rewritten)

    def add(self, other: "CacheStats") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class Verdict:
    """What the scan learned about one file, for the stat index."""

    digest: str  # "" when the prefilter rejected the file; else its content hash
    hit: bool = False  # its analysis came from the cache
    corrupt: bool = False  # a stored entry for it was unreadable (and is rewritten)


# ---------------------------------------------------------------------------- keys
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for name in _ANALYSIS_CODE:
        target = package / name
        paths = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in paths:
            try:
                digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
            except OSError:
                digest.update(path.name.encode() + b"\0missing")
    # The flow analyzer's lowering tables and the grammar table decide what it finds too.
    from igmigrate.knowledge import rules_dir

    rules = rules_dir()
    for path in [rules / "grammars.yaml", *sorted((rules / "flow").glob("*.yaml"))]:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode() + b"\0missing")
    return digest.hexdigest()


def _schema() -> str:
    """Field names of the cached dataclasses: a changed shape never reads old entries."""
    from igmigrate.analyzers.base import Evidence, Hit

    return ",".join(f"{cls.__name__}:{'/'.join(f.name for f in fields(cls))}" for cls in (FileAnalysis, Hit, Evidence))


def analysis_salt(kb_digest: str, max_file_size: int, version: str | None = None) -> str:
    parts = (f"format={CACHE_FORMAT}", f"version={version or __version__}", f"code={code_fingerprint()}",
             f"schema={_schema()}", f"kb={kb_digest}", f"max_file_size={max_file_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_key(salt: str, digest: str, name: str, module: str, own_names: Iterable[str], forced: bool) -> str:
    text = "\0".join((salt, digest, name, module, ",".join(sorted(own_names)), "forced" if forced else ""))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def default_cache_dir(paths: Iterable[Path], cwd: Path | None = None) -> Path:
    """`$IGMIGRATE_CACHE_DIR`, else `.igmigrate_cache/` in the project root: the git top
    level of the first scanned path, or (outside git) the first scanned directory (a
    file's folder). One cache per repository, wherever in it the scan starts."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    cwd = cwd or Path.cwd()
    first = next(iter(paths), Path("."))
    start = first if first.is_absolute() else cwd / first
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate / DEFAULT_DIRNAME
    return folder / DEFAULT_DIRNAME


# ---------------------------------------------------------------------------- JSON codec
def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return [[_encode(k), _encode(v)] for k, v in value.items()]  # keeps int keys
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any, hint: Any) -> Any:
    """Rebuild a value of the annotated type from its JSON form (tuples stay tuples, so a
    cached analysis compares equal to a fresh one)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _decode(value, next(a for a in args if a is not type(None)))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in value)
        return tuple(_decode(v, a) for v, a in zip(value, args, strict=True))
    if origin is list:
        if args[0] is str:  # source lines: the bulk of an entry
            if not all(isinstance(v, str) for v in value):
                raise ValueError("expected strings")
            return list(value)
        return [_decode(v, args[0]) for v in value]
    if origin is dict:
        return {_decode(k, args[0]): _decode(v, args[1]) for k, v in value}
    if isinstance(hint, type) and is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{f.name: _decode(value[f.name], hints[f.name]) for f in fields(hint) if f.name in value})
    if hint in (int, str, bool, float) and not isinstance(value, hint):
        raise ValueError(f"expected {hint.__name__}, got {type(value).__name__}")
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


@dataclass
class Entry:
    analysis: FileAnalysis | None
    error: str | None  # the FileError message, if any (its path is the file's own)
    deps: tuple[Dependency, ...] = ()

    def outcome(self, display: str):
        """(analysis, error) as the scanner returns them, for the file shown as display."""
        from igmigrate.findings import FileError

        if self.analysis is not None:
            self.analysis.path = display
        return self.analysis, FileError(display, self.error) if self.error is not None else None


# ---------------------------------------------------------------------------- storage
def write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, then os.replace: readers never see half an entry."""
    _write_atomically(path, data, make_parents=True)


@dataclass
class ResultCache:
    """Entries by key, plus the stat index. Picklable: worker processes get a copy."""

    directory: Path
    salt: str
    racy_seconds: float = RACY_SECONDS
    started: float = field(default_factory=time.time)  # scan start (wall clock, seconds)
    stats: CacheStats = field(default_factory=CacheStats)

    @classmethod
    def create(cls, directory: Path, kb_digest: str, max_file_size: int, **kwargs) -> "ResultCache":
        return cls(Path(directory), analysis_salt(kb_digest, max_file_size), **kwargs)

    @property
    def root(self) -> Path:
        return self.directory / f"v{CACHE_FORMAT}"

    def entry_path(self, key: str) -> Path:
        return self.root / "entries" / key[:2] / f"{key}.json"

    def index_path(self) -> Path:
        return self.root / f"index-{self.salt[:20]}.json"

    def prepare(self) -> None:
        """Create the folder, marked so that backups and git leave it alone. A folder that
        cannot be made only costs speed: every store then fails quietly."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        for name, text in (("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                            "# igmigrate result cache; safe to delete.\n"), (".gitignore", "*\n")):
            marker = self.directory / name
            if not marker.exists():
                try:
                    write_atomically(marker, text.encode())
                except OSError:
                    pass

    # -- entries
    def load(self, key: str) -> Entry | None:
        """The entry stored under key; None when missing or unreadable (counted as corrupt)."""
        entry, corrupt = self.read(key)
        self.stats.corrupt += corrupt
        return entry

    def read(self, key: str) -> tuple[Entry | None, bool]:
        """(entry or None, whether a stored entry was unreadable); counts nothing."""
        path = self.entry_path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None, False
        try:
            data = json.loads(raw)
            if data.get("key") != key or data.get("format") != CACHE_FORMAT:
                raise ValueError("entry for another key")
            analysis = _decode(data["analysis"], FileAnalysis | None)
            error = data["error"]
            if error is not None and not isinstance(error, str):
                raise ValueError("bad error field")
            deps = tuple((str(q), None if m is None else str(m), None if h is None else str(h)) for q, m, h in data["deps"])
            return Entry(analysis, error, deps), False
        except (ValueError, KeyError, TypeError, AttributeError, StopIteration, RecursionError):
            return None, True

    def store(self, key: str, entry: Entry) -> None:
        data = {"format": CACHE_FORMAT, "key": key, "analysis": _encode(entry.analysis), "error": entry.error,
                "deps": [list(d) for d in entry.deps]}
        try:
            write_atomically(self.entry_path(key), json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            pass  # a read-only or full disk only costs speed

    # -- freshness
    def signature(self, st: os.stat_result) -> str | None:
        """What identifies this version of a file in the stat index, or None while it is too
        fresh to trust."""
        return stat_signature(st) if self.settled(st) else None

    def settled(self, st: os.stat_result) -> bool:
        """Old enough that a later change would show in the stat (see module doc)."""
        limit = (self.started - self.racy_seconds) * 1e9
        return st.st_mtime_ns < limit and st.st_ctime_ns < limit


def stat_signature(st: os.stat_result) -> str:
    """A file's identity in the stat index (its record is this, a colon and the verdict digest)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def recorded_digest(record: object, signature: str) -> str | None:
    """The verdict digest of a stat-index record written for this signature ("" = rejected by
    the prefilter), or None when the record belongs to another version of the file."""
    if not isinstance(record, str) or not record.startswith(signature) or record[len(signature):len(signature) + 1] != ":":
        return None
    digest = record[len(signature) + 1:]
    return None if ":" in digest else digest


class StatIndex:
    """path -> "size:mtime_ns:ctime_ns:inode:digest" (digest "" = prefilter rejected); one
    JSON file per salt. Records are flat strings: 80,000 files cost ~10 MB, not ~40."""

    def __init__(self, cache: ResultCache):
        self.cache = cache
        self._seen_on_disk: tuple[int, int] | None = None
        self.records: dict[str, str] = self._read()
        self.changed: set[str] = set()

    def _read(self) -> dict[str, str]:
        path = self.cache.index_path()
        try:
            st = path.stat()
            data = json.loads(path.read_bytes())
            self._seen_on_disk = (st.st_mtime_ns, st.st_size)
            if data.get("format") != CACHE_FORMAT or data.get("salt") != self.cache.salt:
                return {}
            records = data["files"]
            return records if isinstance(records, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def remember(self, path: str, signature: str | None, verdict: Verdict | None) -> None:
        record = None if signature is None or verdict is None else f"{signature}:{verdict.digest}"
        if self.records.get(path) != record:
            if record is None:
                self.records.pop(path, None)
            else:
                self.records[path] = record
            self.changed.add(path)

    def save(self) -> None:
        """Write our changes, merged into the file as it is now if another run wrote it since."""
        if not self.changed:
            return
        records = self.records
        try:
            st = self.cache.index_path().stat()
            moved = (st.st_mtime_ns, st.st_size) != self._seen_on_disk
        except OSError:
            moved = False
        if moved:
            records = self._read()
            for path in self.changed:
                if path in self.records:
                    records[path] = self.records[path]
                else:
                    records.pop(path, None)
        data = {"format": CACHE_FORMAT, "salt": self.cache.salt, "files": records}
        try:
            write_atomically(self.cache.index_path(), json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            pass
        self.changed = set()


# ---------------------------------------------------------------------------- Python imports
def module_find(files: dict[str, Path], module: str) -> str | None:
    """ModuleIndex.find without importing libcst (a warm scan never needs it)."""
    return ModuleFinder(files).find(module)


class DependencyCheck:
    """Validates an entry's recorded module lookups against the tree being scanned now."""

    def __init__(self, files: dict[str, Path], find: Callable[[str], str | None] | None = None,
                 flow: Callable[[], Any] | None = None):
        self._find_module = find or ModuleFinder(files).find
        self.files = files
        self.flow = flow  # builds the tree's FlowFiles: answers the flow analyzer's "flow:" queries
        self._digests: dict[str, str | None] = {}

    def find(self, query: str) -> str | None:
        if query.startswith("flow:"):
            return self.flow().resolve(query) if self.flow is not None else None
        return self._find_module(query)

    def digest(self, module: str) -> str | None:
        """Content hash of a module (by dotted name) or of the files a flow query found
        (absolute paths, newline-separated)."""
        if module not in self._digests:
            try:
                if module in self.files:
                    self._digests[module] = content_digest(Path(self.files[module]).read_bytes())
                else:
                    parts = [content_digest(Path(p).read_bytes()) for p in module.split("\n")]
                    self._digests[module] = parts[0] if len(parts) == 1 else content_digest("".join(parts).encode())
            except (OSError, KeyError, ValueError):
                self._digests[module] = None
        return self._digests[module]

    def resolve(self, lookups: Iterable[tuple[str, str | None]]) -> tuple[Dependency, ...]:
        return tuple(sorted((query, found, self.digest(found) if found else None) for query, found in lookups))

    def still_valid(self, deps: Iterable[Dependency]) -> bool:
        for query, found, digest in deps:
            if self.find(query) != found:
                return False
            if found is not None and self.digest(found) != digest:
                return False
        return True

    def settled(self, deps: Iterable[Dependency], cache: ResultCache) -> bool:
        """Every module read is old enough that its content hash cannot be racing an edit."""
        for _, found, _ in deps:
            if found is None:
                continue
            try:
                for path in ([self.files[found]] if found in self.files else found.split("\n")):
                    if not cache.settled(os.stat(path)):
                        return False
            except (OSError, KeyError, ValueError):
                return False
        return True


def recording_index(files: dict[str, Path]):
    """A ModuleIndex that records every module lookup of the analysis in progress."""
    from igmigrate.analyzers.python_index import ModuleIndex

    class RecordingModuleIndex(ModuleIndex):
        def __init__(self, python_files: dict[str, Path]):
            super().__init__(python_files)
            self._frames: list[set[tuple[str, str | None]]] = []
            self._table_lookups: dict[str, frozenset[tuple[str, str | None]]] = {}

        def start(self) -> None:
            self._frames = [set()]

        def stop(self) -> frozenset[tuple[str, str | None]]:
            found = frozenset(self._frames[0]) if self._frames else frozenset()
            self._frames = []
            return found

        def _note(self, items: Iterable[tuple[str, str | None]]) -> None:
            items = tuple(items)
            for frame in self._frames:
                frame.update(items)

        def find(self, module: str) -> str | None:
            name = super().find(module)
            self._note(((module, name),))
            return name

        def table(self, module, matcher, depth: int = 0):
            # Tables are built once per process and reused for later files: replay the
            # lookups that built one whenever it is reused.
            name = self.find(module)
            if name is not None and name in self.tables:
                self._note(self._table_lookups.get(name, ()))
                return self.tables[name]
            self._frames.append(set())
            try:
                return super().table(module, matcher, depth)
            finally:
                inner = self._frames.pop()
                if name is not None and name in self.tables:
                    self._table_lookups[name] = frozenset(inner)
                self._note(inner)

    return RecordingModuleIndex(files)
