"""SVG charts drawn on the server: no JavaScript, they print, and each has a text alternative.

Every chart is an <svg role="img"> with a <title> and a <desc> that states the figures in
words; the page also shows the same figures as a table. Only presentation attributes are used
(no style attributes), so the Content-Security-Policy holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from markupsafe import Markup, escape

BLUE, GREY, DARK, RED, LIGHT = "#005eb8", "#768692", "#212b32", "#d5281b", "#d8dde0"
FONT = 'font-family="Arial, sans-serif"'
EMPTY = "No data yet"  # said across a chart with nothing to draw, and in its description


@dataclass(frozen=True)
class Series:
    """Values to draw, one per label, with the words for what they count."""

    name: str
    values: Sequence[Optional[float]]  # None: a figure hidden (roadmap.regions.suppress)


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _frame(chart_id: str, title: str, description: str, width: int, height: int,
           body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
            f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'class="roadmap-chart" preserveAspectRatio="xMinYMin meet">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def _empty(x: float, y: float) -> str:
    """The words across a chart with nothing to draw."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="14" fill="{DARK}" '
            f'{FONT}>{EMPTY}</text>')


def column_chart(chart_id: str, title: str, labels: Sequence[str], bars: Series,
                 reference: Optional[Series] = None, description: str = "",
                 second_line: Optional[Sequence[str]] = None, hidden: str = "*") -> Markup:
    """Vertical bars, one per label, with an optional reference (a target or an expectation);
    a hidden value (None) is drawn as the `hidden` mark instead of a bar.

    `second_line` goes under the labels, e.g. the year under a month where it starts or changes.
    """
    width, height, left, bottom, top = 640, 272, 40, 62, 20
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max([1.0, *(v for v in [*bars.values, *(reference.values if reference else [])]
                        if v is not None)])
    step = plot_w / max(1, len(labels))
    y = lambda v: top + plot_h - (v / peak) * plot_h  # noqa: E731
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
            f'stroke="{GREY}" stroke-width="1"/>',
            f'<text x="{left - 6}" y="{y(peak) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{DARK}" {FONT}>{_fmt(round(peak, 1))}</text>',
            f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" font-size="11" '
            f'fill="{DARK}" {FONT}>0</text>']
    for i, (label, value) in enumerate(zip(labels, bars.values)):
        x = left + i * step + step * 0.15
        if value is None:  # hidden: no bar, so its size cannot be read off the chart
            body.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h - 4}" '
                        f'text-anchor="middle" font-size="11" fill="{DARK}" {FONT}>'
                        f'{escape(hidden)}</text>')
            value = 0
        body.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{step * 0.7:.1f}" '
                    f'height="{top + plot_h - y(value):.1f}" fill="{BLUE}"/>')
        if value:
            body.append(f'<text x="{x + step * 0.35:.1f}" y="{y(value) - 3:.1f}" '
                        f'text-anchor="middle" font-size="11" fill="{DARK}" {FONT}>'
                        f'{_fmt(value)}</text>')
        body.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h + 16}" '
                    f'text-anchor="middle" font-size="10" fill="{DARK}" {FONT}>'
                    f'{escape(label)}</text>')
        below = second_line[i] if second_line and i < len(second_line) else ""
        if below:
            body.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h + 29}" '
                        f'text-anchor="middle" font-size="10" fill="{DARK}" {FONT}>'
                        f'{escape(below)}</text>')
    # Nothing to draw: every value is zero (a hidden value is something, only not shown).
    nothing = all(v == 0 for v in bars.values)
    if nothing:
        body.append(_empty(left + plot_w / 2, top + plot_h / 2))
    if reference is not None:
        points = " ".join(f"{left + i * step + step / 2:.1f},{y(v):.1f}"
                          for i, v in enumerate(reference.values))
        body.append(f'<polyline points="{points}" fill="none" stroke="{RED}" stroke-width="2" '
                    f'stroke-dasharray="6 3"/>')
    legend_y = height - 12
    body.append(f'<rect x="{left}" y="{legend_y - 9}" width="10" height="10" fill="{BLUE}"/>'
                f'<text x="{left + 14}" y="{legend_y}" font-size="11" fill="{DARK}" {FONT}>'
                f'{escape(bars.name)}</text>')
    if reference is not None:
        body.append(f'<line x1="{left + 260}" y1="{legend_y - 4}" x2="{left + 280}" '
                    f'y2="{legend_y - 4}" stroke="{RED}" stroke-width="2" stroke-dasharray="6 3"/>'
                    f'<text x="{left + 286}" y="{legend_y}" font-size="11" fill="{DARK}" {FONT}>'
                    f'{escape(reference.name)}</text>')
    words = description or "; ".join(f"{label}: {hidden if v is None else _fmt(v)}"
                                     for label, v in zip(labels, bars.values))
    if nothing:
        words = f"{EMPTY}. {words}".strip()
    return _frame(chart_id, title, words, width, height, body)


def share_chart(chart_id: str, title: str, items: Sequence[tuple[str, int]], total: int,
                description: str = "") -> Markup:
    """Horizontal bars of each item's share of a total, labelled with the percentage."""
    row_h, label_w, width = 26, 230, 640
    height = max(2, len(items)) * row_h + 10
    bar_w = width - label_w - 70
    body = []
    for i, (label, count) in enumerate(items):
        share = count / total if total else 0
        y = 5 + i * row_h
        body.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
                    f'fill="{DARK}" {FONT}>{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" fill="{LIGHT}"/>'
                    f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * share:.1f}" height="16" '
                    f'fill="{BLUE}"/>'
                    f'<text x="{label_w + bar_w + 6}" y="{y + 16}" font-size="12" fill="{DARK}" '
                    f'{FONT}>{share:.0%}</text>')
    words = description or "; ".join(f"{label}: {count} of {total} ({count / total:.0%})"
                                     for label, count in items if total)
    if not total:
        body.append(_empty(width / 2, height / 2 + 5))
    return _frame(chart_id, title, words or f"{EMPTY}.", width, height, body)


def buckets(values: Sequence[int], width: int, unit: str) -> tuple[list[str], list[int]]:
    """Group whole numbers into ranges of `width` (e.g. weeks 0-3, 4-7), for a histogram."""
    if not values:
        return [], []
    top = max(values) // width
    counts = [0] * (top + 1)
    for value in values:
        counts[value // width] += 1
    labels = [f"{i * width}–{i * width + width - 1} {unit}" for i in range(top + 1)]
    return labels, counts
