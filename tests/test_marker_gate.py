"""The marker scan skips a pattern's regex pass when the text lacks a run of characters
every match must contain; that shortcut must never skip a real match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from igmigrate.analyzers.markers import mask_spans, required_literal
from igmigrate.knowledge import default_knowledge_base

KB = default_knowledge_base()
PATTERNS = [p for r in KB.rules_of_kind("marker") for p in r.detect.patterns] + \
           [p for pkg in KB.packages for p in pkg.imports]


@pytest.mark.parametrize("source,flags,expected", [
    (r"^\s*(?:from|import)\s+instabasic\b", 0, ("instabasic", False)),
    (r"(?i)account_type[^\n]{0,60}PERSONAL", 0, ("account_type", True)),
    (r"abc|defgh", 0, None),  # top-level alternative: nothing is certain
    (r"(?:abcdef|x)yz", 0, None),  # the group's text is not certain, "yz" too short
    (r"abcd?ef", 0, ("abc", False)),  # 'd' is optional, so the run ends before it
    (r"[a\]bcd]xy", 0, None),  # an escaped ']' does not end the set
    (r"[]abcdef]", 0, None),
    (r"new\s+\\?Vendor\\Name\\", 0, ("Vendor\\Name\\", False)),
    (r"require\(\s*'pkg-name'", 0, ("'pkg-name'", False)),
    (r"abc def", re.VERBOSE, None),
    (r"straße", re.IGNORECASE, None),
])
def test_required_runs(source, flags, expected):
    assert required_literal(re.compile(source, flags)) == expected


def test_every_knowledge_base_pattern_is_gated():
    # The point of the gate: each marker and import pattern names something fixed.
    assert all(required_literal(p) is not None for p in PATTERNS)


PIECES = ["instagram", "InStAgRaM", "_basic_display", " basic display api", "account_type", "'PERSONAL'",
          "\"personal\"", "from ", "import ", "require('", "')", "instagram-basic-display", "passport-instagram",
          "\\EspressoDev\\InstagramBasicDisplay\\", "use ", "new ", "sig=", "?", "&", "enforce_signed_requests",
          "docs/", "\n", "  ", "x", "instabasic", "instagram_basic_display", ".client", "client"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_gate_never_hides_a_match(text):
    for pattern in PATTERNS:
        if pattern.search(text):
            run, ignore_case = required_literal(pattern)
            assert run in (text.lower() if ignore_case else text), (pattern.pattern, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n#", max_size=40), st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=4))
def test_mask_spans_blanks_exactly_the_spans(text, raw_spans):
    spans = [(min(a, b), max(a, b)) for a, b in raw_spans]  # any order, overlaps allowed
    masked = mask_spans(text, spans)
    assert len(masked) == len(text)
    for i, c in enumerate(text):
        inside = any(a <= i < b for a, b in spans)
        assert masked[i] == (" " if inside and c != "\n" else c)
