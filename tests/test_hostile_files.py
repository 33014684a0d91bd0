"""One file never sinks a scan: odd names, deep nesting, wide encodings, huge modules, and
line ends other than \\n. Each case sits next to an ordinary file whose finding must survive."""

from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import run_cli, scan_json
from igmigrate.limits import MAX_LIBCST_BYTES

URL_LINE = b'const s = "https://api.instagram.com/oauth/authorize?scope=user_profile";\n'
FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]

needs_byte_names = pytest.mark.skipif(sys.platform in ("darwin", "win32"),
                                      reason="the file system refuses names that are not UTF-8")


@pytest.fixture
def byte_named(tmp_path, monkeypatch):
    """A tree holding a file whose name is not valid UTF-8 (made through a bytes path)."""
    monkeypatch.chdir(tmp_path)
    root = os.fsencode(tmp_path / "proj")
    os.mkdir(root)
    with open(os.path.join(root, b"x\xe9.js"), "wb") as handle:
        handle.write(URL_LINE)
    return tmp_path / "proj"


@needs_byte_names
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_format(byte_named, fmt):
    result = run_cli("scan", "proj", "--format", fmt, "--no-cache")
    assert result.exit_code == 1, result.output
    out = result.stdout_bytes
    out.decode("utf-8")  # valid UTF-8 whatever the name holds
    if fmt != "json":  # (JSON doubles the backslash: checked below)
        assert b"x\\xe9.js" in out or b"x%5Cxe9.js" in out  # SARIF URIs percent-encode the backslash
    else:
        assert {f["path"] for f in json.loads(out)["findings"]} == {"proj/x\\xe9.js"}


@needs_byte_names
def test_a_file_name_that_is_not_utf8_works_in_baseline_and_report(byte_named):
    assert run_cli("baseline", "create", "-o", "b.json", "proj").exit_code == 0
    assert "x\\\\xe9.js" in open("b.json", encoding="utf-8").read()
    scanned = run_cli("scan", "proj", "--baseline", "b.json")
    assert scanned.exit_code == 0, scanned.output
    assert run_cli("baseline", "update", "b.json", "proj").exit_code == 0
    for target in ("r.md", "r.html"):
        report = run_cli("report", "proj", "-o", target)
        assert report.exit_code == 0, report.output
        assert "x\\xe9.js" in open(target, encoding="utf-8").read()


def test_a_package_json_nested_200000_levels_is_an_error_not_a_crash(project):
    deep = '{"name": "x", "dependencies": {"instafeed.js": "1.0"}, "a": ' + "[" * 200_000 + "]" * 200_000 + "}"
    root = project({"package.json": deep, "app.js": URL_LINE.decode()})
    doc = scan_json(root)
    assert [e["path"] for e in doc["errors"]] == ["package.json"]
    assert "nesting deeper than" in doc["errors"][0]["message"]
    assert {f["path"] for f in doc["findings"]} == {"app.js"}


def test_deep_nesting_in_a_nested_project_manifest_is_an_error_too(project):
    # The project grouping reads every package.json for its own name, outside the analysis.
    deep = '{"a": ' + "{" * 100_000 + "}" * 100_000 + ', "x": "instagram"}'
    root = project({"sub/package.json": deep, "sub/app.js": URL_LINE.decode(), "sub2/pyproject.toml":
                    "# instagram\n[project]\nname = 'p'\nx = " + "[" * 50_000 + "]" * 50_000 + "\n"})
    doc = scan_json(root)
    assert {e["path"] for e in doc["errors"]} == {"sub/package.json", "sub2/pyproject.toml"}
    assert {f["path"] for f in doc["findings"]} == {"sub/app.js"}


SOURCE = '# a comment\nSCOPE = "user_profile"\n'
BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff", "utf-8": b"\xef\xbb\xbf"}


@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_wide_and_bom_encodings_are_decoded_and_scanned(tmp_path, monkeypatch, encoding):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "settings.py").write_bytes(BOMS[encoding] + SOURCE.encode(encoding))
    doc = scan_json(tmp_path, "--no-cache")
    assert [(f["rule_id"], f["line"], f["column"], f["snippet"]) for f in doc["findings"]] == \
        [("IGM101", 2, 9, 'SCOPE = "user_profile"')]
    assert doc["errors"] == []


def test_bytes_that_are_not_the_encoding_their_bom_names_are_listed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe" + "user_profile".encode("utf-16-le") + b"\x00\xd8x")
    doc = scan_json(tmp_path, "--no-cache")
    assert [e["path"] for e in doc["errors"]] == ["bad.py"]
    assert "cannot decode" in doc["errors"][0]["message"]


def test_a_module_too_big_for_libcst_goes_to_the_text_rules_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    filler = "".join(f'VALUE_{i} = "text number {i}"  # comment\n' for i in range(MAX_LIBCST_BYTES // 30))
    (tmp_path / "huge.py").write_text('SCOPE = "user_profile"\n' + filler, encoding="utf-8")
    doc = scan_json(tmp_path, "--no-cache")
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("IGM101", 1)]
    assert [e["path"] for e in doc["errors"]] == ["huge.py"]
    assert "text rules" in doc["errors"][0]["message"]


# Characters str.splitlines breaks at that editors and GitHub do not.
NOT_LINE_ENDS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
BREAKS = "one\rtwo\r\nthree\n" + NOT_LINE_ENDS + " still three\r"  # the finding is on line 5


@pytest.mark.parametrize("name, line, comment", [
    ("app.js", 'const s = "https://api.instagram.com/oauth/authorize?scope=user_profile";', "// "),
    ("app.py", 'URL = "https://api.instagram.com/oauth/authorize?scope=user_profile"', "# "),
    ("page.html", '<a href="https://api.instagram.com/oauth/authorize?scope=user_profile">x</a>', ""),
    ("notes.md", "Call https://api.instagram.com/oauth/authorize?scope=user_profile first.", ""),
    ("settings.yaml", "scope: user_profile", "# "),
])
def test_lines_end_at_lf_crlf_and_lone_cr_only(tmp_path, name, line, comment):
    prefix = "".join(comment + piece if piece.strip() else piece for piece in BREAKS.splitlines(keepends=True))
    (tmp_path / name).write_bytes((prefix + line + "\r\n").encode("utf-8"))
    doc = scan_json(tmp_path, "--no-cache")
    code = [f for f in doc["findings"] if "comment" not in f["message"]]
    assert code, doc
    assert {f["line"] for f in code} == {5}
    assert {f["snippet"] for f in code} == {line}
