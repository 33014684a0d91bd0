"""`igmigrate history`: past commits of the current branch scanned without touching the work
tree, each point equal to a plain scan of that commit's checkout; the cache makes the second
run analyze nothing; `report --history` draws the burndown."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from git_repos import commit, git, init_repo
from igmigrate.cli import app
from igmigrate.history.commits import Commit, select

SCOPE = 'SCOPE = "user_profile,user_media"\n'
AUTH = "const u = 'https://api.instagram.com/oauth/authorize?scope=user_profile&response_type=code';\n"
MEDIA = "<?php\n$u = 'https://graph.instagram.com/me/media?fields=id';\n"


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _dates(n: int) -> str:
    return f"2025-01-{n:02d}T12:00:00+00:00"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, list[str]]:
    """A branch with adds, edits, deletes, a config change, a suppression and a merged side
    branch (whose own commits are not first-parent history)."""
    root = init_repo(tmp_path_factory.mktemp("hist") / "app", remote="https://github.com/acme/app.git")
    shas = [commit(root, {"auth.py": SCOPE, "web/login.js": AUTH}, _dates(1))]
    shas.append(commit(root, {"feed.php": MEDIA, "lib/more.py": SCOPE}, _dates(2)))
    shas.append(commit(root, {".igmigrate.toml": 'ignore = ["IGM110"]\n'}, _dates(3)))
    shas.append(commit(root, {"auth.py": 'SCOPE = "user_profile"  # igmigrate: ignore[IGM101]\n'}, _dates(4)))
    git(root, "checkout", "-q", "-b", "side")
    commit(root, {"side.py": SCOPE}, _dates(5))
    git(root, "checkout", "-q", "main")
    shas.append(commit(root, {"lib/more.py": None}, _dates(6)))
    git(root, "merge", "-q", "--no-ff", "side", "-m", "merge side", date=_dates(7))
    shas.append(git(root, "rev-parse", "HEAD"))
    shas.append(commit(root, {"web/login.js": "const u = 'https://www.instagram.com/oauth/authorize?scope=instagram_business_basic';\n"},
                       _dates(8)))
    return root, shas


def _plain_scan(root: Path, sha: str, where: Path) -> dict:
    """`igmigrate scan` of a fresh checkout of the commit, from its top level."""
    checkout = where / sha[:12]
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(root), str(checkout)], check=True)
    git(checkout, "checkout", "-q", sha)
    proc = subprocess.run([sys.executable, "-m", "igmigrate", "scan", "--format", "json", "--fail-on", "never", "--no-cache"],
                          cwd=checkout, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_each_point_equals_a_plain_scan_of_that_commit(repo, tmp_path, monkeypatch):
    root, shas = repo
    monkeypatch.chdir(root)
    result = run("history", "--format", "json", "--cache-dir", str(tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)["points"]
    assert [p["commit"] for p in points] == shas  # first-parent only, oldest first
    assert [p["date"] for p in points] == [_dates(n) for n in (1, 2, 3, 4, 6, 7, 8)]  # committer dates
    for point in points:
        plain = _plain_scan(root, point["commit"], tmp_path)
        active = [f for f in plain["findings"] if not f["suppressed"]]
        assert (point["errors"], point["warnings"], point["notes"]) == (
            plain["summary"]["errors"], plain["summary"]["warnings"], plain["summary"]["notes"]), point["commit"]
        by_rule: dict = {}
        for f in active:
            by_rule[f["rule_id"]] = by_rule.get(f["rule_id"], 0) + 1
        assert point["by_rule"] == by_rule
    errors = [p["errors"] for p in points]
    assert errors[0] >= 1 and errors != sorted(errors)  # the counts really change along the way


def test_the_work_tree_and_index_are_untouched_and_the_second_run_analyzes_nothing(repo, tmp_path, monkeypatch):
    root, _ = repo
    monkeypatch.chdir(root)
    (root / "untracked.py").write_text(SCOPE)  # local work must survive
    status = git(root, "status", "--porcelain", "--ignored")
    index = (root / ".git/index").read_bytes()
    head = git(root, "rev-parse", "HEAD")
    cache = tmp_path / "cache"
    first = run("history", "--cache-dir", str(cache))
    second = run("history", "--cache-dir", str(cache))
    assert first.exit_code == second.exit_code == 0
    assert git(root, "status", "--porcelain", "--ignored") == status
    assert (root / ".git/index").read_bytes() == index and git(root, "rev-parse", "HEAD") == head
    assert (root / "untracked.py").read_text() == SCOPE
    analyzed = [int(r.stderr.split(" hits, ")[1].split(" analyzed")[0]) for r in (first, second)]
    assert analyzed[0] > 0 and analyzed[1] == 0, (first.stderr, second.stderr)
    assert first.stdout == second.stdout
    assert not (cache / "history-tree" / next((cache / "history-tree").iterdir()).name / "lock").exists()


def test_no_cache_leaves_nothing_behind(repo, tmp_path, monkeypatch):
    root, shas = repo
    monkeypatch.chdir(root)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    before = set(tmp_path.iterdir())
    result = run("history", "--no-cache", "--format", "json", "--commits", "2")
    assert result.exit_code == 0, result.output
    assert [p["commit"] for p in json.loads(result.stdout)["points"]] == shas[-2:]
    assert set(tmp_path.iterdir()) == before


def test_commits_every_and_since(repo, monkeypatch, tmp_path):
    root, shas = repo
    monkeypatch.chdir(root)

    def chosen(*args):
        out = run("history", "--format", "json", "--cache-dir", str(tmp_path / "c"), *args)
        assert out.exit_code == 0, out.output
        return [p["commit"] for p in json.loads(out.stdout)["points"]]

    assert chosen("--commits", "3") == shas[-3:]
    assert chosen("--every", "2") == [shas[0], shas[2], shas[4], shas[6]]
    assert chosen("--since", "2025-01-05") == shas[4:]
    assert chosen("--since", "2025-01-05", "--every", "2", "--commits", "1") == [shas[-1]]
    bad = run("history", "--since", "last week")
    assert bad.exit_code == 2 and "--since 'last week'" in bad.stderr


def test_select_keeps_the_newest_and_returns_oldest_first():
    newest_first = [Commit(str(n), "") for n in range(10, 0, -1)]
    assert [c.sha for c in select(newest_first, 50, 1)] == [str(n) for n in range(1, 11)]
    assert [c.sha for c in select(newest_first, 2, 3)] == ["7", "10"]


def test_outside_git_and_without_commits_is_exit_2(tmp_path, monkeypatch):
    (tmp_path / "plain").mkdir()
    outside = run("history", str(tmp_path / "plain"))
    assert outside.exit_code == 2 and "not inside a git work tree" in outside.stderr
    empty = init_repo(tmp_path / "empty")
    none = run("history", str(empty))
    assert none.exit_code == 2 and "no commits yet" in none.stderr


def test_html_history_and_report_history_draw_the_burndown(repo, tmp_path, monkeypatch):
    root, shas = repo
    monkeypatch.chdir(root)
    saved = tmp_path / "history.json"
    assert run("history", "-o", str(saved), "--cache-dir", str(tmp_path / "c")).exit_code == 0
    page = run("history", "-f", "html", "--cache-dir", str(tmp_path / "c")).stdout
    assert page.count('<svg class="burndown') == 2 and "<polyline" in page
    report = run("report", ".", "-f", "html", "--history", str(saved)).stdout
    assert 'id="history"' in report and '<svg class="burndown wide"' in report and shas[-1][:12] in report
    md = run("report", ".", "--history", str(saved)).stdout
    assert "## Burndown" in md and f"| `{shas[0][:12]}` | 2025-01-01 |" in md
    scans = tmp_path / "scan.json"
    scans.write_text(run("scan", "--format", "json", "--fail-on", "never").stdout)
    org = run("report", "--from-json", str(scans), "--history", str(saved), "-f", "html").stdout
    assert '<svg class="burndown wide"' in org
    saved.write_text('{"points": [{"commit": "x"}]}')
    broken = run("report", ".", "--history", str(saved))
    assert broken.exit_code == 2 and f"--history {saved}: " in broken.stderr


from hypothesis import given, settings, strategies as st  # noqa: E402

from igmigrate.history.model import History, parse_history  # noqa: E402
from igmigrate.report.inputs import InputError  # noqa: E402

_values = st.recursive(st.none() | st.booleans() | st.integers(-3, 10**6) | st.text(max_size=6),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                       max_leaves=15)


@settings(max_examples=150, deadline=None)
@given(points=st.lists(st.dictionaries(st.sampled_from(["commit", "date", "errors", "warnings", "notes", "by_rule"]),
                                       _values), max_size=3), extra=st.dictionaries(st.sampled_from(["repository", "branch", "every"]), _values))
def test_hostile_history_files_give_input_errors_only(points, extra):
    try:
        history = parse_history({"points": points, **extra}, "h.json")
    except InputError as exc:
        assert str(exc).startswith("--history h.json: ")
    else:
        assert isinstance(history, History) and len(history.points) == len(points) and history.every >= 1


def test_an_output_in_a_missing_folder_is_refused_before_any_work(repo, tmp_path, monkeypatch):
    root, _ = repo
    monkeypatch.chdir(root)
    result = run("history", "-o", str(tmp_path / "nope" / "h.json"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    merged = run("report", "--from-json", "x.json", "-o", str(tmp_path / "nope" / "o.html"))
    assert merged.exit_code == 2 and "does not exist" in merged.stderr


def test_with_the_default_cache_the_checkouts_stay_out_of_the_work_tree(repo, tmp_path, monkeypatch):
    root, _ = repo
    monkeypatch.chdir(root)
    monkeypatch.delenv("IGMIGRATE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    status = git(root, "status", "--porcelain")
    result = run("history", "--commits", "2")
    assert result.exit_code == 0, result.output
    assert git(root, "status", "--porcelain") == status  # the result cache keeps its own .gitignore
    assert not (root / ".igmigrate_cache" / "history-tree").exists()
    assert list((tmp_path / "xdg" / "igmigrate" / "history-tree").iterdir())
    shutil.rmtree(root / ".igmigrate_cache")
