"""SARIF for GitHub code scanning, the run-level parts: baselineState under --baseline,
the 25,000-result cap, file errors as notifications and executionSuccessful, and the
%SRCROOT% base of the scanned folder (not the current directory)."""

from __future__ import annotations

import json
from pathlib import Path

from ci_support import BAD_PY, CLEAN_PY, assert_valid_sarif, make_repo, run_cli, write

from igmigrate.findings import FileError, Finding, ScanResult
from igmigrate.knowledge import default_knowledge_base
from igmigrate.outputs import sarif_output

NEW_CALL = 'import requests\nME = requests.get("https://graph.instagram.com/me/media?fields=id")\n'


def _uri(result: dict) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def _baselined_repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", {"login.py": BAD_PY, "util.py": CLEAN_PY})
    assert run_cli(root, "baseline", "create", "-o", "igmigrate-baseline.json").exit_code == 0
    (root / "new.py").write_text(NEW_CALL, encoding="utf-8")
    return root


def test_baseline_keeps_known_results_in_sarif_as_unchanged(tmp_path):
    root = _baselined_repo(tmp_path)
    doc = assert_valid_sarif(run_cli(root, "scan", "--baseline", "igmigrate-baseline.json",
                                     "--format", "sarif").stdout)
    states = {}
    for result in doc["runs"][0]["results"]:
        states.setdefault(_uri(result), set()).add(result["baselineState"])
    assert states == {"login.py": {"unchanged"}, "new.py": {"new"}}


def test_baseline_sarif_file_keeps_known_while_text_hides_them(tmp_path):
    root = _baselined_repo(tmp_path)
    out = run_cli(root, "scan", "--baseline", "igmigrate-baseline.json", "--output", "sarif=out.sarif")
    shown = [line.split(":")[0] for line in out.stdout.splitlines() if line.endswith("]") or "[IGM" in line]
    assert "new.py" in shown and "login.py" not in shown
    doc = assert_valid_sarif((root / "out.sarif").read_text(encoding="utf-8"))
    assert {_uri(r): r["baselineState"] for r in doc["runs"][0]["results"]}["login.py"] == "unchanged"
    data = json.loads(run_cli(root, "scan", "--baseline", "igmigrate-baseline.json", "--format", "json").stdout)
    assert {f["path"] for f in data["findings"]} == {"new.py"}


def test_changed_lines_filter_known_results_like_new_ones(tmp_path):
    root = _baselined_repo(tmp_path)
    # Touch the line of one known finding (same matched text, so still known); leave the other.
    (root / "login.py").write_text(BAD_PY.replace('user_media"\n', 'user_media"  # edited\n', 1), encoding="utf-8")
    doc = assert_valid_sarif(run_cli(root, "scan", "--baseline", "igmigrate-baseline.json", "--changed-lines",
                                     "--format", "sarif").stdout)
    kept = {(_uri(r), r["locations"][0]["physicalLocation"]["region"]["startLine"], r["baselineState"])
            for r in doc["runs"][0]["results"]}
    assert ("login.py", 1, "unchanged") in kept
    assert all(line == 1 for uri, line, _ in kept if uri == "login.py")
    assert any(uri == "new.py" and state == "new" for uri, _, state in kept)


def test_without_baseline_results_carry_no_state(tmp_path):
    root = _baselined_repo(tmp_path)
    doc = assert_valid_sarif(run_cli(root, "scan", "--format", "sarif").stdout)
    assert doc["runs"][0]["results"] and all("baselineState" not in r for r in doc["runs"][0]["results"])


def _finding(i: int, severity: str) -> Finding:
    return Finding(rule_id="IGM101", severity=severity, category="scope", message="m", path=f"f{i % 50:02d}.py",
                   line=i + 1, column=1, end_line=i + 1, end_column=5, snippet="", replacement=None,
                   fingerprint=f"{i:08x}")


def test_results_are_capped_at_github_limit_errors_first_with_a_notice(tmp_path):
    # 20 errors and 40 warnings at the end of the list, 24,950 notes before them.
    findings = [_finding(i, "note") for i in range(24_950)]
    findings += [_finding(24_950 + i, "warning" if i % 3 else "error") for i in range(60)]
    result = ScanResult(findings, [], 50, scanned=frozenset(f"f{i:02d}.py" for i in range(50)))
    doc = sarif_output.document(result, default_knowledge_base(), {"cwd": tmp_path, "root": tmp_path})
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == sarif_output.MAX_RESULTS == 25_000
    levels = [r["level"] for r in results]
    assert levels.count("error") == 20 and levels.count("warning") == 40 and levels.count("note") == 24_940
    assert all(len(r["locations"]) <= sarif_output.MAX_LOCATIONS for r in results)
    keys = [(_uri(r), r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
    assert keys == sorted(keys)  # stable path order within the kept ones
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["warning"] and "10 results left out" in notes[0]["message"]["text"]
    # Every result has the same shape; validating 25,000 of them costs ~9 s, so the schema
    # check sees the whole run with a sample of results (first, last) and the notice.
    run["results"] = results[:50] + results[-50:]
    assert_valid_sarif(json.dumps(doc))


def test_under_the_cap_nothing_is_left_out(tmp_path):
    result = ScanResult([_finding(i, "note") for i in range(3)], [], 1)
    run = sarif_output.document(result, default_knowledge_base(), {"cwd": tmp_path, "root": tmp_path})["runs"][0]
    assert len(run["results"]) == 3 and run["invocations"][0]["toolExecutionNotifications"] == []


def test_unreadable_files_are_error_notifications_and_the_run_still_succeeds(tmp_path):
    errors = [FileError("locked.py", "cannot read: Permission denied"), FileError("big.js", "skipped: binary file")]
    kb = default_knowledge_base()
    doc = sarif_output.document(ScanResult([], errors, 3, scanned=frozenset({"ok.py"})), kb,
                                {"cwd": tmp_path, "root": tmp_path})
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n
              for n in invocation["toolExecutionNotifications"]}
    assert by_uri["locked.py"]["level"] == "error" and "Permission denied" in by_uri["locked.py"]["message"]["text"]
    assert by_uri["big.js"]["level"] == "warning"
    assert_valid_sarif(json.dumps(doc))
    # Not one file analyzed because none could be read: the run did not do what was asked.
    nothing = sarif_output.document(ScanResult([], errors[:1], 1, scanned=frozenset()), kb,
                                    {"cwd": tmp_path, "root": tmp_path})
    assert nothing["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert_valid_sarif(json.dumps(nothing))


def test_missing_path_writes_no_sarif(tmp_path):
    write(tmp_path, {"a.py": BAD_PY})
    result = run_cli(tmp_path, "scan", "a.py", "nope.py", "--format", "sarif", "--output", "sarif=out.sarif")
    assert result.exit_code == 2 and result.stdout == "" and not (tmp_path / "out.sarif").exists()


def test_srcroot_is_the_scanned_folder_not_the_current_directory(tmp_path):
    write(tmp_path / "parent" / "proj", {"app/login.py": BAD_PY})
    doc = assert_valid_sarif(run_cli(tmp_path / "parent", "scan", "proj", "--format", "sarif").stdout)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "parent" / "proj").resolve().as_uri() + "/"
    assert {_uri(r) for r in run["results"]} == {"app/login.py"}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
               for r in run["results"])


def test_srcroot_is_the_git_top_level_of_the_scanned_path(tmp_path):
    root = make_repo(tmp_path / "repo", {"app/login.py": BAD_PY})
    doc = assert_valid_sarif(run_cli(tmp_path, "scan", "repo/app", "--format", "sarif").stdout)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"
    assert {_uri(r) for r in run["results"]} == {"app/login.py"}


def test_srcroot_of_several_paths_is_their_common_folder(tmp_path):
    write(tmp_path / "top", {"a/x.py": BAD_PY, "b/y.py": BAD_PY})
    doc = assert_valid_sarif(run_cli(tmp_path, "scan", "top/a/x.py", "top/b", "--format", "sarif").stdout)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "top").resolve().as_uri() + "/"
    assert {_uri(r) for r in run["results"]} == {"a/x.py", "b/y.py"}
