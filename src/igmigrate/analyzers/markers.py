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
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


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
    for rule in kb.rules_of_kind("marker"):
        det = rule.detect
        if det.requires and not contexts.get(det.requires, False):
            continue
        source = text if det.where == "anywhere" else code_text
        seen_lines = set()
        for pattern in det.patterns:
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
