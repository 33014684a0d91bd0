"""`igmigrate probe` end to end, against a real local HTTP server standing in for Instagram."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote, quote_plus

import jsonschema
import pytest
from typer.testing import CliRunner

from igmigrate.cli import app
from igmigrate.knowledge import KnowledgeBaseError
from igmigrate.probe import runner as probe_runner
from igmigrate.probe import signatures as probe_signatures
from igmigrate.probe.model import ALL_VERDICTS
from igmigrate.probe.steps import SECRET_ENV, STEP_NAMES
from probe_server import ISSUED_CODE, ISSUED_LONG_TOKEN, ISSUED_TOKEN, StandIn

# Secrets with characters that change under URL and form encoding, so every encoding is checked.
SECRETS = {
    "IGMIGRATE_APP_SECRET": "appSECRET-4f2a9c/x+y=z",
    "IGMIGRATE_AUTH_CODE": "AQDauthCODE value#_9z",
    "IGMIGRATE_ACCESS_TOKEN": "IGQVJsecretTOKEN_0123456789+/=abc",
}
TOKEN_ONLY = {"IGMIGRATE_ACCESS_TOKEN": SECRETS["IGMIGRATE_ACCESS_TOKEN"]}
# Loopback (a closed port), so even a redirect-following bug could not send anything off this machine.
REDIRECT = "http://127.0.0.1:9/auth/"

SITE = {"type": "object", "additionalProperties": False, "required": ["path", "line", "rule_id"],
        "properties": {"path": {"type": "string"}, "line": {"type": "integer"}, "rule_id": {"type": "string"}}}
OUTPUT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["schema_version", "flow", "steps", "summary"],
    "properties": {
        "schema_version": {"const": 1},
        "flow": {"enum": ["basic-display", "instagram-login", "mixed"]},
        "steps": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["step", "flow", "method", "url", "status", "verdict", "signature", "evidence", "elapsed_ms"],
            "properties": {
                "step": {"enum": list(STEP_NAMES)},
                "flow": {"enum": ["basic-display", "instagram-login"]},
                "method": {"enum": ["GET", "POST"]},
                "url": {"type": ["string", "null"]},
                "status": {"type": ["integer", "null"]},
                "verdict": {"enum": list(ALL_VERDICTS)},
                "signature": {"type": ["string", "null"]},
                "evidence": {"type": "object", "required": ["detail"]},
                "elapsed_ms": {"type": "integer", "minimum": 0},
                "call": {"type": ["string", "null"]},
                "findings": {"type": "array", "items": SITE},
            },
        }},
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": ["verdict", "inconclusive", "unreachable", "skipped"],
            "properties": {"verdict": {"enum": list(ALL_VERDICTS)},
                           **{v: {"type": "integer", "minimum": 0} for v in ALL_VERDICTS}},
        },
        "not_probed": {"type": "array", "items": {**SITE, "required": ["path", "line", "rule_id", "reason"],
                                                  "properties": {**SITE["properties"], "reason": {"type": "string"}}}},
    },
}


def probe(*args: str, env: dict[str, str] | None = None):
    """Run `igmigrate probe`; the developer's own IGMIGRATE_* variables never reach the test."""
    full_env: dict[str, str | None] = {var: None for var in SECRET_ENV.values()}
    full_env.update(env or {})
    extra = [] if "--backoff" in args else ["--backoff", "0.001"]
    return CliRunner().invoke(app, ["probe", *args, *extra], env=full_env)


def bases(server: StandIn) -> list[str]:
    return ["--api-base", server.url, "--graph-base", server.url]


def flow(server: StandIn, *more: str) -> list[str]:
    """The issue's command, plus a user id so every step can run."""
    return ["--app-id", "1", "--redirect-uri", REDIRECT, "--user-id", "17841", *bases(server), *more]


def as_json(result) -> dict:
    assert result.exit_code in (0, 1, 3), result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, OUTPUT_SCHEMA)
    return doc


def verdicts(doc: dict) -> dict[str, tuple[str, str | None]]:
    return {s["step"]: (s["verdict"], s["signature"]) for s in doc["steps"]}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def secret_forms() -> list[str]:
    forms = []
    for value in [*SECRETS.values(), ISSUED_CODE, ISSUED_TOKEN, ISSUED_LONG_TOKEN]:
        forms += [value, quote(value, safe=""), quote_plus(value)]
    return forms


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for form in secret_forms():
            assert form not in text, f"secret leaked: {form!r}"


# ---- verdicts ------------------------------------------------------------------------------------


def test_after_shutdown_stand_in_reports_removed():
    with StandIn("removed") as server:
        doc = as_json(probe(*flow(server, "--format", "json"), env=SECRETS))
    got = verdicts(doc)
    for step in ("authorize", "user", "me", "media", "exchange", "refresh"):
        assert got[step][0] == "removed", step
    assert got["authorize"][1] == "authorize-invalid-scope-user-profile"
    assert got["me"][1] == "graph-unsupported-get"
    assert got["token"] == ("inconclusive", "invalid-platform-app")
    me = next(s for s in doc["steps"] if s["step"] == "me")
    assert me["status"] == 400
    assert me["evidence"]["error"]["code"] == 100
    assert me["url"].endswith("access_token=***")
    assert doc["summary"] == {"verdict": "removed", "removed": 6, "alive": 0, "inconclusive": 1,
                              "unreachable": 0, "skipped": 0}


def test_issue_command_text_output_against_removed_stand_in():
    with StandIn("removed") as server:
        result = probe("--app-id", "1", "--redirect-uri", REDIRECT, *bases(server), env=TOKEN_ONLY)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.split()[:1] and
            line.split()[0] in STEP_NAMES}
    for step in ("authorize", "me", "media", "refresh"):
        assert "  removed  " in rows[step], rows[step]
    assert "skipped" in rows["user"] and "missing --user-id" in rows["user"]
    assert "missing IGMIGRATE_APP_SECRET, IGMIGRATE_AUTH_CODE" in rows["token"]
    assert "summary: removed (4 removed, 0 alive, 0 inconclusive, 0 unreachable, 3 skipped)" in result.stdout
    assert "consistent with basic display removal" in result.stdout.lower()


def test_alive_stand_in_reports_alive_and_redirects_are_not_followed():
    with StandIn("alive") as server:
        redirect = f"{server.url}/landing/"  # following the redirect would hit the stand-in
        doc = as_json(probe("--app-id", "1", "--redirect-uri", redirect, "--user-id", "17841", *bases(server),
                            "--format", "json", "--expect", "alive", env=SECRETS))
        paths = server.paths()
    assert {v for v, _ in verdicts(doc).values()} == {"alive"}
    assert doc["summary"]["verdict"] == "alive"
    assert "/landing/" not in paths and len(paths) == 7
    authorize = doc["steps"][0]
    assert authorize["status"] == 302
    assert authorize["evidence"]["location"] == f"{redirect}?code=***#_"


def test_expired_tokens_are_inconclusive():
    with StandIn("expired") as server:
        doc = as_json(probe(*bases(server), "--format", "json", env=TOKEN_ONLY))
    ran = [s for s in doc["steps"] if s["verdict"] != "skipped"]
    assert [s["step"] for s in ran] == ["me", "media", "refresh"]
    assert all((s["verdict"], s["signature"]) == ("inconclusive", "token-invalid-190") for s in ran)
    assert ran[0]["evidence"]["error"]["subcode"] == 463


def test_token_step_posts_a_multipart_form():
    env = {k: SECRETS[k] for k in ("IGMIGRATE_APP_SECRET", "IGMIGRATE_AUTH_CODE")}
    with StandIn("alive") as server:
        result = probe("--app-id", "1", "--redirect-uri", REDIRECT, *bases(server), env=env)
        token = next(s for s in server.seen if s.path == "/oauth/access_token")
    assert result.exit_code == 0, result.output
    assert token.method == "POST"
    assert token.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    for name, value in (("client_id", "1"), ("client_secret", SECRETS["IGMIGRATE_APP_SECRET"]),
                        ("grant_type", "authorization_code"), ("redirect_uri", REDIRECT),
                        ("code", SECRETS["IGMIGRATE_AUTH_CODE"])):
        assert f'name="{name}"\r\n\r\n{value}\r\n'.encode() in token.body


# ---- retries, timeouts, budget, unreachable ------------------------------------------------------


def test_503_then_recovery_is_retried():
    with StandIn("removed", fail_first=2) as server:
        doc = as_json(probe(*bases(server), "--retries", "2", "--format", "json", env=TOKEN_ONLY))
        paths = server.paths()
    me = doc["steps"][3]
    assert (me["verdict"], me["evidence"]["attempts"]) == ("removed", 3)
    assert paths.count("/me") == 3


@pytest.mark.parametrize("status,signature", [(503, "server-error"), (429, "rate-limited-http")])
def test_retries_are_bounded(status, signature):
    with StandIn("removed", fail_first=1000, fail_status=status) as server:
        doc = as_json(probe(*bases(server), "--retries", "2", "--format", "json", env=TOKEN_ONLY))
        paths = server.paths()
    assert paths.count("/me") == 3 and len(paths) == 9  # 1 try + 2 retries for each of me, media, refresh
    assert verdicts(doc)["me"] == ("inconclusive", signature)


def test_too_slow_answers_time_out_within_bounds():
    with StandIn("removed", delay=3.0) as server:
        started = time.monotonic()
        result = probe("--app-id", "1", "--redirect-uri", REDIRECT, *bases(server),
                       "--timeout", "0.2", "--retries", "1", "--format", "json")
        elapsed = time.monotonic() - started
        seen = len(server.seen)
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert verdicts(doc)["authorize"] == ("unreachable", None)
    assert doc["steps"][0]["evidence"]["detail"] == "timeout after 2 attempts"
    assert seen == 2
    assert elapsed < 1.5  # 2 attempts x 0.2 s + tiny backoff, far below the server's 3 s


def test_max_requests_budget_counts_retries_and_skips_the_rest():
    with StandIn("removed", fail_first=1000) as server:
        doc = as_json(probe(*bases(server), "--retries", "5", "--max-requests", "4", "--format", "json",
                            env=TOKEN_ONLY))
        seen = len(server.seen)
    assert seen == 4
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["me"]["evidence"]["attempts"] == 4
    for step in ("media", "refresh"):
        assert steps[step]["verdict"] == "skipped"
        assert steps[step]["evidence"]["detail"] == "request budget used up (--max-requests 4)"


def test_nothing_reachable_exits_3():
    base = f"http://127.0.0.1:{closed_port()}"
    result = probe("--app-id", "1", "--redirect-uri", REDIRECT, "--api-base", base, "--graph-base", base,
                   "--retries", "1", "--format", "json", env=SECRETS)
    assert result.exit_code == 3, result.output
    assert "no endpoint could be reached" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"]["verdict"] == "unreachable"
    assert {s["evidence"]["detail"] for s in doc["steps"] if s["verdict"] != "skipped"} == \
        {"connection after 2 attempts"}
    assert_no_secret(result.stdout, result.stderr)


# ---- --expect ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode,env,expect,code", [
    ("removed", TOKEN_ONLY, "removed", 0),
    ("removed", TOKEN_ONLY, "alive", 1),
    ("alive", TOKEN_ONLY, "alive", 0),
    ("alive", TOKEN_ONLY, "removed", 1),
    ("removed", SECRETS, "removed", 1),  # the token step is inconclusive, so not every step matched
])
def test_expect_sets_the_exit_code(mode, env, expect, code):
    with StandIn(mode) as server:
        result = probe(*flow(server, "--expect", expect), env=env)
    assert result.exit_code == code, result.output
    if code == 1:
        assert f"expected {expect} for every step that ran; got" in result.stderr


# ---- safety --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["removed", "alive", "expired", "echo"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_no_secret_leaks_anywhere(tmp_path, mode, output):
    recording = tmp_path / "rec.json"
    with StandIn(mode) as server:
        result = probe(*flow(server, "--format", output, "--record", str(recording)), env=SECRETS)
        sent = b"".join(s.body for s in server.seen).decode(errors="replace") + "".join(
            str(s.query) for s in server.seen)
    assert result.exit_code == 0, result.output
    assert SECRETS["IGMIGRATE_APP_SECRET"] in sent  # the secrets did reach the (local) server...
    assert_no_secret(result.stdout, result.stderr, recording.read_text())  # ...and nothing else
    assert "access_token=***" in result.stdout


def test_dry_run_sends_nothing_and_masks(tmp_path):
    with StandIn("removed") as server:
        text = probe(*flow(server, "--dry-run"), env=SECRETS)
        as_json_result = probe(*flow(server, "--dry-run", "--format", "json"), env=SECRETS)
        seen = len(server.seen)
    assert seen == 0
    assert text.exit_code == 0 and as_json_result.exit_code == 0
    assert "dry run: nothing was sent" in text.stdout
    assert f"GET {server.url}/me?fields=id,username&access_token=***" in text.stdout
    assert "multipart form: client_id=1, client_secret=***, grant_type=authorization_code" in text.stdout
    doc = json.loads(as_json_result.stdout)
    jsonschema.validate(doc, OUTPUT_SCHEMA)
    assert {s["verdict"] for s in doc["steps"]} == {"skipped"}
    assert_no_secret(text.stdout, text.stderr, as_json_result.stdout)


@pytest.mark.parametrize("option", ["--api-base", "--graph-base"])
def test_plain_http_to_a_non_loopback_host_is_refused(option):
    result = probe("--app-id", "1", "--redirect-uri", REDIRECT, option, "http://stand-in.example.invalid",
                   env=TOKEN_ONLY)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"igmigrate probe: error: {option}: refusing plain http:// to "
                                     "stand-in.example.invalid (only loopback hosts may use http; use https)")
    assert result.stdout == ""


def test_secrets_to_other_hosts_need_allow_host():
    graph = "https://graph.example.invalid"
    refused = probe("--graph-base", graph, "--dry-run", env=TOKEN_ONLY)
    assert refused.exit_code == 2
    assert "refusing to send secrets to graph.example.invalid" in refused.stderr
    allowed = probe("--graph-base", graph, "--allow-host", "graph.example.invalid", "--dry-run", env=TOKEN_ONLY)
    assert allowed.exit_code == 0, allowed.output
    assert f"{graph}/me?fields=id,username&access_token=***" in allowed.stdout
    # Steps without secrets may go anywhere over https.
    no_secret = probe("--app-id", "1", "--redirect-uri", REDIRECT, "--api-base", graph, "--dry-run")
    assert no_secret.exit_code == 0


def test_internal_errors_are_one_masked_line(monkeypatch):
    token = SECRETS["IGMIGRATE_ACCESS_TOKEN"]

    def boom(*args, **kwargs):
        raise RuntimeError(f"failed on https://graph.instagram.com/me?access_token={token}")

    monkeypatch.setattr(probe_runner, "run_live", boom)
    with StandIn("removed") as server:
        result = probe(*bases(server), env=TOKEN_ONLY)
    assert result.exit_code == 2
    assert result.stderr == ("igmigrate probe: internal error: RuntimeError: failed on "
                             "https://graph.instagram.com/me?access_token=***\n")


# ---- usage errors --------------------------------------------------------------------------------


def test_no_inputs_is_a_usage_error():
    result = probe()
    assert result.exit_code == 2
    assert "nothing to probe" in result.stderr


def test_malformed_probe_yaml_exits_2(monkeypatch, tmp_path):
    (tmp_path / "probe.yaml").write_text("schema_version: 1\nsignatures:\n  - id: x\n    verdict: dead\n")
    monkeypatch.setattr(probe_signatures, "rules_dir", lambda: tmp_path)
    result = probe("--app-id", "1", "--redirect-uri", REDIRECT, "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("igmigrate probe: error: probe.yaml: signature x: verdict 'dead'")
    with pytest.raises(KnowledgeBaseError):
        probe_signatures.load_signatures()


def test_record_into_a_missing_directory_is_refused_before_sending(tmp_path):
    with StandIn("removed") as server:
        result = probe(*bases(server), "--record", str(tmp_path / "nope" / "rec.json"), env=TOKEN_ONLY)
        seen = len(server.seen)
    assert result.exit_code == 2 and seen == 0
    assert "directory does not exist" in result.stderr


# ---- record and replay ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode,fail_first", [("removed", 0), ("alive", 0), ("expired", 0), ("removed", 1)])
def test_replay_gives_the_live_verdicts(tmp_path, mode, fail_first):
    recording = tmp_path / "rec.json"
    with StandIn(mode, fail_first=fail_first) as server:
        live = probe(*flow(server, "--format", "json", "--record", str(recording)), env=SECRETS)
    # The server is gone and no secret is set: the replay is offline.
    replayed = probe("--replay", str(recording), "--format", "json")
    assert replayed.exit_code == live.exit_code
    assert json.loads(replayed.stdout) == json.loads(live.stdout)
    assert [p.name for p in tmp_path.iterdir()] == ["rec.json"]
    doc = json.loads(recording.read_text())
    assert doc["kind"] == "igmigrate-probe-recording" and len(doc["exchanges"]) == 7
    assert doc["exchanges"][0]["method"] == "GET" and doc["exchanges"][0]["status"] in (200, 302)


def test_replay_can_check_an_expectation_in_ci(tmp_path):
    recording = tmp_path / "rec.json"
    with StandIn("removed") as server:
        probe(*bases(server), "--record", str(recording), env=TOKEN_ONLY)
    assert probe("--replay", str(recording), "--expect", "removed").exit_code == 0
    assert probe("--replay", str(recording), "--expect", "alive").exit_code == 1


def test_bad_replay_file_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    result = probe("--replay", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"igmigrate probe: error: replay file {bad}: not an igmigrate probe recording")
    missing = probe("--replay", str(tmp_path / "missing.json"))
    assert missing.exit_code == 2 and "missing.json: not found" in missing.stderr
    both = probe("--replay", str(bad), "--record", str(tmp_path / "x.json"))
    assert both.exit_code == 2 and "cannot be combined" in both.stderr


def test_probe_is_registered_in_the_cli():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "probe" in result.stdout
