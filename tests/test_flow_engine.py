"""The flow analyzer's contract with the scanner: fallback, definition spans, laziness."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import scan_json
from igmigrate.analyzers.base import FileAnalysis
from igmigrate.analyzers.flow.analyzer import FlowAnalyzer
from igmigrate.analyzers.matching import Matcher, file_contexts
from igmigrate.knowledge import default_knowledge_base

KB = default_knowledge_base()
MATCHER = Matcher(KB)


def analyze(text: str, grammar: str = "javascript", path: str = "a.js") -> FileAnalysis:
    result = FileAnalysis(path=path, lines=text.split("\n"))
    FlowAnalyzer(KB, MATCHER).analyze(text, grammar, path, result, file_contexts(text))
    return result


def test_unparsable_file_falls_back_to_text_rules_with_a_parse_warning(project):
    garbage = "}}}{{{ ))) const const ((( 'https://api.instagram.com/oauth/authorize?scope=user_profile' ]]]\n" * 3
    root = project({"src/broken.js": garbage})
    doc = scan_json(root / "src", "--no-cache")
    assert any(e["path"].endswith("broken.js") and "javascript parse failed" in e["message"] for e in doc["errors"])
    assert {f["rule_id"] for f in doc["findings"]} >= {"IGM110", "IGM101"}  # the text rules still read it


def test_definition_points_at_the_literal_that_defines_the_value():
    text = "const SCOPE = 'user_profile';\nconst url = 'https://api.instagram.com/oauth/authorize?scope=' + SCOPE;\n"
    result = analyze(text)
    scope_hits = [h for h in result.hits if h.rule_id == "IGM101"]
    assert scope_hits and scope_hits[0].definition is not None
    path, start, end = scope_hits[0].definition
    assert path == "a.js" and text.encode()[start:end] == b"'user_profile'"


def test_definition_in_another_file_is_named_by_its_display_path(project):
    root = project({
        "app/consts.js": "export const SCOPES = 'user_profile,user_media';\n",
        "app/login.js": "import { SCOPES } from './consts';\n"
                        "export const u = 'https://api.instagram.com/oauth/authorize?client_id=1&scope=' + SCOPES;\n",
    })
    from igmigrate.analyzers.flow.project import FlowFiles

    files = FlowFiles([(str(root / "app/consts.js"), "app/consts.js"), (str(root / "app/login.js"), "app/login.js")])
    analyzer = FlowAnalyzer(KB, MATCHER, files)
    text = (root / "app/login.js").read_text()
    result = FileAnalysis(path="app/login.js", lines=text.split("\n"))
    analyzer.analyze(text, "javascript", str(root / "app/login.js"), result, file_contexts(text))
    authorize = [h for h in result.hits if h.rule_id == "IGM110"]
    assert authorize and authorize[0].definition[0] == "app/login.js"
    # the scopes are reported where they are defined, not again where they are read
    assert not [h for h in result.hits if h.rule_id == "IGM101"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_hostile_bytes_never_crash_the_scan(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("hostile")
    (root / "x.ts").write_bytes(b"const u = 'https://graph.instagram.com/me';\n" + data)
    (root / "y.go").write_bytes(b"package x\nconst u = \"https://graph.instagram.com/me\"\n" + data)
    doc = scan_json(root, "--no-cache")
    assert isinstance(doc["findings"], list)
