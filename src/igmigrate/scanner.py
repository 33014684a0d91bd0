"""Run a scan: discover files, prefilter their bytes, analyze candidates (in worker
processes for large trees), classify hits into findings, apply suppressions and config."""

from __future__ import annotations

import gc
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from igmigrate.analyzers.base import FileAnalysis
from igmigrate.analyzers.config_tree import ConfigParseError, analyze_config_tree, tree_kind
from igmigrate.analyzers.flow.gate import FlowGate, flow_grammar
from igmigrate.analyzers.manifests import ManifestError, analyze_manifest, declared_names, reader_for
from igmigrate.analyzers.markers import mask_spans, scan_markers
from igmigrate.masking import masker_for
from igmigrate.analyzers.matching import Matcher, file_contexts
from igmigrate.analyzers.text import TextAnalyzer
from igmigrate import suppressions
from igmigrate.classify import Classifier
from igmigrate.discovery import SourceFile, discover
from igmigrate.modules import module_name
from igmigrate.findings import FileError, Finding, ScanResult, assign_fingerprints
from igmigrate.knowledge import KnowledgeBase, default_knowledge_base
from igmigrate.prefilter import compile_screen
from igmigrate.cache import (DependencyCheck, Entry, ResultCache, StatIndex, Verdict, content_digest, entry_key,
                             recorded_digest, recording_index, stat_signature)
from igmigrate.own_outputs import SKIPPED as OWN_OUTPUT, is_own_output
from igmigrate.progress import Progress
from igmigrate.reading import NotRegular, TooLarge, read_bytes, read_regular

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
# A file is analyzed only if its bytes hold one of these. The test is one decision per file,
# whatever the number of rules: a case-folding `bytes.translate` and one regex search of its
# result (two C loops, prefilter.py), confirmed by the exact regex on the rare yes.
# Identifier-like words count only as whole words (`\b`: letters, digits and `_` are word
# bytes), so `config_refresh_token` or `my_user_profile_id` make no file a candidate.
_PREFILTER_WORDS = (
    rb"(?i:instagr|instafeed)", rb"\buser_profile\b", rb"\buser_media\b", rb"\big_exchange_token\b",
    rb"\big_refresh_token\b", rb"\brefresh_access_token\b", rb"oauth/authorize", rb"oauth/access_token",
    rb"me/media", rb"IGQ[VW]", rb"\bbusiness_basic\b", rb"\bbusiness_manage\b", rb"\bbusiness_content\b",
    rb"(?i:igmigrate:\s*ignore)",
    rb"\bpublic_content\b", rb"\bfollower_list\b",  # Legacy-only scope names (IGM202 distinctive)
)
PROJECT_MARKERS = {"package.json", "composer.json", "pyproject.toml", "setup.py", "setup.cfg", "go.mod", "Gemfile",
                   "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml"}
PROJECT_SUFFIXES = (".gemspec", ".csproj", ".sln")


@dataclass
class ScanOptions:
    paths: list[Path] = field(default_factory=lambda: [Path(".")])
    excludes: tuple[str, ...] = ()
    jobs: int = 0  # 0 = CPU count
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity_overrides: dict[str, str] = field(default_factory=dict)
    only_files: frozenset[str] | None = None  # absolute paths (changed-files mode)
    exclude_base: Path | None = None  # folder anchored excludes are relative to (the config's)


class _Engine:
    """Per-process analysis state: built once per worker, reused for every file."""

    def __init__(self, kb: KnowledgeBase, module_files: dict[str, Path], max_file_size: int, tree_files=None):
        self.kb = kb
        self.matcher = Matcher(kb)
        self.text = TextAnalyzer(kb, self.matcher, candidate=self._text_candidate)
        self.module_files = module_files
        self.tree_files = tree_files  # builds the tree's FlowFiles (cross-file reads of the flow analyzer)
        self.flow = FlowGate(kb, self.matcher, tree_files)
        self._python = None  # built on first use (python_gate.py: libcst only when a file needs it)
        self.cache: ResultCache | None = None
        self.cache_log: list[tuple[str, Verdict]] = []  # (display path, verdict) since last drain
        self.signatures: list[tuple[str, str | None]] = []  # (display path, stat signature) of files read
        self._deps: DependencyCheck | None = None
        self.max_file_size = max_file_size
        # Manifests name packages in pieces (Maven groupId/artifactId, Go module paths).
        names = sorted({re.escape(part).encode() for p in kb.packages for part in re.split(r"[:/]", p.name.lower())
                        if len(part) > 3})
        # Same answers as b"|".join(_PREFILTER_WORDS): the plain alternation ran at ~20 MB/s
        # and was the largest cost of a cold scan; the screen runs at ~300 MB/s (prefilter.py).
        self.prefilter = compile_screen(_PREFILTER_WORDS)
        self.manifest_prefilter = re.compile(b"(?i:" + b"|".join(names) + b"|instagr)")
        self.known_rules = set(kb.rules)
        self.unknown_rule = next((r.id for r in kb.rules.values() if r.name == "unknown-suppression"), "IGM900")
        self.python_lang = self.text.family("python")
        self.masker = masker_for(kb)

    def _text_candidate(self, text: str) -> bool:
        return self.prefilter.search(text.encode("utf-8", "replace"))

    def analyze(self, source: SourceFile, own_names: frozenset[str],
                force: bool = False) -> tuple[FileAnalysis | None, FileError | None]:
        try:
            data, st = _read_file(source.path, self.max_file_size)
        except _TooLarge as exc:
            return None, FileError(source.display, f"skipped: {exc.size} bytes is over the {self.max_file_size}-byte limit (--max-file-size)")
        except NotRegular:
            return None, FileError(source.display, "skipped: not a regular file (replaced since it was listed?)")
        except OSError as exc:
            return None, FileError(source.display, f"cannot read: {exc.strerror or exc}")
        if self.cache is not None:
            # Taken from the open file, so it describes the bytes analyzed (see StatIndex).
            self.signatures.append((source.display, self.cache.signature(st)))
        name = source.rel.rpartition("/")[2]
        if data.startswith(_WIDE_BOMS):
            # UTF-16/32 text: the prefilter and analyzers read UTF-8, so transcode first.
            try:
                data = transcode_wide(data)
            except UnicodeDecodeError as exc:
                return None, FileError(source.display, f"cannot decode: invalid {exc.encoding.upper()} after its byte-order mark")
        manifest = reader_for(name)
        if manifest is None and not force and not self.prefilter.search(data):
            return None, None
        if manifest is not None and not self.manifest_prefilter.search(data):
            return None, None
        if b"\0" in data[:8192]:
            return None, FileError(source.display, "skipped: binary file")
        if is_own_output(data):
            return None, FileError(source.display, OWN_OUTPUT)
        if self.cache is not None:
            return self._analyze_cached(source, name, data, manifest is not None, own_names, force)
        return self._analyze_candidate(source, name, data, manifest is not None, own_names)

    @property
    def python(self):
        if self._python is None:
            from igmigrate.analyzers.python_gate import PythonGate

            index = recording_index(self.module_files)
            index.byte_filter = self.prefilter.search
            self._python = PythonGate(self.matcher, index, candidate=self._text_candidate)
        return self._python

    def _analyze_cached(self, source, name, data, is_manifest, own_names, force):
        """The stored analysis of these bytes if nothing it depends on changed, else analyze
        and store (cache.py says what the key holds and why)."""
        cache = self.cache
        assert cache is not None
        digest = content_digest(data)
        module = module_name(source.rel) if name.endswith((".py", ".pyi", ".pyw")) else ""
        key = entry_key(cache.salt, digest, name, module, own_names, force)
        entry, corrupt = cache.read(key)
        if self._deps is None:
            self._deps = DependencyCheck(self.module_files, flow=self.tree_files)
        if entry is not None and self._deps.still_valid(entry.deps):
            self.cache_log.append((source.display, Verdict(digest, hit=True, corrupt=corrupt)))
            return entry.outcome(source.display)
        recording = self.python.index if module else self.flow if flow_grammar(name) else None
        if recording is not None:
            recording.start()
        try:
            outcome = self._analyze_candidate(source, name, data, is_manifest, own_names)
        finally:
            lookups = recording.stop() if recording is not None else frozenset()
        deps = self._deps.resolve(lookups)
        if self._deps.settled(deps, cache):
            cache.store(key, Entry(outcome[0], outcome[1].message if outcome[1] else None, deps))
        self.cache_log.append((source.display, Verdict(digest, hit=False, corrupt=corrupt)))
        return outcome

    def drain_cache_log(self) -> tuple[list[tuple[str, Verdict]], list[tuple[str, str | None]]]:
        log, self.cache_log = self.cache_log, []
        signatures, self.signatures = self.signatures, []
        return log, signatures

    def _analyze_candidate(self, source, name, data, is_manifest, own_names) -> tuple[FileAnalysis | None, FileError | None]:
        text = _decode(data)
        # Lines end at \n, \r\n or a lone \r (as editors and GitHub count them), nothing else:
        # str.splitlines also breaks at \x0b, \x0c, \x1c-\x1e, \x85 and \u2028.
        result = FileAnalysis(path=source.display, lines=text.split("\n"))
        try:
            self._analyze_text(source, name, text, result, is_manifest, own_names)
        except ManifestError as exc:
            result.finish(self.masker.text)
            return result, FileError(source.display, f"cannot parse manifest: {exc}")
        except RecursionError:
            result.finish(self.masker.text)
            return result, FileError(source.display, "skipped: nesting too deep to analyze")
        suppressions.collect(result, self.known_rules, self.unknown_rule)
        result.finish(self.masker.text)
        error = FileError(source.display, result.notices[0]) if result.notices else None
        return result, error

    def _analyze_text(self, source, name, text, result, is_manifest, own_names) -> None:
        if is_manifest:
            result.manifest_names = declared_names(name, text)
            analyze_manifest(self.kb, name, text, result, own_names | frozenset(result.manifest_names))
            if not name.endswith(".py"):
                return  # setup.py is also code; other manifests are data
        contexts = file_contexts(text)
        result.code_flags = tuple(p.name for p in self.kb.packages if p.only_if_code is not None
                                  and p.only_if_code.search(text))
        lang = self.text.language_for(name)
        if name.endswith((".py", ".pyi", ".pyw")):
            module = module_name(source.rel)
            comment_spans = self.python.analyze(text, result, module, contexts)
            if comment_spans is not None:
                contexts["instagram_context"] = contexts["instagram_context"] or bool(result.hits)
                scan_markers(self.kb, text, mask_spans(text, comment_spans), contexts, result, own_names)
                return
            if not result.notices:  # the gate says why when it chose not to parse
                result.notices.append("Python parse failed (libcst); scanned with the text rules instead")
            lang = self.python_lang
        grammar = flow_grammar(name) if not name.endswith((".py", ".pyi", ".pyw")) else None
        if grammar is not None:
            comment_spans = self.flow.analyze(text, grammar, source.path, result, contexts)
            if comment_spans is not None:
                contexts["instagram_context"] = contexts["instagram_context"] or bool(result.hits)
                scan_markers(self.kb, text, mask_spans(text, comment_spans), contexts, result, own_names)
                return
        if lang is None:
            lang = self.text.family("config")  # unknown text: match values line by line
        kind = tree_kind(name) if lang.family == "config" else None
        if kind is not None:
            try:
                comment_spans = analyze_config_tree(kind, text, lang, self.matcher, result, contexts)
            except ConfigParseError as exc:
                result.notices.append(f"{exc}; scanned with the text rules instead")
                comment_spans = None
            if comment_spans is not None:
                contexts["instagram_context"] = contexts["instagram_context"] or bool(result.hits)
                scan_markers(self.kb, text, mask_spans(text, comment_spans), contexts, result, own_names)
                return
        comment_spans = self.text.analyze(text, lang, result, contexts)
        contexts["instagram_context"] = contexts["instagram_context"] or bool(result.hits)
        if not lang.documentation:
            scan_markers(self.kb, text, mask_spans(text, comment_spans), contexts, result, own_names)


_TooLarge = TooLarge
_read_file = read_regular  # (names the tests and older callers use)


# Byte-order marks of the wide encodings, UTF-32 first (its little-endian mark starts with UTF-16's).
_WIDE_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def transcode_wide(data: bytes) -> bytes:
    """UTF-8 bytes of a UTF-16/UTF-32 file that starts with its byte-order mark (the codec
    reads and drops the mark). Raises UnicodeDecodeError for bytes that are not that encoding."""
    encoding = "utf-32" if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "utf-16"
    return data.decode(encoding).encode("utf-8")


def _decode(data: bytes) -> str:
    """The file's text with every line end as \n (offsets then count lines the way editors
    do, and every analyzer can split on \n). UTF-8 (its BOM dropped), else Latin-1, which
    decodes any bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# ---------------------------------------------------------------------- workers
_ENGINE: _Engine | None = None
_BATCH: "_Batch | None" = None


def worker_count(requested: int, files: int) -> int:
    """Worker processes for `files` files to analyze: what was asked (0: one per CPU), never
    more than the CPUs this process may run on, nor than the files (a repository's config
    saying `jobs = 1000` must not start a thousand processes)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(requested or cpus, cpus, files))


def _init_worker(engine: _Engine | None, batch: "_Batch", kb_root: str,
                 module_files: dict[str, Path], max_file_size: int, cache: ResultCache | None,
                 tree_files=None, parent: int | None = None) -> None:
    """Forked workers get the parent's engine and file list as they are (nothing is pickled
    or rebuilt); spawned ones (no fork on the platform) rebuild the engine."""
    global _ENGINE, _BATCH
    if parent is not None:
        _die_with_parent(parent)
    if engine is None:
        from igmigrate.knowledge import load_knowledge_base

        engine = _Engine(load_knowledge_base(Path(kb_root)), module_files, max_file_size, tree_files)
    engine.cache = cache
    _ENGINE, _BATCH = engine, batch


def _die_with_parent(parent: int) -> None:
    """A killed scan leaves no workers behind. Idle workers wait on the task pipe, whose
    write end every sibling also holds, so they would never see the parent go: on Linux the
    kernel kills them with it (PR_SET_PDEATHSIG); elsewhere, and as a fallback, a thread
    checks once a second whether the parent changed."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    import threading

    threading.Thread(target=_watch_parent, args=(parent,), name="igmigrate-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    import time

    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _work(indices: list[int]):
    """Analyze the files at these batch positions; only outcomes that carry something travel
    back (most files are rejected by the prefilter: (None, None))."""
    assert _ENGINE is not None
    found = []
    for i in indices:
        outcome = _ENGINE.analyze(*_BATCH[i])
        if outcome != (None, None):
            found.append((i, outcome))
    return (found, *_ENGINE.drain_cache_log())


def _pool_context():
    """fork where the platform has it as a safe default (Linux): workers then start with
    the parent's engine instead of loading the knowledge base again."""
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


_OWN_MANIFESTS = ("package.json", "composer.json", "pyproject.toml", "setup.py", "setup.cfg")


class _Projects:
    """Which project a file belongs to (the nearest folder with a manifest, else its scan
    root) and the package names that project declares for itself. Answered per folder on
    first need: a warm scan asks about a handful of files, not all 32,000."""

    def __init__(self, files: list[SourceFile]):
        self.marker_dirs: set[tuple[Path, str]] = set()
        self.manifests: list[SourceFile] = []
        for f in files:
            directory, _, name = f.rel.rpartition("/")
            if name in PROJECT_MARKERS or name.endswith(PROJECT_SUFFIXES):
                self.marker_dirs.add((f.root, directory))
            if name in _OWN_MANIFESTS or name.endswith(".gemspec"):
                self.manifests.append(f)
        self._by_folder: dict[tuple[Path, str], str] = {}
        self._own: dict[str, frozenset[str]] | None = None

    def project(self, f: SourceFile) -> str:
        key = (f.root, f.rel.rpartition("/")[0])
        project = self._by_folder.get(key)
        if project is None:
            directory = key[1]
            while directory and (f.root, directory) not in self.marker_dirs:
                directory = directory.rpartition("/")[0]
            project = self._by_folder[key] = f"{f.root}::{directory}"
        return project

    def own(self, f: SourceFile) -> frozenset[str]:
        if self._own is None:
            self._own = self._read_own_names()
        return self._own.get(self.project(f), frozenset())

    def _read_own_names(self) -> dict[str, frozenset[str]]:
        names: dict[str, set[str]] = {}
        for f in self.manifests:
            try:
                text = read_bytes(f.path, 1024 * 1024).decode("utf-8", errors="replace")
            except (OSError, TooLarge):
                continue
            names.setdefault(self.project(f), set()).update(declared_names(f.rel.rpartition("/")[2], text))
        return {k: frozenset(v) for k, v in names.items()}


class _Batch:
    """The files to analyze as (file, its project's own package names), the names looked
    up only for the items asked for."""

    def __init__(self, files: list[SourceFile], projects: _Projects):
        self.files = files
        self.projects = projects

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[SourceFile, frozenset[str]]:
        f = self.files[i]
        return f, self.projects.own(f)


class _TreeModules:
    """Module name -> path of the tree's Python files, built on first use (a warm scan that
    analyzes nothing never needs it)."""

    def __init__(self, files: list[SourceFile]):
        self._files = files
        self._table: dict[str, str] | None = None
        self._flow = None

    def __call__(self) -> dict[str, str]:
        if self._table is None:
            self._table = {module_name(f.rel): f.path for f in self._files if f.rel.endswith(".py")}
        return self._table

    def flow(self):
        """The tree's files that have a grammar (flow/project.py), for cross-file reads."""
        if self._flow is None:
            from igmigrate.analyzers.flow.project import FlowFiles

            self._flow = FlowFiles((f.path, f.display) for f in self._files)
        return self._flow


def scan(options: ScanOptions, kb: KnowledgeBase | None = None, cwd: Path | None = None, *,
         cache: ResultCache | None = None, progress: Progress | None = None) -> ScanResult:
    """cache: reuse per-file analyses (its .stats counts hits); progress: report files done."""
    kb = kb or default_knowledge_base()
    found = discover(options.paths, options.excludes, cwd=cwd, exclude_base=options.exclude_base)
    files = found.files
    if options.only_files is not None:
        files = [f for f in files if os.path.realpath(f.path) in options.only_files]
    errors = [FileError(p, m) for p, m in found.problems]
    projects = _Projects(found.files)
    modules = _TreeModules(found.files)
    batch = _Batch(files, projects)
    outcomes = _analyze_all(batch, kb, modules, options, cache, progress or Progress(enabled=False))
    outcomes += _importers_of_instagram_modules(batch, outcomes, kb, modules, options.max_file_size)
    outcomes += _readers_of_flow_names(batch, outcomes, kb, modules, options.max_file_size)
    analyses = []
    project_of: dict[str, str] = {}
    for i, (analysis, error) in outcomes:
        if analysis is not None and (analysis.hits or analysis.evidence or analysis.code_flags):
            analyses.append(analysis)
            project_of[analysis.path] = projects.project(files[i])
        if error is not None:
            errors.append(error)
    findings = Classifier(kb, analyses, project_of).findings()
    findings = _apply_config(findings, options, kb)
    failed = {e.path for e in errors}
    scanned = frozenset(f.display for f in files if f.display not in failed)
    return ScanResult(findings=assign_fingerprints(findings), errors=sorted(errors, key=lambda e: e.path),
                      files_scanned=len(files), scanned=scanned)


# ---------------------------------------------------------------------- cache + progress
def _analyze_all(batch, kb, modules, options, cache, progress) -> list:
    """Outcomes in batch order: unchanged files from the cache without reading them, the
    rest analyzed serially (small trees) or in worker processes (large ones)."""
    outcomes: list = [None] * len(batch)
    stats: list = [None] * len(batch)
    index = StatIndex(cache) if cache is not None else None
    todo = []
    if cache is not None:
        cache.prepare()
        todo = _from_stat_index(batch, cache, index, modules, options.max_file_size, outcomes, stats)
    else:
        todo = list(range(len(batch)))
    progress.start(len(batch))
    progress.advance(len(batch) - len(todo))
    verdicts: dict[str, Verdict] = {}
    signatures: dict[str, str | None] = {}  # display path -> signature taken when the file was read
    jobs = worker_count(options.jobs, len(todo))
    if not todo:
        pass  # everything came from the cache
    elif jobs <= 1 or len(todo) < 200:
        engine = _Engine(kb, modules(), options.max_file_size, modules.flow)
        engine.cache = cache
        for i in todo:
            outcomes[i] = engine.analyze(*batch[i])
            log, read = engine.drain_cache_log()
            verdicts.update(log)
            signatures.update(read)
            progress.advance(1)
    else:
        for i in todo:
            outcomes[i] = (None, None)
        size = max(16, min(256, len(todo) // (jobs * 8) or 16))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        jobs = min(jobs, len(chunks))  # a worker without a chunk would only cost its start
        from concurrent.futures import ProcessPoolExecutor  # here: a small scan never pays for it

        context = _pool_context()
        module_files = modules()
        engine = _Engine(kb, module_files, options.max_file_size, modules.flow) if context is not None else None
        # Forked workers share the parent's heap until the garbage collector touches it;
        # freezing keeps those pages shared (peak memory at 80,000 files: see README).
        gc.freeze()
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                     initargs=(engine, batch, str(kb.root), module_files, options.max_file_size,
                                               cache, modules.flow, os.getpid())) as pool:
                for chunk, (found, log, read) in zip(chunks, pool.map(_work, chunks)):
                    for i, outcome in found:
                        outcomes[i] = outcome
                    verdicts.update(log)
                    signatures.update(read)
                    progress.advance(len(chunk))
        finally:
            gc.unfreeze()
    progress.finish()
    if cache is not None and index is not None:
        for i in todo:
            source = batch.files[i]
            verdict = verdicts.get(source.display)
            if outcomes[i] == (None, None):
                verdict = Verdict("")  # the prefilter rejected it
            cache.stats.hits += bool(verdict and verdict.digest and verdict.hit)
            cache.stats.misses += bool(verdict and verdict.digest and not verdict.hit)
            cache.stats.corrupt += bool(verdict and verdict.corrupt)
            signature = signatures.get(source.display, stats[i])
            index.remember(str(source.path), signature, verdict)  # None (read/size/binary errors): not kept
        index.save()
    return list(enumerate(outcomes))


def _from_stat_index(batch, cache, index, modules, max_file_size, outcomes, stats) -> list[int]:
    """Fill outcomes for files whose stat matches the index; return the indexes left to analyze.

    The loop body is the whole of a warm scan after discovery (32,000 files of the library
    tree): the freshness test is inlined and the counters kept in locals."""
    todo = []
    checker = None
    records = index.records
    settled_before = (cache.started - cache.racy_seconds) * 1e9  # ResultCache.settled
    unchanged = hits = 0
    stat = os.stat
    for i, source in enumerate(batch.files):
        path = source.path
        record = records.get(path)
        if record is None:
            todo.append(i)  # nothing to compare with (a cold run: no stat at all here)
            continue
        try:
            st = stat(path)
        except OSError:
            todo.append(i)
            continue
        if st.st_mtime_ns >= settled_before or st.st_ctime_ns >= settled_before:
            todo.append(i)  # too fresh to trust its stat: read it (stats[i] stays None)
            continue
        signature = stats[i] = stat_signature(st)
        digest = recorded_digest(record, signature) if st.st_size <= max_file_size else None
        if digest == "":
            outcomes[i] = (None, None)  # the prefilter rejected these bytes
            unchanged += 1
            continue
        if digest:
            name = source.rel.rpartition("/")[2]
            module = module_name(source.rel) if name.endswith((".py", ".pyi", ".pyw")) else ""
            entry = cache.load(entry_key(cache.salt, digest, name, module, batch.projects.own(source), False))
            if entry is not None and entry.deps and checker is None:
                checker = DependencyCheck(modules(), flow=modules.flow)
            if entry is not None and (not entry.deps or checker.still_valid(entry.deps)):
                outcomes[i] = entry.outcome(source.display)
                unchanged += 1
                hits += 1
                continue
        todo.append(i)
    cache.stats.unchanged += unchanged
    cache.stats.hits += hits
    return todo


def _importers_of_instagram_modules(batch, outcomes, kb, modules, max_file_size):
    """Second pass for Python files the prefilter skipped but that import a module of the
    tree whose constants hold Instagram URLs or scopes (`from .consts import BASE`, then
    `BASE + "/me"`): only those few files are read again and parsed."""
    files = batch.files
    exporting = {module_name(files[i].rel).rsplit(".", 1)[-1]
                 for i, (analysis, _) in outcomes if analysis is not None and analysis.exports_instagram}
    if not exporting:
        return []
    names = b"|".join(re.escape(n.encode()) for n in sorted(exporting))
    importer = re.compile(rb"^[ \t]*(?:from[ \t]+[\w.]*\b(?:" + names + rb")\b|import[ \t]+[\w.]*\b(?:" + names
                          + rb")\b|from[ \t]+[\w.]+[ \t]+import[^\n]*\b(?:" + names + rb")\b)", re.MULTILINE)
    return _reanalyze_matching(batch, outcomes, kb, modules, max_file_size,
                               lambda source: importer if source.rel.endswith(".py") else None)


def _reanalyze_matching(batch, outcomes, kb, modules, max_file_size, pattern_for):
    """Files the prefilter skipped whose bytes match `pattern_for(file)` (None: not this
    file): read again and analyzed whatever the prefilter said."""
    engine = None
    extra = []
    for i, (analysis, error) in outcomes:
        if analysis is not None or error is not None:
            continue
        source = batch.files[i]
        pattern = pattern_for(source)
        if pattern is None:
            continue
        try:
            data = read_bytes(source.path, max_file_size)
        except (OSError, TooLarge):
            continue
        if len(data) <= max_file_size and pattern.search(data):
            engine = engine or _Engine(kb, modules(), max_file_size, modules.flow)
            extra.append((i, engine.analyze(*batch[i], force=True)))
    return extra


def _searchable(name: str) -> bool:
    """A name worth a byte search: three characters or more, or an all-capital one (`IG`);
    `a` or `db` would pull in most files of a tree."""
    return len(name) >= 3 or (len(name) == 2 and name.isupper())


def _readers_of_flow_names(batch, outcomes, kb, modules, max_file_size):
    """Second pass for tree-sitter files the prefilter skipped but that name a class or a
    module-level name of an analyzed file of the same language and project
    (`Endpoints.OAUTH + "authorize?"` in a Java file with no Instagram word,
    `[Perm.profile, Perm.media].join(',')` in Dart): only those files are read again and
    analyzed, and the flow engine resolves the names. Only the files of a project that has
    such a file are read (names resolve within a project)."""
    files = batch.files
    names: dict[tuple[str, str], set[str]] = {}
    for i, (analysis, _) in outcomes:
        grammar = flow_grammar(files[i].rel.rpartition("/")[2]) if analysis is not None else None
        if grammar is not None and analysis.flow_names:
            key = (_flow_family(grammar), batch.projects.project(files[i]))
            names.setdefault(key, set()).update(n for n in analysis.flow_names if _searchable(n))
    patterns = {key: re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(found)) + rb")\b")
                for key, found in names.items() if found}
    if not patterns:
        return []
    projects = {project for _, project in patterns}

    def pattern_for(source):
        project = batch.projects.project(source)
        if project not in projects:
            return None
        grammar = flow_grammar(source.rel.rpartition("/")[2])
        return patterns.get((_flow_family(grammar), project)) if grammar is not None else None

    return _reanalyze_matching(batch, outcomes, kb, modules, max_file_size, pattern_for)


def _flow_family(grammar: str) -> str:
    """Grammars whose files read each other's names (TypeScript imports JavaScript)."""
    from igmigrate.analyzers.flow.spec import spec_for_grammar

    spec = spec_for_grammar(grammar)
    return spec.module_extensions[0] if spec is not None and spec.module_extensions else grammar


def _apply_config(findings: list[Finding], options: ScanOptions, kb: KnowledgeBase) -> list[Finding]:
    out = []
    for f in findings:
        if options.select and not any(f.rule_id.startswith(s) for s in options.select):
            continue
        if any(f.rule_id.startswith(s) for s in options.ignore):
            continue
        override = options.severity_overrides.get(f.rule_id)
        if override:
            f = f.with_changes(severity=override)
        out.append(f)
    return out
