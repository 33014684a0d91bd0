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
