"""Read saved scans (`igmigrate scan --format json` files) one at a time and keep only what
the organisation report shows: per-repository counts, flows, effort, the busiest files and
the most severe findings.

A thousand saved scans must fit in memory whatever their size, so each document is parsed,
reduced to a `RepoScan` and dropped before the next one is read. Anything that is not the
scan JSON contract (docs/scan-json.md) raises InputError naming the file: a merged report
that silently skipped a repository would understate the work.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from igmigrate.findings import SEVERITIES, SEVERITY_RANK
from igmigrate.report.inputs import InputError

STDIN = "-"
TOP_FINDINGS = 20  # most severe findings kept per repository (its detail section)
TOP_FILES = 10


@dataclass(frozen=True)
class SavedFinding:
    rule_id: str
    severity: str
    path: str
    line: int
    snippet: str

    def rank(self) -> tuple:
        return (-SEVERITY_RANK.get(self.severity, 0), self.path, self.line, self.rule_id)


@dataclass
class RepoScan:
    """One saved scan, reduced to what the organisation page shows."""

    source: str  # the file it came from ("-" for stdin)
    repository: str
    named_from: str  # "scan block" or "file name" (a saved scan without a `scan` block)
    commit: str | None
    branch: str | None
    commit_date: str | None
    roots: tuple[str, ...]
    tool_version: str
    kb_version: str
    files_scanned: int
    severities: dict[str, int]
    by_rule: Counter
    by_flow: Counter  # flow id -> call sites
    effort: float  # estimate (call sites x per-rule weight)
    files_affected: int
    top_files: list[tuple[str, dict[str, int]]]  # (path, severity counts), busiest first
    findings: list[SavedFinding]  # the TOP_FINDINGS most severe
    file_errors: int
    suppressed: int
    order: int = 0  # position among the inputs (a tie on dates keeps the later file)
    flow_effort: dict[str, float] = field(default_factory=dict)
    rule_worst: dict[str, str] = field(default_factory=dict)  # rule id -> most severe severity seen

    @property
    def total(self) -> int:
        return sum(self.severities.values())

    def when(self) -> dt.datetime | None:
        return parse_date(self.commit_date)


def parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _read_text(source: str) -> str:
    if source == STDIN:
        try:
            return sys.stdin.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--from-json -: cannot read stdin ({exc})") from None
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"--from-json {source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"--from-json {source}: is a directory (give the saved scan files)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--from-json {source}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def bad(self, problem: str) -> InputError:
        return InputError(f"--from-json {self.source}: {problem} (expected the output of igmigrate scan --format json)")

    def text(self, value, where: str, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.bad(f"{where} must be a string")
        return value

    def integer(self, value, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.bad(f"{where} must be a non-negative integer")
        return value

    def mapping(self, value, where: str, optional: bool = False) -> dict:
        if value is None and optional:
            return {}
        if not isinstance(value, dict):
            raise self.bad(f"{where} must be an object")
        return value


def _finding(raw, index: int, check: _Checker) -> tuple[SavedFinding, bool]:
    where = f"findings[{index}]"
    raw = check.mapping(raw, where)
    severity = check.text(raw.get("severity"), f"{where}.severity")
    if severity not in SEVERITIES:
        raise check.bad(f"{where}.severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    rule_id = check.text(raw.get("rule_id"), f"{where}.rule_id")
    path = check.text(raw.get("path"), f"{where}.path")
    line = check.integer(raw.get("line"), f"{where}.line")
    snippet = check.text(raw.get("snippet"), f"{where}.snippet", optional=True) or ""
    suppressed = raw.get("suppressed", False)
    if not isinstance(suppressed, bool):
        raise check.bad(f"{where}.suppressed must be true or false")
    return SavedFinding(rule_id, severity, path, line, " ".join(snippet.split())[:300]), suppressed


def _name_from_file(source: str) -> str:
    if source == STDIN:
        return "stdin"
    name = PurePosixPath(source.replace("\\", "/")).name
    return name.removesuffix(".json") or name


def reduce_scan(doc: object, source: str, flow_of: Callable[[str], str | None],
                weight_of: Callable[[str], float], order: int = 0) -> RepoScan:
    """One parsed saved scan -> RepoScan (InputError naming the file if it is not one)."""
    check = _Checker(source)
    doc = check.mapping(doc, "the document")
    if doc.get("schema_version") != 1:
        raise check.bad(f"schema_version {doc.get('schema_version')!r} is not supported (1 is)")
    tool = check.mapping(doc.get("tool"), "tool", optional=True)
    kb = check.mapping(doc.get("knowledge_base"), "knowledge_base", optional=True)
    scan = check.mapping(doc.get("scan"), "scan", optional=True)
    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise check.bad("'findings' must be a list")
    errors = doc.get("errors", [])
    if not isinstance(errors, list):
        raise check.bad("'errors' must be a list")
    summary = check.mapping(doc.get("summary"), "summary", optional=True)
    files_scanned = summary.get("files_scanned", 0)
    files_scanned = check.integer(files_scanned, "summary.files_scanned")

    severities = {s: 0 for s in SEVERITIES}
    by_rule: Counter = Counter()
    by_flow: Counter = Counter()
    flow_effort: dict[str, float] = {}
    per_file: dict[str, dict[str, int]] = {}
    rule_worst: dict[str, str] = {}
    effort = 0.0
    suppressed = 0
    top: list[SavedFinding] = []
    for index, raw in enumerate(findings):
        finding, is_suppressed = _finding(raw, index, check)
        if is_suppressed:
            suppressed += 1
            continue
        severities[finding.severity] += 1
        by_rule[finding.rule_id] += 1
        if SEVERITY_RANK[finding.severity] > SEVERITY_RANK.get(rule_worst.get(finding.rule_id, ""), 0):
            rule_worst[finding.rule_id] = finding.severity
        weight = weight_of(finding.rule_id)
        effort += weight
        flow = flow_of(finding.rule_id)
        if flow:
            by_flow[flow] += 1
            flow_effort[flow] = flow_effort.get(flow, 0.0) + weight
        counts = per_file.setdefault(finding.path, {s: 0 for s in SEVERITIES})
        counts[finding.severity] += 1
        top.append(finding)
        if len(top) > 4 * TOP_FINDINGS:  # keep the list short while reading a large scan
            top = sorted(top, key=SavedFinding.rank)[:TOP_FINDINGS]
    busiest = sorted(per_file.items(), key=lambda kv: (-kv[1]["error"], -kv[1]["warning"], -kv[1]["note"], kv[0]))

    repository = check.text(scan.get("repository"), "scan.repository", optional=True)
    roots = scan.get("roots") or []
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise check.bad("scan.roots must be a list of strings")
    return RepoScan(
        source=source,
        repository=repository or _name_from_file(source),
        named_from="scan block" if repository else "file name",
        commit=check.text(scan.get("commit"), "scan.commit", optional=True),
        branch=check.text(scan.get("branch"), "scan.branch", optional=True),
        commit_date=check.text(scan.get("commit_date"), "scan.commit_date", optional=True),
        roots=tuple(roots),
        tool_version=str(tool.get("version") or "unknown"),
        kb_version=str(kb.get("version") or "unknown"),
        files_scanned=files_scanned,
        severities=severities, by_rule=by_rule, by_flow=by_flow, effort=effort,
        files_affected=len(per_file), top_files=busiest[:TOP_FILES],
        findings=sorted(top, key=SavedFinding.rank)[:TOP_FINDINGS],
        file_errors=len(errors), suppressed=suppressed, order=order, flow_effort=flow_effort,
        rule_worst=rule_worst,
    )


def read_saved_scans(sources: list[str], flow_of: Callable[[str], str | None],
                     weight_of: Callable[[str], float]) -> Iterator[RepoScan]:
    """Each file parsed, reduced and released in turn (bounded memory for any number of files)."""
    if sources.count(STDIN) > 1:
        raise InputError("--from-json: '-' (stdin) can be given once")
    for order, source in enumerate(sources):
        text = _read_text(source)
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise InputError(f"--from-json {source}: not valid JSON ({exc})") from None
        except RecursionError:
            raise InputError(f"--from-json {source}: JSON nested too deeply") from None
        del text
        yield reduce_scan(doc, source, flow_of, weight_of, order)
