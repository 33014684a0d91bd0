"""Run the planned steps (live, dry or from a recording) and sum up the verdicts.

A step is a Job: a flow's step, or (--from-scan) an app's own call standing for that step. Each
job is planned when its turn comes, so the Instagram Login flow can hand a token issued by one
step to the next. Whatever goes wrong inside one step becomes that step's verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from igmigrate.probe import safejson
from igmigrate.probe.http import Transport
from igmigrate.probe.masking import Masker
from igmigrate.probe.model import ALL_VERDICTS, FLOW_VERDICTS, Exchange, StepResult
from igmigrate.probe.signatures import Signature, classify, token_kind
from igmigrate.probe.steps import (
    FLOW_STEPS, FROM_EXCHANGE, FROM_TOKEN, TOKEN_SOURCE_TEXT, Bases, Inputs, Planned, StepSpec, Tokens, build,
)

EXIT_OK, EXIT_EXPECTATION, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
# Stands for a token a step would be issued, when planning ahead (safety check, --dry-run).
PENDING_TOKEN = "issued-during-the-run"
ISSUING_STEPS = {"token": FROM_TOKEN, "exchange": FROM_EXCHANGE}


@dataclass(frozen=True)
class Job:
    spec: StepSpec
    flow: str
    path: str | None = None  # the app's own path and version (--from-scan)
    extra_query: tuple[tuple[str, str], ...] = ()
    call: str | None = None
    findings: tuple[dict, ...] | None = None


def flow_jobs(flow: str) -> list[Job]:
    return [Job(spec, flow) for spec in FLOW_STEPS[flow]]


def _build(job: Job, inputs: Inputs, bases: Bases, tokens: Tokens) -> Planned:
    planned = build(job.spec, inputs, bases, tokens, flow=job.flow, path=job.path, extra_query=job.extra_query)
    return Planned(planned.step, planned.method, planned.request, planned.missing, planned.flow,
                   planned.token_source, job.call, job.findings)


def plan_ahead(jobs: list[Job], inputs: Inputs, bases: Bases) -> list[Planned]:
    """Every request as the run would send it if each step got its token (for checks and --dry-run)."""
    tokens: dict[str, Tokens] = {}
    out = []
    for job in jobs:
        flow_tokens = tokens.setdefault(job.flow, Tokens())
        planned = _build(job, inputs, bases, flow_tokens)
        if planned.request is not None and job.spec.name in ISSUING_STEPS:
            flow_tokens.issued.setdefault(ISSUING_STEPS[job.spec.name], PENDING_TOKEN)
        out.append(planned)
    return out


def _unsent(item: Planned, masker: Masker, reason: str) -> Exchange:
    req = item.request
    return Exchange(step=item.step, method=item.method, url=masker.text(req.url) if req else None,
                    form=masker.mapping(req.form) if req else None, skipped=reason, flow=item.flow,
                    token_source=TOKEN_SOURCE_TEXT.get(item.token_source or ""), call=item.call,
                    findings=list(item.findings) if item.findings is not None else None)


def dry_run(planned: list[Planned], masker: Masker) -> list[Exchange]:
    return [_unsent(p, masker, "dry run: not sent" if p.request else p.skip_reason()) for p in planned]


def issued_token(body: str) -> str | None:
    """The access token in a token answer: flat (Basic Display, exchange, refresh) or wrapped in
    {"data": [...]} (the Instagram Login code exchange)."""
    try:
        doc = safejson.loads(body)
    except ValueError:
        return None
    if isinstance(doc, dict) and isinstance(doc.get("data"), list) and doc["data"] and isinstance(doc["data"][0], dict):
        doc = doc["data"][0]
    token = doc.get("access_token") if isinstance(doc, dict) else None
    return token if isinstance(token, str) and token else None


def run_live(jobs: list[Job], inputs: Inputs, bases: Bases, transport: Transport, masker: Masker,
             token_kinds: tuple = ()) -> list[Exchange]:
    exchanges = []
    tokens: dict[str, Tokens] = {}
    for job in jobs:
        flow_tokens = tokens.setdefault(job.flow, Tokens())
        try:
            exchanges.append(_run_one(job, inputs, bases, flow_tokens, transport, masker, token_kinds))
        except Exception as exc:  # noqa: BLE001 - one step's failure is its verdict, never a lost run
            exchanges.append(Exchange(step=job.spec.name, method=job.spec.method, failure="error",
                                      not_sent=f"internal error ({type(exc).__name__})", flow=job.flow,
                                      call=job.call, findings=list(job.findings) if job.findings is not None else None))
    return exchanges


def _run_one(job: Job, inputs: Inputs, bases: Bases, tokens: Tokens, transport: Transport, masker: Masker,
             token_kinds: tuple) -> Exchange:
    item = _build(job, inputs, bases, tokens)
    if item.request is None:
        return _unsent(item, masker, item.skip_reason())
    out = transport.send(item.request)
    if out.over_budget:
        return _unsent(item, masker, f"request budget used up (--max-requests {transport.max_requests})")
    if out.status is not None and 200 <= out.status < 300 and job.spec.name in ISSUING_STEPS:
        token = issued_token(out.body)
        if token:
            masker.add(token)  # registered before anything of this answer is shown or stored
            tokens.issued.setdefault(ISSUING_STEPS[job.spec.name], token)
    sent_token = None
    if item.token_source:
        sent_token = inputs.access_token if item.token_source == "env" else tokens.issued.get(item.token_source)
    # Masked here, before classification, so live runs and replays classify the very same data.
    return Exchange(
        step=item.step, method=item.method, url=masker.text(item.request.url),
        form=masker.mapping(item.request.form), status=out.status,
        headers=masker.mapping(out.headers) or {}, body=masker.text(out.body) or "",
        failure=out.failure, attempts=out.attempts, elapsed_ms=out.elapsed_ms, flow=item.flow,
        not_sent=out.not_sent, truncated=out.truncated,
        token_source=TOKEN_SOURCE_TEXT.get(item.token_source or ""), token_kind=token_kind(sent_token, token_kinds),
        call=item.call, findings=list(item.findings) if item.findings is not None else None,
    )


def classify_all(exchanges: list[Exchange], signatures: tuple[Signature, ...]) -> list[StepResult]:
    return [classify(ex, signatures) for ex in exchanges]


def _overall(counts: Counter, ran: list[StepResult]) -> str:
    if not ran:
        return "skipped"
    if all(r.verdict == "unreachable" for r in ran):
        return "unreachable"
    if counts["broken"]:  # one broken step breaks the migrated flow
        return "broken"
    if counts["works"] and all(r.verdict == "works" for r in ran):
        return "works"
    if counts["removed"] and not counts["alive"] and not counts["works"]:
        return "removed"
    if counts["alive"] and not counts["removed"] and not counts["works"]:
        return "alive"
    return "inconclusive"  # mixed, or nothing decisive: the answers do not settle it


def verdict_keys(flows: list[str]) -> tuple[str, ...]:
    wanted = {v for flow in flows for v in FLOW_VERDICTS[flow]}
    return tuple(v for v in ALL_VERDICTS if v in wanted)


def summarize(results: list[StepResult], flows: list[str] | None = None) -> dict:
    counts = Counter(r.verdict for r in results)
    flows = flows or sorted({r.exchange.flow for r in results}) or ["basic-display"]
    ran = [r for r in results if r.ran]
    return {"verdict": _overall(counts, ran), **{v: counts[v] for v in verdict_keys(flows)}}


def exit_code(results: list[StepResult], expect: str | None) -> int:
    ran = [r for r in results if r.ran]
    if ran and all(r.verdict == "unreachable" for r in ran):
        return EXIT_UNREACHABLE
    if expect and (not ran or any(r.verdict != expect for r in ran)):
        return EXIT_EXPECTATION
    return EXIT_OK
