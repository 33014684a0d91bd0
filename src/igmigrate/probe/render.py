"""Print the results: a text table for people, a stable JSON document for CI."""

from __future__ import annotations

import json

from igmigrate.probe.model import StepResult

SCHEMA_VERSION = 1


def to_json(results: list[StepResult], summary: dict) -> str:
    steps = [{
        "step": r.exchange.step,
        "method": r.exchange.method,
        "url": r.exchange.url,
        "status": r.exchange.status,
        "verdict": r.verdict,
        "signature": r.signature,
        "evidence": r.evidence,
        "elapsed_ms": r.exchange.elapsed_ms,
    } for r in results]
    return json.dumps({"schema_version": SCHEMA_VERSION, "steps": steps, "summary": summary}, indent=2)


def _evidence_cell(r: StepResult) -> str:
    return f"{r.signature}: {r.evidence['detail']}" if r.signature else r.evidence["detail"]


def to_text(results: list[StepResult], summary: dict, header: str) -> str:
    rows = [("STEP", "REQUEST", "STATUS", "VERDICT", "EVIDENCE")]
    for r in results:
        ex = r.exchange
        request = f"{ex.method} {ex.url}" if ex.url else "-"
        rows.append((ex.step, request, str(ex.status) if ex.status is not None else "-", r.verdict, _evidence_cell(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [header, ""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    notes = {r.signature: r.evidence["note"] for r in results if r.signature}
    if notes:
        lines += ["", "why:"] + [f"  {sig}: {note}" for sig, note in notes.items()]
    counts = ", ".join(f"{summary[k]} {k}" for k in ("removed", "alive", "inconclusive", "unreachable", "skipped"))
    lines += ["", f"summary: {summary['verdict']} ({counts})"]
    return "\n".join(lines)


def dry_run_text(results: list[StepResult], header: str) -> str:
    lines = [header, "dry run: nothing was sent; these requests would be:"]
    width = max(len(r.exchange.step) for r in results)
    for r in results:
        ex = r.exchange
        if ex.url is None:
            lines.append(f"  {ex.step.ljust(width)}  skipped: {ex.skipped}")
            continue
        lines.append(f"  {ex.step.ljust(width)}  {ex.method} {ex.url}")
        if ex.form:
            fields = ", ".join(f"{k}={v}" for k, v in ex.form.items())
            lines.append(f"  {' ' * width}  multipart form: {fields}")
    return "\n".join(lines)
