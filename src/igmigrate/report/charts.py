"""Charts drawn into the page itself, so the HTML report loads nothing from anywhere.

Bar charts are HTML (a label, a bar whose width is a percentage, the value): the text keeps
the page's font size at any width, where an SVG scaled down to a 390 px phone shrinks its
labels to 7 px. The burndown is SVG, drawn twice (wide and narrow) and the page's CSS shows the
one that fits, for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

MAX_BARS = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    css_class: str = "bar"  # styled by the page's CSS (severity colours)
    tooltip: str = ""
    href: str | None = None  # "#anchor" on the same page
    shown: str | None = None  # the value as printed (default: the number)


def _fit(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(bars: list[Bar], title: str) -> str:
    """Horizontal bars, in the order given; past MAX_BARS the rest are summed into one bar."""
    peak = max((b.value for b in bars[:MAX_BARS - 1]), default=0) or 1  # the summed rest never sets the scale
    if len(bars) > MAX_BARS:
        rest = bars[MAX_BARS - 1:]
        total = sum(b.value for b in rest)
        bars = bars[: MAX_BARS - 1] + [Bar(f"{len(rest)} others", total, "bar other")]
    long = max((len(_fit(b.label)) for b in bars), default=0) > 12  # on a phone, long labels go above their bar
    out = [f'<div class="bars{" long" if long else ""}" role="img" aria-label="{escape(title)}">']
    for b in bars:
        width = min(100.0, max(0.5, round(100 * b.value / peak, 1)))
        label = escape(_fit(b.label))
        if b.href and b.href.startswith("#"):
            label = f'<a href="{escape(b.href)}">{label}</a>'
        shown = b.shown if b.shown is not None else (f"{b.value:g}")
        out.append(f'<div class="bar-row" title="{escape(b.tooltip or f"{b.label}: {shown}")}">'
                   f'<span class="bar-label">{label}</span>'
                   f'<span class="bar-track"><span class="{escape(b.css_class)}" style="width:{width}%"></span></span>'
                   f'<span class="bar-value">{escape(shown)}</span></div>')
    out.append("</div>")
    return "".join(out)


@dataclass(frozen=True)
class Point:
    label: str  # x-axis label (a date)
    tip: str  # hover text
    errors: int
    warnings: int
    notes: int


_SERIES = (("errors", "error"), ("warnings", "warning"), ("notes", "note"))


def _nice_top(value: int) -> int:
    """The y-axis top: four grid steps of 1, 2 or 5 times a power of ten, at or above value."""
    wanted = max(1, -(-value // 4))
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= wanted:
                return 4 * step * scale
        scale *= 10


def _one_burndown(points: list[Point], width: int, height: int, css_class: str, ticks: int) -> str:
    left, right, top, bottom = 44, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_top(max(max(p.errors, p.warnings, p.notes) for p in points))
    count = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: int) -> float:
        return top + plot_h - plot_h * v / peak

    out = [f'<svg class="burndown {css_class}" role="img" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}"><title>Findings per commit, oldest first</title>']
    for k in range(5):  # horizontal grid with its values
        v = peak * k / 4
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                   f'<text class="axis" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    shown = sorted({0, count - 1, *(round(i * (count - 1) / max(1, ticks - 1)) for i in range(ticks))})
    for i in shown:
        anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
        out.append(f'<text class="axis" x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}">'
                   f"{escape(points[i].label)}</text>")
    for attr, css in _SERIES:
        coords = " ".join(f"{x(i):.1f},{y(getattr(p, attr)):.1f}" for i, p in enumerate(points))
        out.append(f'<polyline class="line {css}" points="{coords}"/>')
        for i, p in enumerate(points):
            out.append(f'<circle class="dot {css}" cx="{x(i):.1f}" cy="{y(getattr(p, attr)):.1f}" r="3">'
                       f"<title>{escape(p.tip)}: {getattr(p, attr)} {attr}</title></circle>")
    legend_y = height - 8
    for n, (attr, css) in enumerate(_SERIES):
        lx = left + n * 90
        out.append(f'<rect class="key {css}" x="{lx}" y="{legend_y - 9}" width="12" height="10" rx="2"/>'
                   f'<text class="axis" x="{lx + 16}" y="{legend_y}">{attr}</text>')
    out.append("</svg>")
    return "".join(out)


def burndown(points: list[Point]) -> str:
    """Errors, warnings and notes per commit, oldest first: a wide and a narrow drawing."""
    if not points:
        return '<p class="muted">No commits to chart.</p>'
    return (_one_burndown(points, 720, 280, "wide", 6) + _one_burndown(points, 340, 240, "narrow", 3))
