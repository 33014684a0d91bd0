"""Exit 2 for a missing path or '-', nothing created; unreadable files are listed, not fatal."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import run_cli

BD = 'SCOPE = "user_profile,user_media"\n'


@pytest.mark.parametrize("command", [["scan"], ["scan", "--format", "json"], ["report"], ["baseline", "create", "-o", "b.json"]])
def test_missing_path_exits_2_and_creates_nothing(project, tmp_path, command):
    project({"a.py": BD})
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli(*command, "does/not/exist")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does/not/exist" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path / "does").exists()


def test_absolute_missing_path_creates_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "gone" / "deeper"
    assert run_cli("scan", str(missing)).exit_code == 2
    assert not (tmp_path / "gone").exists()


def test_stdin_dash_is_a_usage_error(project):
    project({"a.py": BD})
    result = run_cli("scan", "-")
    assert result.exit_code == 2 and "stdin" in result.stderr


def _run_unprivileged(args: list[str], cwd) -> subprocess.CompletedProcess:
    """Run igmigrate so that a mode-0 file is unreadable: as nobody when the tests run as root."""
    command = [sys.executable, "-m", "igmigrate", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv: every file is readable")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def open_tmp():
    """A folder every user can enter (pytest's tmp_path is private to its owner)."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


def test_unreadable_file_is_listed_and_exit_code_follows_findings(open_tmp):
    root = open_tmp / "proj"
    root.mkdir()
    os.chmod(root, 0o777)
    (root / "ok.py").write_text("X = 1\n")
    (root / "only_error.py").write_text(BD)
    os.chmod(root / "only_error.py", 0)
    text = _run_unprivileged(["scan", ".", "--no-cache"], root)
    doc = _run_unprivileged(["scan", ".", "--no-cache", "--format", "json"], root)
    assert text.returncode == 0, text.stderr
    assert "only_error.py: cannot read" in text.stdout and "1 file not fully scanned" in text.stdout
    assert doc.returncode == 0
    assert [e["path"] for e in json.loads(doc.stdout)["errors"]] == ["only_error.py"]
    (root / "other.py").write_text(BD)
    assert _run_unprivileged(["scan", ".", "--no-cache"], root).returncode == 1  # findings still decide
