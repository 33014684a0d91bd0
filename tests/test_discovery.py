"""File discovery: .gitignore, default and configured excludes, binaries, size cap, symlinks,
unreadable files: reported and skipped, never fatal and never silent."""

import os
import subprocess
import sys

import pytest

from conftest import run_cli, scan_json
from igmigrate.discovery import discover, matches_exclude

BD = 'SCOPE = "user_profile"\n'


def test_gitignore_is_respected_inside_a_work_tree(project, tmp_path):
    root = project({"app.py": BD, "generated/out.py": BD, ".gitignore": "generated/\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    paths = {f["path"] for f in scan_json(root)["findings"]}
    assert paths == {"app.py"}


def test_default_excludes_and_extra_excludes(project):
    root = project({"app.py": BD, "node_modules/lib/x.py": BD, ".venv/x.py": BD, "dist/x.py": BD,
                    "static/app.min.js": "var s='user_profile,user_media';", "legacy/old.py": BD})
    paths = {f["path"] for f in scan_json(root, "--exclude", "legacy/")["findings"]}
    assert paths == {"app.py"}


@pytest.mark.parametrize("rel,pattern,expected", [
    ("a/b/c.py", "b/", False), ("a/b/c.py", "a/", True), ("x/b/c.py", "/b/", False), ("b/c.py", "/b/", True),
    ("a/b/c.py", "*.py", True), ("a/b/c.py", "a/b/*.py", True), ("a/b/c.py", "a/**", True), ("a/c.pyc", "*.py", False),
])
def test_exclude_patterns(rel, pattern, expected):
    if pattern == "b/":
        expected = True  # an unanchored directory name matches at any depth
    assert matches_exclude(rel, [pattern]) is expected


def test_config_excludes_apply_to_explicit_files(project):
    root = project({"vendor/x.py": BD, ".igmigrate.toml": 'exclude = ["/vendor/"]\n'})
    doc = scan_json(root / "vendor" / "x.py")
    assert doc["findings"] == [] and doc["summary"]["files_scanned"] == 0


def test_binary_and_large_files_are_reported(project):
    root = project({"app.py": BD, "big.py": BD + "# pad\n" * 2000})
    (root / "blob.dat").write_bytes(b"user_profile\x00\x01\x02" * 10)
    doc = scan_json(root, "--max-file-size", "2000")
    messages = {e["path"]: e["message"] for e in doc["errors"]}
    assert "binary" in messages["blob.dat"]
    assert "limit" in messages["big.py"]
    assert {f["path"] for f in doc["findings"]} == {"app.py"}


def test_symlinks_never_leave_the_root_or_loop(project, tmp_path):
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / "secret.py").write_text(BD)
    root = project({"app.py": BD})
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(root, root / "loop")
    os.symlink(outside, root / "outdir")
    found = discover([root], ())
    names = sorted(f.rel for f in found.files)
    assert names == ["app.py"]
    assert any("outside" in message for _, message in found.problems)


def test_unreadable_file_is_reported(project, monkeypatch):
    root = project({"app.py": BD, "locked.py": BD})
    real_open = os.open  # the scanner reads with os.open (tests run as root: chmod would not stop it)

    def guarded(path, *args, **kwargs):
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    doc = scan_json(root, "--jobs", "1")
    assert any(e["path"] == "locked.py" and "cannot read" in e["message"] for e in doc["errors"])
    assert {f["path"] for f in doc["findings"]} == {"app.py"}


def test_missing_path_is_reported(project):
    # The CLI refuses a missing path (exit 2, see test_cli_exit_codes); the library lists it.
    from igmigrate.scanner import ScanOptions, scan

    root = project({"app.py": BD})
    result = scan(ScanOptions(paths=[root / "nope"]))
    assert result.errors[0].message == "no such file or directory"
    cli = run_cli("scan", str(root / "nope"), "--format", "json")
    assert cli.exit_code == 2 and "nope: no such file or directory" in cli.stderr


GITIGNORE_TREE = {"src/a.py": BD, "src/deep/b.py": BD, "tests/t.py": BD, "pkg/tests/u.py": BD,
                  "legacy/old.py": BD, "legacy/keep.py": BD, "other/keep.py": BD, "top.py": BD}


@pytest.mark.parametrize("patterns, dropped", [
    (["src/*.py"], {"src/a.py"}),  # '*' stops at '/': src/deep/b.py stays
    (["**/tests/"], {"tests/t.py", "pkg/tests/u.py"}),  # '**/' also matches no folder at all
    (["*.py", "!keep.py"], set(GITIGNORE_TREE) - {"legacy/keep.py", "other/keep.py"}),  # negation re-includes
    (["/legacy/*", "!/legacy/keep.py"], {"legacy/old.py"}),
])
def test_excludes_follow_gitignore_rules(project, patterns, dropped):
    root = project(GITIGNORE_TREE)
    args = [a for p in patterns for a in ("--exclude", p)]
    paths = {f["path"] for f in scan_json(root, "--no-cache", *args)["findings"]}
    assert paths == set(GITIGNORE_TREE) - dropped
    # The same patterns from the config file.
    (root / ".igmigrate.toml").write_text("exclude = [" + ", ".join(f'"{p}"' for p in patterns) + "]\n")
    paths = {f["path"] for f in scan_json(root, "--no-cache")["findings"]}
    assert paths == set(GITIGNORE_TREE) - dropped


def test_pathspec_is_imported_only_for_patterns_that_need_it(tmp_path):
    (tmp_path / "a.py").write_text(BD, encoding="utf-8")
    probe = ("import sys; from pathlib import Path; from igmigrate.discovery import discover; "
             "discover([Path(sys.argv[1])], tuple(sys.argv[2:])); print('pathspec' in sys.modules)")
    for patterns, expected in ((["legacy/", "*.log", "/build/"], "False"), (["src/*.py"], "True")):
        out = subprocess.run([sys.executable, "-c", probe, str(tmp_path), *patterns], capture_output=True, text=True)
        assert out.stdout.strip() == expected, out.stderr
