"""The records the probe passes between its parts: one exchange per step, one result per step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Verdicts by flow: the Basic Display tutorial is `removed` or `alive`; its successor `works` or
# `broken`. `unreachable` (no HTTP answer) and `skipped` (not sent) are not answers.
FLOW_VERDICTS = {
    "basic-display": ("removed", "alive", "inconclusive", "unreachable", "skipped"),
    "instagram-login": ("works", "broken", "inconclusive", "unreachable", "skipped"),
}
VERDICTS = FLOW_VERDICTS["basic-display"]
ALL_VERDICTS = ("removed", "alive", "works", "broken", "inconclusive", "unreachable", "skipped")
# How a request failed to get any HTTP answer (the evidence for `unreachable`).
FAILURES = ("timeout", "deadline", "dns", "tls", "connection", "protocol", "error")


@dataclass
class Exchange:
    """One step as sent and answered, already masked: what --record writes and --replay reads."""

    step: str
    method: str
    url: str | None = None
    form: dict[str, str] | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    failure: str | None = None
    skipped: str | None = None
    attempts: int = 0
    elapsed_ms: int = 0
    flow: str = "basic-display"
    not_sent: str | None = None  # unreachable without an attempt: why (run deadline, host timed out)
    truncated: bool = False  # the body was cut at the size cap
    token_source: str | None = None  # which token the step sent (IGMIGRATE_ACCESS_TOKEN, an issued one)
    token_kind: str | None = None  # the kind of that token by its prefix (rules/probe.yaml token_kinds)
    call: str | None = None  # --from-scan: the app's own call, e.g. "GET graph.instagram.com/v21.0/me"
    findings: list[dict] | None = None  # --from-scan: the call sites [{path, line, rule_id}]

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class StepResult:
    exchange: Exchange
    verdict: str
    signature: str | None
    evidence: dict

    @property
    def ran(self) -> bool:
        return self.verdict != "skipped"
