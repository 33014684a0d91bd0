"""The pre-commit hook, checked with the real pre-commit tool in a temporary repository.

The hook in the test repository is this repository's manifest entry run as a `repo: local`
hook with `language: system` against the igmigrate installed in the current environment:
`pre-commit try-repo` would install the last *commit* of this repository instead of the
code under test. The manifest itself is checked with `pre-commit validate-manifest`."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_support import BAD_PY, CLEAN_PY, REPO, git, git_env, make_repo, write

MANIFEST = REPO / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason="needs a source checkout (.pre-commit-hooks.yaml)")


def _pre_commit(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _hook() -> dict:
    (hook,) = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return hook


def test_manifest_is_valid_and_declares_the_hook(tmp_path):
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    result = _pre_commit("validate-manifest", str(MANIFEST), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    hook = _hook()
    assert hook["id"] == "igmigrate" and hook["language"] == "python"
    assert hook["types"] == ["text"] and hook["require_serial"] is True
    assert hook["entry"].split()[:2] == ["igmigrate", "scan"] and hook.get("pass_filenames", True) is True


def test_commit_adding_basic_display_is_refused_and_clean_commit_passes(tmp_path):
    hook = _hook()
    local = {k: v for k, v in hook.items() if k not in ("language", "entry", "minimum_pre_commit_version")}
    python_m = f"{shlex.quote(sys.executable)} -m igmigrate"
    local.update(language="system", entry=python_m + hook["entry"][len("igmigrate"):])
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    root = make_repo(tmp_path / "repo", {
        ".pre-commit-config.yaml": yaml.safe_dump(config),
        "pyproject.toml": '[tool.igmigrate]\nexclude = ["legacy/"]\n',
        "README.md": "demo\n",
    })
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    installed = _pre_commit("install", cwd=root, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "commit", "-m", message], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)

    write(root, {"app/login.py": BAD_PY})
    git(root, "add", "app/login.py")
    refused = commit("add an Instagram login")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "Failed" in output and "app/login.py" in output and "IGM101" in output
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"

    # Replace it with clean code; excluded paths (config) are skipped even when passed by name.
    write(root, {"app/login.py": CLEAN_PY, "legacy/old_login.py": BAD_PY})
    git(root, "add", "app/login.py", "legacy/old_login.py")
    accepted = commit("clean login, legacy kept aside")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "igmigrate" in accepted.stdout + accepted.stderr and "Passed" in accepted.stdout + accepted.stderr
    assert git(root, "rev-list", "--count", "HEAD").strip() == "2"
