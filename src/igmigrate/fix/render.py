"""What `igmigrate fix` prints: per file the fixes, the manual work, the companion steps once
each, a summary line; or a unified diff; or JSON. Every line goes through the secret mask
(a diff's context lines may hold a token that lives next to a scope)."""

from __future__ import annotations

import json
from collections.abc import Callable

from igmigrate.fix.engine import Plan

Mask = Callable[[str], str]


def summary(plan: Plan, would: bool = False) -> str:
    fixes = len(plan.fixes)
    files = len(plan.files)
    verb = "would be applied" if would else "applied"
    line = (f"{fixes} fix{'es' if fixes != 1 else ''} {verb} in {files} file{'s' if files != 1 else ''}; "
            f"{len(plan.manual)} finding{'s' if len(plan.manual) != 1 else ''} need{'s' if len(plan.manual) == 1 else ''} manual work")
    if plan.withheld:
        n = len(plan.withheld)
        line += (f"\n{n} unsafe fix{'es' if n != 1 else ''} not applied: read the companion steps "
                 f"(igmigrate fix --diff --unsafe-fixes), then rerun with --unsafe-fixes")
    return line + "\n"


def text(plan: Plan, mask: Mask, would: bool = False) -> str:
    out = []
    for file_edit in plan.files:
        out.append(f"{file_edit.path}\n")
        for fix in file_edit.fixes:
            f = fix.finding
            where = f"{f.line}:{f.column}" if f.path == file_edit.path else f"(used at {f.path}:{f.line}:{f.column})"
            out.append(f"  {where} {f.rule_id} [{fix.applicability}] {_one_line(mask(fix.before))} -> "
                       f"{_one_line(mask(fix.after))}\n")
    if plan.manual:
        out.append("manual work:\n")
        groups: dict[tuple[str, str], list] = {}
        for item in plan.manual:
            groups.setdefault((item.finding.rule_id, item.reason), []).append(item.finding)
        for (rule_id, reason), findings in sorted(groups.items()):
            out.append(f"  {rule_id} ({len(findings)}): {mask(reason)}\n")
            for f in findings:
                out.append(f"    {f.path}:{f.line}:{f.column}\n")
    if plan.steps:
        out.append("companion steps:\n")
        for rule_id, step in plan.steps:
            out.append(f"  - {mask(step)} ({rule_id})\n")
    for error in plan.errors:
        out.append(f"error: {mask(error)}\n")
    out.append(summary(plan, would))
    return "".join(out)


def _one_line(text: str) -> str:
    return repr(text) if "\n" in text or "\r" in text else text


def diff(plan: Plan, mask: Mask) -> str:
    return "".join(mask_lines(file_edit.diff(), mask) for file_edit in plan.files)


def mask_lines(text: str, mask: Mask) -> str:
    return "".join(mask(line) for line in text.splitlines(keepends=True))


def as_json(plan: Plan, mask: Mask, mode: str) -> str:
    files = []
    for file_edit in plan.files:
        files.append({
            "path": file_edit.path,
            "checked_by": file_edit.checked_by,
            "fixes": [{
                "rule_id": fix.finding.rule_id, "finding_path": fix.finding.path, "line": fix.finding.line,
                "column": fix.finding.column,
                "fingerprint": fix.finding.fingerprint, "applicability": fix.applicability,
                "before": mask(fix.before), "after": mask(fix.after),
            } for fix in file_edit.fixes],
            "diff": mask_lines(file_edit.diff(), mask),
        })
    document = {
        "schema_version": 1,
        "mode": mode,  # "apply" (files written) or "diff" (nothing written)
        "files": files,
        "manual": [{"path": m.finding.path, "line": m.finding.line, "column": m.finding.column,
                    "rule_id": m.finding.rule_id, "fingerprint": m.finding.fingerprint, "reason": mask(m.reason)}
                   for m in plan.manual],
        "withheld": [{"path": f.path, "line": f.line, "rule_id": f.rule_id, "fingerprint": f.fingerprint}
                     for f in plan.withheld],
        "steps": [{"rule_id": rule_id, "text": mask(step)} for rule_id, step in plan.steps],
        "errors": [mask(e) for e in plan.errors],
        "summary": {"fixes": len(plan.fixes), "files": len(plan.files), "manual": len(plan.manual),
                    "withheld": len(plan.withheld)},
    }
    return json.dumps(document, indent=2) + "\n"
