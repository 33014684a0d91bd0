"""YAML, JSON and TOML read as trees: lists under a scope key spread over lines, mapping keys
that are not values, exact positions, and bad files falling back to the text rules."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import scan_json
from igmigrate.analyzers.base import FileAnalysis
from igmigrate.analyzers.config_tree import ConfigParseError, analyze_config_tree, tree_kind
from igmigrate.analyzers.matching import Matcher
from igmigrate.knowledge import default_knowledge_base


def _found(doc, rule=None):
    return sorted((f["path"], f["line"], f["column"], f["end_column"], f["rule_id"]) for f in doc["findings"]
                  if rule is None or f["rule_id"] == rule)


@pytest.mark.parametrize("name,text,expected", [
    ("app.yaml", "oauth:\n  provider: other\n  scope:\n    - user_profile\n    - user_media\n",
     [(4, 7, 19), (5, 7, 17)]),
    ("app.yml", "oauth:\n  scope: [user_profile, 'user_media']\n", [(2, 11, 37)]),  # one finding per rule and line
    ("intl.yaml", 'oauth:\n  scope: ["\u00e9", user_profile]\n', [(2, 16, 28)]),  # columns count characters
    ("settings.json", '{\n  "oauth": {\n    "scopes": [\n      "user_profile",\n      "user_media"\n    ]\n  }\n}\n',
     [(4, 7, 21), (5, 7, 19)]),
    ("settings.toml", '[oauth]\nname = "x"\nscopes = [\n  "user_profile",\n  "user_media",\n]\n',
     [(4, 3, 17), (5, 3, 15)]),
])
def test_scope_list_spread_over_lines_is_found_at_each_element(project, name, text, expected):
    doc = scan_json(project({name: text}))
    assert _found(doc, "IGM101") == [(name, *e, "IGM101") for e in expected], doc["findings"]


@pytest.mark.parametrize("name,text", [
    ("cache.yaml", "instagram:\n  ttl:\n    user_profile: 3600\n    user_media: 60\n"),
    ("cache.json", '{"instagram": {"user_profile": {"ttl": 5}, "user_media": {"ttl": 6}}}\n'),
    ("cache.toml", "[instagram.user_profile]\nttl = 5\n[instagram.user_media]\nttl = 6\n"),
])
def test_mapping_keys_are_not_scopes(project, name, text):
    assert not _found(scan_json(project({name: text})))


def test_yaml_anchor_reported_once_and_comment_is_a_note(project):
    text = ("# login used https://api.instagram.com/oauth/authorize?scope=user_profile\n"
            "base: &ig\n  url: https://graph.instagram.com/me/media\nprod:\n  <<: *ig\nstaging: *ig\n")
    doc = scan_json(project({"deploy.yaml": text}))
    assert [(f["line"], f["rule_id"], f["severity"]) for f in doc["findings"] if f["severity"] != "note"] == [(3, "IGM114", "warning")]
    assert {f["line"] for f in doc["findings"] if f["severity"] == "note"} == {1}


def test_broken_yaml_falls_back_to_text_rules_and_is_listed(project):
    doc = scan_json(project({"broken.yml": "instagram:\n  scope: [user_profile\n"}))
    assert _found(doc, "IGM101") and [e["path"] for e in doc["errors"]] == ["broken.yml"]
    assert "invalid YAML" in doc["errors"][0]["message"]


def test_kinds_by_extension():
    assert [tree_kind(n) for n in ("a.YAML", "b.yml", "c.json", "d.toml", "e.ini", "noext")] == [
        "yaml", "yaml", "json", "toml", None, None]


_KB = default_knowledge_base()
_MATCHER = Matcher(_KB)
_CONFIG = next(lang for lang in _KB.languages if lang.family == "config")
_CONTEXTS = {"instagram_context": True, "instagram_oauth_context": True}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["yaml", "json", "toml"]),
       text=st.text(alphabet=st.sampled_from(list("ab:-[]{}\"'#,= \n\t&*!|>user_profile.")), max_size=200))
def test_hostile_config_never_crashes(kind, text):
    result = FileAnalysis(path="x", lines=text.split("\n"))
    try:
        spans = analyze_config_tree(kind, text, _CONFIG, _MATCHER, result, dict(_CONTEXTS))
    except ConfigParseError:
        return
    assert spans is None or all(0 <= s <= e <= len(text) for s, e in spans)
    assert all(1 <= h.line <= text.count("\n") + 1 for h in result.hits)
