"""The JSON contract (schema_version 1) that other tools and the CI integration build on."""

from __future__ import annotations

import json

from igmigrate import __version__
from igmigrate.findings import Finding, ScanResult
from igmigrate.knowledge import KnowledgeBase
from igmigrate.provenance import ScanContext

SCHEMA_VERSION = 1


def _finding(f: Finding, kb: KnowledgeBase) -> dict:
    data = f.to_json()
    rule = kb.rules.get(f.rule_id)
    if rule is not None and rule.detect.kind == "endpoint" and f.matched:
        # The call as the scan resolved it (constants joined, masked): `probe --from-scan` sends it.
        data["endpoint"] = f.matched
    return data


def document(result: ScanResult, kb: KnowledgeBase, context: ScanContext | None = None) -> dict:
    doc: dict = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "igmigrate", "version": __version__},
        "knowledge_base": {"version": kb.version, "updated": kb.updated},
    }
    if context is not None:  # what was scanned: roots, repository, commit (docs/scan-json.md)
        doc["scan"] = context.block()
    doc["findings"] = [_finding(f, kb) for f in result.findings]
    doc["errors"] = [e.to_json() for e in result.errors]
    doc["summary"] = result.summary()
    return doc


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    return json.dumps(document(result, kb, options.get("scan_context")), indent=2, ensure_ascii=False) + "\n"
