"""The scan JSON's `scan` block: roots, repository (never with credentials), commit, branch,
committer date; one git process at most; the folder name outside git."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from conftest import scan_json, write_tree
from git_repos import commit, git, init_repo
from igmigrate.provenance import remote_url, repository_name, scan_block

SCOPE = 'SCOPE = "user_profile,user_media"\n'


def test_remote_names_lose_credentials():
    assert repository_name("https://x-access-token:ghs_S3CRET@github.com/acme/shop.git") == "github.com/acme/shop"
    assert repository_name("https://oauth2:glpat-XYZ@gitlab.example.com:8443/grp/sub/app") == "gitlab.example.com/grp/sub/app"
    assert repository_name("https://github.com/acme/shop?token=abc#frag") == "github.com/acme/shop"
    assert repository_name("git@github.com:acme/shop.git") == "github.com/acme/shop"
    assert repository_name("ssh://deploy:pw@git.example.org:2222/acme/shop.git/") == "git.example.org/acme/shop"
    assert repository_name("/srv/git/shop.git") == "shop"
    assert repository_name("file:///srv/git/shop.git") == "shop"
    assert repository_name("../shop") == "shop"


def test_origin_wins_over_other_remotes():
    config = ('[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/up/x.git\n'
              '[remote "origin"]\n\turl = "git@github.com:me/x.git"\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    assert remote_url(config) == "git@github.com:me/x.git"
    assert remote_url('[remote "fork"]\nurl = https://h/a/b\n[branch "main"]\nurl = nope\n') == "https://h/a/b"
    assert remote_url("[core]\n") is None


@settings(max_examples=150, deadline=None)
@given(user=st.text(alphabet=st.characters(blacklist_characters="@/:?#[]", blacklist_categories=("Cs", "Cc")), min_size=1),
       password=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789_-.~", min_size=6))
def test_no_credential_survives(user, password):
    name = repository_name(f"https://{user}:{password}@github.com/acme/shop.git")
    assert name == "github.com/acme/shop"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_hostile_remote_text_never_crashes(text):
    name = repository_name(text)
    assert name is None or isinstance(name, str)
    assert remote_url(text) is None or isinstance(remote_url(text), str)


def test_scan_json_names_repository_commit_branch_and_date(tmp_path, monkeypatch):
    repo = init_repo(tmp_path / "shop", remote="https://x-access-token:ghs_S3CRET@github.com/acme/shop.git")
    sha = commit(repo, {"auth.py": SCOPE}, "2025-03-04T05:06:07+02:00")
    monkeypatch.chdir(repo)
    result = subprocess.run([sys.executable, "-m", "igmigrate", "scan", "--format", "json", "--fail-on", "never"],
                            capture_output=True, text=True, cwd=repo)
    doc = json.loads(result.stdout)
    assert doc["scan"] == {"roots": ["."], "repository": "github.com/acme/shop", "commit": sha, "branch": "main",
                           "commit_date": "2025-03-04T05:06:07+02:00"}
    assert "S3CRET" not in result.stdout + result.stderr
    assert list(doc)[:4] == ["schema_version", "tool", "knowledge_base", "scan"]


def test_detached_head_has_no_branch_and_worktrees_read_the_common_config(tmp_path):
    repo = init_repo(tmp_path / "app", remote="git@example.com:team/app.git")
    first = commit(repo, {"a.py": SCOPE}, "2025-01-01T00:00:00+00:00")
    commit(repo, {"b.py": SCOPE}, "2025-01-02T00:00:00+00:00")
    git(repo, "checkout", "-q", "--detach", first)
    block = scan_block([repo], tmp_path)
    assert (block["repository"], block["commit"], block["branch"]) == ("example.com/team/app", first, None)
    git(repo, "worktree", "add", "-q", "-b", "side", str(tmp_path / "wt"), "main")
    block = scan_block([Path("wt")], tmp_path)
    assert block["roots"] == ["wt"] and block["repository"] == "example.com/team/app" and block["branch"] == "side"


def test_outside_git_the_folder_names_the_repository(tmp_path, monkeypatch):
    write_tree(tmp_path / "plain-folder", {"src/a.py": SCOPE})
    monkeypatch.chdir(tmp_path / "plain-folder")
    doc = scan_json(Path("."))
    assert doc["scan"] == {"roots": ["."], "repository": "plain-folder", "commit": None, "branch": None,
                           "commit_date": None}
    assert scan_json(Path("src"))["scan"]["repository"] == "src"  # the scanned folder's name
    repo = init_repo(tmp_path / "fresh")  # no commits yet, no remote
    assert scan_block([repo], tmp_path) == {"roots": ["fresh"], "repository": "fresh", "commit": None,
                                            "branch": "main", "commit_date": None}


def _logging_git(tmp_path: Path) -> tuple[dict, Path]:
    """PATH with a `git` that appends its arguments to a log, then runs the real git."""
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    log = tmp_path / "git.log"
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}"}, log


def test_one_git_process_for_the_metadata_and_none_for_text(tmp_path):
    repo = init_repo(tmp_path / "svc", remote="https://github.com/acme/svc")
    commit(repo, {f"m{i}.py": SCOPE for i in range(30)}, "2025-01-01T00:00:00+00:00")
    env, log = _logging_git(tmp_path)
    base = [sys.executable, "-m", "igmigrate", "scan", "--fail-on", "never", "--no-cache"]
    subprocess.run([*base, "--format", "json", "--output", f"json={tmp_path / 'copy.json'}"], cwd=repo, env=env,
                   capture_output=True, check=True)
    calls = log.read_text().splitlines()
    assert sum(c.split()[2:3] == ["log"] for c in calls) == 1, calls  # "-C <top> log ..."
    assert json.loads((tmp_path / "copy.json").read_text())["scan"]["repository"] == "github.com/acme/svc"
    log.unlink()
    subprocess.run([*base, "--format", "text"], cwd=repo, env=env, capture_output=True, check=True)
    assert not any(c.split()[2:3] == ["log"] for c in log.read_text().splitlines())
