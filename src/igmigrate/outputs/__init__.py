"""Output formats. Each module renders a ScanResult; FORMATS maps a --format name to it."""

from __future__ import annotations

from collections.abc import Callable

from igmigrate.findings import ScanResult
from igmigrate.knowledge import KnowledgeBase
from igmigrate.outputs import json_output, text_output
from igmigrate.outputs import github_output, junit_output, markdown_output, sarif_output  # CI formats

Renderer = Callable[[ScanResult, KnowledgeBase, dict], str]

FORMATS: dict[str, Renderer] = {
    "text": text_output.render,
    "json": json_output.render,
    "sarif": sarif_output.render,
    "github": github_output.render,
    "junit": junit_output.render,
    "markdown": markdown_output.render,
}


def render(name: str, result: ScanResult, kb: KnowledgeBase, options: dict | None = None) -> str:
    return FORMATS[name](result, kb, options or {})
