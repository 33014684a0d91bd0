"""Writes: through symlinks, never over FIFOs, devices or folders, keeping modes, atomic."""

import json
import os
import stat

import pytest

from conftest import run_cli
from igmigrate.atomic import NotARegularFile, write_atomically

BD = 'SCOPE = "user_profile,user_media"\n'


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_files_get_the_umask_mode_and_existing_files_keep_theirs(tmp_path, umask_022):
    new = tmp_path / "new.txt"
    write_atomically(new, "x")
    assert _mode(new) == 0o644
    os.chmod(new, 0o640)
    write_atomically(new, "y")
    assert _mode(new) == 0o640 and new.read_text() == "y"
    os.umask(0o077)
    write_atomically(tmp_path / "private.txt", "z")
    assert _mode(tmp_path / "private.txt") == 0o600


def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o664)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    write_atomically(link, "new")
    assert link.is_symlink() and real.read_text() == "new" and _mode(real) == 0o664
    dangling = tmp_path / "dangling"
    dangling.symlink_to("made.txt")
    write_atomically(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "made.txt").read_text() == "made"


def test_fifo_and_directory_targets_are_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="FIFO"):
        write_atomically(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(NotARegularFile, match="directory"):
        write_atomically(tmp_path, "x")
    with pytest.raises(NotARegularFile, match="device"):
        write_atomically("/dev/null", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary file left


@pytest.mark.parametrize("command", [
    lambda t: ["scan", ".", "--output", f"json={t}"],
    lambda t: ["scan", ".", "--format", "sarif", "-o", str(t)],
    lambda t: ["report", ".", "-o", str(t)],
    lambda t: ["baseline", "create", ".", "-o", str(t)],
])
def test_cli_refuses_special_targets_with_exit_2(project, tmp_path, command):
    project({"a.py": BD})
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = run_cli(*command(fifo))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "out.fifo" in result.stderr and "FIFO" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.fifo")]


def test_cli_writes_through_a_symlinked_output(project, tmp_path):
    project({"a.py": BD})
    real = tmp_path / "results" / "scan.json"
    real.parent.mkdir()
    real.write_text("{}")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert run_cli("scan", "a.py", "--output", f"json={link}").exit_code == 1
    assert link.is_symlink() and json.loads(real.read_text())["findings"]


def test_baseline_update_keeps_the_file_mode(project, umask_022):
    root = project({"a.py": BD, "b.py": BD})
    assert run_cli("baseline", "create", ".", "-o", "b.json").exit_code == 0
    assert _mode(root / "b.json") == 0o644  # the umask's, not 0600
    os.chmod(root / "b.json", 0o664)
    (root / "b.py").write_text("X = 1\n")
    assert run_cli("baseline", "update", "b.json", ".").exit_code == 0
    assert _mode(root / "b.json") == 0o664
