"""Helpers for the CI-integration tests (tests/test_ci_*.py): throwaway git repositories,
an in-process CLI runner that works in a given directory, and the SARIF schema check
every SARIF document produced by these tests goes through."""

from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from typer.testing import CliRunner

from igmigrate.cli import app

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

# A Python file with a Basic Display login: scope string plus the authorize URL.
BAD_PY = (
    'SCOPE = "user_profile,user_media"\n'
    'AUTH_URL = "https://api.instagram.com/oauth/authorize?client_id=1&scope=" + SCOPE\n'
)
CLEAN_PY = 'def greet(name):\n    return f"hello {name}"\n'


def git_env(tmp_root: Path | None = None) -> dict[str, str]:
    """Hermetic git: fixed identity, no user or system config (no signing hooks, no aliases)."""
    env = dict(os.environ)
    env.update({
        "GIT_AUTHOR_NAME": "CI Test", "GIT_AUTHOR_EMAIL": "ci@example.invalid",
        "GIT_COMMITTER_NAME": "CI Test", "GIT_COMMITTER_EMAIL": "ci@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    })
    return env


def git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=git_env(), capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_repo(root: Path, files: dict[str, str], message: str = "initial") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    commit(root, files, message)
    return root


def commit(root: Path, files: dict[str, str], message: str) -> None:
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@contextmanager
def chdir(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_cli(cwd: Path, *args: str):
    """`igmigrate ARGS` in-process with cwd as the working directory (stdout/stderr apart)."""
    with chdir(cwd):
        return CliRunner().invoke(app, list(args), catch_exceptions=False)


def scan_json(cwd: Path, *args: str) -> tuple[int, dict]:
    result = run_cli(cwd, "scan", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def assert_valid_sarif(document: dict | str) -> dict:
    """Validate against the OASIS SARIF 2.1.0 schema; return the parsed document."""
    if isinstance(document, str):
        document = json.loads(document)
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return document
