"""`igmigrate probe --from-scan`: the calls a saved scan found, probed and joined back to their call
sites by `igmigrate report --probe-results` (stand-ins on 127.0.0.1 only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_probe import REDIRECT, SECRETS, as_json, bases, probe
from typer.testing import CliRunner

from igmigrate.cli import app
from igmigrate.probe.fromscan import jobs_from_scan, load_call_rules
from igmigrate.probe.safety import UsageError
from probe_server import StandIn

# A small app of our own: a Basic Display login in Python, a feed in JavaScript.
APP_PY = '''import requests

GRAPH = "https://graph.instagram.com"
SCOPE = "user_profile,user_media"


def login_url(app_id, redirect):
    return f"https://api.instagram.com/oauth/authorize?client_id={app_id}&redirect_uri={redirect}&scope={SCOPE}"


def exchange(code):
    return requests.post("https://api.instagram.com/oauth/access_token", data={"code": code})


def profile(token):
    return requests.get(GRAPH + "/v21.0/me?fields=id,username", params={"access_token": token})


def media(token):
    return requests.get("https://graph.instagram.com/me/media?fields=id,caption", params={"access_token": token})


def refresh(token):
    return requests.get("https://graph.instagram.com/refresh_access_token", params={"grant_type": "ig_refresh_token"})


# old: requests.get("https://graph.instagram.com/me/media?fields=id")
'''
FEED_JS = '''const SCOPE = "user_profile";
const url = `https://graph.instagram.com/me/media?fields=id,media_url&access_token=${token}`;
fetch("https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=" + token);
'''


@pytest.fixture
def saved_scan(tmp_path, monkeypatch) -> Path:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "app.py").write_text(APP_PY)
    (project / "feed.js").write_text(FEED_JS)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["scan", "--format", "json", "."])
    assert result.exit_code == 1, result.output  # Basic Display errors found
    path = tmp_path / "scan.json"
    path.write_text(result.stdout)
    return path


def _site(path: str, line: int, rule: str) -> dict:
    return {"path": path, "line": line, "rule_id": rule}


def test_from_scan_probes_the_apps_calls_and_names_their_call_sites(saved_scan):
    with StandIn("removed") as server:
        result = probe("--from-scan", str(saved_scan), "--app-id", "1", "--redirect-uri", REDIRECT, *bases(server),
                       "--format", "json", env=SECRETS)
        seen = [(s.path, s.query.get("fields", [""])[0]) for s in server.seen]
    doc = as_json(result)
    steps = [(s["step"], s["call"], s["findings"]) for s in doc["steps"]]
    assert steps == [
        ("authorize", "GET api.instagram.com/oauth/authorize", [_site("app.py", 8, "IGM110")]),
        ("token", "POST api.instagram.com/oauth/access_token", [_site("app.py", 12, "IGM111")]),
        ("me", "GET graph.instagram.com/v21.0/me", [_site("app.py", 16, "IGM114")]),
        ("media", "GET graph.instagram.com/me/media", [_site("app.py", 20, "IGM114")]),
        ("media", "GET graph.instagram.com/me/media", [_site("feed.js", 2, "IGM114")]),
        ("refresh", "GET graph.instagram.com/refresh_access_token",
         [_site("app.py", 24, "IGM113"), _site("feed.js", 3, "IGM113")]),
    ]
    # The app's own paths and versions and fields, on the stand-in's host; each call once.
    assert ("/v21.0/me", "id,username") in seen and ("/me/media", "id,caption") in seen
    assert ("/me/media", "id,media_url") in seen and len(seen) == 6
    assert {s["verdict"] for s in doc["steps"] if s["step"] != "token"} == {"removed"}
    assert {s["flow"] for s in doc["steps"]} == {"basic-display"}
    assert doc["not_probed"] == [{**_site("app.py", 27, "IGM114"), "reason": "in a comment or documentation, not a call"}]


def test_report_joins_the_verdicts_to_the_call_sites(saved_scan, tmp_path):
    probe_file = tmp_path / "probe.json"
    with StandIn("removed") as server:
        result = probe("--from-scan", str(saved_scan), *bases(server), "--format", "json",
                       env={"IGMIGRATE_ACCESS_TOKEN": SECRETS["IGMIGRATE_ACCESS_TOKEN"]})
    probe_file.write_text(result.stdout)
    report = CliRunner().invoke(app, ["report", ".", "--probe-results", str(probe_file), "--probe-date", "2025-01-10"])
    assert report.exit_code == 0, report.output
    rows = {line.split("|")[1].strip(): line for line in report.stdout.splitlines()
            if line.startswith("| `") or line.startswith("| app.py") or line.startswith("| feed.js")}
    rows = {k.strip("`"): v for k, v in rows.items()}
    assert "calls GET graph.instagram.com/v21.0/me; probe on 2025-01-10: removed, IGApiException 100" in rows["app.py:16"]
    assert "calls GET graph.instagram.com/me/media; probe on 2025-01-10: removed" in rows["feed.js:2"]
    assert "calls GET api.instagram.com/oauth/authorize; probe on 2025-01-10: skipped" in rows["app.py:8"]


def test_text_output_names_call_sites_and_what_was_left_out(saved_scan):
    with StandIn("removed") as server:
        result = probe("--from-scan", str(saved_scan), *bases(server),
                       env={"IGMIGRATE_ACCESS_TOKEN": SECRETS["IGMIGRATE_ACCESS_TOKEN"]})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    refresh = next(n for n, line in enumerate(lines) if line.startswith("refresh "))
    assert lines[refresh + 1].strip() == "called at app.py:24 IGM113, feed.js:3 IGM113"
    assert "  app.py:27 IGM114: in a comment or documentation, not a call" in lines


def test_dry_run_from_scan_sends_nothing(saved_scan):
    with StandIn("removed") as server:
        result = probe("--from-scan", str(saved_scan), "--app-id", "1", "--redirect-uri", REDIRECT, *bases(server),
                       "--dry-run", env=SECRETS)
        sent = len(server.seen)
    assert result.exit_code == 0, result.output
    assert sent == 0
    assert f"GET {server.url}/v21.0/me?fields=id,username&access_token=***" in result.stdout
    assert "called at feed.js:2 IGM114" in result.stdout
    for secret in SECRETS.values():
        assert secret not in result.stdout


def test_instagram_login_evidence_puts_a_call_in_that_flow(tmp_path, monkeypatch):
    project = tmp_path / "migrated"
    project.mkdir()
    (project / "login.py").write_text('SCOPE = "instagram_business_basic"\n'
                                      'ME = "https://graph.instagram.com/v22.0/me?fields=user_id,username"\n')
    monkeypatch.chdir(project)
    scan = tmp_path / "scan.json"
    scan.write_text(CliRunner().invoke(app, ["scan", "--format", "json", "."]).stdout)
    with StandIn("igl") as server:
        doc = as_json(probe("--from-scan", str(scan), *bases(server), "--format", "json", "--expect", "works",
                            env={"IGMIGRATE_ACCESS_TOKEN": "IGAAenvTOKEN0123456789abcdefghij"}))
    me = next(s for s in doc["steps"] if s["step"] == "me")
    assert (me["flow"], me["verdict"], me["signature"]) == ("instagram-login", "works", "igl-user-node")
    assert me["findings"] == [_site("login.py", 2, "IGM115")]
    assert me["url"].startswith(f"{server.url}/v22.0/me?fields=user_id&access_token=")


@pytest.mark.parametrize("content,problem", [
    (None, "no such file"),
    ("{nope", "not valid JSON"),
    ("[" * 5000 + "]" * 5000, "not valid JSON (nesting deeper than 200 levels)"),
    ('{"schema_version": 1}', "not a scan document"),
    ('{"schema_version": 1, "findings": [{"rule_id": "IGM110"}]}', "findings[0] needs rule_id, path and line"),
])
def test_bad_scan_files_exit_2_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "scan.json"
    if content is not None:
        path.write_text(content)
    result = probe("--from-scan", str(path), env={"IGMIGRATE_ACCESS_TOKEN": SECRETS["IGMIGRATE_ACCESS_TOKEN"]})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"igmigrate probe: error: --from-scan {path}: {problem}")


_FINDING = st.fixed_dictionaries({
    "rule_id": st.sampled_from(["IGM110", "IGM113", "IGM114", "IGM101"]),
    "path": st.text(max_size=20), "line": st.integers(1, 10**6),
}, optional={
    "endpoint": st.one_of(st.text(max_size=80), st.builds(lambda h, p: f"{h}.instagram.com{p}",
                                                          st.sampled_from(["api", "www", "graph"]), st.text(max_size=60))),
    "snippet": st.text(max_size=80), "message": st.text(max_size=80), "category": st.text(max_size=10),
    "suppressed": st.booleans(),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(findings=st.lists(_FINDING, max_size=8))
def test_hostile_scan_findings_never_crash_the_planner(tmp_path, findings):
    path = tmp_path / "scan.json"
    path.write_text(json.dumps({"schema_version": 1, "findings": findings}))
    try:
        jobs, left_out = jobs_from_scan(path, "basic-display", load_call_rules())
    except UsageError:
        return
    assert sum(len(j.findings) for j in jobs) + len(left_out) <= len(findings)
    for job in jobs:
        job.spec.path.format(user_id="1")
        (job.path or "").format(user_id="1")  # never a stray brace in a path sent
