"""A small, accessible SVG line chart of an indicator's values against its target.

Hand-written rather than a charting library: the Content-Security-Policy allows no inline style or script, so the
SVG uses presentation attributes only (fill, stroke) and no JavaScript; the page shows the same numbers in a table
for screen readers and for anyone who prefers figures.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36
INK, MUTED, ACCENT, TARGET, LINE = "#1d2724", "#55625e", "#1f5f5b", "#8a3b12", "#dcd8cf"


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicator_svg(*, chart_id: str, name: str, unit: str, target: Decimal,
                  points: Sequence[tuple[dt.date, Decimal]]) -> SafeString:
    """An inline <svg> (role="img", titled and described) of `points` with a dashed target line."""
    unit_text = f" {unit}" if unit else ""
    desc = (f"{len(points)} values from {points[0][0].isoformat()} to {points[-1][0].isoformat()}, latest "
            f"{_fmt(points[-1][1])}{unit_text}; target {_fmt(target)}{unit_text}." if points
            else f"No values recorded yet; target {_fmt(target)}{unit_text}.")
    values = [v for _, v in points] + [target]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: Decimal) -> float:
        return round(TOP + float((high - v) / (high - low)) * plot_h, 1)

    if points:
        first, last = points[0][0], points[-1][0]
        days = max((last - first).days, 1)

        def x(d: dt.date) -> float:
            return round(LEFT + (plot_w * (d - first).days / days if len(points) > 1 else plot_w / 2), 1)
    parts = [
        format_html('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>', chart_id, name, chart_id, desc),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                    LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h, LINE),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                    LEFT, TOP, LEFT, TOP + plot_h, LINE),
    ]
    for v in (high - pad, low + pad):  # axis labels at the data range, not the padded edges
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                                 LEFT - 6, y(v) + 4, MUTED, _fmt(v.quantize(Decimal("0.01")))))
    ty = y(target)
    parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                             'stroke-dasharray="6 4"/>', LEFT, ty, LEFT + plot_w, ty, TARGET))
    parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">target {}</text>',
                             LEFT + plot_w, ty - 5, TARGET, _fmt(target)))
    if points:
        coords = " ".join(f"{x(d)},{y(v)}" for d, v in points)
        if len(points) > 1:
            parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
                                     coords, ACCENT))
        parts.append(format_html_join("", '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
                                      ((x(d), y(v), ACCENT, d.isoformat(), _fmt(v)) for d, v in points)))
        parts.append(format_html('<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                                 LEFT, HEIGHT - 10, INK, points[0][0].strftime("%-d %b %Y")))
        if len(points) > 1:
            parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                                     LEFT + plot_w, HEIGHT - 10, INK, points[-1][0].strftime("%-d %b %Y")))
    body = mark_safe("".join(parts))  # every piece above went through format_html
    return format_html('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
                       'aria-labelledby="{}-title {}-desc" focusable="false">{}</svg>',
                       WIDTH, HEIGHT, chart_id, chart_id, body)
