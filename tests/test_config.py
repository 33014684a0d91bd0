"""[tool.igmigrate] / .igmigrate.toml: exclude, select/ignore, severity overrides, fail-on;
unknown keys and bad values exit 2 with the key named."""

from pathlib import Path

import pytest

from conftest import run_cli

BD = 'SCOPE = "user_profile"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'


def test_pyproject_section_applies(project):
    project({"pyproject.toml": '[tool.igmigrate]\nignore = ["IGM110"]\nseverity = { IGM101 = "warning" }\nfail-on = "warning"\n',
             "a.py": BD})
    result = run_cli("scan", ".", "--format", "json")
    assert result.exit_code == 1
    assert '"IGM110"' not in result.stdout and '"severity": "warning"' in result.stdout


def test_dotfile_wins_and_select(project):
    project({".igmigrate.toml": 'select = ["IGM110"]\nfail-on = "never"\n',
             "pyproject.toml": '[tool.igmigrate]\nfail-on = "note"\n', "a.py": BD})
    result = run_cli("scan", ".", "--format", "json")
    assert result.exit_code == 0
    assert '"IGM101"' not in result.stdout and '"IGM110"' in result.stdout


@pytest.mark.parametrize("text,needle", [
    ("[tool.igmigrate]\nexclud = []\n", "unknown key 'tool.igmigrate.exclud'"),
    ("[tool.igmigrate]\nfail-on = \"sometimes\"\n", "key 'tool.igmigrate.fail-on'"),
    ("[tool.igmigrate]\nseverity = { IGM101 = \"fatal\" }\n", "key 'tool.igmigrate.severity.IGM101'"),
    ("[tool.igmigrate]\nselect = [\"IGM777\"]\n", "unknown rule 'IGM777'"),
    ("[tool.igmigrate]\nexclude = \"vendor\"\n", "key 'tool.igmigrate.exclude' must be a list"),
    ("[tool.igmigrate\n", "invalid TOML"),
])
def test_bad_config_exits_2_naming_the_key(project, text, needle):
    project({"pyproject.toml": text, "a.py": BD})
    result = run_cli("scan", ".")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_flags_override_config(project):
    project({"pyproject.toml": '[tool.igmigrate]\nfail-on = "never"\n', "a.py": BD})
    assert run_cli("scan", ".").exit_code == 0
    assert run_cli("scan", ".", "--fail-on", "error").exit_code == 1


def test_the_config_follows_the_scanned_path_not_the_current_folder(tmp_path, monkeypatch):
    from conftest import scan_json, write_tree

    write_tree(tmp_path, {"proj/pyproject.toml": '[tool.igmigrate]\nexclude = ["legacy/"]\n',
                          "proj/legacy/old.py": 'SCOPE = "user_profile"\n', "proj/app.py": 'SCOPE = "user_media"\n',
                          "other/.igmigrate.toml": 'ignore = ["IGM1"]\n'})
    monkeypatch.chdir(tmp_path)
    assert {f["path"] for f in scan_json(Path("proj"), "--no-cache")["findings"]} == {"proj/app.py"}
    # A file named on the command line finds its project's config too.
    assert scan_json(Path("proj/legacy/old.py"), "--no-cache")["findings"] == []
    # From an unrelated folder, the scanned path's config applies, not the current folder's.
    monkeypatch.chdir(tmp_path / "other")
    assert {f["path"] for f in scan_json(tmp_path / "proj", "--no-cache")["findings"]} == {str(tmp_path / "proj/app.py")}
