"""Baselines: accept existing findings, fail on new ones, survive edits above a finding,
count and drop fixed entries, refuse bad files with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_support import BAD_PY, CLEAN_PY, make_repo, run_cli, scan_json, write

NEW_CALL = 'import requests\nME = requests.get("https://graph.instagram.com/me/media?fields=id")\n'


def _repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"login.py": BAD_PY, "other/login.py": BAD_PY, "util.py": CLEAN_PY})


def _create(root: Path, *args: str) -> dict:
    result = run_cli(root, "baseline", "create", *args, "-o", "igmigrate-baseline.json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads((root / "igmigrate-baseline.json").read_text(encoding="utf-8"))


def test_create_is_sorted_deterministic_and_timestamp_free(tmp_path):
    root = _repo(tmp_path)
    _, data = scan_json(root)
    doc = _create(root)
    first = (root / "igmigrate-baseline.json").read_bytes()
    assert set(doc) == {"igmigrate_baseline", "entries"}
    entries = doc["entries"]
    assert {e["fingerprint"] for e in entries} == {f["fingerprint"] for f in data["findings"] if not f["suppressed"]}
    assert all(set(e) == {"fingerprint", "rule_id", "path", "matched"} for e in entries)
    keys = [(e["path"], e["rule_id"], e["matched"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys)
    assert any(e["matched"] == "user_profile, user_media" or "user_profile" in e["matched"] for e in entries)
    # Again, with the baseline now in the tree: same bytes (it is not scanned as code).
    _create(root)
    assert (root / "igmigrate-baseline.json").read_bytes() == first


def test_known_findings_pass_and_survive_lines_inserted_above(tmp_path):
    root = _repo(tmp_path)
    _create(root)
    ok = run_cli(root, "scan", "--baseline", "igmigrate-baseline.json")
    assert ok.exit_code == 0, ok.stdout
    assert "0 baseline entries fixed" in ok.stdout
    write(root, {"login.py": "# a comment\n\n\nimport os\n" + BAD_PY,
                 "other/login.py": '"""Module doc."""\n' * 5 + BAD_PY})
    code, data = scan_json(root, "--baseline", "igmigrate-baseline.json")
    assert code == 0 and [f for f in data["findings"] if not f["suppressed"]] == []


def test_a_new_finding_after_the_baseline_fails_the_scan(tmp_path):
    root = _repo(tmp_path)
    _create(root)
    write(root, {"feed.py": NEW_CALL, "login.py": BAD_PY + BAD_PY.replace("SCOPE", "SCOPE2")})
    code, data = scan_json(root, "--baseline", "igmigrate-baseline.json")
    assert code == 1
    new = {(f["path"], f["line"]) for f in data["findings"]}
    assert new and {path for path, _ in new} <= {"feed.py", "login.py"}
    assert all(line > 2 for path, line in new if path == "login.py")  # only the copy is new
    text = run_cli(root, "scan", "--baseline", "igmigrate-baseline.json")
    assert text.exit_code == 1 and "login.py" in text.stdout


def test_fixed_entries_are_counted_and_update_drops_them(tmp_path):
    root = _repo(tmp_path)
    before = _create(root)["entries"]
    write(root, {"other/login.py": CLEAN_PY, "feed.py": NEW_CALL})
    fixed = [e for e in before if e["path"] == "other/login.py"]
    result = run_cli(root, "scan", "--baseline", "igmigrate-baseline.json", "--fail-on", "never")
    assert f"{len(fixed)} baseline entries fixed" in result.stdout

    # A scan of one file cannot call entries of other files fixed (pre-commit passes a few files).
    partial = run_cli(root, "scan", "login.py", "--baseline", "igmigrate-baseline.json")
    assert partial.exit_code == 0 and "0 baseline entries fixed" in partial.stdout

    update = run_cli(root, "baseline", "update", "igmigrate-baseline.json")
    assert update.exit_code == 0, update.stderr
    assert "not added" in update.stderr
    after = json.loads((root / "igmigrate-baseline.json").read_text(encoding="utf-8"))["entries"]
    assert after == [e for e in before if e not in fixed]  # nothing new added, order kept

    run_cli(root, "baseline", "update", "igmigrate-baseline.json", "--add-new")
    added = json.loads((root / "igmigrate-baseline.json").read_text(encoding="utf-8"))["entries"]
    assert {e["path"] for e in added} - {e["path"] for e in after} == {"feed.py"}
    assert run_cli(root, "scan", "--baseline", "igmigrate-baseline.json").exit_code == 0


@pytest.mark.parametrize("content, problem", [
    ("{not json", "invalid JSON at line 1"),
    ('{"entries": []}', "not an igmigrate baseline"),
    ('{"igmigrate_baseline": 9, "entries": []}', "format 9 is not supported"),
    ('{"igmigrate_baseline": 1, "entries": [{"fingerprint": "zz", "rule_id": "IGM101", "path": "a", "matched": ""}]}',
     "entry 1: fingerprint 'zz' is not a hex digest"),
    ('{"igmigrate_baseline": 1, "entries": [{"rule_id": "IGM101"}]}', "entry 1: key 'fingerprint' must be a string"),
    (None, "cannot read baseline"),
])
def test_a_bad_baseline_file_exits_2_and_names_it(tmp_path, content, problem):
    root = _repo(tmp_path)
    if content is not None:
        write(root, {"bad-baseline.json": content})
    for args in (("scan", "--baseline", "bad-baseline.json"), ("baseline", "update", "bad-baseline.json")):
        result = run_cli(root, *args)
        assert result.exit_code == 2
        assert "bad-baseline.json" in result.stderr and problem in result.stderr
        assert result.stderr.count("\n") == 1  # one line, no traceback
