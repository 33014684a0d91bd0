"""The HTML report: escaping of scanned text, nothing loaded from anywhere, charts, table, print CSS."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from igmigrate.knowledge import default_knowledge_base
from igmigrate.report import html as html_report
from igmigrate.report.assets import JS
from igmigrate.report.inputs import BaselineEntry, read_probe_results
from igmigrate.report.model import build_report
from igmigrate.report.spec import load_spec
from test_report_support import TOKEN, XSS, make_project, scan_project, write_probe, write_tree

KB = default_knowledge_base()
# Attributes that make a browser fetch something (an <a href> only navigates when clicked).
LOADING_ATTRS = {"src", "srcset", "poster", "data", "background", "action", "formaction", "xlink:href", "ping",
                 "manifest", "codebase", "archive", "longdesc", "lowsrc", "dynsrc", "icon"}


class Page(HTMLParser):
    """Collects every start tag, the text of each element kind we care about, and script bodies."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.code_texts: list[str] = []
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "wbr", "input", "rect"):
            self.stack.append(tag)
        if tag == "script":
            self.scripts.append("")
        if tag == "code":
            self.code_texts.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if "script" in self.stack:
            self.scripts[-1] += data
        if "style" in self.stack:
            self.styles.append(data)
        if "code" in self.stack:
            self.code_texts[-1] += data
        if self.stack and self.stack[-1] == "title" and "svg" not in self.stack:
            self.title += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("html"))
    # A file name is scanned text too.
    write_tree(root, {'web/x"<img src=q onerror=alert(2)>.js': "const u = 'https://graph.instagram.com/me/media';\n"})
    return scan_project(root)


@pytest.fixture(scope="module")
def page_text(result, tmp_path_factory):
    probe = read_probe_results(write_probe(tmp_path_factory.mktemp("probe") / "probe.json"), "2025-01-10")
    baseline = {f.fingerprint: BaselineEntry(f.fingerprint) for f in result.findings[:3]}
    baseline["cafebabecafebabe"] = BaselineEntry("cafebabecafebabe", "IGM113", "gone.py")
    report = build_report(result, KB, load_spec(KB), title="Audit </title><script>alert(3)</script>", probe=probe,
                          baseline=baseline, baseline_path="baseline.json")
    return html_report.render(report)


def test_scanned_script_renders_as_text_never_as_script(page_text):
    page = parse(page_text)
    assert page.scripts == [JS]  # the one script is the constant sorter: no scanned text inside any script
    for script in page.scripts:
        assert "alert" not in script and "graph.instagram.com" not in script
    assert any(XSS in text for text in page.code_texts)  # shown, as text, in the table
    assert page.title == "Audit </title><script>alert(3)</script>"
    assert not any(tag == "img" for tag, _ in page.tags)  # the file name did not become a tag
    assert any('x"<img src=q onerror=alert(2)>.js' in text for text in page.code_texts)


def test_html_has_no_http_references_to_load(page_text):
    page = parse(page_text)
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "source", "video", "audio", "base", "image"), tag
        assert not LOADING_ATTRS & set(attrs), (tag, attrs)
        if "href" in attrs:
            assert tag == "a" and re.match(r"^(#[\w-]+|https://developers\.facebook\.com/)", attrs["href"]), attrs
        if tag == "meta":
            assert "http-equiv" not in attrs
    css = "".join(page.styles)
    assert "url(" not in css and "@import" not in css and "http" not in css
    assert "http" not in JS and "fetch(" not in JS and "XMLHttpRequest" not in JS
    assert "xmlns=" not in page_text


def test_charts_table_filters_and_print_css(page_text, result):
    page = parse(page_text)
    charts = [attrs["aria-label"] for tag, attrs in page.tags if attrs.get("class", "").split()[:1] == ["bars"]]
    assert charts == ["Findings by rule", "Effort by flow", "Findings by top-level directory"]
    rows = [attrs for tag, attrs in page.tags if tag == "tr" and "data-severity" in attrs]
    assert len(rows) == sum(not f.suppressed for f in result.findings)
    assert {r["data-status"] for r in rows} == {"new", "existing"}
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert {"findings-table", "filter-text", "filter-severity", "filter-status", "summary", "flows", "rules",
            "manual", "probe", "findings"} <= ids
    assert "@media print" in page_text
    assert "cafebabecafebabe" in page_text  # fixed since the baseline
    assert "removed</span> · IGApiException 100" in page_text  # live evidence next to the finding
    assert TOKEN not in page_text


def test_rule_links_point_at_rule_sections(page_text):
    page = parse(page_text)
    anchors = {attrs["id"] for _, attrs in page.tags if attrs.get("id", "").startswith("rule-")}
    links = {attrs["href"][1:] for tag, attrs in page.tags if tag == "a" and attrs.get("href", "").startswith("#rule-")}
    assert links and links <= anchors


def test_every_table_scrolls_in_its_own_box_for_narrow_screens(page_text):
    """At 390 px the page must not get wider than the screen: each table sits in a box that
    scrolls sideways, the charts are HTML bars (text keeps its size) and long bar labels go
    above their bar (see docs/report-*-390.png)."""
    assert page_text.count("<table") == page_text.count('<div class="scroll"><table') > 5
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page_text
    assert ".scroll { overflow-x: auto;" in page_text and "@media (max-width: 760px)" in page_text
    assert "<svg" not in page_text.split('id="findings"')[0].split('id="summary"')[1]  # no scaled SVG text in the charts
