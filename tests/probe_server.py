"""A local stand-in for api.instagram.com and graph.instagram.com, for the probe tests.

A real HTTP server on 127.0.0.1 (ephemeral port, own thread), so every test gets its own and the
probe's real HTTP stack is exercised. Modes answer like Basic Display after the shutdown
(`removed`), while it worked (`alive`), with an expired token (`expired`), or by echoing the
request back (`echo`, to catch secrets reflected by a server). `fail_first` answers the first N
requests of each path with `fail_status`; `delay` answers slowly.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

ISSUED_CODE = "AQBissuedcodeFROMSERVER0123456789"
ISSUED_TOKEN = "IGQVJissuedTOKENfromSERVER0123456789abcdef"
ISSUED_LONG_TOKEN = "IGQVJlongLIVEDtokenFROMserver9876543210"

# Localized like the real page (pdir/social-feed-bundle#166): German prefix, English fragment.
REMOVED_AUTHORIZE_PAGE = """<!DOCTYPE html><html lang="de"><head><title>Instagram</title></head>
<body><div class="error"><p>Ung&uuml;ltige Anfrage: Anfrageparameter sind ung&uuml;ltig:
Invalid scope: user_profile</p></div></body></html>"""
UNSUPPORTED_GET = {"error": {"message": "Unsupported request - method type: get", "type": "IGApiException",
                             "code": 100, "fbtrace_id": "AbCdEfGh123"}}
EXPIRED = {"error": {"message": "Error validating access token: Session has expired on Friday, 01-Nov-24 "
                                "08:00:00 PST. The current time is Monday, 09-Dec-24 02:00:00 PST.",
                     "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "Xy12"}}
INVALID_PLATFORM_APP = {"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    mode: str = "removed"
    fail_first: int = 0
    fail_status: int = 503
    delay: float = 0.0
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._counts: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()  # wakes slow handlers so nothing outlives the test
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    # ---- answers ---------------------------------------------------------------------------

    def answer(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.seen.append(seen)
            count = self._counts[seen.path] = self._counts.get(seen.path, 0) + 1
        if self.delay:
            self._stop.wait(self.delay)
        if count <= self.fail_first:
            return self.fail_status, {"Content-Type": "text/html"}, b"<html><body>Error</body></html>"
        if self.mode == "echo":
            return self._echo(seen)
        step = _step_of(seen)
        return getattr(self, f"_{self.mode}")(step, seen)

    def _removed(self, step: str, seen: Seen):
        if step == "authorize":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, REMOVED_AUTHORIZE_PAGE.encode()
        if step == "token":
            return _json(400, INVALID_PLATFORM_APP)
        return _json(400, UNSUPPORTED_GET)

    def _alive(self, step: str, seen: Seen):
        if step == "authorize":
            target = seen.query["redirect_uri"][0]
            return 302, {"Location": f"{target}?code={ISSUED_CODE}#_"}, b""
        if step == "token":
            return _json(200, {"access_token": ISSUED_TOKEN, "user_id": 17841405793187218})
        if step in ("user", "me"):
            return _json(200, {"id": "17841405793187218", "username": "probe_user"})
        if step == "media":
            return _json(200, {"data": [{"id": "1790", "media_type": "IMAGE"}], "paging": {"cursors": {}}})
        return _json(200, {"access_token": ISSUED_LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944})

    def _expired(self, step: str, seen: Seen):
        if step in ("authorize", "token"):
            return self._alive(step, seen)
        return _json(400, EXPIRED)

    def _echo(self, seen: Seen):
        raw = f"{seen.method} {seen.path}?{_query_text(seen)} body={seen.body.decode(errors='replace')}"
        if _step_of(seen) == "authorize":
            return 302, {"Location": f"http://127.0.0.1:9/landing?echo={quote(raw)}"}, raw.encode()
        return _json(400, {"error": {"message": f"echo {raw}", "type": "OAuthException", "code": 1}})


def _query_text(seen: Seen) -> str:
    return "&".join(f"{k}={v}" for k, values in seen.query.items() for v in values)


def _json(status: int, doc: dict):
    return status, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(doc).encode()


def _step_of(seen: Seen) -> str:
    named = {"/oauth/authorize": "authorize", "/oauth/access_token": "token", "/me": "me", "/me/media": "media",
             "/access_token": "exchange", "/refresh_access_token": "refresh"}
    return named.get(seen.path, "user")


def _handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
            status, headers, payload = stand_in.answer(seen)
            try:
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(payload))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the probe gave up (timeout) and closed the connection
                pass

        do_GET = do_POST = _handle

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    return Handler
