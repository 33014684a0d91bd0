"""`igmigrate report` end to end: both formats, probe results and baselines, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from igmigrate.cli import app
from test_report_support import make_project, write_probe

REPO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = make_project(tmp_path)
    monkeypatch.chdir(root)  # paths in the report are relative to where it runs
    return root


def test_writes_markdown_and_html_atomically(project):
    (project / "out").mkdir()
    md = run("report", ".", "--format", "markdown", "-o", "out/report.md")
    assert md.exit_code == 0, md.output  # errors were found, but a report is not a gate
    assert "wrote out/report.md (markdown," in md.stderr
    text = (project / "out/report.md").read_text(encoding="utf-8")
    assert text.startswith("<!-- generator: igmigrate -->\n# Instagram API migration report") and "`api/token.py:3`" in text
    page = run("report", "-o", "out/report.html", "--title", "Demo")  # format from the suffix, path defaults to .
    assert page.exit_code == 0, page.output
    html = (project / "out/report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Demo</title>" in html
    assert sorted(p.name for p in (project / "out").iterdir()) == ["report.html", "report.md"]  # no temp files left


def test_prints_to_stdout_without_output(project):
    result = run("report", "api", "--select", "IGM11")
    assert result.exit_code == 0
    assert "## Findings" in result.stdout and "IGM101" not in result.stdout.split("## Findings")[1]


def test_probe_results_join_findings(project, tmp_path):
    probe = write_probe(tmp_path / "probe.json")
    result = run("report", ".", "--probe-results", str(probe), "--probe-date", "2025-01-10")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| `api/token.py:11`"))
    assert row.endswith("calls GET graph.instagram.com/me/media; probe on 2025-01-10: removed, IGApiException 100 |")


def test_probe_replay_output_feeds_the_report(project, tmp_path):
    """The real probe command's JSON (replayed offline from a recording) joins as well."""
    recording = tmp_path / "rec.json"
    body = json.dumps({"error": {"message": "Unsupported request - method type: get", "type": "IGApiException",
                                 "code": 100, "fbtrace_id": "x"}})
    recording.write_text(json.dumps({"schema_version": 1, "kind": "igmigrate-probe-recording", "exchanges": [
        {"step": "media", "method": "GET", "url": "https://graph.instagram.com/me/media?access_token=****",
         "status": 400, "headers": {"content-type": "application/json"}, "body": body, "attempts": 1},
    ]}))
    probed = run("probe", "--replay", str(recording), "--format", "json")
    assert probed.exit_code == 0, probed.output
    (tmp_path / "probe.json").write_text(probed.stdout)
    result = run("report", ".", "--probe-results", str(tmp_path / "probe.json"), "--probe-date", "2025-02-01")
    assert result.exit_code == 0, result.output
    assert "calls GET graph.instagram.com/me/media; probe on 2025-02-01: removed, IGApiException 100" in result.stdout


def test_baseline_from_scan_json(project, tmp_path):
    scanned = run("scan", ".", "--format", "json", "--fail-on", "never")
    doc = json.loads(scanned.stdout)
    doc["findings"] = [f for f in doc["findings"] if f["path"] != "web/login.js"]
    (tmp_path / "base.json").write_text(json.dumps(doc))
    result = run("report", ".", "--baseline", str(tmp_path / "base.json"), "-f", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.count('data-status="new"') == 2  # the two findings of web/login.js
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    result = run("report", ".", "--baseline", str(empty))
    assert result.exit_code == 0 and "holds no fingerprints" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf"], "--format 'pdf'"),
    (["--probe-date", "10/01/2025", "--probe-results", "probe.json"], "--probe-date '10/01/2025'"),
    (["--probe-results", "missing.json"], "missing.json: no such file"),
    (["--probe-results", "bad.json"], "bad.json: not valid JSON"),
    (["--probe-results", "package.json"], "package.json: schema_version None"),
    (["--baseline", "bad.json"], "bad.json: not valid JSON"),
    (["--config", "broken.toml"], "broken.toml"),
    (["--select", "IGM999"], "unknown rule 'IGM999'"),
])
def test_usage_and_input_errors_exit_2_naming_the_file(project, args, message):
    (project / "bad.json").write_text("{oops")
    (project / "broken.toml").write_text("[tool.igmigrate]\nexclude = 3\n")
    result = run("report", ".", *args, "-o", "r.md")
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.startswith("igmigrate: error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / "r.md").exists()


def test_unwritable_output_exits_2(project):
    result = run("report", ".", "-o", "no/such/dir/r.md")
    assert result.exit_code == 2 and "cannot write no/such/dir/r.md" in result.stderr


@pytest.mark.skipif(not any(REPO_FIXTURES.glob("*/*")), reason="fixtures/ tree not present")
def test_both_formats_on_the_repository_fixtures(tmp_path, monkeypatch):
    target = tmp_path / "fixtures"
    shutil.copytree(REPO_FIXTURES, target, ignore=shutil.ignore_patterns("expected.json"))
    monkeypatch.chdir(tmp_path)
    for fmt in ("markdown", "html"):
        result = run("report", "fixtures", "-f", fmt, "-o", f"r.{fmt}")
        assert result.exit_code == 0, result.output
    md = (tmp_path / "r.markdown").read_text(encoding="utf-8")
    assert "## Flows to migrate" in md and "## Findings" in md and len(md) <= 60_000
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count('<tr data-severity=') > 0 and "<script src" not in html
