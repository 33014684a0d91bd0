"""Python analyzer precision: a name alone never makes a scope, another provider's scope list
is at most a warning, one finding per URL flow, and fingerprints do not churn."""

from conftest import scan_json


def _found(doc, rule=None):
    return sorted((f["path"], f["line"], f["rule_id"], f["severity"]) for f in doc["findings"]
                  if rule is None or f["rule_id"] == rule)


def test_names_keys_and_preference_keys_are_not_scopes(project):
    doc = scan_json(project({"prefs.py": (
        "import instagram_feed_cache\n"
        "USER_MEDIA = 'user_media'\n"                       # a constant named after its value
        "PREF_KEY_USER_PROFILE = 'user_profile'\n"
        "def load(prefs, p, m):\n"
        "    prefs.get(PREF_KEY_USER_PROFILE)\n"
        "    prefs.set('user_media', True)\n"                # a preference key
        "    return {'user_profile': p, 'user_media': m}\n"  # dict keys
    )}))
    assert not _found(doc, "IGM101"), _found(doc)


def test_a_named_constant_still_counts_where_it_is_requested(project):
    doc = scan_json(project({"login.py": (
        "import instagram_feed_cache\nUSER_PROFILE = 'user_profile'\n"
        "def start(client):\n    return client.authorize(scope=USER_PROFILE)\n")}))
    assert _found(doc, "IGM101") == [("login.py", 4, "IGM101", "error")]


def test_values_made_only_of_basic_display_scopes_are_errors_anywhere(project):
    doc = scan_json(project({"a.py": "X = 'user_profile,user_media'\nY = ['user_profile', 'user_media']\n"
                                     "CACHE = {'k': ('user_profile', 'user_media')}\n"}))
    assert _found(doc, "IGM101") == [("a.py", n, "IGM101", "error") for n in (1, 2, 3)]


def test_scope_list_mixed_with_another_providers_scopes_is_a_warning_without_instagram_endpoints(project):
    files = {"auth.py": "OAUTH_SCOPES = ['user_profile', 'email', 'openid']\n"}
    assert _found(scan_json(project(files)), "IGM101") == [("auth.py", 1, "IGM101", "warning")]


def test_mixed_scope_list_is_an_error_in_a_project_that_calls_instagram(project):
    files = {"auth.py": "OAUTH_SCOPES = ['user_profile', 'email']\n",
             "feed.py": "import requests\nMEDIA = requests.get('https://graph.instagram.com/me/media')\n"}
    assert _found(scan_json(project(files)), "IGM101") == [("auth.py", 1, "IGM101", "error")]


def test_one_finding_per_url_flow(project):
    doc = scan_json(project({"feed.py": (
        "import requests\nSCOPE = 'user_profile,user_media'\nGRAPH = 'https://graph.instagram.com'\n"
        "def media(limit, after):\n"
        "    url = GRAPH + '/me/media?fields=id,caption'\n"
        "    if limit:\n        url = url + '&limit=' + str(limit)\n"
        "    if after:\n        url = '%s&after=%s' % (url, after)\n"
        "    return requests.get(url)\n")}))
    assert _found(doc, "IGM114") == [("feed.py", 5, "IGM114", "error")]


def test_another_path_on_a_reported_url_is_another_call(project):
    doc = scan_json(project({"feed.py": (
        "SCOPE = 'user_profile'\nME = 'https://graph.instagram.com/me'\nMEDIA = ME + '/media'\n")}))
    assert [x[1] for x in _found(doc, "IGM114")] == [2, 3]


def test_fingerprints_survive_an_edit_above(project):
    code = ("import requests\nfrom urllib.parse import urlencode\nSCOPE = 'user_profile,user_media'\n"
            "GRAPH = 'https://graph.instagram.com'\n"
            "def start(cid):\n    return 'https://api.instagram.com/oauth/authorize?' + urlencode({'client_id': cid, 'scope': SCOPE})\n"
            "def media():\n    return requests.get('%s/me/media' % GRAPH)\n")
    root = project({"app.py": code})
    before = {(f["rule_id"], f["line"], f["fingerprint"]) for f in scan_json(root)["findings"]}
    (root / "app.py").write_text("# a new header comment\nimport os\n" + code, encoding="utf-8")
    after = {(f["rule_id"], f["line"] - 2, f["fingerprint"]) for f in scan_json(root)["findings"]}
    assert before and before == after
