"""The scanner never crashes: random bytes, random text in every language, odd file names."""

import string

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import scan_json
from igmigrate.knowledge import default_knowledge_base
from igmigrate.scanner import ScanOptions, scan

NAMES = ["a.py", "a.js", "a.ts", "A.php", "a.rb", "a.go", "A.java", "A.kt", "a.swift", "A.cs", "a.sh", "a.html",
         "a.yaml", "a.json", "a.toml", "a.ini", ".env", "Dockerfile", "README.md", "package.json", "composer.json",
         "requirements.txt", "pyproject.toml", "go.mod", "pom.xml", "Gemfile", "x.unknownext"]
SEEDS = ["https://api.instagram.com/oauth/authorize", "user_profile", "ig_refresh_token", "${", "#{", "`", "'", '"',
         "\\", "/*", "*/", "<!--", "f'{", "%s", "{}", "igmigrate: ignore[", "\n", "\x00", "IGQW"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

text_pieces = st.lists(st.one_of(st.sampled_from(SEEDS), st.text(max_size=20)), max_size=30).map("".join)


def _scan(root):
    result = scan(ScanOptions(paths=[root], jobs=1), default_knowledge_base(), cwd=root)
    for f in result.findings:
        assert f.line >= 1 and f.column >= 1 and f.severity in ("error", "warning", "note")
    return result


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=2000))
def test_random_bytes_never_crash(tmp_path_factory, name, data):
    root = tmp_path_factory.mktemp("bytes")
    (root / name).write_bytes(b"instagram " + data)
    _scan(root)


@SETTINGS
@given(name=st.sampled_from(NAMES), text=text_pieces,
       encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]))
def test_random_text_in_every_language_never_crashes(tmp_path_factory, name, text, encoding):
    root = tmp_path_factory.mktemp("text")
    (root / name).write_bytes(("instagram\n" + text).encode(encoding, errors="replace"))
    _scan(root)


@SETTINGS
@given(st.text(alphabet=string.ascii_letters + string.digits + " -_.()[]{}!@#$%&+=,;'~äöüé中文", min_size=1, max_size=30))
def test_odd_file_names(tmp_path_factory, stem):
    stem = stem.strip().strip(".") or "x"
    root = tmp_path_factory.mktemp("names")
    (root / f"{stem}.py").write_text('SCOPE = "user_profile"\n', encoding="utf-8")
    result = _scan(root)
    assert [f.rule_id for f in result.findings] == ["IGM101"]


def test_deeply_nested_expression_is_survived(project):
    code = "X = " + "(" * 3000 + '"user_profile"' + ")" * 3000 + "\n"
    doc = scan_json(project({"deep.py": code, "ok.py": 'SCOPE = "user_media"\n'}))
    assert any(f["path"] == "ok.py" for f in doc["findings"])
