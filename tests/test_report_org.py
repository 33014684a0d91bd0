"""`igmigrate report --from-json`: saved scans of several repositories merged into one page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from git_repos import commit, init_repo
from igmigrate.cli import app
from igmigrate.report.inputs import InputError
from igmigrate.report.saved import TOP_FINDINGS, read_saved_scans, reduce_scan
from test_report_html import parse

SCOPE_PY = 'SCOPE = "user_profile,user_media"\n'  # IGM101 error
AUTH_JS = ("const SCOPE = 'user_profile';\n"
           "const u = 'https://api.instagram.com/oauth/authorize?scope=' + SCOPE + '&response_type=code';\n")
MEDIA_PHP = "<?php\n$u = 'https://graph.instagram.com/me/media?fields=id';\n"  # IGM114 warning
LOGIN_PY = 'SCOPE = "instagram_business_basic"\n'  # IGM116 note


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def save_scan(repo: Path, target: Path, monkeypatch) -> dict:
    monkeypatch.chdir(repo)
    result = run("scan", "--format", "json", "--fail-on", "never", "--no-cache")
    assert result.exit_code == 0, result.output
    target.write_text(result.stdout, encoding="utf-8")
    return json.loads(result.stdout)


@pytest.fixture
def org(tmp_path, monkeypatch):
    """Three repositories scanned to JSON, the way one CI job per repository would."""
    scans = tmp_path / "scans"
    scans.mkdir()
    specs = {
        "shop": ("https://x-access-token:ghs_T0KEN@github.com/acme/shop.git",
                 {"auth.py": SCOPE_PY, "web/login.js": AUTH_JS, "lib/feed.php": MEDIA_PHP}),
        "blog": ("git@github.com:acme/blog.git", {"feed.php": MEDIA_PHP, "more/feed.php": MEDIA_PHP}),
        "clean": ("https://gitlab.example.com/acme/clean.git", {"login.py": LOGIN_PY, "README.md": "hello\n"}),
    }
    docs = {}
    for name, (remote, files) in specs.items():
        repo = init_repo(tmp_path / "src" / name, remote=remote)
        commit(repo, files, "2025-02-01T10:00:00+00:00")
        docs[name] = save_scan(repo, scans / f"{name}.json", monkeypatch)
    monkeypatch.chdir(tmp_path)
    return scans, docs


def _row(markdown: str, name: str) -> list[str]:
    line = next(x for x in markdown.splitlines() if x.startswith(f"| [{name}]("))
    return [c.strip() for c in line.strip("|").split("|")]


def test_three_saved_scans_name_each_repository_with_counts_and_totals(org):
    scans, docs = org
    result = run("report", "--from-json", *sorted(str(p) for p in scans.iterdir()), "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    expected = {"github.com/acme/shop": docs["shop"], "github.com/acme/blog": docs["blog"],
                "gitlab.example.com/acme/clean": docs["clean"]}
    for name, doc in expected.items():
        cells = _row(md, name)
        s = doc["summary"]
        assert cells[1:4] == [str(s["errors"]), str(s["warnings"]), str(s["notes"])], (name, cells)
        assert cells[7] == f"`{doc['scan']['commit'][:12]}`" and cells[8] == "2025-02-01"
    total = next(x for x in md.splitlines() if x.startswith("| **Total** |"))
    sums = [sum(d["summary"][k] for d in docs.values()) for k in ("errors", "warnings", "notes")]
    assert total.split("|")[2:5] == [f" **{n}** " for n in sums]
    assert sums[0] >= 2 and sums[1] >= 2 and sums[2] >= 1  # each severity really occurs
    assert _row(md, "github.com/acme/shop")[0].startswith("[github.com/acme/shop](#repo-github-com-acme-shop)")
    assert '<a id="repo-github-com-acme-shop"></a>' in md
    assert "ghs_T0KEN" not in md and "x-access-token" not in md
    # Most errors first.
    order = [m.group(1) for m in re.finditer(r"^\| \[([^\]]+)\]", md, re.M)]
    assert order[0] == "github.com/acme/shop"


def test_html_rows_link_to_each_repository_detail(org):
    scans, docs = org
    out = Path("org.html")
    result = run("report", "--from-json", *(str(p) for p in scans.iterdir()), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "3 repositories" in result.stderr
    page = parse(out.read_text(encoding="utf-8"))
    ids = {attrs.get("id") for _, attrs in page.tags}
    links = {attrs["href"][1:] for tag, attrs in page.tags if tag == "a" and attrs.get("href", "").startswith("#repo-")}
    assert links == {"repo-github-com-acme-shop", "repo-github-com-acme-blog", "repo-gitlab-example-com-acme-clean"}
    assert links <= ids
    text = out.read_text(encoding="utf-8")
    assert '<tr class="total"><th>Total</th>' in text
    assert text.count('class="bars') >= 2  # charts across repositories
    assert 'class="scroll"' in text  # tables scroll inside their box on a narrow screen


def test_the_later_commit_date_counts_and_the_dropped_scan_is_named(tmp_path, monkeypatch):
    repo = init_repo(tmp_path / "app", remote="https://github.com/acme/app.git")
    old_sha = commit(repo, {"a.py": SCOPE_PY, "b.py": SCOPE_PY}, "2025-01-01T00:00:00+00:00")
    save_scan(repo, tmp_path / "old.json", monkeypatch)
    new_sha = commit(repo, {"b.py": None}, "2025-03-01T00:00:00+00:00")
    save_scan(repo, tmp_path / "new.json", monkeypatch)
    monkeypatch.chdir(tmp_path)
    for order in (["new.json", "old.json"], ["old.json", "new.json"]):
        md = run("report", "--from-json", *order).stdout
        assert _row(md, "github.com/acme/app")[1] == "1"  # the newer scan: one error left
        assert _row(md, "github.com/acme/app")[7] == f"`{new_sha[:12]}`"
        dropped = next(x for x in md.splitlines() if x.startswith("| github.com/acme/app | `old.json`"))
        assert old_sha[:12] in dropped and "`new.json` (2025-03-01)" in dropped
        assert md.count("| [github.com/acme/app](") == 1


def test_other_versions_are_accepted_and_named(org):
    scans, _ = org
    doc = json.loads((scans / "blog.json").read_text())
    doc["tool"]["version"], doc["knowledge_base"]["version"] = "0.0.9", "2025.01.01"
    doc["some_future_key"] = {"ignored": True}
    (scans / "blog.json").write_text(json.dumps(doc))
    result = run("report", "--from-json", *(str(p) for p in sorted(scans.iterdir())))
    assert result.exit_code == 0, result.output
    assert "0.0.9 (1)" in result.stdout and "2025.01.01 (1)" in result.stdout
    assert "different versions" in result.stdout


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ('{"schema_version": 2, "findings": []}', "schema_version 2 is not supported"),
    ('{"schema_version": 1, "findings": {}}', "'findings' must be a list"),
    ('[1, 2]', "the document must be an object"),
    ('{"schema_version": 1, "findings": [{"rule_id": "IGM101", "severity": "fatal", "path": "a", "line": 1}]}',
     "findings[0].severity 'fatal'"),
    ('{"schema_version": 1, "findings": [], "scan": {"repository": 5}}', "scan.repository must be a string"),
])
def test_a_malformed_saved_scan_is_exit_2_naming_it(org, content, problem):
    scans, _ = org
    bad = scans / "zz-broken.json"
    bad.write_text(content)
    result = run("report", "--from-json", *(str(p) for p in sorted(scans.iterdir())), "-o", "org.md")
    assert result.exit_code == 2
    assert f"--from-json {bad}: " in result.stderr and problem in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path("org.md").exists()  # nothing half-written


def test_missing_file_and_stdin(org):
    scans, docs = org
    missing = run("report", "--from-json", str(scans / "nope.json"))
    assert missing.exit_code == 2 and "nope.json: no such file" in missing.stderr
    piped = run("report", "--from-json", "-", str(scans / "blog.json"), input=(scans / "shop.json").read_text())
    assert piped.exit_code == 0, piped.output
    assert "[github.com/acme/shop](#repo-github-com-acme-shop)" in piped.stdout
    twice = run("report", "--from-json", "-", "-", input="{}")
    assert twice.exit_code == 2 and "stdin" in twice.stderr
    nothing = run("report", "--from-json")
    assert nothing.exit_code == 2


def test_a_scan_without_a_scan_block_is_named_after_its_file(org):
    scans, docs = org
    doc = dict(docs["shop"])
    doc.pop("scan")
    (scans / "legacy-shop.json").write_text(json.dumps(doc))
    md = run("report", "--from-json", str(scans / "legacy-shop.json")).stdout
    assert "| [legacy-shop](#repo-legacy-shop) |" in md and "Named after the file" in md


def _flow_of(rule_id):
    return "authorize" if rule_id == "IGM101" else None


def test_saved_scans_are_read_one_at_a_time(tmp_path):
    """A generator: the first repository is reduced before the second file is even opened,
    and a repository keeps only its most severe findings."""
    findings = [{"rule_id": "IGM101", "severity": "error", "path": f"f{i}.py", "line": i + 1, "snippet": "x"}
                for i in range(500)]
    (tmp_path / "big.json").write_text(json.dumps({"schema_version": 1, "findings": findings}))
    (tmp_path / "broken.json").write_text("{")
    stream = read_saved_scans([str(tmp_path / "big.json"), str(tmp_path / "broken.json")], _flow_of, lambda r: 0.5)
    first = next(stream)
    assert first.severities["error"] == 500 and first.effort == 250 and first.by_flow["authorize"] == 500
    assert len(first.findings) == TOP_FINDINGS and first.files_affected == 500
    with pytest.raises(InputError, match="broken.json: not valid JSON"):
        next(stream)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(findings=st.lists(st.dictionaries(st.sampled_from(["rule_id", "severity", "path", "line", "snippet", "suppressed"]),
                                         json_values), max_size=4),
       extra=st.dictionaries(st.sampled_from(["scan", "tool", "knowledge_base", "summary", "errors"]), json_values))
def test_hostile_saved_scans_give_input_errors_only(findings, extra):
    doc = {"schema_version": 1, "findings": findings, **extra}
    try:
        repo = reduce_scan(doc, "x.json", _flow_of, lambda r: 1.0)
    except InputError as exc:
        assert str(exc).startswith("--from-json x.json: ")
    else:
        assert repo.total <= len(findings)


def test_org_page_tables_scroll_in_their_box(org):
    scans, _ = org
    page = run("report", "--from-json", *(str(p) for p in scans.iterdir()), "-f", "html").stdout
    assert page.count("<table") == page.count('<div class="scroll"><table') >= 4


def test_scan_options_are_refused_with_from_json(org):
    scans, _ = org
    result = run("report", "--from-json", str(scans / "shop.json"), "--select", "IGM101", "--baseline", "b.json")
    assert result.exit_code == 2 and "--baseline, --select: apply to a scan, not to --from-json" in result.stderr


def test_hostile_names_and_snippets_stay_text(tmp_path):
    from igmigrate.report.assets import JS

    xss = "</td><script>alert(1)</script><img src=x onerror=alert(2)>"
    doc = {"schema_version": 1, "tool": {"version": xss}, "knowledge_base": {"version": xss},
           "scan": {"repository": f"github.com/{xss}", "commit": xss, "commit_date": xss, "roots": [xss]},
           "findings": [{"rule_id": xss, "severity": "error", "path": f"{xss}.py", "line": 1, "snippet": xss}]}
    (tmp_path / "evil.json").write_text(json.dumps(doc))
    for fmt in ("html", "markdown"):
        result = run("report", "--from-json", str(tmp_path / "evil.json"), "-f", fmt)
        assert result.exit_code == 0, result.output
        if fmt == "html":
            page = parse(result.stdout)
            assert page.scripts == [JS]
            assert not any(tag == "img" for tag, _ in page.tags)
            assert all(re.match(r"^#[\w-]+$", a["href"]) for t, a in page.tags if t == "a" and "href" in a)
        else:  # outside code spans (shown literally), nothing is HTML
            prose = re.sub(r"(`+).*?\1", "", result.stdout)
            assert not re.search(r"(?<!\\)<(script|img|/td)", prose)  # \< is a literal <
