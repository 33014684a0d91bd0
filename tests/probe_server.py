"""A local stand-in for api.instagram.com and graph.instagram.com, for the probe tests.

A real HTTP server on 127.0.0.1 (ephemeral port, own thread), so every test gets its own and the
probe's real HTTP stack is exercised. Modes answer like Basic Display after the shutdown
(`removed`), while it worked (`alive`), with an expired token (`expired`), or by echoing the
request back (`echo`, to catch secrets reflected by a server); like a working Instagram Login
host (`igl`, which checks that the tokens it issued come back), by echoing the token back
JSON-escaped, URL-encoded and as HTML entities with terminal escape sequences
(`echo-escaped`), or with JSON nested 100,000 deep (`deep`). `fail_first` answers the first N
requests of each path with `fail_status`; `delay` answers slowly; `drip` sends the answer one
byte every `drip` seconds (from the status line with `drip_headers`, else from the body).
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

# Instagram Login (business-login guide): short-lived token from the code, long-lived from the exchange.
IGL_SHORT_TOKEN = "IGAAshortLIVEDfromCODEexchange0123456789abc"
IGL_LONG_TOKEN = "IGAAlongLIVEDfromEXCHANGE9876543210zyxw"
IGL_USER_ID = "17841400000000001"
LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Login &bull; Instagram</title></head>
<body><form method="post"><input name="username"><input name="password" type="password">
<button>Log in</button></form></body></html>"""
INVALID_SCOPE_PAGE = """<html><body><p>Invalid request: Request parameters are invalid: Invalid scope: {scope}</p>
</body></html>"""
CANNOT_PARSE = {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                          "type": "OAuthException", "code": 190, "fbtrace_id": "Zz9"}}
ANSI = "\x1b[2J\x1b]0;pwned\x07\x1b[31m"  # clear screen, set the window title (OSC), red
DEEP = 100_000


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
    drip: float = 0.0
    drip_headers: bool = False
    fail_paths: set[str] = field(default_factory=set)  # always answered with fail_status
    tls: tuple[str, str] | None = None  # (certificate, key) files: serve https
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._counts: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        if self.tls:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._server.server_address[1]}"

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
        if count <= self.fail_first or seen.path in self.fail_paths:
            return self.fail_status, {"Content-Type": "text/html"}, b"<html><body>Error</body></html>"
        if self.mode == "echo":
            return self._echo(seen)
        step = _step_of(seen)
        return getattr(self, f"_{self.mode.replace('-', '_')}")(step, seen)

    def stopped(self, wait: float) -> bool:
        return self._stop.wait(wait)

    def _igl(self, step: str, seen: Seen):
        token = _token_sent(seen)
        if step == "authorize":
            scope = seen.query.get("scope", [""])[0]
            if scope != "instagram_business_basic":
                return 200, {"Content-Type": "text/html"}, INVALID_SCOPE_PAGE.format(scope=scope).encode()
            return 200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN_PAGE.encode()
        if step == "token":
            return _json(200, {"data": [{"access_token": IGL_SHORT_TOKEN, "user_id": IGL_USER_ID,
                                         "permissions": "instagram_business_basic"}]})
        if step == "exchange":
            if token != IGL_SHORT_TOKEN and not token.startswith("IGAA"):
                return _json(400, CANNOT_PARSE)
            return _json(200, {"access_token": IGL_LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944})
        if not token.startswith("IGAA"):
            return _json(400, CANNOT_PARSE)
        if step in ("user", "me"):
            return _json(200, {"user_id": IGL_USER_ID, "username": "probe_user", "id": "990001"})
        if step == "media":
            return _json(200, {"data": [{"id": "1790", "media_type": "IMAGE"}], "paging": {"cursors": {}}})
        return _json(200, {"access_token": IGL_LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944})

    def _echo_escaped(self, step: str, seen: Seen):
        secrets = [v for v in (_token_sent(seen), *_form(seen).values()) if v]
        forms = []
        for value in secrets:
            forms += ["".join(f"\\u{ord(c):04x}" for c in value),  # \u0049\u0047... inside the JSON string
                      "".join(f"%{b:02X}" for b in value.encode()),
                      "".join(f"&#{ord(c)};" for c in value),
                      "".join(f"&#x{ord(c):x};" for c in value)]
        text = " ".join(forms)
        if step == "authorize":
            return 200, {"Content-Type": "text/html"}, f"<p>{ANSI}echo {text}</p>".encode()
        body = '{"error": {"message": "' + ANSI.encode("unicode_escape").decode().replace("\\x", "\\u00") + \
            " echo " + text + '", "type": "OAuthException", "code": 1}}'
        return 400, {"Content-Type": "application/json"}, body.encode()

    def _deep(self, step: str, seen: Seen):
        if step == "authorize":
            return self._removed(step, seen)
        return 400, {"Content-Type": "application/json"}, ("[" * DEEP + "]" * DEEP).encode()

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


def _form(seen: Seen) -> dict[str, str]:
    """The fields of a multipart body (enough for the probe's own forms)."""
    out = {}
    for part in seen.body.decode(errors="replace").split("\r\n--"):
        head, _, value = part.partition("\r\n\r\n")
        if 'name="' in head:
            out[head.split('name="', 1)[1].split('"', 1)[0]] = value.rstrip("\r\n").split("\r\n--")[0]
    return out


def _token_sent(seen: Seen) -> str:
    return seen.query.get("access_token", [""])[0] or _form(seen).get("access_token", "")


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
            head = f"HTTP/1.1 {status} X\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(len(payload))}.items()) + "\r\n"
            try:
                if not stand_in.drip:
                    self.wfile.write(head.encode() + payload)
                    return
                if not stand_in.drip_headers:
                    self.wfile.write(head.encode())
                    self.wfile.flush()
                slow = (head.encode() if stand_in.drip_headers else b"") + payload
                for i in range(len(slow)):  # one byte, then a pause: every read gets something
                    self.wfile.write(slow[i:i + 1])
                    self.wfile.flush()
                    if stand_in.stopped(stand_in.drip):
                        return
            except OSError:  # the probe gave up (timeout) and closed the connection
                pass

        do_GET = do_POST = _handle

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    return Handler
