"""The report model: summary, flows, rule sections, probe join, baseline split, and its inputs."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os

import pytest
import yaml

from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base
from igmigrate.probe.steps import STEP_NAMES
from igmigrate.report.inputs import InputError, read_baseline, read_probe_results
from igmigrate.report.model import build_report, top_directory
from igmigrate.report.spec import load_spec, parse_spec
from test_report_support import PROBE, by_rule, make_project, scan_project, write_probe

KB = default_knowledge_base()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("model"))
    return root, scan_project(root)


def _report(result, **kwargs):
    return build_report(result, KB, load_spec(KB), **kwargs)


def _rows(report, rule_id):
    return [r for r in report.rows if r.finding.rule_id == rule_id]


def test_summary_counts_directories_and_dates(scanned):
    _, result = scanned
    report = _report(result)
    summary = result.summary()
    assert (report.severities["error"], report.severities["warning"], report.severities["note"]) == (
        summary["errors"], summary["warnings"], summary["notes"])
    assert report.total == sum(n for _, _, n in report.by_rule)
    dirs = dict(report.by_directory)
    assert set(dirs) == {"api/", "web/", "lib/", "."}
    assert dirs["api/"] == sum(f.path.startswith("api/") for f in result.findings if not f.suppressed)
    assert report.files_affected == len({f.path for f in result.findings})
    dates = dict((d, label) for label, d in report.dates)
    assert {"2020-06-29", "2024-12-04", "2025-01-27"} <= set(dates)
    assert "Basic Display" in dates["2024-12-04"]


def test_top_directory_strips_the_scan_root():
    assert top_directory("proj/api/x.py", ("proj",)) == "api/"
    assert top_directory("proj/x.py", ("proj",)) == "."
    assert top_directory("api/x.py", (".",)) == "api/"
    assert top_directory("x.py", (".",)) == "."
    assert top_directory("/abs/proj/a/b/c.py", ("/abs/proj",)) == "a/"


def test_flows_group_call_sites_in_login_order(scanned):
    _, result = scanned
    report = _report(result)
    flows = {f.id: {r.finding.rule_id for r in f.rows} for f in report.flows}
    assert list(flows) == ["authorize", "code_exchange", "long_lived_exchange", "refresh", "graph_read", "legacy"]
    assert flows["authorize"] == {"IGM101", "IGM110"}  # scope requests belong to the authorize flow
    assert flows["graph_read"] == {"IGM114"}
    assert flows["legacy"] == {"IGM201", "IGM203"}
    assert all(r.finding.rule_id not in ("IGM102", "IGM105", "IGM120") for f in report.flows for r in f.rows)


def test_rule_sections_have_meaning_replacement_example_and_docs(scanned):
    _, result = scanned
    report = _report(result)
    sections = {s.rule.id: s for s in report.rules}
    assert set(sections) == {f.rule_id for f in result.findings}
    scope = sections["IGM101"]
    assert "instagram_business_basic" in scope.replacements[0] and "https://" not in scope.replacements[0]
    assert "user_profile" in scope.before.code and "instagram_business_basic" in scope.after.code
    assert scope.rule.docs.startswith("https://")
    # report.yaml replaces a `good` example that is only a detector negative by a real migration
    assert "graph.instagram.com/me" in sections["IGM201"].after.code
    token = sections["IGM102"]
    assert "****" in token.before.code and "IGQWRPa1" not in token.before.code  # examples are masked too


def test_manual_items_always_listed_with_evidence(scanned):
    _, result = scanned
    manual = {m.id: m for m in _report(result).manual}
    assert list(manual) == ["personal-accounts", "app-setup", "app-review"]
    assert [r.finding.rule_id for r in manual["personal-accounts"].rows] == ["IGM120"]
    assert manual["app-review"].rows


def test_probe_results_join_the_endpoint_each_finding_calls(scanned, tmp_path):
    _, result = scanned
    probe = read_probe_results(write_probe(tmp_path / "probe.json"), "2025-01-10")
    report = _report(result, probe=probe)
    live = {(r.finding.rule_id, r.finding.path, r.finding.line): r.live for r in report.rows}
    media = live[("IGM114", "api/token.py", 11)]
    assert media.step.step == "media"
    assert media.text() == "calls GET graph.instagram.com/me/media; probe on 2025-01-10: removed, IGApiException 100"
    assert live[("IGM114", "api/token.py", 13)].step.step == "me"
    assert live[("IGM111", "api/token.py", 5)].text().endswith("skipped: missing IGMIGRATE_AUTH_CODE")
    assert live[("IGM113", "api/token.py", 9)].verdict == "alive"
    assert live[("IGM112", "api/token.py", 7)].text().endswith("not in the probe results")  # no exchange step
    assert all(r.live.step.step == "authorize" for r in _rows(report, "IGM101") + _rows(report, "IGM110"))
    assert all(r.live is None for r in _rows(report, "IGM102") + _rows(report, "IGM203"))
    assert report.probe.joined["media"] == 2  # api/token.py and web/evil.js both read /me/media
    assert report.probe.date_source == "--probe-date"


def test_probe_join_covers_every_probe_step():
    spec = load_spec(KB)
    assert {j.step for j in spec.joins} == set(STEP_NAMES)


def test_probe_date_defaults_to_file_modification_time(tmp_path):
    path = write_probe(tmp_path / "probe.json")
    stamp = dt.datetime(2025, 1, 9, 23, 30, tzinfo=dt.timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    run = read_probe_results(path)
    assert (run.date, run.date_source) == ("2025-01-09", "file modification time")


def test_probe_values_are_masked_again(scanned, tmp_path):
    _, result = scanned
    doc = copy.deepcopy(PROBE)
    doc["steps"][2]["url"] = "https://graph.instagram.com/me?access_token=IGQVJ" + "x" * 60
    report = _report(result, probe=read_probe_results(write_probe(tmp_path / "p.json", doc), "2025-01-10"))
    me = next(s for s in report.probe.steps if s.step == "me")
    assert "xxxxxxxx" not in me.url and "IGQV****" in me.url


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"schema_version": 2, "steps": []}', "schema_version 2"),
    ('{"schema_version": 1, "steps": {}}', "'steps' must be a list"),
    ('{"schema_version": 1, "steps": [{"step": "me"}]}', "steps[0].verdict"),
    ('{"schema_version": 1, "steps": [{"step": "me", "verdict": "removed", "evidence": []}]}', "steps[0].evidence"),
])
def test_malformed_probe_results_name_the_file(tmp_path, content, problem):
    path = tmp_path / "broken-probe.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_probe_results(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_baseline_splits_new_existing_and_fixed(scanned, tmp_path):
    _, result = scanned
    known = [f for f in result.findings if f.path != "web/evil.js"]
    doc = {"igmigrate_baseline": 1, "entries": [
        *({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path} for f in known),
        {"fingerprint": "0123456789abcdef0123", "rule_id": "IGM101", "path": "old/gone.py"},
    ]}
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = _report(result, baseline=read_baseline(path), baseline_path=str(path))
    new = [r.finding.path for r in report.rows if r.status == "new"]
    assert new and set(new) == {"web/evil.js"}
    assert sum(r.status == "existing" for r in report.rows) == len(known)
    assert [(e.fingerprint, e.path) for e in report.fixed] == [("0123456789abcdef0123", "old/gone.py")]


def test_baseline_accepts_any_json_with_fingerprints(tmp_path):
    path = tmp_path / "any.json"
    path.write_text(json.dumps({"findings": [{"fingerprint": "aa", "line": 3}], "deep": [[{"fingerprints": ["bb", 7]}]]}))
    assert set(read_baseline(path)) == {"aa", "bb"}
    path.write_text("[1, 2")
    with pytest.raises(InputError, match="any.json: not valid JSON"):
        read_baseline(path)
    with pytest.raises(InputError, match="no such file"):
        read_baseline(tmp_path / "missing.json")


def _spec_doc() -> dict:
    return yaml.safe_load((KB.root / "report.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, problem", [
    (lambda d: d["flows"][0]["rules"].append("IGM999"), "unknown rule 'IGM999'"),
    (lambda d: d["flows"].pop(1), "no flow entry for detect.flow 'code_exchange'"),
    (lambda d: d["probe_join"][0].update(when="(["), "not a valid regex"),
    (lambda d: d["manual"][0].update(docs="javascript:alert(1)"), "https:// URL"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["after_examples"].update(IGM101={"file": "a.py"}), "'code'"),
])
def test_report_yaml_is_checked(mutate, problem):
    doc = _spec_doc()
    mutate(doc)
    with pytest.raises(KnowledgeBaseError) as info:
        parse_spec(doc, KB)
    assert str(info.value).startswith("report.yaml:") and problem in str(info.value)
