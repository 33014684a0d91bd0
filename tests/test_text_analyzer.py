"""Text analyzer: same-file constants, interpolation and comments across languages."""

import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import scan_json

BD_SCOPE_JS = "const SCOPE = 'user_profile,user_media';\n"


@pytest.mark.parametrize("name,code,line,rule", [
    ("a.js", "const BASE = 'https://api.instagram.com';\n" + BD_SCOPE_JS + "const u = `${BASE}/oauth/authorize`;\n", 3, "IGM110"),
    ("a.ts", "const G = \"https://graph.instagram.com\";\n" + BD_SCOPE_JS + "fetch(G + \"/me/media\");\n", 3, "IGM114"),
    ("A.php", "<?php\nclass A {\n const AUTH_URL = 'https://api.instagram.com/oauth';\n"
              " private $s = 'user_profile';\n function u() { return self::AUTH_URL . '/access_token'; }\n}\n", 5, "IGM111"),
    ("a.go", "package a\nconst g = \"https://graph.instagram.com\"\nvar s = \"user_profile\"\n"
             "func u() string { return g + \"/refresh_access_token\" }\n", 4, "IGM113"),
    ("a.rb", "G = 'https://graph.instagram.com'\nS = 'user_profile'\nu = \"#{G}/me/media\"\n", 3, "IGM114"),
    ("A.kt", "const val G = \"https://graph.instagram.com\"\nval scope = \"user_profile\"\nval u = \"$G/me\"\n", 3, "IGM114"),
    ("a.sh", "G=https://graph.instagram.com\nSCOPE=user_profile\ncurl \"$G/me/media\"\n", 3, "IGM114"),
    (".env", "IG_SCOPE=user_profile,user_media\n", 1, "IGM101"),
    ("c.yaml", "instagram:\n  scope: user_media\n", 2, "IGM101"),
    ("p.json", '{"scope": "user_profile"}\n', 1, "IGM101"),
])
def test_languages(project, name, code, line, rule):
    doc = scan_json(project({name: code}))
    assert any(f["line"] == line and f["rule_id"] == rule and f["severity"] == "error" for f in doc["findings"]), doc["findings"]


def test_comments_and_markdown_are_notes(project):
    doc = scan_json(project({
        "a.js": "// call https://api.instagram.com/oauth/authorize?scope=user_profile\nconst x = 1;\n",
        "NOTES.md": "Old flow: `scope=user_profile,user_media` at https://api.instagram.com/oauth/authorize\n",
    }))
    assert doc["findings"] and all(f["severity"] == "note" for f in doc["findings"])


def test_nested_template_literal_does_not_derail_tokenizer(project):
    code = ("const R = `${process.env.X ?? `https://example.com`}/cb`;\n"
            "const SCOPE = `instagram_business_basic,business_manage_messages`;\n")
    doc = scan_json(project({"c.ts": code}))
    assert any(f["rule_id"] == "IGM301" and f["line"] == 2 for f in doc["findings"])


def test_catalogue_enum_is_inventory_not_a_request(project):
    names = ["user_profile", "user_media", "instagram_business_basic", "instagram_basic", "pages_show_list",
             "email", "public_profile", "ads_read"]
    enum = "enum P {\n" + "".join(f'  P{i}("{n}"),\n' for i, n in enumerate(names)) + "}\n"
    client = 'class C { String u = "https://graph.instagram.com/refresh_access_token"; }\n'
    doc = scan_json(project({"P.java": enum, "C.java": client}))
    scopes = [f for f in doc["findings"] if f["rule_id"] == "IGM101"]
    # Java is read by the flow engine: a lone name in an enum is no scope at all (at most a note).
    assert all(f["severity"] == "note" for f in scopes)
    refresh = [f for f in doc["findings"] if f["rule_id"] == "IGM113"]
    assert refresh and refresh[0]["severity"] == "warning"  # the enum is not Basic Display evidence


@pytest.mark.parametrize("name,code,line,rule", [
    ("auth.dart", "const graph = 'https://graph.instagram.com';\nconst scope = 'user_profile,user_media';\n"
                  "final url = '$graph/me/media';\n", 3, "IGM114"),
    ("main.rs", "const AUTH: &str = \"https://api.instagram.com/oauth/authorize?scope=user_profile\";\n", 1, "IGM101"),
    ("auth.ex", "@graph \"https://graph.instagram.com\"\n@scope \"user_profile\"\ndef url, do: \"#{@graph}/me\"\n", 2, "IGM101"),
    ("feed.lua", "local scope = 'user_profile,user_media' -- instagram\n", 1, "IGM101"),
])
def test_more_languages(project, name, code, line, rule):
    doc = scan_json(project({name: code}))
    assert any(f["line"] == line and f["rule_id"] == rule for f in doc["findings"]), doc["findings"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["instagr", "INSTAGR", "InStAgR", "ıgmigrate", "IGMIGRATE", "igmıgrate", "$", "${", "$x",
                                 "${X}", " ", "ſ", "K", "inſtagr", "a", "\n", "é"]), max_size=8).map("".join))
def test_large_config_lines_kept_are_the_lines_the_case_insensitive_regex_keeps(line):
    from igmigrate.analyzers.text import _config_candidate

    assert _config_candidate(line) == bool(re.search(r"(?i)instagr|\$\{?\w|igmigrate", line))
