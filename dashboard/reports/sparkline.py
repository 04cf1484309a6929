"""Twelve-month sparklines as small SVG images: light enough for a table of forty measures.

Drawn by hand rather than as Plotly figures: a sparkline is a polyline, and forty Plotly
graphs would make the Scorecard page slow to open. The same SVG goes into the board pack.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 100, 26, 3
STATUS_COLOUR = {"green": "#1e7b4c", "amber": "#a86200", "red": "#b42318", "grey": "#6b7785"}
LINE = "#52606d"
GOAL = "#1e7b4c"


def _ok(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def sparkline_svg(values: Sequence[float | None], *, goal: float | None = None, status: str = "grey",
                  title: str = "") -> str:
    """An SVG polyline of ``values`` (gaps where None), a dashed goal line, the last point
    in the status colour; ``title`` is its text alternative."""
    points = [v for v in values if _ok(v)]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
            f"<title>{escape(title)}</title>")
    if not points:
        return head + (f'<line x1="{PAD}" y1="{HEIGHT / 2}" x2="{WIDTH - PAD}" y2="{HEIGHT / 2}" '
                       f'stroke="#d9e2ec" stroke-dasharray="2 3"/></svg>')
    low, high = min(points), max(points)
    if _ok(goal):
        low, high = min(low, goal), max(high, goal)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    n = len(values)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / (high - low)

    parts = [head]
    if _ok(goal):
        parts.append(f'<line x1="{PAD}" y1="{y(goal):.1f}" x2="{WIDTH - PAD}" y2="{y(goal):.1f}" '
                     f'stroke="{GOAL}" stroke-width="1" stroke-dasharray="3 2" opacity="0.8"/>')
    run: list[str] = []
    for i, v in enumerate(list(values) + [None]):
        if _ok(v):
            run.append(f"{x(i):.1f},{y(v):.1f}")
            continue
        if len(run) > 1:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="1.5" '
                         'stroke-linejoin="round"/>')
        elif run:
            parts.append(f'<circle cx="{run[0].split(",")[0]}" cy="{run[0].split(",")[1]}" r="1.2" fill="{LINE}"/>')
        run = []
    last = max(i for i, v in enumerate(values) if _ok(v))
    parts.append(f'<circle cx="{x(last):.1f}" cy="{y(values[last]):.1f}" r="2.6" '
                 f'fill="{STATUS_COLOUR.get(status, LINE)}"/>')
    parts.append("</svg>")
    return "".join(parts)


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI for an ``<img>`` (served by steerco itself, no request)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def spark_title(label: str, months: Sequence[str], values: Sequence[float | None], texts: Sequence[str]) -> str:
    """The text alternative: ``"P1 resolved within 4 hours, 2025-11 to 2026-10: 81.0 % to 78.6 %"``."""
    shown = [(m, t) for m, v, t in zip(months, values, texts) if _ok(v)]
    if not shown:
        return f"{label}: no data in the last twelve months"
    return f"{label}, {shown[0][0]} to {shown[-1][0]}: {shown[0][1]} to {shown[-1][1]}"
