"""Flow evidence decides shared endpoints: Basic Display -> error, Instagram Login -> note,
both -> warning, nothing -> warning, Legacy markers -> Legacy error."""

from conftest import scan_json

AUTHORIZE = 'AUTHORIZE_URL = "https://api.instagram.com/oauth/authorize"\n'


def _finding(doc, path_end, rule):
    return [f for f in doc["findings"] if f["path"].endswith(path_end) and f["rule_id"] == rule]


def test_same_file_basic_display_scope_makes_error_naming_the_evidence(project):
    doc = scan_json(project({"a.py": AUTHORIZE + 'SCOPE = "user_profile"\n'}))
    [f] = _finding(doc, "a.py", "IGM110")
    assert f["severity"] == "error" and "user_profile at line 2" in f["message"]


def test_instagram_login_scope_makes_note(project):
    doc = scan_json(project({"a.py": AUTHORIZE + 'SCOPE = "instagram_business_basic"\n'}))
    [f] = _finding(doc, "a.py", "IGM110")
    assert f["severity"] == "note" and "migrated" in f["message"]


def test_no_evidence_makes_warning(project):
    doc = scan_json(project({"a.py": AUTHORIZE}))
    [f] = _finding(doc, "a.py", "IGM110")
    assert f["severity"] == "warning"


def test_evidence_in_the_same_directory(project):
    doc = scan_json(project({"auth/views.py": AUTHORIZE, "auth/provider.py": "def get_default_scope():\n    return ['user_profile']\n"}))
    [f] = _finding(doc, "views.py", "IGM110")
    assert f["severity"] == "error" and "auth/provider.py:2" in f["message"]


def test_evidence_in_the_same_project_but_not_another(project):
    doc = scan_json(project({
        "one/package.json": '{"name": "one"}', "one/src/a.js": "const u = 'https://graph.instagram.com/me';\n",
        "one/lib/scopes.js": "export const S = 'user_profile,user_media';\n",
        "two/package.json": '{"name": "two"}', "two/src/a.js": "const u = 'https://graph.instagram.com/me';\n",
        "two/lib/scopes.js": "export const S = 'instagram_business_basic';\n",
    }))
    assert _finding(doc, "one/src/a.js", "IGM114")[0]["severity"] == "error"
    assert _finding(doc, "two/src/a.js", "IGM114")[0]["severity"] == "note"


def test_mixed_evidence_makes_warning(project):
    doc = scan_json(project({"a.py": AUTHORIZE + 'OLD = "user_profile"\nNEW = "instagram_business_basic"\n'}))
    [f] = _finding(doc, "a.py", "IGM110")
    assert f["severity"] == "warning" and "both apply" in f["message"]


def test_legacy_markers_make_oauth_urls_legacy_errors(project):
    doc = scan_json(project({"a.rb": "AUTH = 'https://api.instagram.com/oauth/authorize'\n"
                                      "SELF = 'https://api.instagram.com/v1/users/self'\n"}))
    assert [f["severity"] for f in _finding(doc, "a.rb", "IGM203")] == ["error"]
    assert not _finding(doc, "a.rb", "IGM110")


def test_legacy_scope_only_in_instagram_oauth_context(project):
    doc = scan_json(project({
        "insta.py": AUTHORIZE + 'DEFAULT_SCOPE = "basic"\n',
        "other.py": 'AUTHORIZE_URL = "https://example.com/oauth/authorize"\nDEFAULT_SCOPE = "basic"\n',
    }))
    assert _finding(doc, "insta.py", "IGM202")
    assert not _finding(doc, "other.py", "IGM202")


def test_documented_basic_display_code_without_scope_is_error(project):
    doc = scan_json(project({"b.py": "# https://developers.facebook.com/docs/instagram-basic-display-api/reference/user\n" + AUTHORIZE}))
    assert _finding(doc, "b.py", "IGM110")[0]["severity"] == "error"


def test_old_instagram_login_values_are_errors_but_flow_is_instagram_login(project):
    doc = scan_json(project({"a.ts": "export const S = `business_basic,business_manage_comments`;\n"
                                     "export const U = 'https://api.instagram.com/oauth/authorize';\n"}))
    [old] = _finding(doc, "a.ts", "IGM301")
    assert old["severity"] == "error" and "instagram_business_basic" in old["replacement"]
    assert _finding(doc, "a.ts", "IGM110")[0]["severity"] == "note"


def test_long_request_list_of_one_family_is_a_request_not_a_catalogue(project):
    scopes = ["instagram_business_basic", "instagram_business_content_publish", "instagram_business_manage_comments",
              "instagram_business_manage_messages", "instagram_business_manage_insights", "instagram_business_content_publishing"]
    doc = scan_json(project({"login.py": f"SCOPES = {scopes!r}\n" + AUTHORIZE}))
    [f] = _finding(doc, "login.py", "IGM110")
    assert f["severity"] == "note"
