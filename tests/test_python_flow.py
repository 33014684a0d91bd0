"""Python values that reach a call through structure: sibling-module constants with %,
.format and f-strings, class attributes and enum values, joins and query builders, and a
string handed to a helper that prefixes a base URL."""

import pytest

from conftest import scan_json

CONSTS = 'IG_GRAPH = "https://graph.instagram.com"\nSCOPES = "user_profile,user_media"\n'


def _found(doc, rule):
    return sorted((f["path"].split("/")[-1], f["line"], f["severity"]) for f in doc["findings"] if f["rule_id"] == rule)


@pytest.mark.parametrize("files", [
    {"pkg/__init__.py": "", "pkg/consts.py": CONSTS,
     "pkg/client.py": 'import requests\nfrom .consts import IG_GRAPH\n\ndef media(token):\n'
                      '    return requests.get("%s/me/media" % IG_GRAPH, params={"access_token": token})\n'},
    {"consts.py": CONSTS,
     "client.py": 'import requests\nfrom consts import IG_GRAPH\n\ndef user(uid):\n'
                  '    return requests.get("{}/{}".format(IG_GRAPH, uid))\n'},
    {"consts.py": CONSTS,
     "client.py": 'import requests\nimport consts\n\ndef media(token):\n'
                  '    return requests.get(f"{consts.IG_GRAPH}/me/media")\n'},
], ids=["relative-import-percent", "sibling-import-format", "module-attribute-fstring"])
def test_base_imported_from_a_sibling_module(project, files):
    assert _found(scan_json(project(files)), "IGM114") == [("client.py", 5, "error")]


def test_enum_value_and_class_attribute_from_another_module(project):
    doc = scan_json(project({
        "api/__init__.py": "",
        "api/hosts.py": 'from enum import Enum\n\nclass Host(Enum):\n    GRAPH = "https://graph.instagram.com"\n\n'
                        'class Scopes:\n    DEFAULT = ["user_profile", "user_media"]\n',
        "api/feed.py": "import requests\nfrom .hosts import Host\n\ndef children(media_id):\n"
                       '    return requests.get(Host.GRAPH.value + "/" + media_id + "/children")\n',
    }))
    assert _found(doc, "IGM114") == [("feed.py", 5, "error")]


@pytest.mark.parametrize("rule,code", [
    ("IGM114", 'def media(uid):\n    return requests.get("/".join([GRAPH, uid, "media"]))\n'),
    ("IGM101", 'def auth(cid):\n    return API + "/oauth/authorize?" + urlencode({"client_id": cid, "scope": "user_profile"})\n'),
    ("IGM110", 'def auth(cid):\n    return "/".join([API, "oauth", "authorize"]) + "?" + "&".join(["client_id=" + cid, "response_type=code"])\n'),
])
def test_joins_and_query_builders(project, rule, code):
    head = ('import requests\nfrom urllib.parse import urlencode\nGRAPH = "https://graph.instagram.com"\n'
            'API = "https://api.instagram.com"; SCOPE = "user_profile"\n')
    doc = scan_json(project({"app.py": head + code}))
    assert ("app.py", 6, "error") in _found(doc, rule), doc["findings"]


def test_string_passed_to_a_helper_that_prefixes_a_base(project):
    doc = scan_json(project({"client.py": (
        "import requests\nSCOPE = 'user_profile,user_media'\n\n"
        "class Client:\n"
        "    def __init__(self, token):\n"
        "        self.base = 'https://graph.instagram.com'\n"
        "        self.token = token\n\n"
        "    def _get(self, path):\n"
        "        return requests.get(self.base + path, params={'access_token': self.token})\n\n"
        "    def profile(self):\n"
        "        return self._get('/me?fields=id,username')\n\n"
        "    def children(self, media_id):\n"
        "        return self._get(f'/{media_id}/children')\n\n"
        "    def anything(self, object_id):\n"
        "        return self._get('/%s' % object_id)\n"  # no known text: the helper's own line says it all
    )}))
    assert _found(doc, "IGM114") == [("client.py", 13, "error"), ("client.py", 16, "error")]


def test_module_level_helper_and_no_report_for_unrelated_helpers(project):
    doc = scan_json(project({"client.py": (
        "import requests\nSCOPE = 'user_profile'\nAPI = 'https://graph.instagram.com'\n"
        "def call(path, token):\n    return requests.get(API + path, params={'access_token': token})\n"
        "def log(message):\n    print('note: ' + message)\n"
        "me = call('/me?fields=id', 't')\nlog('/me?fields=id')\n")}))
    assert _found(doc, "IGM114") == [("client.py", 8, "error")]
