"""Send one step's request: timeouts, bounded retries with backoff, and a request budget.

Failures are reduced to a kind (timeout, dns, tls, connection) on purpose: exception text from
requests carries the full URL, token included, so it is never shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: requests costs ~0.1 s at start-up of every igmigrate command
    import requests

from igmigrate import __version__
from igmigrate.probe.safety import host_of, is_loopback
from igmigrate.probe.steps import Request

MAX_BODY = 512 * 1024  # enough for a localized authorize page; bounds memory and recordings
MAX_RETRY_AFTER = 30.0  # never let a server park the probe for longer than this per retry
KEEP_HEADERS = ("content-type", "location", "retry-after", "www-authenticate")
USER_AGENT = f"igmigrate-probe/{__version__}"


@dataclass
class Outcome:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    failure: str | None = None
    attempts: int = 0
    elapsed_ms: int = 0
    over_budget: bool = False  # not sent at all: --max-requests was used up


class _Failure(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _retryable(outcome: Outcome) -> bool:
    return outcome.failure is not None or outcome.status == 429 or (outcome.status or 0) >= 500


def _failure_kind(exc: requests.RequestException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    # These are only told apart by their text (inspected, never shown). A read timeout while the
    # body streams arrives wrapped in a ConnectionError.
    text = repr(exc)
    if "timed out" in text:
        return "timeout"
    if any(s in text for s in ("NameResolutionError", "Name or service not known", "getaddrinfo failed",
                               "nodename nor servname", "Temporary failure in name resolution")):
        return "dns"
    return "connection"


def _decode(raw: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip('"')
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


class Transport:
    def __init__(self, timeout: float, retries: int, backoff: float, max_requests: int):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_requests = max_requests
        self.sent = 0
        self._sessions: dict[bool, requests.Session] = {}

    def _session(self, url: str) -> requests.Session:
        # Loopback requests ignore proxy settings from the environment: a local stand-in must stay local.
        direct = is_loopback(host_of(url))
        if direct not in self._sessions:
            import requests

            session = requests.Session()
            session.trust_env = not direct
            session.headers.update({"User-Agent": USER_AGENT, "Accept-Language": "en-US,en;q=0.8"})
            self._sessions[direct] = session
        return self._sessions[direct]

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()

    def send(self, req: Request) -> Outcome:
        start = time.monotonic()
        outcome = Outcome()
        attempts = 0
        while self.sent < self.max_requests:
            self.sent += 1
            attempts += 1
            outcome = self._attempt(req)
            if not _retryable(outcome) or attempts > self.retries:
                break
            time.sleep(self._delay(attempts, outcome))
        outcome.attempts = attempts
        outcome.over_budget = attempts == 0
        outcome.elapsed_ms = int((time.monotonic() - start) * 1000)
        return outcome

    def _delay(self, attempt: int, outcome: Outcome) -> float:
        delay = self.backoff * 2 ** (attempt - 1)
        retry_after = outcome.headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
        return delay

    def _attempt(self, req: Request) -> Outcome:
        # Multipart form, as the tutorial's curl -F does: (None, value) makes a plain field.
        files = {k: (None, v) for k, v in req.form.items()} if req.form is not None else None
        import requests

        try:
            resp = self._session(req.url).request(
                req.method, req.url, files=files, timeout=(self.timeout, self.timeout),
                allow_redirects=False, stream=True,
            )
            try:
                body = self._read(resp)
            finally:
                resp.close()
        except _Failure as failure:
            return Outcome(failure=failure.kind)
        except requests.RequestException as exc:
            return Outcome(failure=_failure_kind(exc))
        headers = {k: resp.headers[k] for k in KEEP_HEADERS if k in resp.headers}
        return Outcome(status=resp.status_code, headers=headers,
                       body=_decode(body, resp.headers.get("content-type", "")))

    def _read(self, resp: requests.Response) -> bytes:
        """Read at most MAX_BODY bytes, and give up once the whole answer takes longer than --timeout."""
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(16384):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_BODY:
                break
            if time.monotonic() > deadline:
                raise _Failure("timeout")
        return b"".join(chunks)[:MAX_BODY]
