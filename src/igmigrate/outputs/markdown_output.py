"""A Markdown table sized for a pull-request comment (GitHub caps comments at 65,536
characters): a summary line, then one row per active finding up to a limit."""

from __future__ import annotations

import re

from igmigrate.display import plural, safe
from igmigrate.findings import SEVERITY_RANK, ScanResult
from igmigrate.knowledge import KnowledgeBase

MAX_ROWS = 100
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def cell(text: str) -> str:
    """Table-cell text: Markdown and HTML characters escaped, no line breaks."""
    return _SPECIAL.sub(r"\\\1", safe(" ".join(text.split())))


def code(text: str) -> str:
    """Inline code that survives backticks and pipes inside the text."""
    text = safe(" ".join(text.split())).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    active = [f for f in result.findings if not f.suppressed]
    active.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.path, f.line, f.column, f.rule_id))
    s = result.summary()
    counts = (f"{plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}, {plural(s['notes'], 'note')}"
              f" ({s['suppressed']} suppressed) in {plural(s['files_scanned'], 'file')}")
    out = [f"### igmigrate: {counts}", ""]
    if not active:
        out.append("No Instagram Basic Display or Legacy API use found.")
        return "\n".join(out) + "\n"
    out += ["| Severity | Rule | Location | Finding | Fix |", "|---|---|---|---|---|"]
    for f in active[:MAX_ROWS]:
        rule = kb.rules.get(f.rule_id)
        fix = ""
        if f.replacement:
            text, docs = f.replacement, rule.docs if rule else None
            # The docs URL is appended in parentheses; show it as a link instead of escaped text.
            if docs and text.endswith(f" ({docs})"):
                fix = f"{cell(text[: -len(docs) - 3])} ([docs]({docs}))"
            else:
                fix = cell(text)
        name = f" {cell(rule.name)}" if rule else ""
        out.append(f"| {f.severity} | {code(f.rule_id)}{name} | {code(f'{f.path}:{f.line}')} | {cell(f.message)} | {fix} |")
    if len(active) > MAX_ROWS:
        out += ["", f"… and {len(active) - MAX_ROWS} more findings (see the full report, e.g. the SARIF upload)."]
    return "\n".join(out) + "\n"
