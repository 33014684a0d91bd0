"""Shared helpers for the scanner tests: run the CLI in-process and read its JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from igmigrate.cli import app

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def scan_json(path: Path, *args: str, env: dict | None = None) -> dict:
    result = run_cli("scan", str(path), "--format", "json", *args, env=env)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def fixtures_copy(tmp_path, monkeypatch) -> Path:
    """The fixtures tree outside this repository (so the repo's own config and git do not apply)."""
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("expected.json"))
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project folder as the working directory; call it with {path: text}."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make
