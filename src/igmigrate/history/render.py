"""`igmigrate history` output: JSON (the points, oldest first), Markdown (a table) or one HTML
page with the burndown chart (the same section `report --history` adds)."""

from __future__ import annotations

import json

from igmigrate import __version__
from igmigrate.history.model import History


def _title(history: History) -> str:
    return f"Instagram API migration burndown: {history.repository or 'repository'}"


def render_json(history: History) -> str:
    return json.dumps(history.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_markdown(history: History) -> str:
    from igmigrate.report.markdown import history_lines, text

    return "\n".join([f"# {text(_title(history))}", "", *history_lines(history)]).rstrip() + "\n"


def render_html(history: History, kb_version: str) -> str:
    from igmigrate.report.html import e, history_section, page

    header = f'<header class="top"><div><h1>{e(_title(history))}</h1></div></header>'
    return page(_title(history), header, "", history_section(history), __version__, kb_version)


FORMATS = ("json", "markdown", "html")
