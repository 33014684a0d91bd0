"""The JSON contract (schema_version 1) that other tools and the CI integration build on."""

from __future__ import annotations

import json

from igmigrate import __version__
from igmigrate.findings import ScanResult
from igmigrate.knowledge import KnowledgeBase
from igmigrate.provenance import ScanContext

SCHEMA_VERSION = 1


def document(result: ScanResult, kb: KnowledgeBase, context: ScanContext | None = None) -> dict:
    doc: dict = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "igmigrate", "version": __version__},
        "knowledge_base": {"version": kb.version, "updated": kb.updated},
    }
    if context is not None:  # what was scanned: roots, repository, commit (docs/scan-json.md)
        doc["scan"] = context.block()
    doc["findings"] = [f.to_json() for f in result.findings]
    doc["errors"] = [e.to_json() for e in result.errors]
    doc["summary"] = result.summary()
    return doc


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    return json.dumps(document(result, kb, options.get("scan_context")), indent=2, ensure_ascii=False) + "\n"
