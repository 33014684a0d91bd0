"""The flow analyzer asks "does this line, or one of the two before it, name a scope?" once
per line, not once per string: a vendored bundle of thousands of strings on a few long lines
was quadratic (each string searched its three long lines again)."""

from __future__ import annotations

import re

from conftest import scan_json
from igmigrate.analyzers import matching
from igmigrate.analyzers.flow import analyzer as flow_analyzer


class CountingPattern:
    """A scope-word pattern that counts its searches of long text (whole lines)."""

    def __init__(self, pattern: re.Pattern, counts: list[int]):
        self.pattern, self.counts = pattern, counts

    def search(self, text, *args):
        if len(text) > 2000:
            self.counts.append(len(text))
        return self.pattern.search(text, *args)


def test_long_line_is_searched_for_scope_words_once(tmp_path, monkeypatch):
    counts: list[int] = []
    monkeypatch.setattr(matching, "_SCOPE_NAME", CountingPattern(matching._SCOPE_NAME, counts))
    monkeypatch.setattr(flow_analyzer, "_SCOPE_WORD", CountingPattern(flow_analyzer._SCOPE_WORD, counts))
    icons = ",".join(f'"icon-{i}":"M{i} {i}z"' for i in range(400))
    (tmp_path / "icons.js").write_text(f"// instagram brand icon included\nvar icons = {{{icons}}};\n", encoding="utf-8")
    doc = scan_json(tmp_path, "--no-cache")
    assert doc["errors"] == []
    assert 1 <= len(counts) <= 2  # the long line, once (per analyzer that reads it), not once per string
