"""Turn raw hits into findings: flow evidence decides the severity of shared endpoints.

The Instagram API with Instagram Login reuses every Basic Display URL, so a URL alone says
little. For each shared call we look for evidence of which API the flow uses, nearest first:
the same Python class, the same file, the same directory, the same project (nearest folder
with a manifest). Basic Display evidence (a requested user_profile/user_media scope, a
Basic Display token or client import) makes the call an error that says where the evidence
is; Instagram Login evidence (instagram_business_* scopes, Login-only calls) makes it a note;
Legacy markers in the same file make its OAuth URLs Legacy errors; nothing makes it a warning.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from igmigrate.analyzers.base import Evidence, FileAnalysis, Hit
from igmigrate.findings import Finding
from igmigrate.knowledge import KnowledgeBase, Rule
from igmigrate.masking import masker_for
from igmigrate.suppressions import is_suppressed

BD, BD_WEAK, IGL, LEGACY = "basic_display", "basic_display_weak", "instagram_login", "legacy"
LEGACY_FLOW_RULE = "IGM203"


class _SafeDict(dict):
    def __missing__(self, key):
        return ""


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _merge_same_line(hits: list[Hit]) -> list[Hit]:
    """One finding per rule and line: 'user_profile, user_media' rather than two findings."""
    merged: dict[tuple[int, str, bool], Hit] = {}
    for hit in hits:
        key = (hit.line, hit.rule_id, hit.in_comment)
        first = merged.get(key)
        if first is None:
            merged[key] = hit
        elif hit.match not in first.match.split(", "):
            merged[key] = replace(first, match=f"{first.match}, {hit.match}",
                                  column=min(first.column, hit.column), end_column=max(first.end_column, hit.end_column),
                                  extra=first.extra + tuple(e for e in hit.extra if e not in first.extra),
                                  # two literals: no single definition (fix then reads the line itself)
                                  definition=first.definition if first.definition == hit.definition else None)
    return list(merged.values())


def fill(template: str, fields: dict) -> str:
    """Substitute {name} placeholders only; other braces (JSON shapes in texts) stay as written."""
    return _PLACEHOLDER.sub(lambda m: str(fields.get(m.group(1), "")), template)


@dataclass
class _Pool:
    """Evidence gathered at one level (file, directory or project)."""

    items: list[tuple[str, Evidence]] = field(default_factory=list)  # (path, evidence)
    # Grouped on first use (the pool is complete by then): one pass per pool, not per hit.
    _by_kind: dict[str, list[tuple[str, Evidence]]] | None = field(default=None, repr=False, compare=False)

    def of(self, kind: str) -> list[tuple[str, Evidence]]:
        if self._by_kind is None:
            self._by_kind = {}
            for path, evidence in self.items:
                self._by_kind.setdefault(evidence.kind, []).append((path, evidence))
        return self._by_kind.get(kind, [])


@dataclass
class _FileEvidence:
    """One file's evidence as _shared reads it, built once per file (built per hit, a file
    with thousands of shared calls took time quadratic in them)."""

    legacy: list[Evidence]
    weak: list[Evidence]
    kinds: set[str]
    file: _Pool
    regions: dict[str | None, _Pool]

    @classmethod
    def of(cls, a: FileAnalysis) -> "_FileEvidence":
        strong = [(a.path, e) for e in a.evidence if e.kind in (BD, IGL)]
        regions: dict[str | None, _Pool] = {}
        for item in strong:
            regions.setdefault(item[1].region, _Pool()).items.append(item)
        return cls([e for e in a.evidence if e.kind == LEGACY], [e for e in a.evidence if e.kind == BD_WEAK],
                   {e.kind for e in a.evidence}, _Pool(strong), regions)


class Classifier:
    def __init__(self, kb: KnowledgeBase, analyses: list[FileAnalysis], project_of: dict[str, str]):
        self.kb = kb
        self.analyses = analyses
        self.project_of = project_of
        self.mask = masker_for(kb).text
        self.dirs: dict[str, _Pool] = {}
        self.projects: dict[str, _Pool] = {}
        self.code_by_project: dict[str, set[str]] = {}  # project -> packages its code uses (only_if_code)
        self.legacy_projects: set[str] = set()
        self.endpoint_projects: set[str] = set()  # projects that call an Instagram endpoint
        self._file_evidence: dict[int, _FileEvidence] = {}  # id(analysis) -> built on first shared hit
        for a in analyses:
            self.code_by_project.setdefault(project_of.get(a.path, ""), set()).update(a.code_flags)
            if any(kb.rules[h.rule_id].detect.kind == "endpoint" for h in a.hits
                   if h.rule_id in kb.rules and not h.in_comment):
                self.endpoint_projects.add(project_of.get(a.path, ""))
            strong = [(a.path, e) for e in a.evidence if e.kind in (BD, IGL)]
            self.dirs.setdefault(posixpath.dirname(a.path), _Pool()).items.extend(strong)
            self.projects.setdefault(project_of.get(a.path, ""), _Pool()).items.extend(strong)
            if any(e.kind == LEGACY for e in a.evidence):
                self.legacy_projects.add(project_of.get(a.path, ""))

    # ------------------------------------------------------------------ public
    def findings(self) -> list[Finding]:
        out = []
        for a in self.analyses:
            for hit in _merge_same_line([h for h in a.hits if self._confirmed(a, h)]):
                finding = self._finding(a, hit)
                if finding is not None:
                    out.append(finding)
        return out

    # ------------------------------------------------------------------ internals
    def _confirmed(self, a: FileAnalysis, hit: Hit) -> bool:
        """A conditional hit (a Legacy scope word with no Instagram OAuth host in its file)
        stands when its file shows that evidence, or its project does and the file names no
        other service's OAuth URL (another provider's scope "basic" stays quiet)."""
        if hit.condition is None:
            return True
        if hit.condition in self._evidence_of(a).kinds:
            return True
        return (hit.condition == LEGACY and self.project_of.get(a.path, "") in self.legacy_projects
                and not a.other_oauth_url)

    def _evidence_of(self, a: FileAnalysis) -> "_FileEvidence":
        known = self._file_evidence.get(id(a))
        if known is None:
            known = self._file_evidence[id(a)] = _FileEvidence.of(a)
        return known

    def _finding(self, a: FileAnalysis, hit: Hit) -> Finding | None:
        rule = self.kb.rules[hit.rule_id]
        fields = _SafeDict(hit.extras())
        fields["match"] = self.mask(hit.match)
        severity = rule.severity
        if a.documentation or hit.in_comment:
            severity = "note"
            fields["evidence"] = " (in documentation)" if a.documentation else " (in a comment)"
        elif rule.detect.shared:
            rule, severity, evidence_text, place = self._shared(a, hit, rule)
            fields["evidence"] = evidence_text
            fields["evidence_place"] = place
        elif rule.detect.kind == "scope" and hit.catalogue:
            severity = "note"
            fields["match"] += " (listed in a permission catalogue, not requested here)"
        elif "only_if_code" in fields and not self._project_uses(a, fields.get("package", "")):
            severity = "note"
            fields["detail"] += "; the Instagram part is not used in this project's code"
        elif rule.detect.kind == "marker" and rule.severity == "note" and not hit.in_comment:
            severity = "note"
        message = fill(rule.message, fields)
        if (a.documentation or hit.in_comment) and not rule.detect.shared:
            message += fields["evidence"]
        if hit.mixed and severity == "error" and self.project_of.get(a.path, "") not in self.endpoint_projects:
            severity = "warning"
            message += ("; the list also names another provider's scopes and nothing in this project calls an"
                        " Instagram endpoint: check which OAuth server it is sent to")
        replacement = rule.replacement_text()
        if replacement:
            replacement = fill(replacement, fields)
        indent, snippet = a.snippets.get(hit.line, (0, ""))
        snippet = self.mask(snippet)  # masked by FileAnalysis.finish; again, as it may come from the cache
        return Finding(
            rule_id=rule.id, severity=severity, category=rule.category, message=self.mask(message), path=a.path,
            line=hit.line, column=hit.column, end_line=hit.end_line, end_column=hit.end_column,
            snippet=snippet, replacement=replacement, suppressed=is_suppressed(a, hit.line, rule.id)
            or is_suppressed(a, hit.line, hit.rule_id), matched=self.mask(hit.match), snippet_start=indent + 1,
            definition=tuple(hit.definition) if hit.definition else None,
        )

    def _shared(self, a: FileAnalysis, hit: Hit, rule: Rule) -> tuple[Rule, str, str, str]:
        known = self._evidence_of(a)
        legacy = known.legacy
        if legacy and rule.detect.flow in ("authorize", "code_exchange") and LEGACY_FLOW_RULE in self.kb.rules:
            first = legacy[0]
            place = f"{self.mask(first.match)} at line {first.line}"
            return self.kb.rules[LEGACY_FLOW_RULE], self.kb.rules[LEGACY_FLOW_RULE].severity, "", place
        levels = []
        if hit.region:
            levels.append(("class", known.regions.get(hit.region, _Pool())))
        levels += [
            ("file", known.file),
            ("directory", self.dirs.get(posixpath.dirname(a.path), _Pool())),
            ("project", self.projects.get(self.project_of.get(a.path, ""), _Pool())),
        ]
        for _, pool in levels:
            bd, igl = pool.of(BD), pool.of(IGL)
            if bd and not igl:
                return rule, "error", f" in a Basic Display flow ({self._where(bd[0], a)})", ""
            if igl and not bd:
                return rule, "note", f" in an Instagram API with Instagram Login flow ({self._where(igl[0], a)}): migrated", ""
            if bd and igl:
                return rule, "warning", (f"; Basic Display evidence ({self._where(bd[0], a)}) and Instagram Login evidence"
                                         f" ({self._where(igl[0], a)}) both apply: check which flow this call serves"), ""
        weak = known.weak
        if weak:
            return rule, "error", f" in code that documents itself as Basic Display ({self.mask(weak[0].match)} at line {weak[0].line})", ""
        return rule, rule.severity, (": the URL is shared by Basic Display and the Instagram API with Instagram Login,"
                                     " and no scope, token or import here tells which one this code uses"), ""

    def _where(self, item: tuple[str, Evidence], a: FileAnalysis) -> str:
        path, evidence = item
        location = f"line {evidence.line}" if path == a.path else f"{path}:{evidence.line}"
        return f"{self.mask(evidence.match)} at {location}"

    def _project_uses(self, a: FileAnalysis, package: str) -> bool:
        """Whether code of the same project uses the package's Instagram part (only_if_code)."""
        return package in self.code_by_project.get(self.project_of.get(a.path, ""), ())
