"""libcst analyzer: string values are resolved the way the program builds them."""

import pytest

from conftest import scan_json


def _rules(project, files, path="."):
    root = project(files)
    doc = scan_json(root / path if path != "." else root)
    return {(f["path"].split("/")[-1], f["line"], f["rule_id"], f["severity"]) for f in doc["findings"]}


SCOPE = 'SCOPE = "user_profile,user_media"\n'


@pytest.mark.parametrize("code,line,rule", [
    # module constant + concatenation
    ('BASE = "https://api.instagram.com"\n' + SCOPE + 'URL = BASE + "/oauth/authorize"\n', 3, "IGM110"),
    # f-string with a class attribute
    ('class C:\n    HOST = "https://graph.instagram.com"\n    def f(self):\n        return f"{self.HOST}/me/media"\n' + SCOPE, 4, "IGM114"),
    # % formatting
    ('HOST = "https://graph.instagram.com"\n' + SCOPE + 'u = "%s/refresh_access_token" % HOST\n', 3, "IGM113"),
    # .format with positional and named fields
    ('HOST = "https://graph.instagram.com"\n' + SCOPE + 'u = "{}/{v}/me".format(HOST, v="v19.0")\n', 3, "IGM114"),
    # implicit concatenation
    (SCOPE + 'u = ("https://api.instagram.com"\n     "/oauth/access_token")\n', 2, "IGM111"),
    # urljoin
    ('from urllib.parse import urljoin\nAPI = "https://api.instagram.com/"\n' + SCOPE + 'u = urljoin(API, "oauth/authorize")\n', 4, "IGM110"),
    # urlencode of a params dict carrying the scope
    ('from urllib.parse import urlencode\nq = urlencode({"client_id": 1, "scope": ",".join(["user_profile", "user_media"])})\n', 2, "IGM101"),
    # " ".join of a tuple
    ('SCOPES = " ".join(("user_profile", "user_media"))\n', 1, "IGM101"),
    # URL-encoded commas
    ('u = "https://api.instagram.com/oauth/authorize?scope=user_profile%2Cuser_media"\n', 1, "IGM101"),
    # keyword argument scope=
    ('def login(client):\n    return client.authorize(scope="user_media")\n', 2, "IGM101"),
    # params dict with a grant type
    ('import requests\n' + SCOPE + 'requests.get(X, params={"grant_type": "ig_exchange_token"})\n', 3, "IGM112"),
])
def test_resolution(project, code, line, rule):
    found = _rules(project, {"app.py": code})
    assert any(l == line and r == rule for _, l, r, _ in found), found


def test_constant_imported_from_another_module(project):
    found = _rules(project, {
        "pkg/__init__.py": "",
        "pkg/consts.py": 'GRAPH = "https://graph.instagram.com"\nSCOPES = ["user_profile"]\n',
        "pkg/client.py": "import requests\nfrom .consts import GRAPH\n\ndef me(t):\n    return requests.get(GRAPH + '/me/media')\n",
    })
    assert ("client.py", 5, "IGM114", "error") in found


def test_importer_without_candidate_strings_is_still_analyzed(project):
    found = _rules(project, {
        "app/__init__.py": "",
        "app/settings.py": 'OAUTH = "https://api.instagram.com"\nSCOPE = "user_profile"\n',
        "app/views.py": "from app.settings import OAUTH\n\ndef start():\n    return OAUTH + '/oauth/authorize'\n",
    })
    assert ("views.py", 4, "IGM110", "error") in found


def test_use_site_reported_once_not_at_every_reference(project):
    found = _rules(project, {"a.py": 'AUTH = "https://api.instagram.com/oauth/authorize"\n' + SCOPE
                             + "def go(r):\n    r.redirect(AUTH)\n    r.redirect(AUTH)\n"})
    assert [x for x in found if x[2] == "IGM110"] == [("a.py", 1, "IGM110", "error")]


def test_dictionary_keys_and_variables_named_like_scopes_are_not_scopes(project):
    found = _rules(project, {"a.py": 'import instagram_helper\nuser_profile = data.get("user_profile")\n'
                             'name = row["user_media"]\n'})
    assert not [x for x in found if x[2] == "IGM101"]


def test_docstrings_and_comments_are_notes(project):
    found = _rules(project, {"a.py": '"""Uses https://api.instagram.com/oauth/authorize?scope=user_profile."""\n'
                             "# scope=user_profile,user_media\nX = 1\n"})
    assert found and all(sev == "note" for *_, sev in found)


def test_threads_class_next_to_instagram_class(project):
    code = (
        "class Threads:\n    GRAPH_URL = 'https://graph.threads.net/'\n"
        "    def refresh(self, api):\n        return api.get(url='refresh_access_token')\n\n"
        "class Basic:\n    GRAPH_URL = 'https://graph.instagram.com/'\n    DEFAULT_SCOPE = ['user_profile']\n"
        "    def refresh(self, api):\n        return api.get(url='refresh_access_token')\n"
    )
    found = _rules(project, {"graph.py": code})
    refreshes = sorted(x for x in found if x[2] == "IGM113")
    assert refreshes == [("graph.py", 10, "IGM113", "error")]


def test_marker_rules_skip_python_comments_but_not_code(project):
    code = ('import requests\nME = requests.get("https://graph.instagram.com/me?fields=account_type").json()\n'
            '# old check: if me["account_type"] == "PERSONAL": ...\n'
            'TEXT = "# not a comment"; personal = ME["account_type"] == "PERSONAL"\n')
    found = _rules(project, {"a.py": code})
    assert [x[1] for x in found if x[2] == "IGM120"] == [4]


def test_tokens_give_the_values_worth_a_parse_and_leave_docstrings_out():
    from igmigrate.analyzers.python_tokens import PythonTokens

    code = ('"""Module doc: user_profile."""\n'
            'class C:\n    """Class doc."""\n    def f(self):\n        "statement string"\n'
            '        return "{}/me".format(self)\n'
            'URL = ("https://api.insta"\n       "gram.com")  # split\n'
            'RAW = b"user_profile"\nESC = "user\\x5fmedia"\nF = f"{URL}/oauth/authorize"\n'
            'G = f"{domain}/{fake_user_profile_name}{{literal}}"\n')
    tokens = PythonTokens(code)
    assert tokens.ok
    assert "https://api.instagram.com" in tokens.values  # implicit concatenation joined
    assert "{}/me" in tokens.values
    assert not any("doc" in v or "statement string" in v for v in tokens.values)
    assert not any(v == "user_profile" for v in tokens.values)  # bytes are not text values
    assert any(v.endswith("user_media") for v in tokens.values)  # the escape, evaluated
    assert any("/oauth/authorize" in v for v in tokens.values)
    assert not any("user_profile" in v for v in tokens.values)  # f-string fields are code, not text
    assert "/{literal}" in tokens.values


def test_tokens_give_whole_import_statements():
    from igmigrate.analyzers.python_tokens import PythonTokens

    code = "import os\nfrom .consts import (\n    BASE,\n    SCOPE,\n)\nif x:\n    from a.b import c\nx = 'import y'\n"
    assert PythonTokens(code).imports == ["import os", "from .consts import (\n    BASE,\n    SCOPE,\n)", "from a.b import c"]


def test_an_escaped_word_in_a_value_still_gets_parsed(project):
    # The bytes pass the prefilter through the comment only; the value needs its escape evaluated.
    found = _rules(project, {"a.py": '# talks to instagram\nSCOPE = "user\\x5fprofile,user\\x5fmedia"\n'})
    assert ("a.py", 2, "IGM101") in {x[:3] for x in found}


@pytest.mark.parametrize("code,loads", [
    ("# Instagram user_profile notes\nX = 1\n", False),  # prose only: notes from the tokens
    ('SCOPE = "user_profile"\n', True),  # a value: libcst resolves it
])
def test_libcst_is_loaded_only_for_files_whose_strings_matter(tmp_path, code, loads):
    import subprocess
    import sys

    (tmp_path / "a.py").write_text(code)
    probe = ("import sys\nfrom pathlib import Path\nfrom igmigrate.scanner import scan, ScanOptions\n"
             f"result = scan(ScanOptions(paths=[Path({str(tmp_path)!r})], jobs=1))\n"
             "print(len(result.findings), 'libcst' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    count, loaded = out.stdout.split()
    assert int(count) >= 1 and loaded == str(loads), out.stderr


from hypothesis import given, settings, strategies as st  # noqa: E402

from igmigrate.analyzers.python import _contains, _spans_holding_another  # noqa: E402

_POINT = st.tuples(st.integers(1, 4), st.integers(1, 6))


@settings(max_examples=200, deadline=None)
@given(st.sets(st.tuples(_POINT, _POINT).map(lambda ab: (*min(ab), *max(ab))), max_size=12))
def test_spans_holding_another_equals_the_pairwise_check(spans):
    # The O(n log n) version replaced a pairwise loop that was quadratic in a file's matches.
    assert _spans_holding_another(spans) == {s for s in spans if any(o != s and _contains(s, o) for o in spans)}
