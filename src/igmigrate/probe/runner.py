"""Run the planned steps (live, dry or from a recording) and sum up the verdicts."""

from __future__ import annotations

from collections import Counter

from igmigrate.probe.http import Transport
from igmigrate.probe.masking import Masker
from igmigrate.probe.model import VERDICTS, Exchange, StepResult
from igmigrate.probe.signatures import Signature, classify
from igmigrate.probe.steps import Planned

EXIT_OK, EXIT_EXPECTATION, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def _unsent(item: Planned, masker: Masker, reason: str) -> Exchange:
    req = item.request
    return Exchange(step=item.step, method=item.method, url=masker.text(req.url) if req else None,
                    form=masker.mapping(req.form) if req else None, skipped=reason)


def dry_run(planned: list[Planned], masker: Masker) -> list[Exchange]:
    return [_unsent(p, masker, "dry run: not sent" if p.request else p.skip_reason()) for p in planned]


def run_live(planned: list[Planned], transport: Transport, masker: Masker) -> list[Exchange]:
    exchanges = []
    for item in planned:
        if item.request is None:
            exchanges.append(_unsent(item, masker, item.skip_reason()))
            continue
        out = transport.send(item.request)
        if out.over_budget:
            exchanges.append(_unsent(item, masker, f"request budget used up (--max-requests {transport.max_requests})"))
            continue
        # Masked here, before classification, so live runs and replays classify the very same data.
        exchanges.append(Exchange(
            step=item.step, method=item.method, url=masker.text(item.request.url),
            form=masker.mapping(item.request.form), status=out.status,
            headers=masker.mapping(out.headers) or {}, body=masker.text(out.body) or "",
            failure=out.failure, attempts=out.attempts, elapsed_ms=out.elapsed_ms,
        ))
    return exchanges


def classify_all(exchanges: list[Exchange], signatures: tuple[Signature, ...]) -> list[StepResult]:
    return [classify(ex, signatures) for ex in exchanges]


def summarize(results: list[StepResult]) -> dict:
    counts = Counter(r.verdict for r in results)
    ran = [r for r in results if r.ran]
    if not ran:
        overall = "skipped"
    elif all(r.verdict == "unreachable" for r in ran):
        overall = "unreachable"
    elif counts["removed"] and not counts["alive"]:
        overall = "removed"
    elif counts["alive"] and not counts["removed"]:
        overall = "alive"
    else:  # both, or neither: the answers do not settle it
        overall = "inconclusive"
    return {"verdict": overall, **{v: counts[v] for v in VERDICTS}}


def exit_code(results: list[StepResult], expect: str | None) -> int:
    ran = [r for r in results if r.ran]
    if ran and all(r.verdict == "unreachable" for r in ran):
        return EXIT_UNREACHABLE
    if expect and (not ran or any(r.verdict != expect for r in ran)):
        return EXIT_EXPECTATION
    return EXIT_OK
