"""Print the results: a text table for people, a stable JSON document for CI.

Text goes to a terminal, and servers choose what their answers say: every cell is passed
through `terminal_safe`, so an escape sequence in an error message is shown, not obeyed.
"""

from __future__ import annotations

import json
import re

from igmigrate.probe.model import ALL_VERDICTS, StepResult

SCHEMA_VERSION = 1
# C0 and C1 controls (ESC starts ANSI/OSC sequences), DEL, and the bidi overrides that reorder text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Show control characters as escapes (ESC as \\x1b) so they cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


def _step_json(r: StepResult) -> dict:
    ex = r.exchange
    doc = {
        "step": ex.step,
        "flow": ex.flow,
        "method": ex.method,
        "url": ex.url,
        "status": ex.status,
        "verdict": r.verdict,
        "signature": r.signature,
        "evidence": r.evidence,
        "elapsed_ms": ex.elapsed_ms,
    }
    if ex.findings is not None:
        doc["call"] = ex.call
        doc["findings"] = ex.findings
    return doc


def to_json(results: list[StepResult], summary: dict, flow: str, extra: dict | None = None) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "flow": flow, "steps": [_step_json(r) for r in results],
           "summary": summary, **(extra or {})}
    return json.dumps(doc, indent=2)


def _evidence_cell(r: StepResult) -> str:
    return f"{r.signature}: {r.evidence['detail']}" if r.signature else r.evidence["detail"]


def _sites(r: StepResult) -> str:
    sites = r.exchange.findings or []
    shown = ", ".join(f"{f['path']}:{f['line']} {f['rule_id']}" for f in sites[:3])
    return shown + (f" (+{len(sites) - 3} more)" if len(sites) > 3 else "")


def to_text(results: list[StepResult], summary: dict, header: str, not_probed: list[dict] | None = None) -> str:
    rows = [("STEP", "REQUEST", "STATUS", "VERDICT", "EVIDENCE")]
    for r in results:
        ex = r.exchange
        request = f"{ex.method} {ex.url}" if ex.url else "-"
        rows.append((ex.step, request, str(ex.status) if ex.status is not None else "-", r.verdict, _evidence_cell(r)))
    rows = [tuple(terminal_safe(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [terminal_safe(header), ""]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
        if n and results[n - 1].exchange.findings:
            lines.append("  " + " " * widths[0] + "called at " + terminal_safe(_sites(results[n - 1])))
    notes = {r.signature: r.evidence["note"] for r in results if r.signature}
    if notes:
        lines += ["", "why:"] + [terminal_safe(f"  {sig}: {note}") for sig, note in notes.items()]
    if not_probed:
        lines += ["", "not probed:"] + [terminal_safe(f"  {f['path']}:{f['line']} {f['rule_id']}: {f['reason']}")
                                        for f in not_probed]
    counts = ", ".join(f"{summary[k]} {k}" for k in ALL_VERDICTS if k in summary)
    lines += ["", f"summary: {summary['verdict']} ({counts})"]
    return "\n".join(lines)


def dry_run_text(results: list[StepResult], header: str) -> str:
    lines = [terminal_safe(header), "dry run: nothing was sent; these requests would be:"]
    width = max((len(r.exchange.step) for r in results), default=4)
    for r in results:
        ex = r.exchange
        if ex.url is None:
            lines.append(terminal_safe(f"  {ex.step.ljust(width)}  skipped: {ex.skipped}"))
        else:
            lines.append(terminal_safe(f"  {ex.step.ljust(width)}  {ex.method} {ex.url}"))
            if ex.form:
                fields = ", ".join(f"{k}={v}" for k, v in ex.form.items())
                lines.append(terminal_safe(f"  {' ' * width}  multipart form: {fields}"))
            if ex.token_source:
                lines.append(terminal_safe(f"  {' ' * width}  access token: {ex.token_source}"))
        if ex.findings:
            lines.append(terminal_safe(f"  {' ' * width}  called at {_sites(r)}"))
    return "\n".join(lines)
