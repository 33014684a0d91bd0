"""The Markdown report: contents, escaping in table cells, and the size cap for PR comments."""

from __future__ import annotations

import re

import pytest

from igmigrate.findings import Finding, ScanResult
from igmigrate.knowledge import default_knowledge_base
from igmigrate.report import markdown
from igmigrate.report.inputs import read_probe_results
from igmigrate.report.model import build_report
from igmigrate.report.spec import load_spec
from test_report_support import TOKEN, XSS, make_project, scan_project, write_probe

KB = default_knowledge_base()
CELL_SPLIT = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return scan_project(make_project(tmp_path_factory.mktemp("md")))


def _render(result, **kwargs) -> str:
    return markdown.render(build_report(result, KB, load_spec(KB), **kwargs))


def _table_rows(text: str, header_start: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_markdown_has_every_section(result):
    text = _render(result, title="Acme feed audit")
    for heading in ("# Acme feed audit", "## Summary", "### By rule", "### By top-level directory",
                    "## Flows to migrate", "### Authorize (login dialog and requested scopes)", "## Rules that fired",
                    "### IGM101 Basic Display scope requested", "## What no code change fixes",
                    "### Personal accounts have no successor API", "### App Review of the new permissions", "## Findings"):
        assert f"\n{heading}" in "\n" + text, heading
    assert "| 2024-12-04 | Basic Display API switched off |" in text
    assert "<details>" in text and "<summary>All " in text and "</details>" in text
    assert "```python\nSCOPES = [\"user_profile\", \"user_media\"]\n```" in text  # before/after example
    assert "Docs: <https://developers.facebook.com/docs/instagram-platform/" in text
    assert TOKEN not in text and "IGQW****" in text  # secrets stay masked
    assert "## Live evidence" not in text  # only with probe results


def test_table_cells_escape_pipes_and_backticks(result):
    text = _render(result)
    rows = _table_rows(text, "| Location | Rule |")
    assert len(rows) == sum(not f.suppressed for f in result.findings)
    for row in rows:
        assert len(CELL_SPLIT.split(row)) == 7, row  # 5 cells between 6 unescaped pipes
    evil = next(row for row in rows if "web/evil.js" in row)
    # the snippet holds "|" and a backtick pair: pipe escaped, code span fenced with a longer run
    assert "\\| ``tick``" not in evil and "\\| `tick`" in evil and "``const x" in evil
    assert XSS in evil  # inside a code span, shown literally


def test_plain_text_escapes_markdown_and_html():
    assert markdown.text("a|b `c` <b>*d*</b>") == "a\\|b \\`c\\` \\<b\\>\\*d\\*\\</b\\>"
    assert markdown.code("x `y` z") == "``x `y` z``"
    assert markdown.code("`edge`") == "`` `edge` ``"
    assert markdown.code("a|b", in_table=True) == "`a\\|b`"
    assert markdown.link("javascript:alert(1)") == "javascript:alert(1)"


def test_probe_results_appear_next_to_findings(result, tmp_path):
    probe = read_probe_results(write_probe(tmp_path / "probe.json"), "2025-01-10")
    text = _render(result, probe=probe)
    assert "## Live evidence" in text and "| Live evidence |" in text
    assert "calls GET graph.instagram.com/me/media; probe on 2025-01-10: removed, IGApiException 100" in text
    assert "| media | GET graph.instagram.com/me/media | 400 | **removed** |" in text


def test_baseline_lists_new_and_fixed_apart(result, tmp_path):
    from igmigrate.report.inputs import BaselineEntry

    baseline = {f.fingerprint: BaselineEntry(f.fingerprint) for f in result.findings if f.path != "web/evil.js"}
    baseline["feedfacefeedface"] = BaselineEntry("feedfacefeedface", "IGM101", "old/gone.py")
    text = _render(result, baseline=baseline, baseline_path="base.json")
    assert "<summary>New since the baseline: 1 finding</summary>" in text
    assert "<summary>Fixed since the baseline: 1 finding</summary>" in text
    assert "| `old/gone.py` | IGM101 | `feedfacefeedface` |" in text
    assert "Against the baseline: **1 new**" in text


def _many(count: int) -> ScanResult:
    findings = [Finding(
        rule_id="IGM114", severity="error", category="basic-display", message="reads graph.instagram.com/me/media",
        path=f"pkg{i % 7}/module_{i}.py", line=i + 1, column=5, end_line=i + 1, end_column=60,
        snippet=f'resp = requests.get("https://graph.instagram.com/me/media?fields=id,caption&n={i}") | `x`',
        replacement=KB.rules["IGM114"].replacement_text(), fingerprint=f"{i:020x}", matched="graph.instagram.com/me/media",
    ) for i in range(count)]
    return ScanResult(findings=findings, errors=[], files_scanned=count)


def test_size_cap_truncates_the_table_and_counts_what_was_left_out():
    result = _many(1500)
    text = markdown.render(build_report(result, KB, load_spec(KB)))
    assert len(text) <= markdown.MAX_CHARS
    left_out = int(re.search(r"\*\*Table truncated:\*\* (\d+) of the findings were left out", text).group(1))
    shown = _table_rows(text, "| Location | Rule |")
    assert shown and left_out == 1500 - len(shown)
    assert len(text) > markdown.MAX_CHARS - 1000  # the budget is used, not wasted
    assert text.rstrip().endswith("</details>")  # still well-formed after the cut


def test_no_truncation_note_when_it_fits():
    text = markdown.render(build_report(_many(20), KB, load_spec(KB)))
    assert "Table truncated" not in text and len(_table_rows(text, "| Location | Rule |")) == 20


def test_small_cap_is_honoured():
    text = markdown.render(build_report(_many(200), KB, load_spec(KB)), max_chars=9000)
    assert len(text) <= 9000 and "Table truncated" in text
