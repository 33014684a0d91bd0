"""Every rule's `bad` examples raise it (at the expected severity); its `good` ones don't."""

import pytest

from conftest import scan_json, write_tree
from igmigrate.knowledge import default_knowledge_base

KB = default_knowledge_base()
CASES = [(rule.id, side, i, example) for rule in KB.rules.values()
         for side in ("bad", "good") for i, example in enumerate(getattr(rule, side))]


@pytest.mark.parametrize("rule_id,side,index,example", CASES, ids=[f"{c[0]}-{c[1]}{c[2]}" for c in CASES])
def test_rule_example(tmp_path, monkeypatch, rule_id, side, index, example):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "project", {example.file: example.code})
    findings = [f for f in scan_json(tmp_path / "project")["findings"] if f["rule_id"] == rule_id]
    if side == "bad":
        expected = example.expect or KB.rules[rule_id].severity
        assert findings, f"{rule_id} did not fire on its bad example"
        assert expected in {f["severity"] for f in findings}
    else:
        assert not [f for f in findings if f["severity"] in ("error", "warning")], findings


def test_every_rule_has_examples_and_metadata():
    for rule in KB.rules.values():
        assert rule.bad and rule.good, rule.id
        assert rule.title and rule.message
        if rule.severity in ("error", "warning") and rule.detect.kind not in ("none",):
            assert rule.replacement and rule.docs, f"{rule.id} needs a replacement with a docs link"
