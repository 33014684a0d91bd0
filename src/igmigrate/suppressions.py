"""Inline suppressions: `igmigrate: ignore` or `igmigrate: ignore[IGM101,IGM110]` in any
comment syntax, on the finding's line or alone on the line before it."""

from __future__ import annotations

import re

from igmigrate.analyzers.base import FileAnalysis, Hit

DIRECTIVE = re.compile(r"igmigrate:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
_COMMENT_OPENER = re.compile(r"(?:#|//|/\*|\*|<!--|--|;|\{#|\{\{!--|%|'|REM)?")


def collect(result: FileAnalysis, known_rules: set[str], unknown_rule_id: str) -> None:
    for number, line in enumerate(result.lines, 1):
        if "igmigrate" not in line.lower():
            continue
        m = DIRECTIVE.search(line)
        if not m:
            continue
        ids: tuple[str, ...] | None = None
        if m.group(1) is not None:
            ids = tuple(i.strip().upper() for i in m.group(1).split(",") if i.strip())
            for rule_id in ids:
                if rule_id not in known_rules:
                    col = m.start() + 1
                    result.hits.append(Hit(unknown_rule_id, number, col, number, m.end() + 1, rule_id))
        targets = [number]
        if _COMMENT_OPENER.fullmatch(line[: m.start()].strip()):
            targets.append(number + 1)  # a directive alone on its line covers the next line
        for target in targets:
            existing = result.suppressions.get(target, ())
            if ids is None or existing is None:
                result.suppressions[target] = None
            else:
                result.suppressions[target] = tuple(existing) + ids


def is_suppressed(result: FileAnalysis, line: int, rule_id: str) -> bool:
    if line not in result.suppressions:
        return False
    ids = result.suppressions[line]
    return ids is None or rule_id in ids
