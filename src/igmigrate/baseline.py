"""Baseline files: accept today's findings once, fail only on new ones.

An entry is keyed by the finding fingerprint (rule id + path + normalized matched text +
occurrence index, see findings.assign_fingerprints), never by line number, so edits above
a finding keep it known. The file is JSON, sorted, with no timestamps or tool versions, so
two people creating it on the same code get the same bytes and merges do not conflict.
Paths are as the scan displays them (relative to the directory the scan runs in, normally
the repository root): run `scan --baseline` from the directory the baseline was made in.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from igmigrate.findings import Finding

FORMAT_KEY = "igmigrate_baseline"
FORMAT_VERSION = 1
_FINGERPRINT = re.compile(r"^[0-9a-f]{8,64}$")
_SIGNATURE = re.compile(rb'^\s*\{\s*"igmigrate_baseline"\s*:')


class BaselineError(Exception):
    """The baseline file is missing or malformed (the CLI exits 2)."""


@dataclass(frozen=True, order=True)
class Entry:
    # Field order is the sort order of the file: grouped by path for human review.
    path: str
    rule_id: str
    matched: str
    fingerprint: str

    def to_json(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "path": self.path, "matched": self.matched}


@dataclass
class Baseline:
    entries: dict[str, Entry] = field(default_factory=dict)  # fingerprint -> entry

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> "Baseline":
        # Suppressed findings are already accepted in the code; they need no baseline entry.
        return cls({f.fingerprint: _entry(f) for f in findings if not f.suppressed})

    def render(self) -> str:
        document = {
            FORMAT_KEY: FORMAT_VERSION,
            "entries": [e.to_json() for e in sorted(self.entries.values())],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _entry(f: Finding) -> Entry:
    return Entry(path=f.path, rule_id=f.rule_id, matched=f.matched, fingerprint=f.fingerprint)


def load(path: Path) -> Baseline:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not a baseline file (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a baseline file (invalid JSON at line {exc.lineno})") from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise BaselineError(f"{path}: not an igmigrate baseline (no '{FORMAT_KEY}' key; create one with "
                            f"`igmigrate baseline create -o {path}`)")
    if data[FORMAT_KEY] != FORMAT_VERSION:
        raise BaselineError(f"{path}: baseline format {data[FORMAT_KEY]!r} is not supported (expected {FORMAT_VERSION})")
    unknown = sorted(set(data) - {FORMAT_KEY, "entries"})
    if unknown:
        raise BaselineError(f"{path}: unknown key '{unknown[0]}'")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        raise BaselineError(f"{path}: 'entries' must be a list")
    entries: dict[str, Entry] = {}
    for number, raw in enumerate(raw_entries, 1):
        where = f"{path}: entry {number}"
        if not isinstance(raw, dict):
            raise BaselineError(f"{where} must be an object")
        for key in ("fingerprint", "rule_id", "path", "matched"):
            if not isinstance(raw.get(key), str):
                raise BaselineError(f"{where}: key '{key}' must be a string")
        extra = sorted(set(raw) - {"fingerprint", "rule_id", "path", "matched"})
        if extra:
            raise BaselineError(f"{where}: unknown key '{extra[0]}'")
        if not _FINGERPRINT.match(raw["fingerprint"]):
            raise BaselineError(f"{where}: fingerprint {raw['fingerprint']!r} is not a hex digest")
        if raw["fingerprint"] in entries:
            raise BaselineError(f"{where}: duplicate fingerprint {raw['fingerprint']}")
        entries[raw["fingerprint"]] = Entry(raw["path"], raw["rule_id"], raw["matched"], raw["fingerprint"])
    return Baseline(entries)


@dataclass
class Comparison:
    new: list[Finding]  # what to report: findings the baseline does not know (suppressed ones kept as they are)
    known: int  # active findings the baseline accepted
    fixed: list[Entry]  # entries for scanned files that no active finding matches any more
    accepted: list[Finding] = field(default_factory=list)  # the known findings themselves (SARIF keeps them)


def compare(baseline: Baseline, findings: list[Finding], in_scope: Callable[[str], bool]) -> Comparison:
    matched: set[str] = set()
    new, accepted = [], []
    for f in findings:
        if not f.suppressed and f.fingerprint in baseline.entries:
            matched.add(f.fingerprint)
            accepted.append(f)
        else:
            new.append(f)
    # Only entries whose file this run looked at can be called fixed: a pre-commit run over
    # two files says nothing about the rest of the baseline.
    fixed = [e for fp, e in sorted(baseline.entries.items(), key=lambda kv: kv[1])
             if fp not in matched and in_scope(e.path)]
    return Comparison(new=new, known=len(matched), fixed=fixed, accepted=accepted)


def updated(baseline: Baseline, comparison: Comparison, add_new: bool) -> Baseline:
    """Drop fixed entries; add unknown active findings only when asked."""
    fixed = {e.fingerprint for e in comparison.fixed}
    entries = {fp: e for fp, e in baseline.entries.items() if fp not in fixed}
    if add_new:
        entries.update({f.fingerprint: _entry(f) for f in comparison.new if not f.suppressed})
    return Baseline(entries)


def is_baseline_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return bool(_SIGNATURE.match(handle.read(256)))
    except OSError:
        return False


def without_baseline_files(findings: list[Finding], cwd: Path) -> list[Finding]:
    """A committed baseline quotes the matched text it accepts, so the scanner flags it; it
    is igmigrate's own data, never code (and the pre-commit hook must accept committing it).
    Only files that produced findings are opened."""
    paths = {f.path for f in findings if f.path.endswith(".json")}
    own = {p for p in paths if is_baseline_file(cwd / p)}
    return [f for f in findings if f.path not in own] if own else findings


def scan_scope(paths: list[Path], only_files: frozenset[str] | None, cwd: Path,
               scanned: frozenset[str] | None = None) -> Callable[[str], bool]:
    """Whether this scan read and analyzed a baseline entry's file. With `scanned` (the
    scanner's list), an excluded, unreadable, oversized or unparsable file is out of scope: its
    entries are not fixed, whatever the roots cover."""
    cwd = cwd.resolve()
    roots = [(cwd / p).resolve() for p in paths]

    def inside(display: str) -> bool:
        if scanned is not None and display not in scanned and posixpath.normpath(display) not in scanned:
            return False
        target = (cwd / display).resolve()
        if only_files is not None and str(target) not in only_files:
            return False
        return any(target == root or root in target.parents for root in roots)

    return inside
