"""`baseline update` drops only entries of files it read and analyzed: excluded, unreadable,
oversized and unparsable files keep theirs."""

import json

from conftest import run_cli

BD = 'SCOPE = "user_profile,user_media"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'


def _entries(path) -> set[str]:
    return {e["path"] for e in json.loads(path.read_text())["entries"]}


def _baseline(project, files: dict[str, str]):
    root = project(files)
    assert run_cli("baseline", "create", ".", "-o", "b.json").exit_code == 0
    return root


def test_excluded_files_keep_their_entries(project):
    root = _baseline(project, {"app.py": BD, "legacy/old.py": BD, "legacy/deep/older.py": BD})
    before = _entries(root / "b.json")
    assert {"legacy/old.py", "legacy/deep/older.py"} <= before
    result = run_cli("baseline", "update", "b.json", ".", "--exclude", "legacy/")
    assert result.exit_code == 0 and "removed 0 fixed entries" in result.stderr
    assert _entries(root / "b.json") == before


def test_oversized_and_broken_files_keep_their_entries(project):
    root = _baseline(project, {"big.py": BD, "gone.py": BD, "package.json": '{"dependencies": {"instafeed.js": "1"}}'})
    before = _entries(root / "b.json")
    assert "package.json" in before
    (root / "big.py").write_text(BD + "#" * 5000)
    (root / "package.json").write_text('{"dependencies": {"instafeed.js": ')  # no longer parses
    (root / "gone.py").write_text("X = 1\n")  # really fixed
    # --max-file-size is a scan option; baseline update takes the config file's.
    (root / "cfg.toml").write_text("[tool.igmigrate]\nmax-file-size = 4000\n")
    result = run_cli("baseline", "update", "b.json", ".", "--config", "cfg.toml")
    assert result.exit_code == 0, result.output
    after = _entries(root / "b.json")
    assert "gone.py" not in after
    assert {"big.py", "package.json"} <= after


def test_scan_with_baseline_does_not_call_excluded_entries_fixed(project):
    _baseline(project, {"app.py": BD, "legacy/old.py": BD})
    result = run_cli("scan", ".", "--baseline", "b.json", "--exclude", "legacy/")
    assert result.exit_code == 0 and "0 baseline entries fixed" in result.stdout
