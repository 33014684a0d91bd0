"""CLI contract: exit codes, the JSON document, text output, and the installed console script."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import run_cli, scan_json

BD = 'SCOPE = "user_profile,user_media"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'
TOKEN = "IGQWRN" + "b2ZAfQ0xJbXk2MUZAKa3VxTVNzRGxNcWZAzMmRQR1BqbFRzYkVjX0Y2NlBBd2dZAbHNJdkx4aDBLT1VVTWZAHYk"


def test_exit_codes(project):
    project({"bd.py": BD, "ok.py": "X = 1\n", "warn.py": 'U = "https://graph.instagram.com/me"\n'})
    assert run_cli("scan", "ok.py").exit_code == 0
    assert run_cli("scan", "bd.py").exit_code == 1
    assert run_cli("scan", "warn.py").exit_code == 0
    assert run_cli("scan", "warn.py", "--fail-on", "warning").exit_code == 1
    assert run_cli("scan", "bd.py", "--fail-on", "never").exit_code == 0
    assert run_cli("scan", "bd.py", "--fail-on", "maybe").exit_code == 2
    assert run_cli("scan", "bd.py", "--format", "xml").exit_code == 2
    assert run_cli("scan", "bd.py", "--select", "IGM999").exit_code == 2


def test_json_contract(project):
    project({"src/app.py": BD})
    doc = scan_json(Path("src"))
    assert set(doc) == {"schema_version", "tool", "knowledge_base", "scan", "findings", "errors", "summary"}
    assert set(doc["scan"]) == {"roots", "repository", "commit", "branch", "commit_date"}  # docs/scan-json.md
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "igmigrate"
    assert set(doc["knowledge_base"]) == {"version", "updated"}
    assert set(doc["summary"]) == {"files_scanned", "errors", "warnings", "notes", "suppressed"}
    for f in doc["findings"]:
        optional = {"endpoint"} if f["rule_id"] == "IGM110" else set()  # endpoint findings name their call
        assert set(f) == {"rule_id", "severity", "category", "message", "path", "line", "column", "end_line",
                          "end_column", "snippet", "replacement", "fingerprint", "suppressed"} | optional
        assert f["path"] == "src/app.py" and f["line"] >= 1 and f["column"] >= 1
        assert f["severity"] in ("error", "warning", "note")
    assert [f.get("endpoint") for f in doc["findings"]] == [None, "api.instagram.com/oauth/authorize"]


def test_fingerprints_survive_lines_inserted_above(project):
    root = project({"a.py": BD})
    before = {f["fingerprint"] for f in scan_json(root)["findings"]}
    (root / "a.py").write_text("import os\n\n\n" + BD)
    after = {f["fingerprint"] for f in scan_json(root)["findings"]}
    assert before == after and len(before) == 2


def test_text_output_groups_by_file_without_colour_when_piped(project):
    project({"a.py": BD, "b.py": BD})
    result = run_cli("scan", ".")
    out = result.stdout
    assert "\x1b[" not in out
    assert out.index("a.py:1:") < out.index("b.py:1:")
    assert "| SCOPE = " in out and "Fixes:" in out
    assert out.strip().splitlines()[-1].startswith("4 errors, 0 warnings")
    assert "\x1b[31m" in run_cli("scan", ".", "--color", "always").stdout


def test_secrets_are_masked_everywhere(project):
    project({".env": f"INSTAGRAM_TOKEN={TOKEN}\n", "cfg.py": f'TOKEN = "{TOKEN}"  # instagram\n'})
    for fmt in ("text", "json"):
        result = run_cli("scan", ".", "--format", fmt)
        assert TOKEN not in result.stdout and TOKEN[:12] not in result.stdout
        assert "IGQW****" in result.stdout


def test_multiple_outputs_written_atomically(project, tmp_path):
    project({"a.py": BD})
    result = run_cli("scan", ".", "--output", f"json={tmp_path / 'out.json'}")
    assert result.exit_code == 1
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["errors"] == 2
    assert "2 errors" in result.stdout
    assert run_cli("scan", ".", "--output", f"json={tmp_path / 'missing' / 'out.json'}").exit_code == 2


def test_installed_console_script_runs_in_a_subprocess(project):
    root = project({"a.py": BD})
    script = Path(sysconfig.get_path("scripts")) / "igmigrate"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "igmigrate"]
    proc = subprocess.run([*command, "scan", str(root), "--format", "json"], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["errors"] == 2
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("igmigrate ")


def test_parallel_workers_give_the_same_findings(project):
    files = {f"pkg{i}/m{j}.py": ("X = 1\n" if j % 7 else BD) for i in range(10) for j in range(25)}
    root = project(files)
    serial = scan_json(root, "--jobs", "1")
    parallel = scan_json(root, "--jobs", "2")
    assert serial["findings"] == parallel["findings"] and serial["summary"]["files_scanned"] == 250


# The pre-commit hook runs `igmigrate scan <files>`: it must not import what other commands
# and formats need. Checked in a fresh interpreter, where sys.modules shows what the scan loaded.
_LIST_MODULES = """
import sys
from igmigrate.cli import main
listing = sys.argv.pop()
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(listing, "w") as out:
    out.write("\\n".join([str(code), *sys.modules]))
"""
_LAZY = ("igmigrate.probe.", "igmigrate.report.", "igmigrate.outputs.", "pydantic", "typer._adapters")
_LAZY_CI = {"igmigrate.baseline", "igmigrate.changes"}  # for --baseline, --changed-since, findings
_NEEDED = {"igmigrate.probe.command", "igmigrate.probe.steps", "igmigrate.report.command"}  # command options


@pytest.mark.parametrize("fmt,extra", [("text", set()), ("sarif", {"igmigrate.changes"})])  # SARIF: git root
def test_scan_imports_only_its_own_output_writer(tmp_path, fmt, extra):
    target = tmp_path / "app.py"
    target.write_text('import requests\n\nURL = "https://example.com/api"\n')
    listing = tmp_path / "modules.txt"
    proc = subprocess.run([sys.executable, "-c", _LIST_MODULES, "scan", str(target), "--format", fmt,
                           "--cache-dir", str(tmp_path / "cache"), str(listing)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    code, *modules = listing.read_text().splitlines()
    assert code == "0", proc.stderr
    loaded = {m for m in modules if m.startswith(_LAZY) or m in _LAZY_CI} - _NEEDED
    # pydantic comes with typer 0.29 (parsing options builds TypeAdapters): pyproject.toml pins below it.
    assert loaded == {f"igmigrate.outputs.{fmt}_output", *extra}
