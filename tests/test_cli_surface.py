"""The CLI surface shared with ruff: -o/--output-file, --output-format, comma lists and
case-insensitive rule ids, --exit-zero, -q, strict --color, FORCE_COLOR / NO_COLOR / TERM=dumb."""

import json

from conftest import run_cli, scan_json

BD = 'SCOPE = "user_profile,user_media"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'


def _rules(doc: dict) -> set[str]:
    return {f["rule_id"] for f in doc["findings"]}


def test_select_takes_comma_lists_and_any_case(project):
    project({"a.py": BD})
    everything = _rules(scan_json(".", "--no-cache"))
    assert len(everything) >= 2
    first, second = sorted(everything)[:2]
    assert _rules(scan_json(".", "--no-cache", "--select", f"{first},{second.lower()}")) == {first, second}
    assert _rules(scan_json(".", "--no-cache", "--ignore", f"{first.lower()}, {second}")) == everything - {first, second}


def test_unknown_id_in_a_comma_list_is_a_usage_error(project):
    project({"a.py": BD})
    result = run_cli("scan", ".", "--select", "IGM101,IGM999")
    assert result.exit_code == 2 and "IGM999" in result.stderr


def test_dash_o_writes_the_main_format_to_a_file(project, tmp_path):
    project({"a.py": BD})
    target = tmp_path / "out.json"
    result = run_cli("scan", ".", "--format", "json", "-o", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text())["findings"]
    long = run_cli("scan", ".", "--output-format", "json", "--output-file", str(tmp_path / "long.json"))
    assert long.exit_code == 1 and json.loads((tmp_path / "long.json").read_text())["findings"]


def test_dash_o_with_a_format_is_refused_with_a_hint(project, tmp_path):
    project({"a.py": BD})
    result = run_cli("scan", ".", "-o", f"sarif={tmp_path / 'x.sarif'}")
    assert result.exit_code == 2 and "--output sarif=" in result.stderr
    assert not (tmp_path / "x.sarif").exists()


def test_output_format_is_an_alias_of_format(project):
    project({"a.py": BD})
    assert json.loads(run_cli("scan", ".", "--output-format", "json").stdout)["findings"]


def test_two_machine_documents_never_share_stdout(project, tmp_path):
    project({"a.py": BD})
    refused = run_cli("scan", ".", "--format", "json", "--output", "sarif")
    assert refused.exit_code == 2 and refused.stdout == "" and "stdout" in refused.stderr
    # Logs may share it (the GitHub action prints text and annotations), and -o frees stdout.
    assert run_cli("scan", ".", "--output", "github").exit_code == 1
    both = run_cli("scan", ".", "--format", "json", "-o", str(tmp_path / "a.json"), "--output", "sarif")
    assert both.exit_code == 1 and json.loads(both.stdout)["runs"]


def test_exit_zero_and_quiet(project):
    project({"a.py": BD})
    assert run_cli("scan", ".", "--exit-zero").exit_code == 0
    quiet = run_cli("scan", ".", "-q")
    assert quiet.exit_code == 1 and quiet.stdout == ""
    assert run_cli("scan", ".", "--quiet", "--exit-zero").stdout == ""
    assert run_cli("scan", "missing", "-q", "--exit-zero").exit_code == 2  # errors are not findings


def test_color_values_are_strict(project):
    project({"a.py": BD})
    for bad in ("yes", "true", "ALWAYS", ""):
        result = run_cli("scan", ".", "--color", bad)
        assert result.exit_code == 2 and "--color" in result.stderr, bad
    assert "\x1b[" in run_cli("scan", ".", "--color", "always").stdout
    assert "\x1b[" not in run_cli("scan", ".", "--color", "never", env={"FORCE_COLOR": "1"}).stdout


def test_force_color_no_color_and_dumb_terminals(project):
    from igmigrate.cli_support import use_colour

    project({"a.py": BD})
    assert "\x1b[" in run_cli("scan", ".", env={"FORCE_COLOR": "1"}).stdout  # a pipe, forced
    assert "\x1b[" not in run_cli("scan", ".", env={"FORCE_COLOR": ""}).stdout
    assert use_colour("auto", True, {}) is True
    assert use_colour("auto", True, {"NO_COLOR": "1"}) is False
    assert use_colour("auto", True, {"TERM": "dumb"}) is False
    assert use_colour("auto", False, {"FORCE_COLOR": "1", "TERM": "dumb"}) is True
    assert use_colour("always", False, {"NO_COLOR": "1"}) is True
