"""`scan --statistics`: counts per rule and per file, printed after the findings (never
instead of them), biggest first so triage starts where the debt is."""

from __future__ import annotations

from collections import Counter

from igmigrate.findings import SEVERITY_RANK, Finding
from igmigrate.knowledge import KnowledgeBase


def render(findings: list[Finding], kb: KnowledgeBase) -> str:
    active = [f for f in findings if not f.suppressed]
    by_rule = Counter(f.rule_id for f in active)
    by_file = Counter(f.path for f in active)
    severity: dict[str, str] = {}  # the highest seen: one rule can be a warning or, in a Basic Display flow, an error
    for f in active:
        if SEVERITY_RANK[f.severity] > SEVERITY_RANK.get(severity.get(f.rule_id, ""), 0):
            severity[f.rule_id] = f.severity
    if not active:
        return "Statistics: no findings\n"
    out = ["Findings by rule:"]
    for rule_id, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = kb.rules.get(rule_id)
        out.append(f"{count:>6}  {rule_id}  {severity[rule_id]:<7}  {rule.name if rule else ''}".rstrip())
    out.append("Findings by file:")
    for path, count in sorted(by_file.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"{count:>6}  {path}")
    return "\n".join(out) + "\n"
