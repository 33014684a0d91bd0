"""Changed-files mode on real temporary git repositories: commits, staged, unstaged and
untracked files, changed lines, and the errors (shallow clone, unknown ref, no git) that
must exit 2 with the fix instead of passing silently."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from ci_support import BAD_PY, CLEAN_PY, git, git_env, make_repo, run_cli, scan_json, write

from igmigrate.changes import ChangeSet, fetch_hint, parse_added_lines

NEW_CALL = 'import requests\nME = requests.get("https://graph.instagram.com/me/media?fields=id")\n'


def _feature_repo(tmp_path: Path) -> Path:
    """main has old debt everywhere; the feature branch and the work tree add more."""
    root = make_repo(tmp_path / "repo", {
        "old.py": BAD_PY, "committed.py": CLEAN_PY, "staged.py": CLEAN_PY, "unstaged.py": CLEAN_PY,
    })
    git(root, "checkout", "-q", "-b", "feature")
    write(root, {"committed.py": BAD_PY})
    git(root, "commit", "-qam", "feature work")
    write(root, {"staged.py": BAD_PY, "unstaged.py": BAD_PY, "untracked.py": BAD_PY, "ignored.py": BAD_PY,
                 ".gitignore": "ignored.py\n"})
    git(root, "add", "staged.py")
    return root


def _paths(data: dict) -> set[str]:
    return {f["path"] for f in data["findings"]}


def test_changed_since_scans_committed_staged_unstaged_and_untracked(tmp_path):
    root = _feature_repo(tmp_path)
    assert _paths(scan_json(root)[1]) == {"old.py", "committed.py", "staged.py", "unstaged.py", "untracked.py"}
    code, data = scan_json(root, "--changed-since", "main")
    assert code == 1
    assert _paths(data) == {"committed.py", "staged.py", "unstaged.py", "untracked.py"}
    assert data["summary"]["files_scanned"] == 5  # the four above and .gitignore
    # Explicit paths narrow it further; a later commit on main does not count as a change here.
    git(root, "stash", "-q", "--include-untracked")  # on the temporary repository only
    git(root, "checkout", "-q", "main")
    write(root, {"main_only.py": BAD_PY})
    git(root, "add", "main_only.py")
    git(root, "commit", "-qm", "main moves on")
    git(root, "checkout", "-q", "feature")
    git(root, "stash", "pop", "-q")
    assert _paths(scan_json(root, "--changed-since", "main")[1]) == {"committed.py", "staged.py", "unstaged.py",
                                                                     "untracked.py"}
    assert _paths(scan_json(root, "staged.py", "old.py", "--changed-since", "main")[1]) == {"staged.py"}


def test_changed_lines_keep_only_findings_on_changed_lines(tmp_path):
    root = make_repo(tmp_path / "repo", {"app.py": BAD_PY + "\n" * 3 + "x = 1\n"})
    write(root, {"app.py": BAD_PY + "\n" * 3 + NEW_CALL, "fresh.py": BAD_PY})
    code, data = scan_json(root, "--changed-lines")  # no REF: local edits against HEAD
    assert code == 1
    lines = {(f["path"], f["line"]) for f in data["findings"]}
    assert ("app.py", 7) in lines and not any(path == "app.py" and line <= 2 for path, line in lines)
    assert {line for path, line in lines if path == "fresh.py"} == {1, 2}  # untracked: every line is new
    text = run_cli(root, "scan", "--changed-lines")
    assert "findings on unchanged lines not shown" in text.stdout


def test_parse_added_lines_handles_quoting_deletions_and_plus_lines():
    patch = (
        b"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n"
        b"@@ -1,0 +2,2 @@\n++++ b/not-a-header\n+x\n"
        b"@@ -10 +11 @@\n-old\n+new\n"
        b"@@ -20,3 +21,0 @@\n-gone\n-gone\n-gone\n"
        b'diff --git "a/caf\\303\\251 x.py" "b/caf\\303\\251 x.py"\n--- /dev/null\n+++ "b/caf\\303\\251 x.py"\n'
        b"@@ -0,0 +1 @@\n+hello\n"
        b"diff --git a/del.py b/del.py\n--- a/del.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
    )
    assert parse_added_lines(patch) == {"a.py": {2, 3, 11}, "café x.py": {1}}
    changes = ChangeSet(base="0" * 40, root=Path("/"), files=frozenset({"/a.py"}), lines={"/a.py": frozenset({3})})
    assert changes.touches("/a.py", 1, 4) and not changes.touches("/a.py", 4, 9) and not changes.touches("/b.py", 1, 1)


def _upstream(tmp_path: Path) -> Path:
    up = make_repo(tmp_path / "upstream", {"base.py": CLEAN_PY})
    for n in range(3):
        write(up, {f"more{n}.py": CLEAN_PY})
        git(up, "add", "-A")
        git(up, "commit", "-qm", f"main {n}")
    git(up, "checkout", "-q", "-b", "feature")
    for n in range(2):
        write(up, {f"feature{n}.py": BAD_PY})
        git(up, "add", "-A")
        git(up, "commit", "-qm", f"feature {n}")
    return up


def _run_hint(clone: Path, stderr: str) -> None:
    """Run the `git fetch ...` command the error message suggests."""
    command = stderr.split("`")[1]
    assert command.startswith("git fetch ")
    subprocess.run(shlex.split(command), cwd=clone, env=git_env(), check=True, capture_output=True, timeout=60)


def test_shallow_clone_without_the_ref_exits_2_with_the_fetch_command_that_fixes_it(tmp_path):
    up = _upstream(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--single-branch", "--branch", "feature", up.as_uri(), str(clone))
    result = run_cli(clone, "scan", "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr
    assert "`git fetch --unshallow origin +refs/heads/main:refs/remotes/origin/main`" in result.stderr
    _run_hint(clone, result.stderr)
    code, data = scan_json(clone, "--changed-since", "origin/main")
    assert code == 1 and _paths(data) == {"feature0.py", "feature1.py"}


def test_shallow_clone_missing_the_merge_base_exits_2_with_the_fetch_command(tmp_path):
    up = _upstream(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", up.as_uri(), str(clone))
    result = run_cli(clone, "scan", "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert "does not reach the merge base" in result.stderr and "`git fetch --unshallow origin`" in result.stderr
    _run_hint(clone, result.stderr)
    code, data = scan_json(clone, "--changed-since", "origin/main")
    assert code == 1 and _paths(data) == {"feature0.py", "feature1.py"}


def test_unknown_ref_and_no_git_exit_2(tmp_path):
    root = make_repo(tmp_path / "repo", {"a.py": BAD_PY})
    result = run_cli(root, "scan", "--changed-since", "no-such-branch")
    assert result.exit_code == 2 and "'no-such-branch' is not a commit" in result.stderr
    write(tmp_path / "plain", {"a.py": BAD_PY})
    result = run_cli(tmp_path / "plain", "scan", "--changed-since", "main")
    assert result.exit_code == 2 and "not inside a git work tree" in result.stderr
    assert run_cli(tmp_path / "plain", "scan", "--changed-lines").exit_code == 2


def test_fetch_hints_for_each_kind_of_ref():
    remotes = ["origin", "upstream"]
    assert fetch_hint("upstream/dev", remotes, False, False) == \
        "git fetch upstream +refs/heads/dev:refs/remotes/upstream/dev"
    assert fetch_hint("main", remotes, True, False) == "git fetch --unshallow origin main:main"
    assert fetch_hint("0123abcd", remotes, False, False) == "git fetch origin 0123abcd"
    assert fetch_hint("HEAD~3", remotes, True, False) == "git fetch --unshallow origin"
    assert fetch_hint("origin/main", remotes, True, True) == "git fetch --unshallow origin"
