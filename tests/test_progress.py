"""Progress on stderr: drawn only on a terminal (checked with a real pty), silent otherwise."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from igmigrate.progress import Progress

from conftest import write_tree


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _read_all(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_terminal_shows_files_done_of_total_and_rate():
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w")
    try:
        clock = Clock()
        progress = Progress(stream, clock=clock)
        assert progress.enabled  # decided by isatty() on the pty
        progress.start(1000)
        clock.now += 2.0
        progress.advance(500)
        shown = _read_all(master)
        assert "500/1,000 files (50%)" in shown and "250 files/s" in shown
        progress.finish()
        assert _read_all(master).endswith("\r\x1b[K")  # the line is erased at the end
    finally:
        stream.close()
        os.close(master)


def test_short_scans_print_nothing_even_on_a_terminal():
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w")
    try:
        clock = Clock()
        progress = Progress(stream, clock=clock)
        progress.start(10)
        clock.now += 0.1  # under the delay
        progress.advance(10)
        progress.finish()
        assert _read_all(master) == ""
    finally:
        stream.close()
        os.close(master)


def test_redraws_are_rate_limited():
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(stream, enabled=True, clock=clock, delay=0)
    progress.start(100)
    for _ in range(50):
        progress.advance(1)  # same instant: one draw
    assert stream.getvalue().count("\r") == 1
    clock.now += 1
    progress.advance(50)  # the last file is always drawn
    assert "100/100 files (100%)" in stream.getvalue()


def test_not_a_terminal_writes_nothing():
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(stream, clock=clock, delay=0)
    assert not progress.enabled
    progress.start(10)
    clock.now += 5
    progress.advance(10)
    progress.finish()
    assert stream.getvalue() == ""


def test_closed_stream_counts_as_not_a_terminal():
    stream = io.StringIO()
    stream.close()
    assert not Progress(stream).enabled


def test_cli_prints_nothing_extra_to_a_pipe(tmp_path):
    files = {f"d{i % 7}/f{i}.py": f"X = {i}\n" for i in range(250)}
    files["app.py"] = 'SCOPE = "user_profile,user_media"\n'
    root = write_tree(tmp_path / "tree", files)
    done = subprocess.run([sys.executable, "-m", "igmigrate", "scan", str(root), "--format", "json", "--no-cache"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
