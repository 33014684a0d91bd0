"""The report as data: built once from a scan (plus knowledge base, probe run and baseline),
then rendered by markdown.py and html.py, so both formats say exactly the same things."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from igmigrate import __version__
from igmigrate.findings import SEVERITIES, SEVERITY_RANK, FileError, Finding, ScanResult
from igmigrate.knowledge import Example, KnowledgeBase, Rule
from igmigrate.masking import masker_for
from igmigrate.report.examples import Pair, fix_previews, main_language, pick
from igmigrate.report.inputs import BaselineEntry, ProbeRun, ProbeStep
from igmigrate.report.spec import ReportSpec

DEFAULT_TITLE = "Instagram API migration report"
ROOT_DIR = "."  # label for files directly in a scanned directory


@dataclass(frozen=True)
class LiveEvidence:
    """What the probe said about the endpoint a finding calls."""

    call: str
    date: str
    step: ProbeStep | None  # None: the probe results have no such step
    stand_in: str | None = None  # the host the probe asked, when it was not Instagram's

    @property
    def verdict(self) -> str:
        return self.step.verdict if self.step else "not probed"

    def where(self) -> str:
        return f" against {self.stand_in} (not Instagram)" if self.stand_in else ""

    def text(self) -> str:
        if self.step is None:
            return f"calls {self.call}; not in the probe results"
        return f"calls {self.call}; probe on {self.date}{self.where()}: {self.step.outcome()}"


def stand_in_host(url: str | None) -> str | None:
    """host[:port] of a probe URL when it is not an Instagram host (a local stand-in, a proxy)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host or host == "instagram.com" or host.endswith(".instagram.com"):
        return None
    return f"{host}:{port}" if port else host


@dataclass(frozen=True)
class ScanInfo:
    """What was scanned: the report's header (the scan JSON's `scan` block)."""

    roots: tuple[str, ...]
    repository: str | None
    commit: str | None
    branch: str | None
    commit_date: str | None

    @classmethod
    def from_block(cls, block: dict) -> "ScanInfo":
        return cls(tuple(block.get("roots") or ()), block.get("repository"), block.get("commit"),
                   block.get("branch"), block.get("commit_date"))

    def text(self) -> str:
        """"github.com/acme/shop at commit 9fceb02d0ae5 (main, 2026-11-30)", plus ", paths src, lib"
        when not the whole folder was scanned."""
        out = self.repository or ""
        if self.commit:
            extra = ", ".join(x for x in (self.branch, (self.commit_date or "")[:10]) if x)
            out += f" at commit {self.commit[:12]}" + (f" ({extra})" if extra else "")
        if self.roots and tuple(self.roots) != (".",):
            out += f"{', ' if out else ''}{'path' if len(self.roots) == 1 else 'paths'} {', '.join(self.roots)}"
        return out or "."


@dataclass(frozen=True)
class Row:
    finding: Finding
    directory: str
    status: str | None = None  # "new" / "existing" with a baseline
    live: LiveEvidence | None = None

    @property
    def location(self) -> str:
        return f"{self.finding.path}:{self.finding.line}"


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    summary: str
    rows: tuple[Row, ...]
    effort: float = 0.0  # estimate: call sites x per-rule weight


@dataclass(frozen=True)
class FileRollup:
    path: str
    severities: dict[str, int]
    rules: tuple[str, ...]
    effort: float

    @property
    def total(self) -> int:
        return sum(self.severities.values())


@dataclass(frozen=True)
class RuleSection:
    rule: Rule
    count: int
    severities: dict[str, int]
    example: Row  # first finding, to show the message in context
    replacements: tuple[str, ...]  # distinct replacement texts of its findings (docs link left out)
    before: Example | None
    after: Example | None
    example_source: str = ""  # "fix engine (your code)" or "knowledge-base example (php)"
    example_missing: str | None = None  # the language no example exists for


@dataclass(frozen=True)
class ManualItem:
    id: str
    title: str
    text: str
    docs: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ProbeSection:
    path: str
    date: str
    date_source: str
    verdict: str | None
    steps: tuple[ProbeStep, ...]
    calls: dict[str, str]  # step -> the call it checks
    joined: dict[str, int]  # step -> findings joined to it
    stand_ins: tuple[str, ...] = ()  # hosts asked that are not Instagram's (e.g. 127.0.0.1:39745)


@dataclass(frozen=True)
class Report:
    title: str
    generated: str
    tool_version: str
    kb_version: str
    kb_updated: str
    dates: tuple[tuple[str, str], ...]  # (label, date)
    files_scanned: int
    files_affected: int
    severities: dict[str, int]
    by_rule: tuple[tuple[str, str, int], ...]  # (rule id, title, count), largest first
    by_directory: tuple[tuple[str, int], ...]
    flows: tuple[Flow, ...]
    rules: tuple[RuleSection, ...]
    manual: tuple[ManualItem, ...]
    rows: tuple[Row, ...]  # every unsuppressed finding, most severe first
    suppressed: int
    errors: tuple[FileError, ...]
    probe: ProbeSection | None = None
    baseline: str | None = None  # its path, when one was given
    fixed: tuple[BaselineEntry, ...] = field(default=())
    scanned: ScanInfo | None = None
    files: tuple[FileRollup, ...] = ()  # per-file rollup, most severe first
    effort: float = 0.0
    effort_unit: str = "hours"
    effort_note: str = ""
    language: str | None = None  # the project's main language (decides the examples)
    history: object | None = None  # a history.History, with --history

    @property
    def total(self) -> int:
        return len(self.rows)


def top_directory(path: str, roots: tuple[str, ...]) -> str:
    """First directory under the scanned root that holds the file ("." for files in the root)."""
    rel = path
    for root in sorted(roots, key=len, reverse=True):
        root = root.rstrip("/")
        if root in ("", "."):
            continue
        if path == root:
            return ROOT_DIR
        if path.startswith(root + "/"):
            rel = path[len(root) + 1:]
            break
    head, sep, _ = rel.lstrip("/").partition("/")
    return head + "/" if sep else ROOT_DIR


_DOCS_SUFFIX = re.compile(r" \(https?://[^\s)]+\)$")


def strip_docs(text: str | None) -> str:
    """A finding's replacement without its trailing "(docs URL)": the rule's section links the docs."""
    return _DOCS_SUFFIX.sub("", text or "")


def _sort_key(row: Row) -> tuple:
    f = row.finding
    return (-SEVERITY_RANK.get(f.severity, 0), f.path, f.line, f.column, f.rule_id)


class _Builder:
    def __init__(self, result: ScanResult, kb: KnowledgeBase, spec: ReportSpec, roots: tuple[str, ...],
                 probe: ProbeRun | None, baseline: dict[str, BaselineEntry] | None):
        self.result, self.kb, self.spec, self.roots = result, kb, spec, roots
        self.probe, self.baseline = probe, baseline
        self.masker = masker_for(kb)
        self.language: str | None = None
        self.root = Path.cwd()
        self.probe_steps = {name: self._masked(s) for name, s in (probe.steps.items() if probe else ())}

    def _masked(self, s: ProbeStep) -> ProbeStep:
        return ProbeStep(s.step, s.method, self.mask(s.url), s.status, s.verdict, s.signature,
                         self.mask(s.detail) or "", s.error_type, s.error_code, s.call, s.sites)

    def mask(self, text: str | None) -> str | None:
        """Probe files are masked by the probe, but may have been edited since: mask again."""
        return self.masker.optional(text)

    def live(self, f: Finding) -> LiveEvidence | None:
        if self.probe is None:
            return None
        exact = self.probe.by_site.get((f.path, f.line, f.rule_id))
        if exact is not None:  # `probe --from-scan` probed this very call site
            return LiveEvidence(exact.call or f"{exact.method or 'GET'} {exact.step}", self.probe.date,
                                self._masked(exact))
        join = self.spec.join_of(f.rule_id, (f.matched, f.snippet))
        if join is None:
            return None
        step = self.probe_steps.get(join.step)
        return LiveEvidence(join.call, self.probe.date, step, stand_in_host(step.url if step else None))

    def rows(self) -> list[Row]:
        rows = []
        for f in self.result.findings:
            if f.suppressed:
                continue
            status = None
            if self.baseline is not None:
                status = "existing" if f.fingerprint in self.baseline else "new"
            rows.append(Row(f, top_directory(f.path, self.roots), status, self.live(f)))
        return sorted(rows, key=_sort_key)

    def flows(self, rows: list[Row]) -> tuple[Flow, ...]:
        members: dict[str, list[Row]] = {}
        for row in rows:
            flow = self.spec.flow_of(self.kb, row.finding.rule_id)
            if flow:
                members.setdefault(flow, []).append(row)
        return tuple(
            Flow(spec.id, spec.title, spec.summary,
                 tuple(sorted(members[spec.id], key=lambda r: (r.finding.path, r.finding.line, r.finding.column))),
                 sum(self.spec.effort.weight(r.finding.rule_id) for r in members[spec.id]))
            for spec in self.spec.flows if members.get(spec.id)
        )

    def files(self, rows: list[Row]) -> tuple[FileRollup, ...]:
        per_file: dict[str, list[Row]] = {}
        for row in rows:
            per_file.setdefault(row.finding.path, []).append(row)
        out = [FileRollup(path, {s: sum(r.finding.severity == s for r in found) for s in SEVERITIES},
                          tuple(sorted({r.finding.rule_id for r in found})),
                          sum(self.spec.effort.weight(r.finding.rule_id) for r in found))
               for path, found in per_file.items()]
        return tuple(sorted(out, key=lambda f: (-f.severities["error"], -f.severities["warning"],
                                                -f.severities["note"], f.path)))

    def rule_sections(self, rows: list[Row]) -> tuple[RuleSection, ...]:
        by_rule: dict[str, list[Row]] = {}
        for row in rows:
            by_rule.setdefault(row.finding.rule_id, []).append(row)
        sections = []
        previews = fix_previews([r.finding for r in rows], self.root, self.kb)
        for rule_id in sorted(by_rule):
            rule = self.kb.rules.get(rule_id)
            if rule is None:  # a finding from a rule this knowledge base does not know: table only
                continue
            found = by_rule[rule_id]
            replacements = list(dict.fromkeys(strip_docs(r.finding.replacement)
                                              for r in found if r.finding.replacement))
            sections.append(RuleSection(
                rule=rule, count=len(found), severities=dict(Counter(r.finding.severity for r in found)),
                example=found[0], replacements=tuple(replacements),
                **self.before_after(rule, found, previews.get(rule_id)),
            ))
        return tuple(sections)

    def before_after(self, rule: Rule, found: list[Row], preview: Pair | None) -> dict:
        """The fix engine's rewrite of this code where there is one; else a knowledge-base pair
        in the language of the rule's findings (else the project's): the rule's first bad
        example with its first good one (or report.yaml's `after_examples`), or one of
        report.yaml's `migrations`. Tokens are masked: a report must not carry token-shaped
        strings around."""
        wanted = main_language((r.finding.path for r in found), prefer=self.language) or self.language
        pair = preview
        if pair is None:
            overrides = self.spec.after_examples
            after = overrides[rule.id] if rule.id in overrides else (rule.good[0] if rule.good else None)
            own = [(rule.bad[0], after)] if rule.bad and after is not None else []
            pair = pick([*own, *self.spec.migrations.get(rule.id, ())], wanted)
        if pair is None:
            has_any = rule.id not in self.spec.after_examples or self.spec.after_examples[rule.id] is not None
            return {"before": None, "after": None, "example_missing": wanted if has_any else None}
        return {"before": Example(pair.before.file, self.mask(pair.before.code)),
                "after": Example(pair.after.file, self.mask(pair.after.code)), "example_source": pair.source}

    def manual(self, rows: list[Row]) -> tuple[ManualItem, ...]:
        return tuple(ManualItem(m.id, m.title, m.text, m.docs, tuple(r for r in rows if r.finding.rule_id in m.rules))
                     for m in self.spec.manual)

    def probe_section(self, rows: list[Row]) -> ProbeSection | None:
        if self.probe is None:
            return None
        joined = Counter(r.live.step.step for r in rows if r.live and r.live.step)
        calls = {j.step: j.call for j in reversed(self.spec.joins)}
        stand_ins = tuple(dict.fromkeys(h for h in (stand_in_host(s.url) for s in self.probe_steps.values()) if h))
        return ProbeSection(self.probe.path, self.probe.date, self.probe.date_source, self.probe.verdict,
                            tuple(self.probe_steps.values()), calls, dict(joined), stand_ins)

    def fixed(self) -> tuple[BaselineEntry, ...]:
        if self.baseline is None:
            return ()
        present = {f.fingerprint for f in self.result.findings}  # suppressed ones are not fixed
        gone = [e for fp, e in self.baseline.items() if fp not in present]
        return tuple(sorted(gone, key=lambda e: (e.path or "~", e.line or 0, e.rule_id or "", e.fingerprint)))


def build_report(result: ScanResult, kb: KnowledgeBase, spec: ReportSpec, *, roots: tuple[str, ...] = (".",),
                 title: str | None = None, probe: ProbeRun | None = None,
                 baseline: dict[str, BaselineEntry] | None = None, baseline_path: str | None = None,
                 today: dt.date | None = None, scanned: ScanInfo | None = None, history: object | None = None,
                 root: Path | None = None) -> Report:
    """root: the folder finding paths are relative to (the fix engine reads the files from it)."""
    b = _Builder(result, kb, spec, roots, probe, baseline)
    b.root = root or Path.cwd()
    rows = b.rows()
    b.language = main_language(r.finding.path for r in rows)
    severities = {s: sum(r.finding.severity == s for r in rows) for s in SEVERITIES}
    rule_counts = Counter(r.finding.rule_id for r in rows)
    by_rule = tuple((rid, kb.rules[rid].title if rid in kb.rules else rid, n)
                    for rid, n in sorted(rule_counts.items(), key=lambda kv: (-kv[1], kv[0])))
    dir_counts = Counter(r.directory for r in rows)
    by_directory = tuple(sorted(dir_counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return Report(
        title=" ".join((title or DEFAULT_TITLE).split()) or DEFAULT_TITLE,
        generated=(today or dt.datetime.now(dt.timezone.utc).date()).isoformat(),
        tool_version=__version__, kb_version=kb.version, kb_updated=kb.updated,
        dates=tuple((label, kb.dates[key]) for key, label in spec.dates),
        files_scanned=result.files_scanned, files_affected=len({r.finding.path for r in rows}),
        severities=severities, by_rule=by_rule, by_directory=by_directory,
        flows=b.flows(rows), rules=b.rule_sections(rows), manual=b.manual(rows), rows=tuple(rows),
        suppressed=sum(f.suppressed for f in result.findings), errors=tuple(result.errors),
        probe=b.probe_section(rows), baseline=baseline_path if baseline is not None else None, fixed=b.fixed(),
        scanned=scanned, files=b.files(rows), effort=sum(spec.effort.weight(r.finding.rule_id) for r in rows),
        effort_unit=spec.effort.unit, effort_note=spec.effort.note, language=b.language, history=history,
    )


_LANGS = {".py": "python", ".js": "javascript", ".ts": "typescript", ".php": "php", ".rb": "ruby", ".go": "go",
          ".json": "json", ".env": "sh", ".java": "java", ".kt": "kotlin", ".cs": "csharp", ".yaml": "yaml",
          ".yml": "yaml", ".toml": "toml", ".xml": "xml", ".html": "html", ".md": "markdown"}


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def hours(value: float) -> str:
    """An effort figure: 12.5, 3, 0.25 (no trailing zeros)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


def language_of(filename: str) -> str:
    """A code-fence language for an example file name (Gemfile and friends get none)."""
    return _LANGS.get(posixpath.splitext(filename)[1].lower(), "")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
