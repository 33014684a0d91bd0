"""SARIF for GitHub code scanning: readable rule descriptions and security metadata, valid
against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema

from conftest import FIXTURES, REPO, run_cli

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _sarif(tmp_path, monkeypatch) -> dict:
    shutil.copytree(FIXTURES, tmp_path / "fx")
    monkeypatch.chdir(tmp_path)
    result = run_cli("scan", "fx", "--format", "sarif", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_rule_descriptions_show_no_template_slots_and_tokens_carry_security_metadata(tmp_path, monkeypatch):
    rules = _sarif(tmp_path, monkeypatch)["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        texts = [rule["shortDescription"]["text"], rule["fullDescription"]["text"], rule["help"]["text"]]
        for text in texts:
            assert not re.search(r"<\w+>|\{[a-z_]+\}", text), (rule["id"], text)
    tokens = [r for r in rules if r["id"] in ("IGM102", "IGM205")]
    assert len(tokens) == 2
    for rule in tokens:
        assert "security" in rule["properties"]["tags"]
        assert 7.0 <= float(rule["properties"]["security-severity"]) <= 10.0
    assert all("security-severity" not in r["properties"] for r in rules if r not in tokens)


def test_junit_is_well_formed_whatever_snippets_and_names_hold(tmp_path, monkeypatch):
    import xml.etree.ElementTree as ET

    monkeypatch.chdir(tmp_path)
    hostile = "\x1b]0;title\x07\x01\x0b\x0c\x1f\ufffe"
    (tmp_path / f"a{hostile[:2]}b.js").write_text(
        f'const u = "https://api.instagram.com/oauth/authorize?scope=user_profile"; // {hostile}\n', encoding="utf-8")
    (tmp_path / "b.py").write_text(f'SCOPE = "user_profile"  # {hostile}\n', encoding="utf-8")
    result = run_cli("scan", ".", "--format", "junit", "--no-cache")
    assert result.exit_code == 1, result.output
    root = ET.fromstring(result.stdout_bytes)
    assert int(root.get("failures")) >= 2
