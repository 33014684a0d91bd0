"""Send one step's request within hard time bounds: a deadline per request and one per run.

`--timeout` is a deadline for the whole request (connect, TLS, headers, body), not a per-read
timeout: a server that drips one byte a second would reset a per-read timeout forever. So each
attempt arms a watchdog that shuts the socket down when its deadline passes, whatever the
attempt is waiting for, and the body is read in chunks against the same monotonic deadline.
`--deadline` bounds the whole run, retries and backoff included. Built on http.client (stdlib):
requests hides the socket until the headers are in, so it cannot bound a dripping header.

Failures are reduced to a kind (timeout, deadline, dns, tls, connection, protocol) on purpose:
exception text carries URLs with tokens in them, so it is never shown.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from igmigrate import __version__
from igmigrate.probe.safety import host_of, is_loopback
from igmigrate.probe.steps import Request

MAX_BODY = 1024 * 1024  # a localized authorize page is ~100 KB; bounds memory and recordings
CHUNK = 16384
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
    truncated: bool = False  # the body was longer than MAX_BODY and was cut there
    over_budget: bool = False  # not sent at all: --max-requests was used up
    not_sent: str | None = None  # why no attempt was made (run deadline, host timed out before)


class _Failure(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _retryable(outcome: Outcome) -> bool:
    return outcome.failure is not None or outcome.status == 429 or (outcome.status or 0) >= 500


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


def multipart(form: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body, as the tutorial's `curl -F` sends it."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in form.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


class _Watchdog:
    """Shuts the attempt's socket down at its deadline, which wakes any blocked connect, TLS
    handshake or read. It holds a duplicate descriptor: TLS wrapping detaches the original
    socket object, but shutdown(2) acts on the socket behind every descriptor of it."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._fd is None:
                self._fd = os.dup(sock.fileno())
        if self.fired:  # the deadline passed while connecting
            self._shutdown()

    def _run(self) -> None:
        if not self._done.wait(max(0.0, self.deadline - time.monotonic())):
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            if self._fd is None:
                return
            try:
                dup = socket.socket(fileno=os.dup(self._fd))
                try:
                    dup.shutdown(socket.SHUT_RDWR)
                finally:
                    dup.close()
            except OSError:
                pass

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _proxy_for(scheme: str, host: str) -> str | None:
    """The environment's proxy for this URL (HTTPS_PROXY, NO_PROXY...); never for loopback."""
    if is_loopback(host):
        return None
    import urllib.request

    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


class Transport:
    def __init__(self, timeout: float, retries: int, backoff: float, max_requests: int,
                 run_deadline: float | None = None):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_requests = max_requests
        self.run_deadline = run_deadline  # monotonic time; None: unbounded
        self.sent = 0
        self._timed_out: dict[str, str] = {}  # host -> the step that timed out on it

    def close(self) -> None:  # nothing pooled: one connection per attempt keeps the bounds simple
        pass

    def remaining(self) -> float:
        return float("inf") if self.run_deadline is None else self.run_deadline - time.monotonic()

    def send(self, req: Request) -> Outcome:
        start = time.monotonic()
        host = host_of(req.url)
        if self.remaining() <= 0:
            return Outcome(failure="deadline", not_sent="the run deadline (--deadline) had passed")
        if host in self._timed_out:
            # A host that let a whole step time out would do it again: do not spend the run on it.
            return Outcome(failure="timeout", not_sent=f"{host} timed out on step {self._timed_out[host]}")
        outcome = Outcome()
        attempts = 0
        while self.sent < self.max_requests:
            self.sent += 1
            attempts += 1
            outcome = self._attempt(req)
            if not _retryable(outcome) or attempts > self.retries:
                break
            delay = self._delay(attempts, outcome)
            if delay >= self.remaining():
                break  # no time left for another attempt: this one's outcome stands
            time.sleep(delay)
        outcome.attempts = attempts
        outcome.over_budget = attempts == 0
        outcome.elapsed_ms = int((time.monotonic() - start) * 1000)
        if outcome.failure == "timeout":
            self._timed_out.setdefault(host, req.step)
        return outcome

    def _delay(self, attempt: int, outcome: Outcome) -> float:
        delay = self.backoff * 2 ** (attempt - 1)
        retry_after = outcome.headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
        return delay

    def _attempt(self, req: Request) -> Outcome:
        now = time.monotonic()
        run_left = self.remaining()
        if run_left <= 0:
            return Outcome(failure="deadline")
        deadline = now + min(self.timeout, run_left)
        cut_by_run = run_left < self.timeout
        watchdog = _Watchdog(deadline)
        out_of_time = "deadline" if cut_by_run else "timeout"  # which bound cut this attempt
        try:
            return self._exchange(req, deadline, watchdog)
        except _Failure as failure:
            return Outcome(failure=out_of_time if failure.kind == "timeout" else failure.kind)
        except Exception as exc:  # noqa: BLE001 - any failure of one attempt is that attempt's outcome
            if watchdog.fired or time.monotonic() >= deadline:
                return Outcome(failure=out_of_time)
            kind = _failure_kind(exc)
            return Outcome(failure=out_of_time if kind == "timeout" else kind)
        finally:
            watchdog.stop()

    def _exchange(self, req: Request, deadline: float, watchdog: _Watchdog) -> Outcome:
        parts = urlsplit(req.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        left = max(0.001, deadline - time.monotonic())
        proxy = _proxy_for(parts.scheme, host)
        conn: http.client.HTTPConnection
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en-US,en;q=0.8", "Accept-Encoding": "identity",
                   "Connection": "close"}
        if proxy:
            p = urlsplit(proxy)
            proxy_headers = {}
            if p.username:
                import base64

                pair = f"{unquote(p.username)}:{unquote(p.password or '')}".encode()
                proxy_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair).decode()
            if parts.scheme == "https":
                conn = http.client.HTTPSConnection(p.hostname or "", p.port or 8080, timeout=left,
                                                   context=_tls_context())
                conn.set_tunnel(host, port, headers=proxy_headers)
            else:  # plain http goes only to loopback (safety.check_base), which never uses a proxy
                raise _Failure("connection")
        elif parts.scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=left, context=_tls_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=left)

        def connect(address, timeout, source_address=None):
            sock = socket.create_connection(address, timeout, source_address)
            watchdog.watch(sock)
            return sock

        conn._create_connection = connect  # the hook http.client itself provides for tests and proxies
        body = None
        if req.form is not None:
            body, content_type = multipart(req.form)
            headers["Content-Type"] = content_type
        try:
            conn.request(req.method, target, body=body, headers=headers)
            resp = conn.getresponse()
            raw, truncated = _read(resp, deadline)
            kept = {k: v for k in KEEP_HEADERS if (v := resp.getheader(k)) is not None}
            return Outcome(status=resp.status, headers=kept,
                           body=_decode(raw, resp.getheader("content-type") or ""), truncated=truncated)
        finally:
            conn.close()


def _read(resp: http.client.HTTPResponse, deadline: float) -> tuple[bytes, bool]:
    """At most MAX_BODY bytes, in chunks, and never past the attempt's deadline."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:  # one byte past the cap tells a cut body from one of exactly MAX_BODY
        if time.monotonic() >= deadline:
            raise _Failure("timeout")
        chunk = resp.read1(CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if time.monotonic() >= deadline:
        raise _Failure("timeout")
    return b"".join(chunks)[:MAX_BODY], size > MAX_BODY


_CONTEXT: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _CONTEXT
    if _CONTEXT is None:
        context = ssl.create_default_context()
        try:  # the CA bundle requests uses, when installed (the system store may be empty in containers)
            import certifi

            context.load_verify_locations(certifi.where())
        except (ImportError, OSError):
            pass
        _CONTEXT = context
    return _CONTEXT


def _failure_kind(exc: BaseException) -> str:
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):
        return "tls"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, (http.client.RemoteDisconnected, ConnectionError)):
        return "connection"
    if isinstance(exc, http.client.HTTPException):
        return "protocol"
    return "connection"
