"""Line-pattern rules that look at code rather than string values: markers (PERSONAL
account checks, signed Legacy requests, Basic Display doc references) and imports of
client packages listed in rules/packages.yaml."""

from __future__ import annotations

import re

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.knowledge import KnowledgeBase, Package


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out comment spans (keeping newlines) so code patterns skip them."""
    if not spans:
        return text
    pieces = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        pieces.append(text[at:start])
        pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


_NOT_NEWLINE = re.compile(r"[^\n]")
_REQUIRED: dict[tuple[str, int], tuple[str, bool] | None] = {}


def required_literal(pattern: re.Pattern[str]) -> tuple[str, bool] | None:
    """(text every match contains, whether case is ignored), or None if none is certain.

    The longest run of plain characters outside any group, set or repetition. A pattern with
    such a run cannot match a text without it, so `run in text` (C speed) can skip the regex
    pass: a candidate file goes through some sixty marker and import patterns, and most name
    a package that the file never mentions."""
    key = (pattern.pattern, pattern.flags)
    if key not in _REQUIRED:
        # Inline flags such as (?i) at the start are in .flags too; verbose patterns give
        # spaces and '#' other meanings, so they are not scanned.
        verbose = bool(pattern.flags & re.VERBOSE)
        _REQUIRED[key] = None if verbose else _scan_required(pattern.pattern, bool(pattern.flags & re.IGNORECASE))
    return _REQUIRED[key]


def _set_end(source: str, start: int) -> int:
    """Index just past the `]` that closes the set opening at start."""
    i = start + 1
    if source[i:i + 1] == "^":
        i += 1
    if source[i:i + 1] == "]":
        i += 1  # a leading ']' is a member
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "]":
            return i + 1
        i += 1
    return len(source)


def _scan_required(source: str, ignore_case: bool) -> tuple[str, bool] | None:
    runs: list[str] = []
    run: list[str] = []
    depth = 0
    i = 0
    while i < len(source):
        c = source[i]
        literal = None
        if c == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            literal = nxt if not nxt.isalnum() else None  # \b, \s, \d, \1...: not one fixed character
            i += 2
        elif c.isalnum() or c in "_-/:=,;'\"!@%&<>~` #":
            literal = c
            i += 1
        else:
            if c == "[":
                i = _set_end(source, i)
            else:
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                elif c == "|" and depth == 0:
                    return None  # a top-level alternative: no character is certain
                i += 1
        if i < len(source) and source[i] in "?*{" and literal is not None:
            literal = None  # the character just read is optional
        if literal is not None and depth == 0:
            run.append(literal)
        elif run:
            runs.append("".join(run))
            run = []
    if run:
        runs.append("".join(run))
    best = max(runs, key=len, default="")
    if len(best) < 3 or (ignore_case and not best.isascii()):
        return None  # too short to pay off, or case rules beyond ASCII (str.lower is not re's folding)
    return (best.lower() if ignore_case else best), ignore_case


def _line_col(text: str, offset: int, line_starts: list[int]) -> tuple[int, int]:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, offset - line_starts[lo] + 1


def scan_markers(kb: KnowledgeBase, text: str, code_text: str, contexts: dict, result: FileAnalysis,
                 own_packages: frozenset[str] = frozenset()) -> None:
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lowered: dict[int, str] = {}

    def may_match(pattern: re.Pattern[str], source: str) -> bool:
        required = required_literal(pattern)
        if required is None:
            return True
        run, ignore_case = required
        if ignore_case:
            if id(source) not in lowered:
                lowered[id(source)] = source.lower()
            return run in lowered[id(source)]
        return run in source

    for rule in kb.rules_of_kind("marker"):
        det = rule.detect
        if det.requires and not contexts.get(det.requires, False):
            continue
        source = text if det.where == "anywhere" else code_text
        seen_lines = set()
        for pattern in det.patterns:
            if not may_match(pattern, source):
                continue
            for m in pattern.finditer(source):
                line, col = _line_col(text, m.start(), line_starts)
                if line in seen_lines:
                    continue
                seen_lines.add(line)
                end_line, end_col = _line_col(text, m.end(), line_starts)
                in_comment = code_text[m.start():m.end()].strip() == "" if det.where == "anywhere" else False
                result.add_hit(Hit(rule.id, line, col, end_line, end_col, m.group(0), in_comment=in_comment), det.evidence)
    for package in kb.packages:
        if not package.imports or package.name in own_packages:
            continue
        for pattern in package.imports:
            if not may_match(pattern, code_text):
                continue
            for m in pattern.finditer(code_text):
                line, col = _line_col(text, m.start(), line_starts)
                end_line, end_col = _line_col(text, m.end(), line_starts)
                rule_id = import_rule(kb, package)
                result.add_hit(
                    Hit(rule_id, line, col, end_line, end_col, package.name,
                        extra=(("detail", package.detail), ("successor", package.successor))),
                    package.evidence or kb.rules[rule_id].detect.evidence,
                )


def import_rule(kb: KnowledgeBase, package: Package) -> str:
    """Imports of a Basic Display package use the import rule; others keep their package rule."""
    if package.rule == "IGM103":
        return next(r.id for r in kb.rules_of_kind("import"))
    return package.rule
