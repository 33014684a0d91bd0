"""The flow engine's constructs, one folder each under fixtures/flow/<language>/<construct>/.

A line that must produce a finding says so in a comment: `expect IGM114/error` (several may
follow one another). Every error or warning of the scan must be expected, and every
expectation met, so a construct that stops resolving and a false alarm both fail.
Each folder is scanned on its own (it is its own project for evidence).
"""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import FIXTURES, scan_json

FLOW = FIXTURES / "flow"
_EXPECT = re.compile(r"expect((?:\s+IGM\d+/(?:error|warning))+)")
CONSTRUCTS = sorted(p for p in FLOW.glob("*/*") if p.is_dir())


def expectations(folder) -> list[tuple[str, int, str, str]]:
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            m = _EXPECT.search(line)
            if m:
                for item in m.group(1).split():
                    rule, severity = item.split("/")
                    out.append((path.relative_to(folder).as_posix(), number, rule, severity))
    return sorted(out)


@pytest.mark.parametrize("folder", CONSTRUCTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_construct_findings(folder, tmp_path, monkeypatch):
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    monkeypatch.chdir(tmp_path)
    doc = scan_json(target, "--no-cache")
    found = sorted((f["path"].removeprefix(f"{folder.name}/"), f["line"], f["rule_id"], f["severity"])
                   for f in doc["findings"] if f["severity"] in ("error", "warning"))
    assert found == expectations(folder)
    assert not [e for e in doc["errors"] if "parse failed" in e["message"]]


def test_every_language_of_the_engine_has_constructs():
    assert {p.parent.name for p in CONSTRUCTS} >= {"javascript", "typescript", "php", "ruby", "go"}
