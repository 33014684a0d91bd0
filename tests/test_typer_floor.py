"""The installed typer lies in the range pyproject.toml declares, and with it the commands
do their work (typer 0.9-0.15.3 with click >= 8.2 printed the version for every command)."""

import re
import subprocess
import sys
from importlib.metadata import requires, version
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def _declared() -> Requirement:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    spec = re.search(r'^\s*"(typer[^"]*)",', text, re.M).group(1)
    return Requirement(spec)


def test_installed_typer_is_in_the_declared_range():
    declared = _declared()
    assert declared.specifier.contains(version("typer")), (version("typer"), str(declared))
    assert not declared.specifier.contains("0.15.3") and declared.specifier.contains("0.16.0")
    installed_metadata = [Requirement(r) for r in requires("igmigrate") or [] if r.startswith("typer")]
    assert [str(r.specifier) for r in installed_metadata] in ([str(declared.specifier)], [])


def test_commands_run_instead_of_printing_the_version(tmp_path):
    (tmp_path / "a.py").write_text('SCOPE = "user_profile,user_media"\n')

    def run(*args):
        return subprocess.run([sys.executable, "-m", "igmigrate", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)

    help_ = run("scan", "--help")
    assert help_.returncode == 0 and "--format" in help_.stdout and "Usage" in help_.stdout
    scan = run("scan", "a.py", "--no-cache")
    assert scan.returncode == 1 and "a.py:1:9: error[IGM101]" in scan.stdout
    assert run("--version").stdout.startswith("igmigrate ")
