"""Unit tests of the probe's parts: signatures, masking, steps, safety, recordings, summaries."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igmigrate.knowledge import KnowledgeBaseError
from igmigrate.probe import record, runner
from igmigrate.probe.masking import Masker
from igmigrate.probe.model import Exchange, StepResult
from igmigrate.probe.safety import UsageError, check_base, check_secret_hosts
from igmigrate.probe.signatures import classify, load_signatures
from igmigrate.probe.steps import Inputs, plan

SIGS = load_signatures()


def _graph_error(message: str, type_: str, code: int, subcode: int | None = None) -> str:
    err = {"message": message, "type": type_, "code": code, "fbtrace_id": "A1"}
    if subcode is not None:
        err["error_subcode"] = subcode
    return json.dumps({"error": err})


def _ex(step: str, status: int, body: str = "", flow: str = "basic-display", token_kind: str | None = None,
        **headers: str) -> Exchange:
    return Exchange(step=step, method="POST" if step == "token" else "GET", url="u", status=status,
                    headers={k.replace("_", "-"): v for k, v in headers.items()}, body=body, attempts=1, flow=flow,
                    token_kind=token_kind)


def _igl(step: str, status: int, body: str = "", **more) -> Exchange:
    return _ex(step, status, body, flow="instagram-login", **more)


UNSUPPORTED = _graph_error("Unsupported request - method type: get", "IGApiException", 100)


# The answers of section 3 (and the success shapes of section 1.1) of the fact sheet, with the
# verdict and signature each must get.
SAMPLES = [
    ("authorize", _ex("authorize", 200, "<p>Invalid request: Request parameters are invalid: Invalid scope: user_profile</p>"),
     "removed", "authorize-invalid-scope-user-profile"),
    ("authorize-de", _ex("authorize", 200, "<p>Ung&uuml;ltige Anfrage: Anfrageparameter sind ung&uuml;ltig: "
                                          "Invalid scope: user_profile</p>"),
     "removed", "authorize-invalid-scope-user-profile"),
    ("refresh-100", _ex("refresh", 400, _graph_error("Unsupported request - method type: get", "IGApiException", 100)),
     "removed", "graph-unsupported-get"),
    ("media-100", _ex("media", 400, _graph_error("Unsupported request - method type: get", "IGApiException", 100)),
     "removed", "graph-unsupported-get"),
    ("authorize-platform", _ex("authorize", 200, "Invalid request: Request parameters are invalid: Invalid platform app"),
     "inconclusive", "invalid-platform-app"),
    ("token-platform", _ex("token", 400, json.dumps(
        {"error_type": "OAuthException", "code": 400, "error_message": "Invalid Platform App"})),
     "inconclusive", "invalid-platform-app"),
    ("me-190-expired", _ex("me", 400, _graph_error(
        "Error validating access token: Session has expired on Friday.", "OAuthException", 190, 463)),
     "inconclusive", "token-invalid-190"),
    ("refresh-190-invalidated", _ex("refresh", 400, _graph_error(
        "Error validating access token: The session has been invalidated because the user changed their "
        "password or Facebook has changed the session for security reasons.", "OAuthException", 190)),
     "inconclusive", "token-invalid-190"),
    ("token-code-used", _ex("token", 400, json.dumps(
        {"error_type": "OAuthException", "code": 400,
         "error_message": "Matching code was not found or was already used"})),
     "inconclusive", "oauth-code-not-found"),
    ("user-missing", _ex("user", 400, _graph_error(
        "Unsupported get request. Object with ID '1' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation", "IGApiException", 100, 33)),
     "inconclusive", "graph-object-not-found"),
    ("media-permission", _ex("media", 403, _graph_error(
        "Application does not have permission for this action", "IGApiException", 10)),
     "inconclusive", "permission-denied-10"),
    ("authorize-429", _ex("authorize", 429, "<title>Page not found</title>Error"),
     "inconclusive", "rate-limited-http"),
    ("me-rate-limit", _ex("me", 400, _graph_error("Application request limit reached", "OAuthException", 4)),
     "inconclusive", "rate-limited-graph"),
    ("me-503", _ex("me", 503, "Service Unavailable"), "inconclusive", "server-error"),
    ("authorize-code", _ex("authorize", 302, "", location="https://example.com/auth/?code=***#_"),
     "alive", "authorize-redirect-with-code"),
    ("token-ok", _ex("token", 200, json.dumps({"access_token": "***", "user_id": 17841405793187218})),
     "alive", "token-issued"),
    ("me-ok", _ex("me", 200, json.dumps({"id": "1784", "username": "jayposiris"})), "alive", "user-node"),
    ("user-ok", _ex("user", 200, json.dumps({"id": "1784", "username": "jayposiris"})), "alive", "user-node"),
    ("media-ok", _ex("media", 200, json.dumps({"data": [{"id": "1"}], "paging": {}})), "alive", "media-list"),
    ("exchange-ok", _ex("exchange", 200, json.dumps({"access_token": "***", "token_type": "bearer",
                                                      "expires_in": 5183944})),
     "alive", "long-lived-token"),
    ("refresh-ok", _ex("refresh", 200, json.dumps({"access_token": "***", "token_type": "bearer",
                                                    "expires_in": 5183944})),
     "alive", "long-lived-token"),
]

# The Instagram Login flow: documented success answers (business-login guide, references) and the
# failures of section 3 seen from the successor's side.
IGL_SAMPLES = [
    ("igl-authorize-page", _igl("authorize", 200, "<html><title>Instagram</title><form>Log in</form></html>"),
     "works", "igl-authorize-login-page"),
    ("igl-authorize-code", _igl("authorize", 302, "", location="https://example.com/auth/?code=***#_"),
     "works", "igl-authorize-redirect-with-code"),
    ("igl-authorize-denied", _igl("authorize", 302, "", location="https://example.com/auth/?error=access_denied"
                                  "&error_reason=user_denied&error_description=The+user+denied+your+request"),
     "inconclusive", "igl-authorize-denied"),
    ("igl-authorize-login-redirect", _igl("authorize", 302, "", location="https://www.instagram.com/accounts/login/"),
     "inconclusive", "igl-authorize-login-redirect"),
    ("igl-authorize-scope", _igl("authorize", 200, "<p>Invalid request: Request parameters are invalid: "
                                                   "Invalid scope: business_basic</p>"),
     "broken", "igl-invalid-scope"),
    ("igl-authorize-platform", _igl("authorize", 200, "Invalid request: Request parameters are invalid: "
                                                      "Invalid platform app"),
     "broken", "igl-app-not-set-up"),
    ("igl-token-platform", _igl("token", 400, json.dumps(
        {"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"})),
     "broken", "igl-app-not-set-up"),
    ("igl-token-ok", _igl("token", 200, json.dumps({"data": [{"access_token": "***", "user_id": "1784",
                                                              "permissions": "instagram_business_basic"}]})),
     "works", "igl-token-issued"),
    ("igl-token-flat", _igl("token", 200, json.dumps({"access_token": "***", "user_id": 1784})),
     "inconclusive", "igl-token-flat-shape"),
    ("igl-token-code-used", _igl("token", 400, json.dumps(
        {"error_type": "OAuthException", "code": 400,
         "error_message": "Matching code was not found or was already used"})),
     "inconclusive", "oauth-code-not-found"),
    ("igl-exchange-ok", _igl("exchange", 200, json.dumps({"access_token": "***", "token_type": "bearer",
                                                          "expires_in": 5183944})),
     "works", "igl-long-lived-token"),
    ("igl-me-ok", _igl("me", 200, json.dumps({"user_id": "1784", "username": "probe_user", "id": "99"})),
     "works", "igl-user-node"),
    ("igl-me-without-user-id", _igl("me", 200, json.dumps({"id": "99", "username": "probe_user"})),
     "inconclusive", "igl-user-node-without-user-id"),
    ("igl-media-ok", _igl("media", 200, json.dumps({"data": [{"id": "1"}]})), "works", "igl-media-list"),
    ("igl-me-shutdown", _igl("me", 400, UNSUPPORTED), "broken", "igl-shutdown-answer"),
    ("igl-me-bd-token", _igl("me", 400, UNSUPPORTED, token_kind="basic-display"),
     "broken", "igl-basic-display-token"),
    ("igl-refresh-190", _igl("refresh", 400, _graph_error("Error validating access token: Session has expired.",
                                                          "OAuthException", 190)),
     "inconclusive", "token-invalid-190"),
    ("igl-me-429", _igl("me", 429, "Too many"), "inconclusive", "rate-limited-http"),
]
SAMPLES += IGL_SAMPLES


@pytest.mark.parametrize("name,ex,verdict,signature", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_fact_sheet_answers_get_their_verdict(name, ex, verdict, signature):
    result = classify(ex, SIGS)
    assert (result.verdict, result.signature) == (verdict, signature)
    assert result.evidence["note"]


def test_every_signature_has_a_sample_and_a_source():
    covered = {s[3] for s in SAMPLES}
    assert {s.id for s in SIGS} == covered
    assert all(s.sources for s in SIGS)


def test_evidence_carries_error_fields():
    ex = _ex("me", 400, _graph_error("Unsupported request - method type: get", "IGApiException", 100))
    evidence = classify(ex, SIGS).evidence
    assert evidence["error"] == {"type": "IGApiException", "code": 100, "subcode": None,
                                 "message": "Unsupported request - method type: get"}
    assert evidence["matched"] == ["Unsupported request - method type: get"]
    assert "not proof" in evidence["note"].lower()


@pytest.mark.parametrize("ex", [
    # the removal text on a step the signature does not name
    _ex("authorize", 400, _graph_error("Unsupported request - method type: get", "IGApiException", 100)),
    # same message, wrong error type
    _ex("me", 400, _graph_error("Unsupported request - method type: get", "OAuthException", 100)),
    # a success status without the expected keys
    _ex("me", 200, json.dumps({"data": []})),
    # a redirect without a code (e.g. to a login page)
    _ex("authorize", 302, "", location="https://www.instagram.com/accounts/login/?next=/oauth/authorize"),
    _ex("me", 418, "I'm a teapot"),
], ids=["wrong-step", "wrong-type", "wrong-keys", "login-redirect", "unknown"])
def test_unknown_answers_are_inconclusive_without_signature(ex):
    result = classify(ex, SIGS)
    assert (result.verdict, result.signature) == ("inconclusive", None)


def test_failures_and_skips_are_not_answers():
    unreachable = classify(Exchange("me", "GET", "u", failure="timeout", attempts=3), SIGS)
    assert (unreachable.verdict, unreachable.evidence["detail"]) == ("unreachable", "timeout after 3 attempts")
    skipped = classify(Exchange("user", "GET", None, skipped="missing --user-id"), SIGS)
    assert (skipped.verdict, skipped.evidence["detail"]) == ("skipped", "missing --user-id")


# ---- probe.yaml schema -------------------------------------------------------------------------

GOOD = {"id": "x-sig", "verdict": "removed", "when": {"status": 400}, "note": "n", "sources": ["s"]}


@pytest.mark.parametrize("change,problem", [
    ({"verdict": "dead"}, "signature x-sig: verdict 'dead'"),
    ({"steps": ["login"]}, "signature x-sig: step 'login'"),
    ({"when": {}}, "signature x-sig: when must be a non-empty mapping"),
    ({"when": {"status": "4xy"}}, "signature x-sig: when.status '4xy'"),
    ({"when": {"error_code": "100"}}, "signature x-sig: when.error_code must be an integer"),
    ({"when": {"body_regex": "x"}}, "signature x-sig: unknown condition 'when.body_regex'"),
    ({"note": ""}, "signature x-sig: note must say"),
    ({"sources": []}, "signature x-sig: sources must list"),
    ({"id": "Bad Id"}, "signature Bad Id: id must be"),
    ({"colour": "red"}, "signature x-sig: unknown key 'colour'"),
])
def test_malformed_signature_names_file_signature_and_problem(tmp_path, change, problem):
    path = tmp_path / "probe.yaml"
    path.write_text(json.dumps({"schema_version": 1, "signatures": [{**GOOD, **change}]}))
    with pytest.raises(KnowledgeBaseError) as info:
        load_signatures(path)
    assert str(info.value).startswith(f"probe.yaml: {problem}")


def test_duplicate_ids_and_bad_documents_are_rejected(tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text(json.dumps({"schema_version": 1, "signatures": [GOOD, GOOD]}))
    with pytest.raises(KnowledgeBaseError, match="probe.yaml: signature x-sig: duplicate id"):
        load_signatures(path)
    path.write_text("signatures: [\n")
    with pytest.raises(KnowledgeBaseError, match=r"probe.yaml: line \d+ invalid YAML"):
        load_signatures(path)
    path.write_text("schema_version: 2\nsignatures: []\n")
    with pytest.raises(KnowledgeBaseError, match="schema_version: 1"):
        load_signatures(path)


# ---- masking -----------------------------------------------------------------------------------

SECRET_TEXT = st.text(alphabet="abcXYZ0189-_.~+/=#%&? ", min_size=8, max_size=40)


@settings(max_examples=150, deadline=None)
@given(secret=SECRET_TEXT, name=st.sampled_from(["access_token", "client_secret", "code", "other"]))
def test_masked_text_never_holds_a_known_secret(secret, name):
    masker = Masker([secret])
    text = (f"GET /me?{name}={quote(secret, safe='')}&x={quote_plus(secret)} "
            f"raw {secret} json {json.dumps({name: secret})} form name=\"{name}\"\r\n\r\n{secret}\r\n")
    masked = masker.text(text)
    for variant in (secret, quote(secret, safe=""), quote_plus(secret)):
        assert variant not in masked


def _escaped_forms(secret: str) -> list[str]:
    """What a hostile server may echo: every character JSON-escaped, percent-encoded, or an HTML
    entity (decimal and hex), and one encoding inside another."""
    json_escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in secret)
    percent = "".join(f"%{b:02X}" for b in secret.encode())
    return [json_escaped, percent, "".join(f"&#{ord(c)};" for c in secret),
            "".join(f"&#x{ord(c):x};" for c in secret), percent.replace("%", "%25"), html.escape(json_escaped)]


def _decode_all(text: str) -> str:
    """Undo JSON escapes, percent-encoding and HTML entities, repeatedly (as a reader could)."""
    for _ in range(3):
        text = html.unescape(unquote(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)))
    return text


@settings(max_examples=60, deadline=None)
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=40))
def test_escaped_echoes_of_a_known_secret_are_masked(secret):
    masker = Masker([secret])
    for form in _escaped_forms(secret):
        masked = masker.text(f'{{"error": {{"message": "echo {form} end"}}}}')
        assert secret not in _decode_all(masked), form


def test_unknown_secrets_are_masked_by_name_and_other_values_are_kept():
    masker = Masker()
    text = ('{"access_token": "IGQVJnew", "user_id": 17841, "code": 400} '
            "https://example.com/auth/?code=AQBnew#_ response_type=code error_code=5 "
            "client_secret%3Dabc4f2 refresh_token=r1")
    # (a bare name, `client_secret=abc`, reads as a reference to a variable and is kept: masking.py)
    assert masker.text(text) == ('{"access_token": "***", "user_id": 17841, "code": 400} '
                                 "https://example.com/auth/?code=***#_ response_type=code error_code=5 "
                                 "client_secret%3D*** refresh_token=***")
    assert masker.mapping({"client_id": "1", "client_secret": "s", "code": "c"}) == \
        {"client_id": "1", "client_secret": "***", "code": "***"}


# ---- steps and safety --------------------------------------------------------------------------


def test_plan_builds_the_tutorial_requests():
    inputs = Inputs(app_id="1", redirect_uri="https://example.com/auth/", user_id="17/84",
                    app_secret="s3", auth_code="c0", access_token="t0")
    planned = {p.step: p.request for p in plan(inputs, "https://api.instagram.com", "https://graph.instagram.com/")}
    assert planned["authorize"].url == ("https://api.instagram.com/oauth/authorize?client_id=1&redirect_uri="
                                        "https://example.com/auth/&scope=user_profile,user_media&response_type=code")
    assert not planned["authorize"].carries_secret
    assert planned["token"].method == "POST"
    assert planned["token"].form == {"client_id": "1", "client_secret": "s3", "grant_type": "authorization_code",
                                     "redirect_uri": "https://example.com/auth/", "code": "c0"}
    assert planned["user"].url == "https://graph.instagram.com/17%2F84?fields=id,username&access_token=t0"
    assert planned["me"].url == "https://graph.instagram.com/me?fields=id,username&access_token=t0"
    assert planned["media"].url.startswith("https://graph.instagram.com/me/media?")
    assert planned["exchange"].url == ("https://graph.instagram.com/access_token?grant_type=ig_exchange_token"
                                       "&client_secret=s3&access_token=t0")
    assert planned["refresh"].url == ("https://graph.instagram.com/refresh_access_token?"
                                      "grant_type=ig_refresh_token&access_token=t0")


def test_plan_names_missing_inputs():
    reasons = {p.step: p.skip_reason() for p in plan(Inputs(app_id="1"), "https://a", "https://g") if not p.request}
    assert reasons["authorize"] == "missing --redirect-uri"
    assert reasons["token"] == "missing IGMIGRATE_APP_SECRET, --redirect-uri, IGMIGRATE_AUTH_CODE"
    assert reasons["user"] == "missing --user-id, IGMIGRATE_ACCESS_TOKEN"


@pytest.mark.parametrize("url", ["https://graph.instagram.com", "http://127.0.0.1:8080", "http://localhost:1/x",
                                 "http://[::1]:9", "https://stand-in.example.invalid/prefix"])
def test_accepted_bases(url):
    assert check_base("--graph-base", url) == url


@pytest.mark.parametrize("url,problem", [
    ("http://graph.example.invalid", "refusing plain http:// to graph.example.invalid"),
    ("ftp://127.0.0.1", "must be an http(s) URL"),
    ("https://user:pw@127.0.0.1", "must not carry credentials"),
    ("https://127.0.0.1:99999", "is not a valid URL"),
    ("graph.instagram.com", "must be an http(s) URL"),
])
def test_refused_bases(url, problem):
    with pytest.raises(UsageError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_base("--graph-base", url)


def test_secrets_go_only_to_instagram_loopback_or_allowed_hosts():
    inputs = Inputs(app_id="1", redirect_uri="https://example.com/", access_token="t")
    check_secret_hosts(plan(inputs, "https://api.instagram.com", "https://graph.instagram.com"), [])
    check_secret_hosts(plan(inputs, "https://anything.example.invalid", "http://127.0.0.1:1"), [])
    away = plan(inputs, "https://api.instagram.com", "https://graph.example.invalid")
    with pytest.raises(UsageError, match="refusing to send secrets to graph.example.invalid .step me.; "
                                         "pass --allow-host graph.example.invalid"):
        check_secret_hosts(away, [])
    check_secret_hosts(away, ["GRAPH.example.invalid"])


# ---- recordings and summaries ------------------------------------------------------------------


def test_recording_round_trips(tmp_path: Path):
    exchanges = [SAMPLES[0][1], Exchange("me", "GET", "u", failure="dns", attempts=3, elapsed_ms=7),
                 Exchange("user", "GET", None, skipped="missing --user-id")]
    path = tmp_path / "rec.json"
    record.save(path, exchanges)
    assert record.load(path) == exchanges
    assert [p.name for p in tmp_path.iterdir()] == ["rec.json"]  # the temp file was renamed away


@pytest.mark.parametrize("content,problem", [
    (None, "not found"),
    ("{not json", "not valid JSON"),
    ('{"schema_version": 1, "exchanges": []}', "not an igmigrate probe recording"),
    ('{"schema_version": 1, "kind": "igmigrate-probe-recording", "exchanges": []}', "'exchanges' must be a non-empty list"),
    ('{"schema_version": 1, "kind": "igmigrate-probe-recording", "exchanges": [{"step": "login", "method": "GET"}]}',
     "exchange 1: step must be one of"),
    ('{"schema_version": 1, "kind": "igmigrate-probe-recording", "exchanges": [{"step": "me", "method": "GET", '
     '"status": "400"}]}', "exchange 1: 'status' must be an integer or null"),
    ('{"schema_version": 1, "kind": "igmigrate-probe-recording", "exchanges": [{"step": "me", "method": "GET"}]}',
     "exchange 1: needs a status, a failure or a skip reason"),
])
def test_bad_recordings_name_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(record.ReplayError) as info:
        record.load(path)
    assert str(info.value).startswith(f"replay file {path}: {problem}")


def _results(*verdicts: str, flow: str = "basic-display"):
    return [StepResult(Exchange("me", "GET", flow=flow), v, None, {}) for v in verdicts]


@pytest.mark.parametrize("verdicts,expect,overall,code", [
    (("removed", "inconclusive", "skipped"), None, "removed", 0),
    (("removed", "removed"), "removed", "removed", 0),
    (("removed", "inconclusive"), "removed", "removed", 1),
    (("alive", "alive", "skipped"), "alive", "alive", 0),
    (("alive", "removed"), None, "inconclusive", 0),
    (("unreachable", "unreachable", "skipped"), "removed", "unreachable", 3),
    (("unreachable", "removed"), "removed", "removed", 1),
    (("skipped",), "removed", "skipped", 1),
])
def test_summary_and_exit_code(verdicts, expect, overall, code):
    results = _results(*verdicts)
    assert runner.summarize(results)["verdict"] == overall
    assert runner.exit_code(results, expect) == code


@pytest.mark.parametrize("verdicts,expect,overall,code", [
    (("works", "works", "skipped"), "works", "works", 0),
    (("works", "inconclusive"), "works", "inconclusive", 1),
    (("works", "broken"), "works", "broken", 1),
    (("works", "unreachable"), "works", "inconclusive", 1),
    (("unreachable", "skipped"), "works", "unreachable", 3),
])
def test_instagram_login_summary_and_expect_works(verdicts, expect, overall, code):
    results = _results(*verdicts, flow="instagram-login")
    summary = runner.summarize(results)
    assert summary["verdict"] == overall
    assert set(summary) == {"verdict", "works", "broken", "inconclusive", "unreachable", "skipped"}
    assert runner.exit_code(results, expect) == code
