"""The fix engine: from a scan's findings to exact edits, file by file.

`plan(findings, root, kb, unsafe)` is pure (it reads files, writes nothing) and is what
`igmigrate fix`, the SARIF `fixes` and the migration report's before/after all use.

What a fix edits is the string literal that holds the flagged value (rules.yaml `fix:` says
how): the value's definition when the finding points at a use site in the same file, one
element for a list of Basic Display scopes, only the scope parameter inside a URL, only the
constraint in a manifest. Edits are character spans of the decoded file; everything outside
them is kept byte for byte. A file whose edited text no longer parses keeps its old bytes
and its findings become manual work. See docs/fix.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from igmigrate.findings import Finding
from igmigrate.fix.documents import Container, Document, Literal, TextDocument, document_for
from igmigrate.fix.rewrite import ScopeMap, pure_scope, rewrite_pattern, rewrite_scopes, scope_values_in
from igmigrate.fix.source import Source, read_source
from igmigrate.knowledge import KnowledgeBase, Rule

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LARGE_PYTHON = 512 * 1024  # libcst needs ~650 bytes of memory per byte: bigger modules are edited as text


@dataclass(frozen=True)
class Edit:
    start: int  # character span in the decoded file
    end: int
    new: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AppliedFix:
    finding: Finding
    applicability: str  # safe | unsafe
    before: str  # the literal (or constraint) as it was
    after: str


@dataclass(frozen=True)
class ManualItem:
    finding: Finding
    reason: str


@dataclass
class FileEdit:
    path: str  # display path, as in the findings
    source: Source
    edits: list[Edit]
    fixes: list[AppliedFix]
    new_text: str
    checked_by: str  # the parser that re-read the edited text

    def new_bytes(self) -> bytes:
        return self.source.encode(self.new_text)

    def diff(self) -> str:
        old = _diff_lines(self.source.text)
        new = _diff_lines(self.new_text)
        return "".join(difflib.unified_diff(old, new, f"a/{self.path}", f"b/{self.path}"))


@dataclass
class Plan:
    files: list[FileEdit] = field(default_factory=list)
    manual: list[ManualItem] = field(default_factory=list)
    withheld: list[Finding] = field(default_factory=list)  # unsafe fixes not asked for
    steps: list[tuple[str, str]] = field(default_factory=list)  # (rule id, companion step), once each
    errors: list[str] = field(default_factory=list)  # files that could not be read

    @property
    def fixes(self) -> list[AppliedFix]:
        return [fix for f in self.files for fix in f.fixes]


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


Reader = Callable[[Path], Source]


def plan(findings: Iterable[Finding], root: Path, kb: KnowledgeBase, unsafe: bool = False,
         read: Reader = read_source, scanned: Iterable[Path] | None = None) -> Plan:
    """Edits for every fixable finding (safe ones, and unsafe ones when `unsafe`); findings
    are display paths relative to root. Suppressed findings and notes are never touched.

    scanned: the scan's paths. A value whose definition (Finding.definition) lies in another
    file is edited there only when that file is inside them; without them, never."""
    result = Plan()
    findings = list(findings)
    suppressed = {(f.path, f.rule_id, line) for f in findings if f.suppressed for line in range(f.line, f.end_line + 1)}
    by_path: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule_id)):
        if finding.suppressed or finding.severity == "note":
            continue
        rule = kb.rules.get(finding.rule_id)
        if rule is None or rule.fix is None:
            result.manual.append(ManualItem(finding, _no_fix_reason(rule, finding)))
        elif finding.severity != "error" and finding.severity != rule.severity:
            # demoted by the classifier (e.g. a scope list that may belong to another provider)
            result.manual.append(ManualItem(finding, f"not certain enough to rewrite ({finding.severity}); "
                                                     "edit by hand if it is Instagram's"))
        elif rule.fix.applicability == "unsafe" and not unsafe:
            result.withheld.append(finding)
        elif finding.definition and finding.definition[0] != finding.path and rule.fix.kind != "package":
            where = finding.definition[0]
            if _inside(root / where, root, scanned):
                by_path.setdefault(where, []).append(finding)
            else:
                result.manual.append(ManualItem(finding, f"the value is defined in {where}, outside the scanned "
                                                          "paths: fix it there"))
        else:
            by_path.setdefault(finding.path, []).append(finding)
    applied = []
    for path, group in by_path.items():
        try:
            source = read(root / path)
        except OSError as exc:
            result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
            result.manual.extend(ManualItem(f, "the file could not be read") for f in group)
            continue
        file_edit = _plan_file(path, source, group, kb, suppressed, result.manual)
        if file_edit is not None:
            result.files.append(file_edit)
            applied.extend(file_edit.fixes)
    result.steps = _steps(kb, applied)
    return result


def _inside(path: Path, root: Path, scanned: Iterable[Path] | None) -> bool:
    if scanned is None:
        return False
    target = path.resolve()
    for given in scanned:
        base = (given if given.is_absolute() else root / given).resolve()
        if target == base or base in target.parents:
            return True
    return False


def _no_fix_reason(rule: Rule | None, finding: Finding) -> str:
    if rule is None:
        return "unknown rule"
    advice = finding.replacement or rule.title
    return f"no automatic fix: {advice}"


def _steps(kb: KnowledgeBase, fixes: list[AppliedFix]) -> list[tuple[str, str]]:
    """Companion steps of the applied fixes, each text once (a lock command once per package
    manager, naming every bumped package)."""
    from igmigrate.analyzers.manifests import reader_for

    bumped: dict[str, list[str]] = {}  # ecosystem -> package names
    for fix in fixes:
        if kb.rules[fix.finding.rule_id].fix.kind == "package":
            found = reader_for(PurePosixPath(fix.finding.path).name)
            names = bumped.setdefault(found[0] if found else "", [])
            package = fix.finding.matched.split(" ")[0]
            if package not in names:
                names.append(package)
    out: dict[tuple[str, str], None] = {}
    for fix in fixes:
        rule = kb.rules[fix.finding.rule_id]
        for step in rule.fix.steps:
            if rule.fix.kind != "package":
                if not any(text == step for _, text in out):
                    out[(rule.id, step)] = None
                continue
            package = fix.finding.matched.split(" ")[0]
            found = reader_for(PurePosixPath(fix.finding.path).name)
            ecosystem = found[0] if found else ""
            command = kb.lock_commands.get(ecosystem, "the lock command of this package manager")
            fields = {"lock": command.replace("{packages}", " ".join(bumped.get(ecosystem, [package]))),
                      "package": package,
                      "successor": next((p.successor for p in kb.packages if p.name.lower() == package.lower()
                                         and p.rule == rule.id), "")}
            text = re.sub(r"\{(lock|package|successor)\}", lambda m: fields[m.group(1)], step)
            if not any(t == text for _, t in out):
                out[(rule.id, text)] = None
    return list(out)


# ------------------------------------------------------------------ one file
@dataclass
class _Target:
    literal: Literal
    rules: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    new: str | None = None
    display: tuple[int, int] | None = None  # the list it was collapsed in, for before/after


def _plan_file(path: str, source: Source, group: list[Finding], kb: KnowledgeBase,
               suppressed: set[tuple[str, str, int]], manual: list[ManualItem]) -> FileEdit | None:
    text = source.text
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    edits: list[Edit] = []
    shown: dict[Finding, list[tuple[int, int]]] = {}  # what each fix's before/after shows
    name = PurePosixPath(path).name
    literal_findings = []
    for finding in group:
        rule = kb.rules[finding.rule_id]
        if rule.fix.kind == "package":
            from igmigrate.analyzers.manifests import reader_for
            from igmigrate.fix.manifests import NoBump, bump_for

            try:
                bump = bump_for(kb, name, text, finding.line, finding.rule_id)
            except NoBump as exc:
                reason = str(exc)
                if reader_for(name) is None:  # an import of the package in code
                    reason = f"code that uses the package: port it by hand ({finding.replacement or rule.title})"
                manual.append(ManualItem(finding, reason))
                continue
            edits.append(Edit(bump.start, bump.end, bump.new, (finding,)))
            shown[finding] = [(bump.start, bump.end)]
        else:
            literal_findings.append(finding)
    document: Document | None = None
    if literal_findings:
        try:
            if name.endswith((".py", ".pyw", ".pyi")) and len(text) > _LARGE_PYTHON:
                document = TextDocument(text, path, check="python")
            else:
                document = document_for(text, path)
        except Exception as exc:  # noqa: BLE001 - a grammar that cannot load: this file is manual work
            manual.extend(ManualItem(f, f"cannot read the file's syntax ({type(exc).__name__})") for f in literal_findings)
            literal_findings = []
    targets: dict[tuple[int, int], _Target] = {}
    for finding in literal_findings:
        rule = kb.rules[finding.rule_id]
        literals = _literals_for(finding, rule, document, text, starts, kb, suppressed, path)
        if not literals:
            manual.append(ManualItem(finding, _not_found_reason(rule)))
            continue
        for literal in literals:
            target = targets.setdefault((literal.body_start, literal.body_end), _Target(literal))
            target.rules.add(rule.id)
            target.findings.append(finding)
    known = kb.known_permissions
    secrets = _secret_spans(text, kb) if targets else []
    for target in targets.values():
        lit = target.literal
        body, hidden = _hide_secrets(text, lit.body_start, lit.body_end, secrets)
        new = body
        for rule_id in sorted(target.rules):  # a fixed order when two fixes meet in one literal
            new = _apply(kb.rules[rule_id], new, known)
        target.new = _restore_secrets(new, hidden, text[lit.body_start:lit.body_end])
    removals = _collapse_lists(text, targets, kb)
    for target in targets.values():
        body = text[target.literal.body_start:target.literal.body_end]
        if target.new != body:
            edits.append(_trimmed(target.literal.body_start, body, target.new, tuple(target.findings)))
        for finding in target.findings:
            shown.setdefault(finding, []).append(target.display or (target.literal.start, target.literal.end))
    edits.extend(removals)
    edits = _drop_unsafe_overlaps(edits, text, kb, manual)
    served = {f for e in edits for f in e.findings}
    for finding in literal_findings:
        if finding not in served and not any(m.finding == finding for m in manual):
            manual.append(ManualItem(finding, "the fix finds nothing to change in this literal"))
    if not edits:
        return None
    new_text = _apply_edits(text, edits)
    checker = document if document is not None and not any(kb.rules[f.rule_id].fix.kind == "package" for e in edits
                                                            for f in e.findings) else TextDocument(text, path)
    problem = checker.problem(new_text)
    if problem is None and checker is not document and document is not None:
        problem = document.problem(new_text)
    if problem is not None:
        for finding in served:
            manual.append(ManualItem(finding, f"fix dropped for this file: {problem}"))
        return None
    fixes = []
    for finding in group:
        if finding in served:
            start = min(s for s, _ in shown[finding])
            end = max(e for _, e in shown[finding])
            inside = [Edit(e.start - start, e.end - start, e.new, ()) for e in edits if start <= e.start and e.end <= end]
            before = text[start:end]
            fixes.append(AppliedFix(finding, kb.rules[finding.rule_id].fix.applicability, before,
                                    _apply_edits(before, inside)))
    return FileEdit(path, source, sorted(edits, key=lambda e: e.start), fixes, new_text, checker.language)


_HIDDEN = "\x00"


def _hide_secrets(text: str, start: int, end: int, secrets: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """The body with each secret inside it replaced by a run of NULs (no rewrite reads or
    moves those), and the secrets in order, to put back."""
    body, hidden, offset = text[start:end], [], start
    if _HIDDEN in body:
        return body, []
    for s, e in sorted(secrets):
        s, e = max(s, start), min(e, end)
        if s < e and (not hidden or _HIDDEN not in body[s - offset:e - offset]):
            hidden.append(text[s:e])
            body = body[:s - offset] + _HIDDEN * (e - s) + body[e - offset:]
    return body, hidden


def _restore_secrets(new: str, hidden: list[str], body: str) -> str:
    """new with the hidden secrets back in place; the untouched body if a rewrite had
    merged or dropped a hidden run (rewrites never do: NUL is no scope or URL character)."""
    if not hidden:
        return new
    parts = re.split(f"{_HIDDEN}+", new)
    if len(parts) != len(hidden) + 1:
        return body
    return "".join(p + (hidden[i] if i < len(hidden) else "") for i, p in enumerate(parts))


def _trimmed(start: int, old: str, new: str, findings: tuple[Finding, ...]) -> Edit:
    """The smallest span that turns old into new (common prefix and suffix left alone), so
    an edit never covers more of the line than it changes."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return Edit(start + prefix, start + len(old) - suffix, new[prefix:len(new) - suffix], findings)


def _not_found_reason(rule: Rule) -> str:
    if rule.fix.kind == "text":
        return ("no string literal here holds the whole authorize URL as plain text (it is built from parts, such as a "
                "base shared with the token exchange, or escaped); edit by hand")
    return "no string literal here holds the value (it is computed or defined in another file); edit its definition by hand"


def _scope_map(rule: Rule) -> ScopeMap:
    if rule.fix.to:
        return ScopeMap({v: rule.fix.to for v in rule.detect.values})
    return ScopeMap({v: str(rule.detect.suggestions[v]) for v in rule.detect.values})


def _apply(rule: Rule, content: str, known: frozenset[str]) -> str:
    if rule.fix.kind == "scope":
        return rewrite_scopes(content, _scope_map(rule), known)
    return rewrite_pattern(content, rule.fix.pattern, rule.fix.to)


def _occurrences(rule: Rule, text: str, start: int, end: int) -> list[tuple[int, int]]:
    window = text[start:end]
    if rule.fix.kind == "scope":
        spans = scope_values_in(window, _scope_map(rule))
    else:
        spans = [m.span() for m in rule.fix.pattern.finditer(window)]
    return [(start + s, start + e) for s, e in spans]


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)


def _chars(text: str, start_byte: int, end_byte: int) -> tuple[int, int]:
    """Character offsets of a span given in bytes of the text's UTF-8 encoding."""
    if text.isascii():
        return start_byte, end_byte
    data = text.encode("utf-8")
    return (len(data[:start_byte].decode("utf-8", "ignore")), len(data[:end_byte].decode("utf-8", "ignore")))


def _literals_for(finding: Finding, rule: Rule, document: Document, text: str, starts: list[int],
                  kb: KnowledgeBase, suppressed: set[tuple[str, str, int]], path_of_text: str) -> list[Literal]:
    """The literals that hold this finding's value: the definition the flow analyzer names,
    else on the finding's lines, else (a use site) the one same-file definition of a name
    used there."""
    here = path_of_text
    if finding.definition and finding.definition[0] == here:
        # the flow analyzer named the literal that defines the value: read only there
        first, end = _chars(text, finding.definition[1], finding.definition[2])
    elif finding.path != here:
        return []
    else:
        first = starts[finding.line - 1] if 0 < finding.line <= len(starts) else None
        if first is None:
            return []
        last_line = min(max(finding.end_line, finding.line), len(starts))
        end = starts[last_line] if last_line < len(starts) else len(text)

    def usable(span: tuple[int, int]) -> Literal | None:
        if (here, rule.id, _line_of(starts, span[0])) in suppressed:
            return None
        return document.literal_at(*span)

    literals = {}
    for span in _occurrences(rule, text, first, end):
        literal = usable(span)
        if literal is not None:
            literals[(literal.body_start, literal.body_end)] = literal
    if rule.fix.kind == "scope":
        # the other elements of a list the value sits in, that hold scopes of this rule too
        # (a definition names one literal; the list becomes one element as a whole)
        scopes = _scope_map(rule)
        for literal in list(literals.values()):
            box = literal.container
            for (s, e), content in zip(box.elements, box.contents) if box else ():
                if content is not None and pure_scope(content, scopes) is not None:
                    at = text.find(content, s, e)
                    sibling = usable((at, at + len(content))) if at >= 0 else None
                    if sibling is not None:
                        literals[(sibling.body_start, sibling.body_end)] = sibling
    if literals or finding.definition:
        return list(literals.values())
    # A use site: follow a name used on these lines to its single definition in this file.
    for name in dict.fromkeys(re.findall(r"[A-Za-z_$][\w$]*", text[first:end])):
        definitions = list(re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*(?::[^=\n]{{0,80}})?(?:=|:=|=>)(?![=>])\s*",
                                       text))
        if len(definitions) != 1:
            continue
        rhs = definitions[0].end()
        line_end = starts[_line_of(starts, rhs)] if _line_of(starts, rhs) < len(starts) else len(text)
        for span in _occurrences(rule, text, rhs, line_end):
            literal = usable(span)
            if literal is not None and literal.start <= rhs + 1 + len(re.match(r"[\w$@]*", text[rhs:]).group(0)):
                literals[(literal.body_start, literal.body_end)] = literal
    return list(literals.values())


def _collapse_lists(text: str, targets: dict[tuple[int, int], _Target], kb: KnowledgeBase) -> list[Edit]:
    """['user_profile', 'user_media'] -> ['instagram_business_basic']: in a list whose elements
    are single scope names, a renamed element the list already holds is removed with its
    separator. Returns the removal edits; kept elements keep their rename in targets."""
    boxes: dict[tuple[int, int], tuple[Container, dict[int, _Target]]] = {}
    for target in targets.values():
        lit = target.literal
        if lit.container is None or lit.index is None or not lit.whole:
            continue
        if not all(kb.rules[r].fix.kind == "scope" for r in target.rules):
            continue
        box = boxes.setdefault((lit.container.start, lit.container.end), (lit.container, {}))
        box[1][lit.index] = target
    removals = []
    for container, members in boxes.values():
        removals.extend(_collapse_one(text, container, members, kb))
    return removals


def _collapse_one(text: str, box: Container, members: dict[int, _Target], kb: KnowledgeBase) -> list[Edit]:
    count = len(box.elements)
    renamed: dict[int, str] = {}
    for i, target in members.items():
        body = text[target.literal.body_start:target.literal.body_end]
        maps = [_scope_map(kb.rules[r]) for r in sorted(target.rules)]
        value = next((pure_scope(body, m) for m in maps if pure_scope(body, m) is not None), None)
        if value is not None and target.new == value:
            renamed[i] = value
    if not renamed:
        return []
    unchanged = {box.contents[i] for i in range(count) if i not in renamed and box.contents[i] is not None}
    seen: set[str] = set()
    dropped = []
    for i in range(count):
        if i in renamed:
            if renamed[i] in unchanged or renamed[i] in seen:
                dropped.append(i)
            seen.add(renamed[i])
    if not dropped:
        return []
    kept = [i for i in range(count) if i not in dropped]
    runs: list[list[int]] = []
    for i in dropped:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    separators = re.compile(box.separators)
    spans = []
    for run in runs:
        a, b = run[0], run[-1]
        if a > 0:
            span = [box.elements[a - 1][1], box.elements[b][1]]
        else:
            span = [box.elements[0][0], box.elements[b + 1][0]]
        gaps = [(box.elements[j][1], box.elements[j + 1][0]) for j in range(max(a - 1, 0), min(b + 1, count - 1))]
        if not all(separators.fullmatch(text[s:e]) for s, e in gaps):
            return []  # comments between elements: leave the list as renamed, no removal
        if box.one_tuple and len(kept) == 1 and a > 0:
            comma = text.find(",", box.elements[a - 1][1], box.elements[a][0])
            span[0] = comma + 1 if comma >= 0 else span[0]
        spans.append(tuple(span))
    for target in members.values():
        target.display = (box.start, box.end)
    edits = []
    for run, (s, e) in zip(runs, spans):
        edits.append(Edit(s, e, "", tuple(f for i in run for f in members[i].findings)))
        for i in run:
            members[i].new = text[members[i].literal.body_start:members[i].literal.body_end]  # removed, not renamed
    if box.one_tuple and len(kept) == 1 and kept[0] == count - 1:
        tail = text[box.elements[-1][1]:box.end]
        if "," not in tail:
            owners = tuple(f for t in members.values() for f in t.findings)
            edits.append(Edit(box.elements[-1][1], box.elements[-1][1], ",", owners))
    return edits


def _secret_spans(text: str, kb: KnowledgeBase) -> list[tuple[int, int]]:
    """Token literals and the values of secret-named keys (the masking layer's view)."""
    from igmigrate.masking import masker_for

    return masker_for(kb).secret_spans(text)


def _drop_unsafe_overlaps(edits: list[Edit], text: str, kb: KnowledgeBase, manual: list[ManualItem]) -> list[Edit]:
    """Edits in a fixed order (position, then length); one that overlaps an earlier edit or a
    secret is dropped, and so is every other edit of the findings it served (a fix is whole
    or not at all); those findings become manual work."""
    secrets = _secret_spans(text, kb)
    kept: list[Edit] = []
    dropped: dict[Finding, str] = {}
    for edit in sorted(edits, key=lambda e: (e.start, e.end, e.new)):
        reason = None
        if any(s < edit.end and edit.start < e or (edit.start == edit.end and s < edit.start < e) for s, e in secrets):
            reason = "the value shares its text with a secret; edit by hand"
        elif any(k.start < edit.end and edit.start < k.end or (k.start == k.end == edit.start == edit.end)
                 for k in kept):
            reason = "overlaps another fix in this file"
        if reason is None:
            kept.append(edit)
        else:
            for finding in edit.findings:
                dropped.setdefault(finding, reason)
    while True:  # cascade: an edit that also serves a finding with a dropped edit goes too
        going = [e for e in kept if any(f in dropped for f in e.findings)]
        if not going:
            break
        for edit in going:
            kept.remove(edit)
            for finding in edit.findings:
                dropped.setdefault(finding, "another part of this fix could not be applied")
    manual.extend(ManualItem(f, reason) for f, reason in dropped.items())
    return kept


def _apply_edits(text: str, edits: list[Edit]) -> str:
    out, last = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[last:edit.start])
        out.append(edit.new)
        last = edit.end
    out.append(text[last:])
    return "".join(out)


# ------------------------------------------------------------------ previews (report, SARIF)
@dataclass(frozen=True)
class Preview:
    finding: Finding
    path: str  # the file the fix edits (the definition's file when the value is defined elsewhere)
    applicability: str
    line: int  # first changed line of the original file (1-based)
    end_line: int
    before: tuple[str, ...]  # the original lines
    after: tuple[str, ...]  # the same lines with this finding's fix applied
    replacements: tuple[tuple[int, int, int, int, str], ...]  # (line, col, end_line, end_col, text), 1-based, end exclusive


def preview(findings: Iterable[Finding], root: Path, kb: KnowledgeBase, unsafe: bool = True,
            read: Reader = read_source, scanned: Iterable[Path] | None = None) -> list[Preview]:
    """Per fixed finding, its lines before and after its own edits (for the report's
    before/after and SARIF `fixes`). Nothing is written."""
    out = []
    for file_edit in plan(findings, root, kb, unsafe=unsafe, read=read, scanned=scanned).files:
        text = file_edit.source.text
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        for fix in file_edit.fixes:
            # an edit that completes several findings belongs to the first of them, so that
            # the previews of all findings together are the file's edits, each once
            own = [e for e in file_edit.edits if e.findings and _first(e.findings) == fix.finding]
            if not own:
                continue
            first = _line_of(starts, min(e.start for e in own))
            last = _line_of(starts, max(e.end for e in own))
            region_start = starts[first - 1]
            region_end = starts[last] if last < len(starts) else len(text)
            shifted = [Edit(e.start - region_start, e.end - region_start, e.new, e.findings) for e in own]
            before = text[region_start:region_end]
            after = _apply_edits(before, shifted)
            replacements = tuple((*_position(starts, e.start), *_position(starts, e.end), e.new) for e in own)
            out.append(Preview(fix.finding, file_edit.path, fix.applicability, first, last, tuple(before.splitlines()),
                               tuple(after.splitlines()), replacements))
    return out


def _first(findings: tuple[Finding, ...]) -> Finding:
    return min(findings, key=lambda f: (f.path, f.line, f.column, f.rule_id))


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    line = _line_of(starts, offset)
    return line, offset - starts[line - 1] + 1
