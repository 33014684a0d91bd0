"""Worker processes: forked ones inherit the parent's engine and file list, spawned ones
rebuild them; both must give exactly what a serial scan gives, errors included."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from conftest import FIXTURES
from igmigrate import scanner
from igmigrate.scanner import ScanOptions, _read_file, _TooLarge, scan


def _tree(root):
    root.mkdir()
    for i in range(230):  # over the 200 files below which a scan stays serial
        (root / f"pkg{i % 9}").mkdir(exist_ok=True)
        (root / f"pkg{i % 9}" / f"m{i}.py").write_text(
            'SCOPE = "user_profile"\n' if i % 11 == 0 else f"VALUE = {i}\n", encoding="utf-8")
    (root / "big.js").write_text("const u = 'https://api.instagram.com/oauth/authorize';\n" + "// pad\n" * 400)
    (root / "blob.txt").write_bytes(b"instagram\0\0binary")
    for path in (FIXTURES / "js_bd").rglob("*"):
        if path.is_file():
            (root / path.name).write_bytes(path.read_bytes())
    return root


def _summary(result):
    return ([(f.rule_id, f.path, f.line, f.severity, f.message) for f in result.findings],
            [(e.path, e.message) for e in result.errors], result.files_scanned)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_match_a_serial_scan(tmp_path, monkeypatch, start):
    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    root = _tree(tmp_path / "tree")
    options = dict(paths=[root], max_file_size=2000)
    serial = _summary(scan(ScanOptions(jobs=1, **options), cwd=root))
    monkeypatch.setattr(scanner, "_pool_context", lambda: multiprocessing.get_context(start))
    parallel = _summary(scan(ScanOptions(jobs=2, **options), cwd=root))
    assert parallel == serial
    findings, errors, scanned = serial
    assert scanned > 200 and findings
    assert any(path == "big.js" and "over the 2000-byte limit" in message for path, message in errors)
    assert any(path == "blob.txt" and "binary" in message for path, message in errors)


def test_read_file_reads_up_to_the_limit_and_refuses_more(tmp_path):
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * 100)
    data, st = _read_file(os.fspath(exact), 100)
    assert data == b"x" * 100 and st.st_size == 100
    with pytest.raises(_TooLarge) as over:
        _read_file(os.fspath(exact), 99)
    assert over.value.size == 100
    with pytest.raises(FileNotFoundError):
        _read_file(os.fspath(tmp_path / "missing"), 100)


def test_read_file_reads_to_the_end_of_a_file_that_grew_after_its_stat(tmp_path, monkeypatch):
    grown = tmp_path / "grown.txt"
    grown.write_bytes(b"y" * 10)
    real_fstat = os.fstat

    class Stale:  # what fstat said before the file grew
        def __init__(self, st):
            self.st_size = 4
            self.st_mode = st.st_mode
            self._st = st

    monkeypatch.setattr(os, "fstat", lambda fd: Stale(real_fstat(fd)))
    data, _ = _read_file(os.fspath(grown), 100)
    assert data == b"y" * 10
    with pytest.raises(_TooLarge):
        _read_file(os.fspath(grown), 8)
