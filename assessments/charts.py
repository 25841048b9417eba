"""Server-side SVG charts: no JavaScript, nothing from a CDN, and allowed by a strict CSP."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.html import escape

# Colour-blind-safe palette (Okabe–Ito); each series also gets its own marker shape.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
MARKERS = ["circle", "square", "diamond", "triangle"]


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[datetime.datetime, int], ...]  # (when, percent 0–100)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
        f'fill="{colour}"/>'
    )


def mastery_chart_svg(
    series: list[Series], *, title: str, width: int = 640, height: int = 280
) -> str:
    """A line chart of mastery (0–100 %) over time, one line per series, as an SVG string.

    Labels are escaped. The chart scales to its container (viewBox), has a title and a
    description for screen readers, and the page offers the same figures as a table.
    """
    left, right, top, bottom = 44, 12, 12, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    times = [when for s in series for when, _ in s.points]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="mastery-chart" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">Mastery per topic after each quiz; the table below gives the '
        "same figures.</desc>",
    ]
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - percent / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ced4da"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#495057">{percent}%</text>'
        )
    if times:
        start, end = min(times), max(times)
        span = (end - start).total_seconds() or 1.0
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11" fill="#495057">{start:%d %b}</text>'
        )
        parts.append(
            f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11" '
            f'fill="#495057">{end:%d %b}</text>'
        )

        def x_of(when):
            if len(set(times)) == 1:
                return left + plot_w / 2
            return left + plot_w * (when - start).total_seconds() / span

        for index, item in enumerate(series):
            colour = COLOURS[index % len(COLOURS)]
            shape = MARKERS[index % len(MARKERS)]
            coords = [(x_of(when), top + plot_h * (1 - pct / 100)) for when, pct in item.points]
            if len(coords) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            parts.extend(_marker(shape, x, y, colour) for x, y in coords)
    parts.append("</svg>")
    return "".join(parts)


def legend(series: list[Series]) -> list[dict]:
    """Legend entries (label, colour, shape) matching ``mastery_chart_svg``'s drawing order."""
    return [
        {
            "label": s.label,
            "colour": COLOURS[i % len(COLOURS)],
            "swatch": _marker(MARKERS[i % len(MARKERS)], 6, 6, COLOURS[i % len(COLOURS)]),
        }
        for i, s in enumerate(series)
    ]
