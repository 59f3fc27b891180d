"""Accessible inline SVG charts, drawn on the server. Each sits beside a table of its data.

The SVG has ``role="img"`` with a title and a description naming what it shows; colours are
distinguished by pattern of position and label too, never by colour alone.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#0b4f8a", "#0e6b3a", "#8a3b00", "#5b2a86", "#7a5c00", "#1b1f29", "#4a5263", "#b3261e")
# A generous average advance of one character of a 13px label, in the chart's own units.
LABEL_CHAR_WIDTH = 7.5


def bar_chart(title: str, description: str, bars: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    bar_width, row = 360, 30
    # The label column fits the longest label: labels are right-aligned to the bars, so a longer
    # one would run off the chart's left edge (and off a phone's screen).
    longest = max((len(label) for label, _ in bars), default=0)
    label_width = max(230, round(longest * LABEL_CHAR_WIDTH) + 16)
    height = row * len(bars) + 20
    top = max((value for _, value in bars), default=0) or 1
    parts = [
        f'<svg role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d" '
        f'viewBox="0 0 {label_width + bar_width + 90} {height}" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = 10 + i * row
        width = bar_width * value / top
        parts += [
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>",
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="{row - 10}" '
            f'fill="{PALETTE[0]}"/>',
            f'<text x="{label_width + width + 6:.1f}" y="{y + 18}" class="chart-value">'
            f"{_fmt(value)}{escape(unit)}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    title: str, description: str, months: list[str], series: dict[str, list[int]]
) -> str:
    """One line per series over months, with a legend beside the plot."""
    width, height, left, right, top_pad, bottom = 760, 300, 50, 200, 20, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max((v for values in series.values() for v in values), default=0) or 1
    step = plot_w / max(len(months) - 1, 1)

    def point(i: int, value: int) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h * (1 - value / peak)

    parts = [
        f'<svg role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d" '
        f'viewBox="0 0 {width} {height}" class="chart" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
        f'stroke="#4a5263"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" class="chart-value">'
        f"{peak}</text>",
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" '
        'class="chart-value">0</text>',
    ]
    for i, month in enumerate(months):
        if len(months) <= 12 or i % max(len(months) // 12, 1) == 0:
            x, _ = point(i, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" class="chart-value">'
                f"{escape(month)}</text>"
            )
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        coords = [point(i, v) for i, v in enumerate(values)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        # A marker on every point, so a single month still shows.
        parts.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        # A legend in the right margin, one row per series, so labels never overlap.
        legend_x, legend_y = left + plot_w + 20, top_pad + 10 + n * 22
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 24}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<text x="{legend_x + 30}" y="{legend_y}" class="chart-label">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:40]


def _fmt(value: float) -> str:
    return f"{value:g}"
