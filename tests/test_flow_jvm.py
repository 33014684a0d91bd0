"""Java, Kotlin, Swift, C# and Dart on the flow engine: what their tables must keep true
beyond the construct fixtures (fixtures/flow/<language>/, tests/test_flow_fixtures.py)."""

from __future__ import annotations

import pytest

from conftest import scan_json

# A file each grammar cannot read: mostly ERROR nodes, an Instagram URL in the middle.
BROKEN = '}}} )) class ( = = "https://graph.instagram.com/me/media?fields=id" ]] {{ fun (( ;; @@\n'
LANGUAGES = {"java": "Broken.java", "kotlin": "Broken.kt", "swift": "Broken.swift", "csharp": "Broken.cs",
             "dart": "broken.dart"}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_unreadable_file_falls_back_to_the_text_rules_with_a_parse_warning(language, project):
    name = LANGUAGES[language]
    root = project({name: BROKEN})
    doc = scan_json(root, "--no-cache")
    assert [e for e in doc["errors"] if e["path"].endswith(name) and "parse failed" in e["message"]]
    assert [f for f in doc["findings"] if f["path"].endswith(name) and f["rule_id"] == "IGM114"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_language_table_loads(language):
    from igmigrate.analyzers.flow.spec import spec_for_grammar

    spec = spec_for_grammar(language)
    assert spec is not None and spec.imports == "visible"


# Pieces of each language's syntax, shuffled into hostile files: the lowering tables and the
# engine must never crash on what a grammar makes of them (a crash would only fall back to
# the text rules, so the analyzer is called directly here).
_PIECES = ['"https://graph.instagram.com/', "me/media", '"', "'", "$", "${", "}", "\\(", ")", "(", "{", "[", "]",
           "@GET(", "@Path(", "[Get(", "class A", "object B", "enum E", "case x = ", "fun f() =", "func f()",
           "static const", "const val X = ", " + ", ".joinToString(", ".join(", "String.format(", "Uri.Builder()",
           ".appendQueryParameter(", "URLComponents(", "import ", "using static ", "\n", " ", ",", ";", "=>", "=",
           ".", "::class.java", "create(", "baseUrl(", "user_profile", "\\u{1F600}", "\x00", "é"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_hostile_sources_never_crash_the_flow_analyzer(language, tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from igmigrate.analyzers.base import FileAnalysis
    from igmigrate.analyzers.flow.analyzer import FlowAnalyzer, FlowParseError
    from igmigrate.analyzers.matching import Matcher, file_contexts
    from igmigrate.knowledge import default_knowledge_base

    kb = default_knowledge_base()
    analyzer = FlowAnalyzer(kb, Matcher(kb), None)
    path = str(tmp_path / LANGUAGES[language])

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=60))
    def check(pieces):
        text = "".join(pieces)
        result = FileAnalysis(path=LANGUAGES[language], lines=text.split("\n"))
        try:
            analyzer.analyze(text, language, path, result, file_contexts(text))
        except FlowParseError:
            pass

    check()


def test_csharp_verbatim_strings_are_read_without_their_prefix(project):
    root = project({"Graph.cs": 'class Graph {\n    const string Base = @"https://graph.instagram.com";\n'
                                '    string Media() => Base + @"/me/media?fields=""id""";\n}\n'})
    doc = scan_json(root, "--no-cache")
    reads = [f for f in doc["findings"] if f["rule_id"] == "IGM114"]
    assert [f["line"] for f in reads] == [3]
    assert "graph.instagram.com/me/media" in reads[0]["message"]
