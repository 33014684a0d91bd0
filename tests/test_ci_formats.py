"""CI output formats: SARIF (schema-valid, GitHub fields), GitHub annotations, JUnit,
Markdown, several outputs in one run, --statistics and --fail-on."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ci_support import BAD_PY, CLEAN_PY, assert_valid_sarif, make_repo, run_cli, scan_json, write

from igmigrate.findings import Finding, ScanResult
from igmigrate.knowledge import default_knowledge_base
from igmigrate.outputs import FORMATS, github_output, markdown_output, render

OLD_LOGIN_TS = "export const SCOPE = `business_basic,business_manage_messages`;\n"
SUPPRESSED_PY = 'SCOPES = "user_profile,user_media"  # igmigrate: ignore\n'


def _project(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "proj", {
        "app/login.py": BAD_PY,
        "app/old.py": SUPPRESSED_PY,
        "web/scopes.ts": OLD_LOGIN_TS,
        "clean.py": CLEAN_PY,
    })


def test_formats_are_registered():
    assert {"sarif", "github", "junit", "markdown"} <= set(FORMATS)


def test_sarif_is_valid_and_carries_github_fields(tmp_path):
    root = _project(tmp_path)
    _, data = scan_json(root)
    result = run_cli(root, "scan", "--format", "sarif", "--output", "sarif=out.sarif")
    assert result.exit_code == 1
    doc = assert_valid_sarif(result.stdout)
    assert assert_valid_sarif((root / "out.sarif").read_text(encoding="utf-8")) == doc

    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"
    rules = run["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert not re.search(r"\{\w+\}", rule["fullDescription"]["text"])  # template slots rendered readable
    kb = default_knowledge_base()
    assert by_id["IGM101"]["name"] == kb.rules["IGM101"].name
    assert by_id["IGM101"]["helpUri"] == kb.rules["IGM101"].docs

    results = run["results"]
    fingerprints = {(f["path"], f["rule_id"], f["line"]): f["fingerprint"] for f in data["findings"]}
    assert len(results) == len(data["findings"])
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and (root / uri).is_file()
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert res["partialFingerprints"]["igmigrate/v1"] == fingerprints[(uri, res["ruleId"], loc["region"]["startLine"])]

    suppressed = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/old.py"]
    assert suppressed and all(r["suppressions"] == [{"kind": "inSource"}] for r in suppressed)
    assert all("suppressions" not in r for r in results if r not in suppressed)

    # Prose replacements stay advice in the message and properties; the edit is the fix
    # engine's own (igmigrate fix), marked unsafe because it needs companion steps.
    scope = next(r for r in results if r["ruleId"] == "IGM101" and "suppressions" not in r)
    assert scope["fixes"][0]["description"]["text"].startswith("unsafe fix (igmigrate fix --unsafe-fixes)")
    assert "instagram_business_basic" in scope["properties"]["replacement"]
    assert "Fix:" in scope["message"]["text"]


def test_sarif_fix_is_a_real_edit_that_applies(tmp_path):
    root = _project(tmp_path)
    doc = assert_valid_sarif(run_cli(root, "scan", "web", "--format", "sarif").stdout)
    (old,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "IGM301"]
    (fix,) = old["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "web/scopes.ts", "uriBaseId": "%SRCROOT%"}
    line = (root / "web/scopes.ts").read_text(encoding="utf-8").splitlines()[0]
    # Apply right to left so earlier columns stay valid.
    for rep in sorted(change["replacements"], key=lambda r: -r["deletedRegion"]["startColumn"]):
        region = rep["deletedRegion"]
        assert region["startLine"] == region["endLine"] == 1
        line = line[: region["startColumn"] - 1] + rep["insertedContent"]["text"] + line[region["endColumn"] - 1:]
    assert line == "export const SCOPE = `instagram_business_basic,instagram_business_manage_messages`;"


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path):
    root = _project(tmp_path)
    doc = assert_valid_sarif(run_cli(root / "app", "scan", "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"app/login.py", "app/old.py"}


def test_sarif_outside_git_and_without_findings(tmp_path):
    write(tmp_path / "plain", {"ok.py": CLEAN_PY, "weird name,with:chars.py": BAD_PY})
    doc = assert_valid_sarif(run_cli(tmp_path / "plain", "scan", "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"weird%20name%2Cwith%3Achars.py"}
    empty = assert_valid_sarif(run_cli(tmp_path / "plain", "scan", "ok.py", "--format", "sarif").stdout)
    assert empty["runs"][0]["results"] == [] and empty["runs"][0]["tool"]["driver"]["rules"]


def test_github_escaping():
    assert github_output.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github_output.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    finding = Finding(rule_id="IGM101", severity="note", category="basic-display", message="50% of\nit",
                      path="dir,1/x:y.py", line=3, column=2, end_line=3, end_column=9, snippet="",
                      replacement=None, fingerprint="ab" * 10)
    out = github_output.render(ScanResult([finding], [], 1), default_knowledge_base(), {})
    assert out == ("::notice file=dir%2C1/x%3Ay.py,line=3,col=2,endLine=3,endColumn=9,"
                   "title=IGM101 basic-display-scope::50%25 of%0Ait\n")


def test_several_outputs_in_one_run(tmp_path):
    root = _project(tmp_path)
    result = run_cli(root, "scan", "--output", "sarif=igmigrate.sarif", "--output", "github",
                     "--output", "junit=report.xml", "--output", "markdown=comment.md")
    assert result.exit_code == 1
    out = result.stdout
    # The text report still goes to the terminal, followed by the annotations.
    assert "app/login.py" in out and "errors," in out
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert annotations and all(a.startswith(("::error file=", "::warning file=", "::notice file=")) for a in annotations)
    assert any(a.startswith("::error file=app/login.py,line=1,col=") and "title=IGM101 basic-display-scope::" in a
               for a in annotations)
    assert not any("app/old.py" in a for a in annotations)  # suppressed findings are not annotated
    assert_valid_sarif((root / "igmigrate.sarif").read_text(encoding="utf-8"))
    suites = ET.parse(root / "report.xml").getroot()
    assert suites.tag == "testsuites" and int(suites.get("failures")) >= 2
    assert "| Severity | Rule |" in (root / "comment.md").read_text(encoding="utf-8")


def test_junit_agrees_with_fail_on(tmp_path):
    root = _project(tmp_path)
    _, data = scan_json(root)
    active = [f for f in data["findings"] if not f["suppressed"]]
    run_cli(root, "scan", "--output", "junit=strict.xml", "--fail-on", "note")
    strict = ET.parse(root / "strict.xml").getroot()
    assert int(strict.get("tests")) == len(data["findings"])
    assert int(strict.get("failures")) == len(active)
    assert int(strict.get("skipped")) == len(data["findings"]) - len(active)
    case = strict.find("testsuite/testcase/failure")
    assert case is not None and case.get("type") in ("error", "warning", "note")

    lenient = run_cli(root, "scan", "--format", "junit", "--fail-on", "never")
    assert lenient.exit_code == 0
    assert ET.fromstring(lenient.stdout).get("failures") == "0"

    clean = ET.fromstring(run_cli(root, "scan", "clean.py", "--format", "junit").stdout)
    assert clean.get("tests") == "1" and clean.get("failures") == "0"


def test_markdown_table_escapes_and_caps_rows():
    kb = default_knowledge_base()
    base = dict(rule_id="IGM101", severity="error", category="basic-display", column=1, end_line=1,
                end_column=2, snippet="", replacement=kb.rules["IGM101"].replacement_text(), fingerprint="")
    findings = [Finding(message=f"bad | pipe <b>{n}</b>", path="a|b.py", line=n, **base)
                for n in range(1, markdown_output.MAX_ROWS + 6)]
    out = render("markdown", ScanResult(findings, [], 1), kb)
    rows = [line for line in out.splitlines() if line.startswith("| error |")]
    assert len(rows) == markdown_output.MAX_ROWS
    assert all(row.count(" | ") == 4 for row in rows)  # pipes inside cells are escaped
    assert "\\<b\\>" in rows[0] and "`a\\|b.py:1`" in rows[0]
    assert f"([docs]({kb.rules['IGM101'].docs}))" in rows[0]
    assert "5 more findings" in out
    assert "No Instagram" in render("markdown", ScanResult([], [], 3), kb)


def test_statistics_come_after_the_findings(tmp_path):
    root = _project(tmp_path)
    result = run_cli(root, "scan", "--statistics")
    out = result.stdout
    assert out.index("app/login.py") < out.index("errors,") < out.index("Findings by rule:") < out.index("Findings by file:")
    assert "IGM101" in out.split("Findings by rule:")[1]
    # Machine formats stay parseable: statistics go to stderr.
    as_json = run_cli(root, "scan", "--format", "json", "--statistics")
    json.loads(as_json.stdout)
    assert "Findings by file:" in as_json.stderr and "app/login.py" in as_json.stderr


def test_fail_on_from_config_and_command_line(tmp_path):
    root = _project(tmp_path)
    write(root, {".igmigrate.toml": 'fail-on = "never"\n'})
    assert run_cli(root, "scan").exit_code == 0
    assert run_cli(root, "scan", "--fail-on", "error").exit_code == 1
    assert run_cli(root, "scan", "--fail-on", "sometimes").exit_code == 2
