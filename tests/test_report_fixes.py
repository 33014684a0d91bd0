"""What a lead planning the migration needs from the single-repository report: what was
scanned, an effort estimate per flow, a per-file rollup, examples in the project's own
language (or the fix engine's rewrite of its code), and live evidence labelled when it did not
come from Instagram."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from conftest import write_tree
from git_repos import commit, init_repo
from igmigrate.cli import app
from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base
from igmigrate.report import html as html_report, markdown as md_report
from igmigrate.report.examples import NEUTRAL, language, main_language
from igmigrate.report.model import build_report
from igmigrate.report.spec import load_spec, parse_spec
from igmigrate.scanner import ScanOptions, scan
from probe_server import StandIn
from test_report_support import make_project, scan_project

KB = default_knowledge_base()
SPEC = load_spec(KB)


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def report_of(root, **kw):
    return build_report(scan(ScanOptions(paths=[root], jobs=1), KB, cwd=root), KB, SPEC, root=root, **kw)


# ---- examples in the project's language ----------------------------------------------------------

def test_every_migration_pair_is_a_real_migration(tmp_path):
    """Each report.yaml `before` raises its rule; each `after` raises it at most as a note."""
    checked = 0
    for rule_id, pairs in SPEC.migrations.items():
        for n, (before, after) in enumerate(pairs):
            for side, example, must_fire in (("before", before, True), ("after", after, False)):
                root = write_tree(tmp_path / f"{rule_id}-{n}-{side}", {example.file: example.code})
                severities = [f.severity for f in scan(ScanOptions(paths=[root], jobs=1), KB, cwd=root).findings
                              if f.rule_id == rule_id]
                if must_fire:
                    assert severities, (rule_id, example.file, side)
                else:
                    assert set(severities) <= {"note"}, (rule_id, example.file, side, severities)
                checked += 1
    assert checked >= 60


@pytest.mark.parametrize("engine", [True, False])
def test_a_php_project_sees_php_never_go_or_python(tmp_path, monkeypatch, engine):
    if not engine:
        monkeypatch.setitem(sys.modules, "igmigrate.fix.engine", None)  # the fallback alone
    root = write_tree(tmp_path / "php", {
        "src/Feed.php": "<?php\n$scope = 'user_profile,user_media';\n$m = 'https://graph.instagram.com/me/media?fields=id';\n",
        "src/Auth.php": "<?php\n$r = 'https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token';\n",
        "composer.json": '{"require": {"php": ">=8.1"}}\n',
    })
    report = report_of(root)
    assert report.language == "php"
    shown = {s.rule.id: s for s in report.rules if s.before}
    assert {"IGM101", "IGM114", "IGM113"} <= set(shown)
    for section in shown.values():
        assert section.before.file.endswith(".php") and section.after.file.endswith(".php"), section.rule.id
        assert "php" in section.example_source or "fix engine on your code (src/" in section.example_source
    page = html_report.render(report)
    assert "feed.go" not in page and "login.py" not in page and "refresh.rb" not in page


def test_no_example_rather_than_another_language(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "igmigrate.fix.engine", None)  # the fallback's choice, not the engine's
    root = write_tree(tmp_path / "swift", {"Auth.swift": 'let scope = "user_profile,user_media"\n'})
    report = report_of(root)
    section = next(s for s in report.rules if s.rule.id == "IGM101")
    assert section.before is None and section.example_missing == "swift"
    assert "No before/after example in swift yet" in html_report.render(report)
    assert "No before/after example in swift yet" in md_report.render(report)


def test_languages_of_files():
    assert [language(p) for p in ("a/B.php", "x.tsx", "composer.json", "Gemfile", "requirements-dev.txt",
                                  "settings.env", "README.md")] == ["php", "javascript", "php", "ruby", "python",
                                                                    NEUTRAL, NEUTRAL]
    assert main_language(["a.php", "b.php", "c.py", "d.env"]) == "php"
    assert main_language(["a.js", "c.py"], prefer="python") == "python"
    assert main_language(["x.md"]) is None


def test_the_fix_engine_rewrites_the_projects_own_code(tmp_path):
    root = write_tree(tmp_path / "p", {"app/auth.py": 'import os\nSCOPE = "user_profile,user_media"\n'})
    section = next(s for s in report_of(root).rules if s.rule.id == "IGM101")
    assert section.example_source.startswith("the fix engine on your code (app/auth.py:2, ")
    assert section.before.file == "app/auth.py"
    assert section.before.code == 'SCOPE = "user_profile,user_media"\n'
    assert "instagram_business_basic" in section.after.code and "user_profile" not in section.after.code


def test_without_the_fix_engine_the_example_is_the_main_languages(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "p", {"auth.py": 'SCOPE = "user_profile,user_media"\n'})
    monkeypatch.setitem(sys.modules, "igmigrate.fix.engine", None)  # import fails: the hook falls back
    section = next(s for s in report_of(root).rules if s.rule.id == "IGM101")
    assert section.example_source == "knowledge-base example (python)"
    assert section.before.file == "login.py"


# ---- effort, files, header --------------------------------------------------------------------

def test_effort_per_flow_is_call_sites_times_weights(tmp_path):
    report = build_report(scan_project(make_project(tmp_path)), KB, SPEC)
    for flow in report.flows:
        assert flow.effort == sum(SPEC.effort.weight(r.finding.rule_id) for r in flow.rows)
    assert report.effort == sum(SPEC.effort.weight(r.finding.rule_id) for r in report.rows) > 0
    page, md = html_report.render(report), md_report.render(report)
    assert "Effort (hours, estimate)" in page and "Effort (hours, estimate)" in md
    assert "Estimate for planning" in page and "Estimate for planning" in md


def test_effort_weights_are_checked(tmp_path):
    import yaml

    doc = yaml.safe_load((KB.root / "report.yaml").read_text())
    doc["effort"]["weights"]["IGM999"] = 1
    with pytest.raises(KnowledgeBaseError, match="report.yaml: effort: weights names unknown rule 'IGM999'"):
        parse_spec(doc, KB)
    doc["effort"]["weights"].pop("IGM999")
    doc["effort"]["weights"]["IGM101"] = -2
    with pytest.raises(KnowledgeBaseError, match="weights.IGM101 must be a number"):
        parse_spec(doc, KB)


def test_per_file_rollup(tmp_path):
    result = scan_project(make_project(tmp_path))
    report = build_report(result, KB, SPEC)
    active = [f for f in result.findings if not f.suppressed]
    assert {f.path for f in report.files} == {f.path for f in active}
    for rollup in report.files:
        mine = [f for f in active if f.path == rollup.path]
        assert rollup.total == len(mine) and set(rollup.rules) == {f.rule_id for f in mine}
    assert report.files[0].severities["error"] == max(f.severities["error"] for f in report.files)
    assert 'id="files-table"' in html_report.render(report) and "## Files" in md_report.render(report)


def test_header_says_what_was_scanned(tmp_path, monkeypatch):
    repo = init_repo(tmp_path / "shop", remote="https://bot:pat123@github.com/acme/shop.git")
    token_py = (make_project(tmp_path / "x") / "api/token.py").read_text()
    sha = commit(repo, {"api/token.py": token_py}, "2025-05-06T07:08:09+00:00")
    monkeypatch.chdir(repo)
    md = run("report", "api")
    assert md.exit_code == 0, md.output
    assert f"Scanned `github.com/acme/shop at commit {sha[:12]} (main, 2025-05-06), path api`." in md.stdout
    page = run("report", "-f", "html").stdout
    assert f"Scanned <b>github.com/acme/shop at commit {sha[:12]} (main, 2025-05-06)</b>" in page
    assert "pat123" not in md.stdout + page


# ---- live evidence from a stand-in ---------------------------------------------------------------

def test_evidence_from_a_local_stand_in_is_labelled(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    monkeypatch.chdir(root)
    with StandIn("removed") as server:
        probed = run("probe", "--app-id", "1", "--redirect-uri", "http://127.0.0.1:9/auth/", "--api-base", server.url,
                     "--graph-base", server.url, "--format", "json", "--backoff", "0.001",
                     env={"IGMIGRATE_ACCESS_TOKEN": "IGQVJsecretTOKEN_0123456789abc", "IGMIGRATE_APP_SECRET": None,
                          "IGMIGRATE_AUTH_CODE": None})
        host = server.url.removeprefix("http://")
    (tmp_path / "probe.json").write_text(probed.stdout)
    assert json.loads(probed.stdout)["steps"]
    md = run("report", ".", "--probe-results", str(tmp_path / "probe.json"), "--probe-date", "2025-01-10").stdout
    assert f"**Not from Instagram:** these answers came from `{host}`" in md
    assert f"probe on 2025-01-10 against {host} (not Instagram): removed" in md
    page = run("report", ".", "-f", "html", "--probe-results", str(tmp_path / "probe.json")).stdout
    assert f'<span class="label-local">{host}, not Instagram</span>' in page
    assert "IGQVJsecretTOKEN" not in md + page


def test_evidence_from_instagram_hosts_has_no_label(tmp_path, monkeypatch):
    from test_report_support import write_probe

    root = make_project(tmp_path)
    monkeypatch.chdir(root)
    md = run("report", ".", "--probe-results", str(write_probe(tmp_path / "p.json")), "--probe-date", "2025-01-10").stdout
    assert "Not from Instagram" not in md and "(not Instagram)" not in md
