"""Workers: never more than the CPUs and the work, gone when the scan is killed, and a file
swapped for a FIFO after discovery cannot block the scan."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import scan_json
from igmigrate import scanner
from igmigrate.discovery import SourceFile
from igmigrate.knowledge import default_knowledge_base
from igmigrate.reading import NotRegular, read_regular
from igmigrate.scanner import _Engine, worker_count

CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, makes FIFOs")


def test_worker_count_is_capped_by_cpus_and_by_files():
    assert worker_count(1000, 10_000) == CPUS
    assert worker_count(0, 10_000) == CPUS
    assert worker_count(1000, 1) == 1
    assert worker_count(1, 10_000) == 1
    assert worker_count(1000, 0) == 1


def test_jobs_1000_in_a_repository_config_starts_at_most_one_worker_per_cpu(project, monkeypatch):
    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    class Recording(real):  # the real pool, with its size noted
        def __init__(self, max_workers=None, **kwargs):
            started.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    files = {f"m{i}.py": 'SCOPE = "user_profile"\n' for i in range(240)}
    root = project({".igmigrate.toml": "jobs = 1000\n", **files})
    doc = scan_json(root, "--no-cache")
    assert len(doc["findings"]) == 240
    assert started and all(1 <= n <= CPUS for n in started)


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@linux_only
def test_a_killed_scan_leaves_no_workers(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    # The first chunks (files in name order) are slow to analyze, so the workers are busy
    # when the scan is killed: a busy worker would otherwise go on for many seconds.
    slow = "".join(f'URL_{i} = "https://graph.instagram.com/me/media?fields=id&n={i}" + str({i})\n'
                   for i in range(2000))
    for i in range(40):
        (tree / f"a{i:03}.py").write_text(slow, encoding="utf-8")
    for i in range(200):
        (tree / f"m{i}.py").write_text('SCOPE = "user_profile"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "igmigrate", "scan", str(tree), "--no-cache", "-j", "2",
                             "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert workers, "the scan finished before it started workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them running when the test fails
        os.kill(w, signal.SIGKILL)
    assert left == []


@pytest.fixture
def alarm():
    """Turn a blocked read into a test failure instead of a hung suite."""
    def expired(*_):
        raise TimeoutError("blocked")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@linux_only
def test_a_file_swapped_for_a_fifo_after_discovery_is_an_error_not_a_hang(tmp_path, alarm):
    fifo = tmp_path / "app.js"
    os.mkfifo(fifo)  # discovery saw a regular file here; it was replaced since
    with pytest.raises(NotRegular):
        read_regular(str(fifo), 1000)
    engine = _Engine(default_knowledge_base(), {}, 1000)
    source = SourceFile(str(fifo), "app.js", "app.js", tmp_path)
    analysis, error = engine.analyze(source, frozenset())
    assert analysis is None and error is not None and "not a regular file" in error.message
    # The project grouping reads manifests too: a FIFO package.json is passed over.
    os.mkfifo(tmp_path / "package.json")
    manifest = SourceFile(str(tmp_path / "package.json"), "package.json", "package.json", tmp_path)
    assert scanner._Projects([manifest, source]).own(source) == frozenset()


@linux_only
def test_a_symlink_swapped_in_after_discovery_is_not_followed(tmp_path):
    (tmp_path / "secret.txt").write_text("instagram\n")
    os.symlink(tmp_path / "secret.txt", tmp_path / "link.js")
    with pytest.raises(OSError):
        read_regular(str(tmp_path / "link.js"), 1000)
