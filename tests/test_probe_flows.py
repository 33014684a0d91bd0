"""`igmigrate probe --flow instagram-login`, and the bounds of a run (deadlines, body size, depth),
end to end against local stand-ins (tests/probe_server.py)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_probe import REDIRECT, SECRETS, TOKEN_ONLY, as_json, bases, probe, verdicts

from igmigrate.probe import http as probe_http
from igmigrate.probe.http import Transport
from igmigrate.probe.steps import Inputs, Request, plan
from probe_server import IGL_LONG_TOKEN, IGL_SHORT_TOKEN, StandIn

IGL_ENV = {**SECRETS, "IGMIGRATE_ACCESS_TOKEN": "IGAAenvLONGlivedTOKEN0123456789abcdefgh"}
IGL = ("--flow", "instagram-login")


def igl_flow(server: StandIn, *more: str) -> list[str]:
    return [*IGL, "--app-id", "1", "--redirect-uri", REDIRECT, "--user-id", "17841", *bases(server), *more]


def tokens_seen(server: StandIn, path: str) -> list[str]:
    return [s.query.get("access_token", [""])[0] for s in server.seen if s.path == path]


# ---- the Instagram Login flow ----------------------------------------------------------------------


def test_instagram_login_flow_works_on_a_working_stand_in(tmp_path):
    recording = tmp_path / "rec.json"
    with StandIn("igl") as server:
        result = probe(*igl_flow(server, "--format", "json", "--expect", "works", "--record", str(recording)),
                       env=IGL_ENV)
        seen = {s.path: s for s in server.seen}
        exchange_tokens, me_tokens = tokens_seen(server, "/access_token"), tokens_seen(server, "/me")
        refresh_tokens = tokens_seen(server, "/refresh_access_token")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert doc["flow"] == "instagram-login"
    assert [s["step"] for s in doc["steps"]] == ["authorize", "token", "exchange", "user", "me", "media", "refresh"]
    assert verdicts(doc)["authorize"] == ("works", "igl-authorize-login-page")
    assert verdicts(doc)["me"] == ("works", "igl-user-node")
    assert {v for v, _ in verdicts(doc).values()} == {"works"}
    assert doc["summary"] == {"verdict": "works", "works": 7, "broken": 0, "inconclusive": 0, "unreachable": 0,
                              "skipped": 0}
    # The documented request shapes, and the tokens chained as an app chains them.
    assert seen["/oauth/authorize"].query["scope"] == ["instagram_business_basic"]
    assert seen["/me"].query["fields"] == ["user_id,username"]
    assert seen["/access_token"].query["grant_type"] == ["ig_exchange_token"]
    assert exchange_tokens == [IGL_SHORT_TOKEN] and me_tokens == [IGL_LONG_TOKEN]
    assert refresh_tokens == [IGL_ENV["IGMIGRATE_ACCESS_TOKEN"]]  # a refresh needs a token older than 24 h
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["me"]["evidence"]["token"] == "the exchange step's long-lived token"
    for secret in (IGL_SHORT_TOKEN, IGL_LONG_TOKEN, *IGL_ENV.values()):  # issued tokens are masked too
        assert secret not in result.stdout and secret not in recording.read_text()
    assert probe("--replay", str(recording), "--expect", "works").exit_code == 0


def test_shut_down_stand_in_is_broken_for_me_with_the_signature_named():
    with StandIn("removed") as server:
        bd_token = as_json(probe(*IGL, *bases(server), "--format", "json", env=TOKEN_ONLY))
        igl_token = probe(*IGL, *bases(server), "--expect", "works",
                          env={"IGMIGRATE_ACCESS_TOKEN": IGL_ENV["IGMIGRATE_ACCESS_TOKEN"]})
    assert verdicts(bd_token)["me"] == ("broken", "igl-basic-display-token")
    assert bd_token["summary"]["verdict"] == "broken"
    assert igl_token.exit_code == 1
    me_row = next(line for line in igl_token.stdout.splitlines() if line.startswith("me "))
    assert me_row.split()[3:7] == ["400", "broken", "igl-shutdown-answer:", "IGApiException"]
    assert "expected works for every step that ran; got me broken" in igl_token.stderr


def test_a_failed_exchange_falls_back_to_the_environment_token():
    with StandIn("igl", fail_paths={"/access_token"}) as server:
        doc = as_json(probe(*igl_flow(server, "--format", "json", "--retries", "0"), env=IGL_ENV))
        me_tokens = tokens_seen(server, "/me")
    assert verdicts(doc)["exchange"] == ("inconclusive", "server-error")
    assert me_tokens == [IGL_ENV["IGMIGRATE_ACCESS_TOKEN"]]
    assert verdicts(doc)["me"] == ("works", "igl-user-node")


def test_the_token_step_feeds_the_chain_without_an_environment_token():
    env = {k: v for k, v in IGL_ENV.items() if k != "IGMIGRATE_ACCESS_TOKEN"}
    with StandIn("igl") as server:
        doc = as_json(probe(*igl_flow(server, "--format", "json"), env=env))
        refresh_tokens = tokens_seen(server, "/refresh_access_token")
    assert {v for v, _ in verdicts(doc).values()} == {"works"}
    assert refresh_tokens == [IGL_LONG_TOKEN]  # no environment token: the exchanged one


def test_instagram_login_hosts_and_dry_run():
    planned = {p.step: p.request for p in plan(Inputs(app_id="1", redirect_uri="https://e.x/", access_token="t"),
                                               flow="instagram-login")}
    assert planned["authorize"].url.startswith("https://www.instagram.com/oauth/authorize?client_id=1&")
    assert "scope=instagram_business_basic" in planned["authorize"].url
    assert planned["me"].url == "https://graph.instagram.com/me?fields=user_id,username&access_token=t"
    with StandIn("igl") as server:
        dry = probe(*igl_flow(server, "--dry-run"), env=IGL_ENV)
        sent = len(server.seen)
    assert dry.exit_code == 0 and sent == 0
    assert f"GET {server.url}/oauth/authorize?client_id=1" in dry.stdout  # --api-base replaced www.instagram.com
    assert "access token: the token step's token" in dry.stdout


def test_expect_must_be_a_verdict_of_the_flow():
    result = probe(*IGL, "--expect", "removed", env=TOKEN_ONLY)
    assert result.exit_code == 2
    assert "--expect removed is not a verdict of the instagram-login flow (use works)" in result.stderr
    assert probe("--expect", "works", env=TOKEN_ONLY).exit_code == 2


# ---- bounds --------------------------------------------------------------------------------------------


def test_a_dripping_host_is_unreachable_within_the_timeout():
    with StandIn("igl", drip=1.0) as server:
        started = time.monotonic()
        result = probe(*igl_flow(server, "--timeout", "2", "--format", "json"), env=IGL_ENV)
        elapsed = time.monotonic() - started
    doc = json.loads(result.stdout)
    assert result.exit_code == 3, result.output
    ran = [s for s in doc["steps"] if s["verdict"] != "skipped"]
    assert {s["verdict"] for s in ran} == {"unreachable"} and len(ran) == 7
    assert ran[0]["evidence"]["detail"] == "timeout after 3 attempts"  # retries included
    assert ran[1]["evidence"]["detail"] == "timeout: not sent, 127.0.0.1 timed out on step authorize"
    assert elapsed < 20  # safety cap only; the verdicts above are the check


def test_a_dripping_status_line_is_cut_at_the_deadline():
    with StandIn("removed", drip=0.05, drip_headers=True) as server:
        transport = Transport(timeout=0.5, retries=0, backoff=0, max_requests=5)
        out = transport.send(Request("me", "GET", f"{server.url}/me", None, False))
    assert (out.failure, out.status, out.attempts) == ("timeout", None, 1)
    assert out.elapsed_ms < 5000  # safety cap: a per-read timeout would run for the whole drip


def test_the_run_deadline_cuts_every_step():
    with StandIn("removed", drip=1.0) as server:
        result = probe(*bases(server), "--timeout", "30", "--deadline", "1", "--format", "json", env=TOKEN_ONLY)
    doc = json.loads(result.stdout)
    ran = [s for s in doc["steps"] if s["verdict"] != "skipped"]
    assert [s["verdict"] for s in ran] == ["unreachable"] * 3
    assert ran[0]["evidence"]["detail"] == "deadline after 1 attempt"
    assert ran[1]["evidence"]["detail"] == "deadline: not sent, the run deadline (--deadline) had passed"


def test_deep_json_is_one_inconclusive_step_not_a_lost_run():
    with StandIn("deep") as server:
        result = probe(*bases(server), env=TOKEN_ONLY)
    assert result.exit_code == 0, result.output
    me_row = next(line for line in result.stdout.splitlines() if line.startswith("me "))
    assert "inconclusive" in me_row and "JSON nested deeper than 200 levels: not parsed" in me_row
    assert "summary: inconclusive" in result.stdout


def test_bodies_are_capped(monkeypatch):
    monkeypatch.setattr(probe_http, "MAX_BODY", 100)
    with StandIn("removed") as server:
        doc = as_json(probe(*bases(server), "--format", "json", env=TOKEN_ONLY))
    me = next(s for s in doc["steps"] if s["step"] == "me")
    assert me["evidence"]["truncated"] is True


def test_a_failure_inside_one_step_is_that_steps_verdict(monkeypatch):
    real = Transport.send

    def send(self, req):
        if "/me?" in req.url:
            raise RuntimeError("boom " + req.url)
        return real(self, req)

    monkeypatch.setattr(Transport, "send", send)
    with StandIn("removed") as server:
        doc = as_json(probe(*bases(server), "--format", "json", env=TOKEN_ONLY))
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["me"]["verdict"] == "unreachable"
    assert steps["me"]["evidence"]["detail"] == "error: not sent, internal error (RuntimeError)"
    assert steps["media"]["verdict"] == "removed"


@pytest.mark.parametrize("failure", ["deadline", "protocol", "error"])
def test_new_failure_kinds_replay(tmp_path, failure):
    from igmigrate.probe import record
    from igmigrate.probe.model import Exchange

    path = tmp_path / "rec.json"
    ex = Exchange("me", "GET", "u", failure=failure, attempts=1, flow="instagram-login", not_sent=None,
                  findings=[{"path": "a.py", "line": 3, "rule_id": "IGM114"}], call="GET graph.instagram.com/me")
    record.save(path, [ex])
    assert record.load(path) == [ex]


# ---- secrets and terminal safety -------------------------------------------------------------------


def _decode_all(text: str) -> str:
    """Undo JSON escapes, percent-encoding and HTML entities, three levels deep."""
    import html
    import re
    from urllib.parse import unquote

    for _ in range(3):
        text = html.unescape(unquote(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)))
    return text


@pytest.mark.parametrize("flow", ["basic-display", "instagram-login"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_escaped_echoes_of_secrets_never_come_out(tmp_path, flow, output):
    recording = tmp_path / "rec.json"
    with StandIn("echo-escaped") as server:
        result = probe("--flow", flow, "--app-id", "1", "--redirect-uri", REDIRECT, "--user-id", "17841",
                       *bases(server), "--format", output, "--record", str(recording), env=IGL_ENV)
        echoed = [s for s in server.seen if s.query.get("access_token")]
    assert result.exit_code == 0, result.output
    assert echoed  # the server did get the token, and echoed it back encoded
    replayed = probe("--replay", str(recording), "--format", output)
    for text in (result.stdout, result.stderr, recording.read_text(), replayed.stdout):
        decoded = _decode_all(text)
        for secret in IGL_ENV.values():
            assert secret not in decoded
    if output == "text":  # escape sequences from the server are shown, never sent to the terminal
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\\x1b[2J" in result.stdout


# ---- https and hostile answers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (made by the openssl command, when installed)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


def test_https_is_verified_and_bounded(certificate, monkeypatch):
    import ssl

    request = Request("me", "GET", "/me?access_token=x", None, True)
    with StandIn("removed", tls=certificate) as server:
        url = server.url + request.url
        untrusted = Transport(timeout=2, retries=0, backoff=0, max_requests=5).send(Request("me", "GET", url, None, True))
        trusting = ssl.create_default_context(cafile=certificate[0])
        monkeypatch.setattr(probe_http, "_CONTEXT", trusting)
        trusted = Transport(timeout=2, retries=0, backoff=0, max_requests=5).send(Request("me", "GET", url, None, True))
    assert (untrusted.failure, untrusted.status) == ("tls", None)  # a self-signed certificate is refused
    assert (trusted.failure, trusted.status) == (None, 400) and "Unsupported request" in trusted.body
    with StandIn("removed", tls=certificate, drip=0.2) as server:
        slow = Transport(timeout=0.5, retries=0, backoff=0, max_requests=5).send(
            Request("me", "GET", server.url + "/me", None, False))
    assert slow.failure == "timeout"  # the watchdog also cuts a request inside TLS


_RAW_ANSWERS = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda status, head, body: b"HTTP/1.1 " + status + b"\r\n" + head + b"\r\n\r\n" + body,
              st.sampled_from([b"200 OK", b"400 X", b"302 Found", b"999 ?", b"abc", b""]),
              st.binary(max_size=80), st.binary(max_size=200)),
)


class _Raw:
    """A TCP server on 127.0.0.1 that answers each connection with the next bytes it is given."""

    def __init__(self):
        import socket
        import threading

        self.answer = b""
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(2)
                    conn.recv(65536)
                    conn.sendall(self.answer)
                except OSError:
                    pass


@pytest.fixture(scope="module")
def raw_server():
    server = _Raw()
    yield server
    server.sock.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=_RAW_ANSWERS)
def test_hostile_raw_answers_are_a_status_or_a_failure(raw_server, answer):
    from igmigrate.probe.model import FAILURES, Exchange
    from igmigrate.probe.signatures import classify, load_signatures

    raw_server.answer = answer
    out = Transport(timeout=2, retries=0, backoff=0, max_requests=5).send(
        Request("me", "GET", raw_server.url + "/me", None, False))
    assert (out.status is None) != (out.failure is None)
    assert out.failure is None or out.failure in FAILURES
    ex = Exchange("me", "GET", "u", status=out.status, headers=out.headers, body=out.body, failure=out.failure,
                  attempts=out.attempts, flow="instagram-login")
    assert classify(ex, load_signatures()).verdict in ("unreachable", "inconclusive", "works", "broken")
