"""Shared pieces of the provenance, organisation-report and history tests (no tests here):
generated git repositories with fixed committer dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import write_tree

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True)
    return proc.stdout.strip()


def init_repo(repo: Path, remote: str | None = None, branch: str = "main") -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", branch)
    if remote:
        git(repo, "remote", "add", "origin", remote)
    return repo


def commit(repo: Path, files: dict[str, str | None], date: str, message: str = "change") -> str:
    """Write (or, for None, delete) files and commit them at the given committer date; returns the sha."""
    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
        else:
            write_tree(repo, {rel: text})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")
