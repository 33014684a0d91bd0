"""The tool skips what it wrote: after the README's CI commands write SARIF, JUnit, JSON,
Markdown and both reports into the tree, a second scan finds what the first found."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, run_cli, scan_json
from igmigrate.own_outputs import is_own_output


def test_a_second_scan_after_the_ci_commands_finds_the_same(tmp_path, monkeypatch):
    tree = tmp_path / "app"
    shutil.copytree(FIXTURES / "js_bd", tree)
    monkeypatch.chdir(tree)
    first = scan_json(tree, "--no-cache")
    assert first["findings"]
    (tree / "out").mkdir()
    # Names chosen so that only the content can give them away.
    for args in (["scan", "--output", "sarif=out/a.txt", "--output", "junit=out/b.js", "--output", "json=out/c.py",
                  "--output", "markdown=out/d.md", "--no-cache"],
                 ["scan", "--output", "sarif=igmigrate.sarif", "--output", "junit=igmigrate-junit.xml", "--no-cache"],
                 ["report", ".", "--format", "markdown", "-o", "out/report.md"],
                 ["report", ".", "--format", "html", "-o", "out/report.html"],
                 ["baseline", "create", "-o", "out/accepted.yaml"]):
        result = run_cli(*args)
        assert result.exit_code in (0, 1), (args, result.output)
    second = scan_json(tree, "--no-cache")
    assert len(second["findings"]) == len(first["findings"])
    skipped = {e["path"] for e in second["errors"] if e["message"] == "skipped: igmigrate's own output"}
    assert skipped == {"out/a.txt", "out/b.js", "out/c.py", "out/d.md", "out/report.md", "out/report.html",
                       "out/accepted.yaml", "igmigrate.sarif", "igmigrate-junit.xml"}
    quiet = run_cli("scan", "--no-cache")
    assert "out/report.html" not in quiet.stdout and "igmigrate's own output" in quiet.stdout
    verbose = run_cli("scan", "--no-cache", "--verbose")
    assert "out/report.html: skipped: igmigrate's own output" in verbose.stdout


def test_files_that_only_mention_igmigrate_are_scanned():
    assert not is_own_output(b'{"name": "igmigrate", "runs": []}')
    assert not is_own_output(b"# igmigrate: notes\nhttps://api.instagram.com/oauth/authorize\n")
    assert not is_own_output(b'<html><head><meta name="generator" content="igmigrate"></head>')
