"""The JSON contract (schema_version 1) that other tools and the CI integration build on."""

from __future__ import annotations

import json

from igmigrate import __version__
from igmigrate.findings import ScanResult
from igmigrate.knowledge import KnowledgeBase

SCHEMA_VERSION = 1


def document(result: ScanResult, kb: KnowledgeBase) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "igmigrate", "version": __version__},
        "knowledge_base": {"version": kb.version, "updated": kb.updated},
        "findings": [f.to_json() for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "summary": result.summary(),
    }


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    return json.dumps(document(result, kb), indent=2, ensure_ascii=False) + "\n"
