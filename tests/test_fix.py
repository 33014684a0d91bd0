"""`igmigrate fix`: what it edits, what it never touches, and the guarantees of issue 11."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli, scan_json
from igmigrate.findings import Finding
from igmigrate.fix.engine import plan, preview
from igmigrate.fix.manifests import move_constraint
from igmigrate.fix.rewrite import ScopeMap, rewrite_scopes
from igmigrate.knowledge import KnowledgeBaseError, default_knowledge_base, load_knowledge_base

BD = ScopeMap({v: "instagram_business_basic" for v in ("user_profile", "user_media")})
TOKEN = "IGQWRN" + "b2ZAfQ0xJbXk2MUZAKa3VxTVNzRGxNcWZAzMmRQR1BqbFRzYkVjX0Y2NlBBd2dZAbHNJdkx4aDBLT1VVTWZAHYk"


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def fix(*args: str):
    return run_cli("fix", *args)


# ------------------------------------------------------------------ rewriting one literal
@pytest.mark.parametrize("before, after", [
    ("user_profile,user_media", "instagram_business_basic"),
    ("user_profile user_media", "instagram_business_basic"),
    ("user_profile+user_media", "instagram_business_basic"),
    ("email,user_profile,user_media", "email,instagram_business_basic"),
    ("instagram_business_basic,user_profile", "instagram_business_basic"),
    ("https://api.instagram.com/oauth/authorize?client_id=1&scope=user_profile%2Cuser_media&state=x",
     "https://api.instagram.com/oauth/authorize?client_id=1&scope=instagram_business_basic&state=x"),
    ("request user_profile and user_media", "request instagram_business_basic and"),  # a run per name, no whitespace lists
    ("my_user_profile_table", "my_user_profile_table"),  # not a whole name
])
def test_scope_rewrite_of_one_literal(before, after):
    if before.startswith("request"):
        # prose is not a whitespace-separated list: each name is renamed where it stands,
        # and the second one, now a duplicate of a name the text holds, stays as it is
        assert rewrite_scopes(before, BD) == "request instagram_business_basic and instagram_business_basic"
        return
    assert rewrite_scopes(before, BD) == after


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["user_profile", "user_media", "email", ",", " ", "+", "%2C", "scope=", "&", "x_y",
                                 "instagram_business_basic", "\n", "'", "é"]), max_size=12).map("".join))
def test_scope_rewrite_is_idempotent_and_total(text):
    once = rewrite_scopes(text, BD)
    assert rewrite_scopes(once, BD) == once
    assert "user_profile" not in once.replace("user_profile_", "") or "user_profile" in text


@pytest.mark.parametrize("spec, target, expected", [
    ("^5.0", "5.1.0", "^5.1.0"), ("2.13.6", "2.13.7", "2.13.7"), ("==1.2", "4.1.0", "==4.1.0"),
    (">=5.0,<6", "5.1.0", ">=5.1.0,<6"), ("~> 1.3", "2.0.0", "~> 2.0.0"),
    (">=5.0,<5.1", "5.1.0", None), ("1.x || 2.x", "2.0.0", None), ("5.0.*", "5.1.0", None), ("", "1.0", None),
])
def test_constraint_moves_to_the_migrated_release(spec, target, expected):
    assert move_constraint(spec, target) == expected


# ------------------------------------------------------------------ every language
CASES = {
    "login.py": ('SCOPES = ["user_profile", "user_media"]  # keep me\n', 'SCOPES = ["instagram_business_basic"]  # keep me\n'),
    "tuple.py": ('SCOPES = ("user_profile",\n          "user_media")\n', 'SCOPES = ("instagram_business_basic",)\n'),
    "auth.js": ("const scopes = ['user_profile', 'user_media'].join(',');\n", "const scopes = ['instagram_business_basic'].join(',');\n"),
    "Auth.php": ("<?php\n$scopes = ['user_profile', 'user_media'];\n", "<?php\n$scopes = ['instagram_business_basic'];\n"),
    "Api.kt": ('val scopes = listOf("user_profile", "user_media")\n', 'val scopes = listOf("instagram_business_basic")\n'),
    "auth.go": ('package a\n\nvar scopes = []string{"user_profile", "user_media"}\n',
                'package a\n\nvar scopes = []string{"instagram_business_basic"}\n'),
    "Auth.java": ('class A { static final String SCOPE = "user_profile,user_media"; }\n',
                  'class A { static final String SCOPE = "instagram_business_basic"; }\n'),
    "feed.rb": ("SCOPES = %w[user_profile user_media]\n", "SCOPES = %w[instagram_business_basic]\n"),
    "Api.swift": ('let scope = "user_profile user_media"\n', 'let scope = "instagram_business_basic"\n'),
    "Opts.cs": ('class O { string[] s = new[] { "user_profile", "user_media" }; }\n',
                'class O { string[] s = new[] { "instagram_business_basic" }; }\n'),
    "config.yml": ("instagram:\n  scopes:\n    - user_profile\n    - user_media\n",
                   "instagram:\n  scopes:\n    - instagram_business_basic\n"),
    "flow.yaml": ("scopes: [user_profile, user_media]\n", "scopes: [instagram_business_basic]\n"),
    "app.json": ('{"instagram": {"scopes": ["user_profile", "user_media"]}}\n',
                 '{"instagram": {"scopes": ["instagram_business_basic"]}}\n'),
    "settings.toml": ('[instagram]\nscopes = [\n  "user_profile",\n  "user_media",\n]\n',
                      '[instagram]\nscopes = [\n  "instagram_business_basic",\n]\n'),
    ".env": ("INSTAGRAM_SCOPE=user_profile,user_media\n", "INSTAGRAM_SCOPE=instagram_business_basic\n"),
    "login.html": ('<a href="https://api.instagram.com/oauth/authorize?client_id={{ id }}&scope=user_profile&response_type=code">x</a>\n',
                   '<a href="https://www.instagram.com/oauth/authorize?client_id={{ id }}&scope=instagram_business_basic&response_type=code">x</a>\n'),
}


def independent_parse(name: str, text: str) -> None:
    """Parsers the fix engine does not use to decide (ast, json, tomllib, PyYAML)."""
    if name.endswith(".py"):
        ast.parse(text)
    elif name.endswith(".json"):
        json.loads(text)
    elif name.endswith(".toml"):
        tomllib.loads(text)
    elif name.endswith((".yml", ".yaml")):
        yaml.safe_load(text)


def whole_file_findings(name: str, text: str) -> list[Finding]:
    """Findings over the whole file (the engine's part, whatever the scanner flags today)."""
    last = text.count("\n") + 1
    return [Finding(rule, "error", "basic-display", "m", name, 1, 1, last, 1, "", None) for rule in ("IGM101", "IGM110")]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_language_gets_one_element_and_still_parses(tmp_path, name):
    before, after = CASES[name]
    (tmp_path / name).write_text(before, encoding="utf-8")
    kb = default_knowledge_base()
    (file_edit,) = plan(whole_file_findings(name, before), tmp_path, kb, unsafe=True).files
    assert file_edit.new_text == after
    independent_parse(name, file_edit.new_text)
    # a second run changes nothing
    (tmp_path / name).write_text(after, encoding="utf-8")
    assert plan(whole_file_findings(name, after), tmp_path, kb, unsafe=True).files == []


@pytest.mark.parametrize("name", ["login.py", "auth.js", "Api.kt", "app.json", ".env", "login.html"])
def test_fix_command_on_scanned_files(project, name):
    before, after = CASES[name]
    project({name: before})
    assert fix(name, "--unsafe-fixes").exit_code == 0
    assert Path(name).read_text(encoding="utf-8") == after
    assert fix(name, "--unsafe-fixes", "--diff").exit_code == 0


def test_safe_fix_applies_by_default_and_unsafe_waits(project):
    project({"scopes.ts": "export const SCOPE = `business_basic,business_manage_messages`;\n",
             "login.py": 'SCOPE = "user_profile"\n'})
    result = fix(".")
    assert result.exit_code == 0
    assert Path("scopes.ts").read_text() == "export const SCOPE = `instagram_business_basic,instagram_business_manage_messages`;\n"
    assert Path("login.py").read_text() == 'SCOPE = "user_profile"\n'
    assert "1 fix applied in 1 file" in result.stdout and "1 unsafe fix not applied" in result.stdout


def test_diff_writes_nothing_and_exits_1(fixtures_copy):
    before = tree_digest(fixtures_copy.parent)
    result = fix(str(fixtures_copy), "--diff", "--unsafe-fixes")
    assert result.exit_code == 1
    assert "+    val scopes = listOf(\"instagram_business_basic\")" in result.stdout
    assert "-var scopes = \"user_profile,user_media\"" in result.stdout
    assert tree_digest(fixtures_copy.parent) == before  # no file changed, no cache written
    assert TOKEN[:12] not in result.stdout and "IGQWRPa1ZAfb" not in result.output  # secrets masked in context lines


def test_fixtures_fixed_then_clean_and_second_run_is_a_no_op(fixtures_copy):
    result = fix(str(fixtures_copy), "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert "need manual work" in result.stdout and "composer update socialiteproviders/instagram" in result.stdout
    doc = scan_json(fixtures_copy, "--no-cache")
    # A scope list joined from one-name constants of another file (fixtures/flow/*/join,
    # enum-value) has no literal to edit: the fix run lists it as manual work, so it may stay.
    listed = fix(str(fixtures_copy), "--unsafe-fixes", "--diff", "--format", "json").stdout
    manual = {(m["path"], m["line"]) for m in json.loads(listed)["manual"]}
    left = [f for f in doc["findings"] if f["rule_id"] in ("IGM101", "IGM301") and f["severity"] == "error"
            and not f["suppressed"] and (f["path"], f["line"]) not in manual]
    assert left == []
    from conftest import FIXTURES
    from igmigrate.analyzers.grammars import grammar_for, parse

    changed = [p for p in fixtures_copy.rglob("*") if p.is_file()
               and p.read_bytes() != (FIXTURES / p.relative_to(fixtures_copy)).read_bytes()]
    assert len(changed) >= 15
    for path in changed:  # every changed file still parses in its language
        text = path.read_text(encoding="utf-8")
        if path.name == "broken_syntax.py":  # did not parse before: same error after (the engine checks)
            with pytest.raises(SyntaxError, match="invalid syntax"):
                ast.parse(text)
        elif path.suffix == ".py":
            ast.parse(text)
        elif grammar_for(path.name):
            assert not parse(grammar_for(path.name), path.read_bytes()).root_node.has_error, path
        else:
            independent_parse(path.name, text)
    again = fix(str(fixtures_copy), "--unsafe-fixes", "--diff")
    assert again.exit_code == 0 and again.stdout == ""


def test_suppressed_lock_files_and_notes_are_never_touched(fixtures_copy):
    keep = ["suppressions/legacy_ok.py", "manifests/php/composer.lock", "docs/MIGRATION.md", "python_migrated/client.py",
            "ts_migrated/instagram.ts", "unrelated/threads.py", "unrelated/facebook.js"]
    before = {k: (fixtures_copy / k).read_bytes() for k in keep}
    fix(str(fixtures_copy), "--unsafe-fixes")
    lines = (fixtures_copy / keep[0]).read_text().splitlines()
    assert lines[1] == 'SCOPE = "user_profile,user_media"  # igmigrate: ignore[IGM101]'
    for k in keep[1:]:
        assert (fixtures_copy / k).read_bytes() == before[k], k


def test_files_outside_the_scanned_paths_are_never_touched(project):
    project({"a/login.py": 'SCOPE = "user_profile"\n', "b/login.py": 'SCOPE = "user_profile"\n'})
    assert fix("a", "--unsafe-fixes").exit_code == 0
    assert Path("a/login.py").read_text() == 'SCOPE = "instagram_business_basic"\n'
    assert Path("b/login.py").read_text() == 'SCOPE = "user_profile"\n'


def test_bytes_line_endings_bom_mode_and_encoding_are_kept(project):
    project({})
    crlf = Path("crlf.py")
    crlf.write_bytes(b'# \xc3\xa9t\xc3\xa9\r\nSCOPE = "user_profile"\r\nX = 1')  # CRLF, no trailing newline
    bom = Path("bom.js")
    bom.write_bytes(b"\xef\xbb\xbfconst scope = 'user_media';\n")
    latin = Path("latin.env")
    latin.write_bytes(b"# caf\xe9\nINSTAGRAM_SCOPE=user_profile\n")
    os.chmod(crlf, 0o755)
    assert fix(".", "--unsafe-fixes").exit_code == 0
    assert crlf.read_bytes() == b'# \xc3\xa9t\xc3\xa9\r\nSCOPE = "instagram_business_basic"\r\nX = 1'
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o755
    assert bom.read_bytes() == b"\xef\xbb\xbfconst scope = 'instagram_business_basic';\n"
    assert latin.read_bytes() == b"# caf\xe9\nINSTAGRAM_SCOPE=instagram_business_basic\n"
    assert sorted(p.name for p in Path(".").iterdir()) == ["bom.js", "crlf.py", "latin.env"]  # no temporary file left


@pytest.mark.parametrize("before, after", [
    ('"https://api.instagram.com/oauth/authorize/?client_id=1"', '"https://www.instagram.com/oauth/authorize/?client_id=1"'),
    ("'https://api.instagram.com/oauth/authorize'", "'https://www.instagram.com/oauth/authorize'"),
    ("'https://api.instagram.com/oauth/authorize_app'", "'https://api.instagram.com/oauth/authorize_app'"),
    ("'https://api.instagram.com/oauth/authorize/x'", "'https://api.instagram.com/oauth/authorize/x'"),
])
def test_authorize_host_rewrite_keeps_the_rest_of_the_url(tmp_path, before, after):
    (tmp_path / "a.py").write_text(f"URL = {before}\n")
    findings = [Finding("IGM110", "error", "basic-display", "m", "a.py", 1, 1, 1, 80, "", None)]
    files = plan(findings, tmp_path, default_knowledge_base(), unsafe=True).files
    assert (files[0].new_text if files else (tmp_path / "a.py").read_text()) == f"URL = {after}\n"


def test_overlapping_fixes_in_one_literal_apply_once_in_a_fixed_order(project):
    project({"auth.py": 'AUTH = "https://api.instagram.com/oauth/authorize?scope=user_profile,user_media"\n'})
    result = fix(".", "--unsafe-fixes", "--format", "json")
    doc = json.loads(result.stdout)
    assert [f["rule_id"] for f in doc["files"][0]["fixes"]] == ["IGM101", "IGM110"]
    assert Path("auth.py").read_text() == 'AUTH = "https://www.instagram.com/oauth/authorize?scope=instagram_business_basic"\n'


def test_a_fix_that_would_break_the_file_is_dropped_and_reported(project, monkeypatch):
    import igmigrate.fix.engine as engine

    project({"auth.js": "const scope = 'user_profile';\n"})
    monkeypatch.setattr(engine, "_apply", lambda rule, content, known: content + "'")  # a rewrite gone wrong
    result = fix(".", "--unsafe-fixes")
    assert result.exit_code == 0
    assert Path("auth.js").read_text() == "const scope = 'user_profile';\n"
    assert "fix dropped for this file: javascript no longer parses" in result.stdout


def test_use_site_follows_to_the_single_definition_in_the_file(project):
    project({"auth.js": "const SCOPE = 'user_profile';\nconst u = base + '&x=' + SCOPE;\n"})
    kb = default_knowledge_base()
    use_site = Finding("IGM101", "error", "basic-display", "m", "auth.js", 2, 11, 2, 33, "", None)
    result = plan([use_site], Path.cwd(), kb, unsafe=True)
    assert result.files[0].new_text == "const SCOPE = 'instagram_business_basic';\nconst u = base + '&x=' + SCOPE;\n"


def test_authorize_base_shared_with_other_endpoints_is_manual_work(project):
    project({"auth.js": "const IG = 'https://api.instagram.com/oauth';\nconst a = IG + '/authorize?scope=' + s;\n"})
    result = fix(".", "--unsafe-fixes")
    assert Path("auth.js").read_text().startswith("const IG = 'https://api.instagram.com/oauth';")
    assert "no string literal here holds the whole authorize URL" in result.stdout


def test_json_output_lists_edits_manual_work_and_steps(fixtures_copy):
    result = fix(str(fixtures_copy), "--unsafe-fixes", "--diff", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["mode"] == "diff" and doc["summary"]["fixes"] == sum(len(f["fixes"]) for f in doc["files"])
    assert {s["rule_id"] for s in doc["steps"]} >= {"IGM101", "IGM103"}
    assert all(m["reason"] for m in doc["manual"])
    assert TOKEN not in result.stdout


def test_preview_gives_before_and_after_lines(project):
    project({"settings.py": 'DEFAULT_SCOPES = ("user_profile", "user_media")\n'})
    kb = default_knowledge_base()
    findings = [f for f in scan_findings(kb) if f.rule_id == "IGM101"]
    (p,) = preview(findings, Path.cwd(), kb)
    assert p.before == ('DEFAULT_SCOPES = ("user_profile", "user_media")',)
    assert p.after == ('DEFAULT_SCOPES = ("instagram_business_basic",)',)
    assert Path("settings.py").read_text() == 'DEFAULT_SCOPES = ("user_profile", "user_media")\n'


def scan_findings(kb):
    from igmigrate.scanner import ScanOptions, scan

    return scan(ScanOptions(paths=[Path(".")], jobs=1), kb).findings


def test_usage_and_io_errors_exit_2(project):
    project({"a.py": 'S = "user_profile"\n'})
    assert fix("a.py", "--format", "xml").exit_code == 2
    assert fix("missing-dir").exit_code == 2
    assert fix("a.py", "--select", "IGM999").exit_code == 2


def test_fix_blocks_are_validated_with_file_and_key(tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", rules)
    text = (rules / "rules.yaml").read_text()
    (rules / "rules.yaml").write_text(text.replace("applicability: safe", "applicability: maybe", 1))
    with pytest.raises(KnowledgeBaseError, match=r"rules.yaml: rule IGM301: fix.applicability 'maybe'"):
        load_knowledge_base(rules)
    (rules / "rules.yaml").write_text(text)
    pkgs = (rules / "packages.yaml").read_text()
    (rules / "packages.yaml").write_text(pkgs.replace('fix: {to: "2.13.7"}', 'fix: {to: "2.13.5"}'))
    with pytest.raises(KnowledgeBaseError, match=r"packages.yaml: package pdir/social-feed-bundle: fix.to '2.13.5'"):
        load_knowledge_base(rules)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(CASES)), st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_hostile_neighbours_never_crash_the_engine(tmp_path, name, noise):
    kb = default_knowledge_base()
    path = tmp_path / name
    before = CASES[name][0]
    path.write_text(noise + "\n" + before + noise, encoding="utf-8")
    line = noise.count("\n") + 2
    finding = Finding("IGM101", "error", "basic-display", "m", name, line, 1, line + 3, 1, "", None)
    result = plan([finding], tmp_path, kb, unsafe=True)  # never raises
    for file_edit in result.files:
        assert "user_profile" not in file_edit.new_text.splitlines()[line - 1] or "user_profile" in noise


def test_a_fix_never_edits_the_secret_part_of_a_line(project):
    # a scope value that is also the value of a secret-named key is a secret, not a scope
    project({"auth.py": 'URL = "https://api.instagram.com/oauth/authorize?scope=user_profile&client_secret=user_media"\n'})
    kb = default_knowledge_base()
    findings = [Finding("IGM101", "error", "basic-display", "m", "auth.py", 1, 1, 1, 90, "", None)]
    (file_edit,) = plan(findings, Path.cwd(), kb, unsafe=True).files
    assert file_edit.new_text == ('URL = "https://api.instagram.com/oauth/authorize?scope=instagram_business_basic'
                                  '&client_secret=user_media"\n')


def test_sarif_fixes_are_the_engine_edits(project):
    source = 'DEFAULT_SCOPES = ("user_profile",\n                  "user_media")\nAUTH = "https://api.instagram.com/oauth/authorize"\n'
    project({"settings.py": source})
    doc = json.loads(run_cli("scan", ".", "--format", "sarif", "--no-cache").stdout)
    replacements = [rep for r in doc["runs"][0]["results"] for fx in r.get("fixes", ())
                    for change in fx["artifactChanges"] for rep in change["replacements"]]
    lines = source.splitlines(keepends=True)
    starts = [sum(len(l) for l in lines[:i]) for i in range(len(lines) + 1)]

    def offset(line, column):
        return starts[line - 1] + column - 1

    text = source
    for rep in sorted(replacements, key=lambda r: (-r["deletedRegion"]["startLine"], -r["deletedRegion"]["startColumn"])):
        region = rep["deletedRegion"]
        text = (text[:offset(region["startLine"], region["startColumn"])] + rep["insertedContent"]["text"]
                + text[offset(region["endLine"], region["endColumn"]):])
    assert fix(".", "--unsafe-fixes").exit_code == 0
    assert text == Path("settings.py").read_text() == (
        'DEFAULT_SCOPES = ("instagram_business_basic",)\nAUTH = "https://www.instagram.com/oauth/authorize"\n')


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.binary(max_size=64), st.binary(max_size=32).map(lambda b: b"\xef\xbb\xbf" + b),
                 st.binary(max_size=32).map(lambda b: b"\xff\xfe" + b)))
def test_any_bytes_round_trip_unchanged(data):
    from igmigrate.fix.source import decode

    source = decode(Path("x"), data)
    assert source.encode(source.text) == data


def test_a_file_changed_since_the_scan_is_not_overwritten(project):
    from igmigrate.fix.apply import write

    project({"auth.py": 'SCOPE = "user_profile"\n'})
    kb = default_knowledge_base()
    planned = plan([Finding("IGM101", "error", "basic-display", "m", "auth.py", 1, 1, 1, 20, "", None)],
                   Path.cwd(), kb, unsafe=True)
    Path("auth.py").write_text('SCOPE = "user_profile"  # edited meanwhile\n')
    applied = write(planned)
    assert applied.files == [] and "changed since the scan" in applied.errors[0]
    assert Path("auth.py").read_text() == 'SCOPE = "user_profile"  # edited meanwhile\n'


def test_a_definition_named_by_the_flow_analyzer_is_edited_where_it_is(project):
    source = "export const SCOPES = ['user_profile', 'user_media'];\n"
    project({"lib/endpoints.ts": source, "app/login.ts": "import { SCOPES } from '../lib/endpoints';\nlogin(SCOPES);\n"})
    start = source.index("'user_profile'")
    use = Finding("IGM101", "error", "basic-display", "m", "app/login.ts", 2, 7, 2, 13, "", None,
                  definition=("lib/endpoints.ts", start, start + len("'user_profile'")))
    kb = default_knowledge_base()
    inside = plan([use], Path.cwd(), kb, unsafe=True, scanned=[Path(".")])
    (file_edit,) = inside.files
    assert file_edit.path == "lib/endpoints.ts"
    assert file_edit.new_text == "export const SCOPES = ['instagram_business_basic'];\n"
    outside = plan([use], Path.cwd(), kb, unsafe=True, scanned=[Path("app")])
    assert outside.files == [] and "defined in lib/endpoints.ts, outside the scanned paths" in outside.manual[0].reason
    assert (p := preview([use], Path.cwd(), kb, scanned=[Path(".")])) and p[0].path == "lib/endpoints.ts"


def test_a_finding_the_classifier_demoted_is_not_rewritten(project):
    project({"auth.py": 'SCOPE = "user_profile"\n'})
    demoted = Finding("IGM101", "warning", "basic-display", "m", "auth.py", 1, 9, 1, 23, "", None)
    result = plan([demoted], Path.cwd(), default_knowledge_base(), unsafe=True)
    assert result.files == [] and "not certain enough" in result.manual[0].reason
