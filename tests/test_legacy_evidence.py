"""Legacy evidence reaches beyond the file that holds an Instagram host: the implicit grant,
imports of Legacy clients, Legacy-only scope names, and the project's other files."""

import pytest

from conftest import scan_json


def _found(doc, rule=None):
    return sorted((f["path"], f["line"], f["rule_id"], f["severity"]) for f in doc["findings"]
                  if rule is None or f["rule_id"] == rule)


@pytest.mark.parametrize("name,code,line", [
    ("login.py", 'def url(cid, back):\n    return ("https://api.instagram.com/oauth/authorize/?client_id=" + cid\n'
                 '            + "&redirect_uri=" + back + "&response_type=token")\n', 2),
    ("login.js", "const u = `https://www.instagram.com/oauth/authorize?client_id=${id}&redirect_uri=${r}&response_type=token`;\n", 1),
    # the query built apart from the URL, in a file that uses the Instagram OAuth host
    ("flow.py", 'from urllib.parse import urlencode\nAUTH = "https://api.instagram.com/oauth/authorize"\n'
                'def start(cid):\n    return AUTH + "?" + urlencode({"client_id": cid, "response_type": "token"})\n', 4),
])
def test_implicit_grant_is_legacy(project, name, code, line):
    doc = scan_json(project({name: code}))
    assert (name, line, "IGM207", "error") in _found(doc), _found(doc)
    assert not _found(doc, "IGM110")


def test_code_grant_is_not_the_implicit_grant(project):
    doc = scan_json(project({"login.py": 'U = "https://api.instagram.com/oauth/authorize?client_id=1&response_type=code"\n'}))
    assert not _found(doc, "IGM207") and _found(doc, "IGM110")


def test_legacy_client_import_confirms_scope_words_with_no_instagram_host(project):
    doc = scan_json(project({
        "web.py": "from instagram.client import InstagramAPI\n\napi = InstagramAPI(client_id='x')\n"
                  "def start():\n    return api.get_authorize_url(scope=['likes', 'comments'])\n",
        "cli.py": "from instagram.client import InstagramAPI\nscope = ['basic']\n"
                  "url = InstagramAPI(client_id='x').get_authorize_login_url(scope=scope)\n",
    }))
    assert _found(doc, "IGM202") == [("cli.py", 2, "IGM202", "error"), ("web.py", 5, "IGM202", "error")]


def test_same_scope_words_without_legacy_evidence_stay_quiet(project):
    doc = scan_json(project({
        "meetup.py": "import instagram_tools\nDEFAULT_SCOPE = ['basic']\n",
        "forum.py": "def start(api):\n    return api.authorize(scope=['likes', 'comments'])\n",
    }))
    assert not _found(doc, "IGM202")


def test_project_legacy_evidence_confirms_scope_words_in_files_without_a_host(project):
    doc = scan_json(project({
        "setup.py": "from setuptools import setup\nsetup(name='oldgram')\n",
        "oldgram/api.py": 'API = "https://api.instagram.com/v1"\n',
        "demo.py": "def start(api):\n    return api.authorize(scope=['likes', 'comments'])\n"
                   "LINK = '<a href=\"{}\">Connect with Instagram</a>'\n",
        # another provider's backend in the same project: its "basic" is its own
        "other.py": 'AUTHORIZATION_URL = "https://secure.meetup.com/oauth2/authorize"\nDEFAULT_SCOPE = ["basic"]\n',
    }))
    assert _found(doc, "IGM202") == [("demo.py", 2, "IGM202", "error")]


def test_legacy_only_scope_names_are_legacy_anywhere(project):
    doc = scan_json(project({
        "scopes.py": "from enum import Enum\n\nclass Scope(Enum):\n    BASIC = 'basic'\n"
                     "    PUBLIC_CONTENT = 'public_content'\n    FOLLOWER_LIST = 'follower_list'\n"
                     "    ALL = 'basic+public_content+follower_list+comments+relationships+likes'\n",
    }))
    assert _found(doc, "IGM202") == [("scopes.py", n, "IGM202", "error") for n in (4, 5, 6, 7)]


def test_plain_words_that_are_not_a_scope_list_stay_quiet(project):
    doc = scan_json(project({"models.py": "import instagram_tools\nORDER = 'comments'\nFIELDS = ['likes', 'views']\n"}))
    assert not _found(doc)
