"""Output formats. Each module renders a ScanResult; FORMATS maps a --format name to its module.

A writer is imported when its format is first rendered: a pre-commit scan prints text and
should not pay for SARIF's or JUnit's imports.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from igmigrate.findings import ScanResult
    from igmigrate.knowledge import KnowledgeBase

Renderer = Callable[["ScanResult", "KnowledgeBase", dict], str]

FORMATS: dict[str, str] = {
    "text": "igmigrate.outputs.text_output",
    "json": "igmigrate.outputs.json_output",
    "sarif": "igmigrate.outputs.sarif_output",
    "github": "igmigrate.outputs.github_output",
    "junit": "igmigrate.outputs.junit_output",
    "markdown": "igmigrate.outputs.markdown_output",
}


def renderer(name: str) -> Renderer:
    return import_module(FORMATS[name]).render


def render(name: str, result: ScanResult, kb: KnowledgeBase, options: dict | None = None) -> str:
    """The document in this format. Findings are masked when built; the whole document is
    masked again here, the last line before any writer (a secret in a file name, an error
    message or a new field must not get through either)."""
    from igmigrate.masking import mask

    return mask(renderer(name)(result, kb, options or {}))
