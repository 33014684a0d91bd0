"""Inline suppressions in any comment syntax; suppressed findings stay in JSON."""

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import scan_json, write_tree


def test_same_line_previous_line_and_rule_lists(project):
    doc = scan_json(project({
        "a.py": 'SCOPE_A = "user_profile"  # igmigrate: ignore\n# igmigrate: ignore[IGM101]\nSCOPE = "user_media"\n'
                'SCOPES = "user_profile"  # igmigrate: ignore[IGM110]\n',
        "b.js": "// igmigrate: ignore[IGM101, IGM110]\nconst SCOPE = 'user_profile';\n",
        "c.html": "<!-- igmigrate: ignore -->\n<a href=\"https://api.instagram.com/oauth/authorize?scope=user_profile\">x</a>\n",
    }))
    state = {(f["path"], f["line"]): f["suppressed"] for f in doc["findings"] if f["rule_id"] == "IGM101"}
    assert state[("a.py", 1)] and state[("a.py", 3)] and state[("b.js", 2)] and state[("c.html", 2)]
    assert state[("a.py", 4)] is False  # ignore[IGM110] does not cover IGM101
    assert doc["summary"]["suppressed"] == 5  # c.html line 2 also holds a suppressed IGM110


def test_unknown_rule_in_suppression_is_reported(project):
    doc = scan_json(project({"a.py": 'SCOPE = "user_profile"  # igmigrate: ignore[IGM999]\n'}))
    assert [(f["rule_id"], f["severity"]) for f in doc["findings"] if f["rule_id"] == "IGM900"] == [("IGM900", "warning")]


LINES = [
    'AUTH = "https://api.instagram.com/oauth/authorize"',
    'SCOPE = "user_profile,user_media"',
    'REFRESH = "https://graph.instagram.com/refresh_access_token"',
    'MEDIA = "https://graph.instagram.com/me/media"',
    'OLD = "https://api.instagram.com/v1/users/self"',
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=5, unique=True))
def test_suppressing_findings_never_changes_the_others(tmp_path_factory, chosen):
    root = tmp_path_factory.mktemp("s")
    plain = "\n".join(LINES) + "\n"
    marked = "\n".join(l + ("  # igmigrate: ignore" if i in chosen else "") for i, l in enumerate(LINES)) + "\n"
    before = scan_json(write_tree(root / "a", {"m.py": plain}))["findings"]
    after = scan_json(write_tree(root / "b", {"m.py": marked}))["findings"]
    strip = lambda f: {k: v for k, v in f.items() if k not in ("suppressed", "path", "fingerprint", "snippet")}
    assert [strip(f) for f in before] == [strip(f) for f in after]
    for f in after:
        assert f["suppressed"] == (f["line"] - 1 in chosen)
