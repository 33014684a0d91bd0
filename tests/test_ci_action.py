"""The GitHub Action (action.yml) and the README's CI examples.

The action's scan step is a plain bash script fed only by environment variables, so it is
run here for real against a temporary repository (GitHub-only steps are checked by shape)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import yaml
from ci_support import BAD_PY, CLEAN_PY, REPO, assert_valid_sarif, make_repo, run_cli

from igmigrate.cli import app

ACTION = REPO / "action.yml"
README = REPO / "README.md"

pytestmark = pytest.mark.skipif(not ACTION.is_file(), reason="needs a source checkout (action.yml)")


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_is_a_composite_that_scans_and_uploads_sarif():
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "baseline"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    install = next(s for s in steps if s.get("id") == "install")
    assert "${{ github.action_path }}" in install["env"].values() and "pip install" in install["run"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"]  # inputs only through env: no script injection
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"]  # upload even when findings fail the scan


def _run_scan_step(root: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "scan")
    wrapper = tmp_path / "bin" / "igmigrate"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m igmigrate \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    defaults = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    values = {**defaults, **inputs}
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_OUTPUT": str(outputs), "IGMIGRATE": str(wrapper)}
    for name, expression in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression)
        if match:
            env[name] = values[match.group(1)]
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    result = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return proc, result


def test_action_scan_step_runs_and_reports_the_exit_code(tmp_path):
    root = make_repo(tmp_path / "repo", {"login.py": BAD_PY, "ok.py": CLEAN_PY})
    proc, out = _run_scan_step(root, tmp_path, args="--statistics")
    assert proc.returncode == 0, proc.stderr  # the failure comes after the upload step
    assert out["exit-code"] == "1" and out["sarif-written"] == "true"
    assert "::error file=login.py,line=1," in proc.stdout and "Findings by rule:" in proc.stdout
    assert_valid_sarif((root / out["sarif-file"]).read_text(encoding="utf-8"))

    # With a baseline the same code passes; inputs are data, never shell code.
    assert run_cli(root, "baseline", "create", "-o", "base line.json").exit_code == 0
    proc, out = _run_scan_step(root, tmp_path, baseline="base line.json", paths="login.py ok.py")
    assert out["exit-code"] == "0", proc.stdout + proc.stderr
    assert "known findings not shown" in proc.stdout
    # "$(touch" and "pwned)" are two paths that do not exist: exit 2 naming one, nothing run.
    proc, out = _run_scan_step(root, tmp_path, baseline="base line.json", paths="login.py ok.py $(touch pwned)")
    assert out["exit-code"] == "2" and "$(touch: no such file" in proc.stderr
    assert not (root / "pwned").exists()


def _ci_section() -> str:
    """The README's CI section and the CI recipes it links to (docs/ci.md)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## CI")
    end = text.find("\n## ", start + 1)
    readme_part = text[start:] if end == -1 else text[start:end]
    assert "docs/ci.md" in readme_part
    return readme_part + "\n" + (REPO / "docs" / "ci.md").read_text(encoding="utf-8")


def test_readme_ci_examples_parse_and_use_real_options():
    section = _ci_section()
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, re.S)
    assert {"sh", "yaml"} <= {lang for lang, _ in blocks}
    yaml_docs = [yaml.safe_load(body) for lang, body in blocks if lang == "yaml"]
    assert any("jobs" in d for d in yaml_docs) and any("igmigrate" in d for d in yaml_docs)  # GitHub, GitLab
    assert any("repos" in d for d in yaml_docs)  # pre-commit
    group = typer.main.get_command(app)
    options = {}
    for name in ("scan", "baseline create", "baseline update"):
        command = group
        for part in name.split():
            command = command.commands[part]
        options[name] = {opt for param in command.params for opt in getattr(param, "opts", ())}
    commands = re.findall(r"igmigrate (scan|baseline create|baseline update)((?:[^\n`]|\n\s+--)*)", section)
    assert len(commands) >= 8
    for name, rest in commands:
        for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest):
            assert flag in options[name], f"README uses `igmigrate {name} {flag}`, which does not exist"
