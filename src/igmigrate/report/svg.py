"""Inline SVG bar charts: drawn here, so the HTML page loads nothing from anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 560
ROW = 24
LABEL_WIDTH = 200  # at most; short labels get a narrower column
MAX_BARS = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css_class: str = "bar"  # styled by the page's CSS (severity colours)
    tooltip: str = ""


def _fit(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(bars: list[Bar], title: str) -> str:
    """Horizontal bars, largest first; past MAX_BARS the rest are summed into one bar."""
    if len(bars) > MAX_BARS:
        rest = bars[MAX_BARS - 1:]
        bars = bars[: MAX_BARS - 1] + [Bar(f"{len(rest)} others", sum(b.value for b in rest), "bar other")]
    peak = max((b.value for b in bars), default=0) or 1
    label_width = min(LABEL_WIDTH, 16 + 7 * max((len(_fit(b.label)) for b in bars), default=4))
    span = WIDTH - label_width - 50
    height = ROW * len(bars) + 8
    out = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
           f'<title>{escape(title)}</title>']
    for i, b in enumerate(bars):
        y = 4 + i * ROW
        length = max(2, round(span * b.value / peak))
        tip = escape(b.tooltip or f"{b.label}: {b.value}")
        out.append(
            f'<g><title>{tip}</title>'
            f'<text class="label" x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(_fit(b.label))}</text>'
            f'<rect class="{escape(b.css_class)}" x="{label_width}" y="{y + 3}" width="{length}" height="{ROW - 8}" rx="3"/>'
            f'<text class="value" x="{label_width + length + 6}" y="{y + 16}">{b.value}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
