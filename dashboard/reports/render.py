"""Plotly figures to SVG with kaleido, which drives Debian's Chromium (found by itself).

All figures of a report are drawn in one browser session: starting Chromium costs seconds,
drawing a figure a fraction of one. MathJax is off, so nothing is fetched from the network.
If the browser cannot start, the report is still made, without its charts, and says so.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import plotly.graph_objects as go

log = logging.getLogger(__name__)
TIMEOUT_S = 120


async def _draw(figures: dict[str, go.Figure], width: int, height: int | None,
                widths: dict[str, int]) -> dict[str, str]:
    import kaleido

    out: dict[str, str] = {}
    async with kaleido.Kaleido(n=1, timeout=TIMEOUT_S, mathjax=False) as k:
        for name, fig in figures.items():
            h = height or int(fig.layout.height or 340)
            svg = await k.calc_fig(fig, opts={"format": "svg", "width": widths.get(name, width), "height": h})
            out[name] = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return out


def figures_to_svg(figures: dict[str, go.Figure], *, width: int = 960, height: int | None = None,
                   widths: dict[str, int] | None = None) -> dict[str, str]:
    """``{name: svg text}`` for each figure (``widths`` per figure, else ``width`` pixels wide);
    ``{}`` (logged) when Chromium could not draw them."""
    if not figures:
        return {}
    result: dict[str, str] = {}
    failure: list[BaseException] = []

    def run() -> None:  # in its own thread: a fresh event loop even under a running one
        try:
            result.update(asyncio.run(_draw(figures, width, height, widths or {})))
        except Exception as exc:  # noqa: BLE001 - reported below; the report goes out without charts
            failure.append(exc)

    worker = threading.Thread(target=run, name="kaleido", daemon=True)
    worker.start()
    worker.join(TIMEOUT_S + 30)
    if failure or worker.is_alive():
        log.error("charts could not be drawn: %s", failure[0] if failure else "timed out")
        return {}
    return result
