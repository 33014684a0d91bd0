"""The records the probe passes between its parts: one exchange per step, one result per step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

VERDICTS = ("removed", "alive", "inconclusive", "unreachable", "skipped")
# How a request failed to get any HTTP answer (the evidence for `unreachable`).
FAILURES = ("timeout", "dns", "tls", "connection")


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
