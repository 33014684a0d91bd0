"""The hand-written fixtures tree: every language, with the exact findings expected.

fixtures/expected.json lists (path, line, rule, severity, suppressed) for the whole tree.
After a deliberate change, regenerate it with IGMIGRATE_UPDATE_EXPECTED=1 and review the diff.
"""

import json
import os

from conftest import FIXTURES, scan_json

EXPECTED = FIXTURES / "expected.json"


def _rows(doc):
    return sorted(
        [f["path"].removeprefix("fixtures/"), f["line"], f["rule_id"], f["severity"], f["suppressed"]]
        for f in doc["findings"]
    )


def test_fixture_findings_match_expectations(fixtures_copy):
    doc = scan_json(fixtures_copy)
    rows = _rows(doc)
    if os.environ.get("IGMIGRATE_UPDATE_EXPECTED"):
        EXPECTED.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    expected = json.loads(EXPECTED.read_text())
    missing = [r for r in expected if r not in rows]
    unexpected = [r for r in rows if r not in expected]
    assert not missing and not unexpected, f"missing={missing}\nunexpected={unexpected}"


def test_every_language_family_is_represented(fixtures_copy):
    doc = scan_json(fixtures_copy)
    suffixes = {os.path.splitext(f["path"])[1] or os.path.basename(f["path"]) for f in doc["findings"]}
    for wanted in (".py", ".js", ".ts", ".php", ".rb", ".go", ".java", ".kt", ".swift", ".cs", ".sh", ".html",
                   ".yml", ".toml", ".ini", ".example", "Dockerfile", ".json", ".lock", ".txt", ".mod", ".xml",
                   ".csproj", ".md", "Gemfile"):
        assert wanted in suffixes, wanted


def test_parse_failure_is_reported_and_text_rules_still_apply(fixtures_copy):
    doc = scan_json(fixtures_copy)
    broken = "fixtures/python_bd/broken_syntax.py"
    assert any(e["path"] == broken and "parse" in e["message"] for e in doc["errors"])
    assert any(f["path"] == broken and f["rule_id"] == "IGM101" for f in doc["findings"])


def test_unrelated_code_stays_silent(fixtures_copy):
    doc = scan_json(fixtures_copy)
    assert not [f for f in doc["findings"] if f["path"].startswith("fixtures/unrelated/")]


def test_migrated_code_has_no_errors_or_warnings(fixtures_copy):
    doc = scan_json(fixtures_copy)
    migrated = [f for f in doc["findings"] if "_migrated/" in f["path"]]
    assert migrated and all(f["severity"] == "note" for f in migrated)
