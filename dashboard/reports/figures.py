"""Plotly figures of stored results, shared by the pages and the board pack.

Status colours are the stylesheet's (green, amber, red, grey), and never the only cue: bands
are labelled, heat-map cells carry the status shape and the value, lines are named.
(The control chart is ``dashboard.figures.control_chart``, drawn from the drift engine.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go

from scorecard.catalogue import HIGHER
from scorecard.display import PERCENT_UNITS, threshold_text, value_text

GREEN, AMBER, RED, GREY = "#1e7b4c", "#a86200", "#b42318", "#6b7785"
BAND = {"green": "rgba(30,123,76,0.10)", "amber": "rgba(168,98,0,0.12)", "red": "rgba(180,35,24,0.10)"}
INK, BLUE = "#1f2933", "#1c4e80"
FONT = {"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": 12, "color": INK}
SHAPES = {"green": "●", "amber": "▲", "red": "■", "grey": "○"}


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _ok(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _yaxis(unit: str, currency: str | None) -> dict:
    if unit in PERCENT_UNITS:
        return {"tickformat": ".0%", "title": {"text": None}}
    if unit == "money":
        return {"tickprefix": {"GBP": "£", "USD": "$", "EUR": "€"}.get(currency or "", ""), "title": {"text": None}}
    return {"title": {"text": unit}}


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 320) -> go.Figure:
    fig.update_layout(template="simple_white", font=FONT, height=height, hovermode="x unified",
                      title={"text": title, "x": 0, "font": {"size": 14}} if title else None,
                      margin={"l": 60, "r": 20, "t": 40 if title else 16, "b": 40},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0})
    return fig


def trend_figure(months: Sequence[str], values: Sequence[float | None], *, unit: str, label: str,
                 goal: float | None = None, red_flag: float | None = None, stretch: float | None = None,
                 direction: str = HIGHER, ci_low: Sequence[float | None] | None = None,
                 ci_high: Sequence[float | None] | None = None, provisional: Sequence[bool] | None = None,
                 currency: str | None = None, height: int = 340, title: str | None = None) -> go.Figure:
    """The monthly values with the goal / red-flag bands (green beyond the goal, amber between,
    red past the red flag), the stretch, 95 % intervals and provisional months hollow."""
    x = [month_start(m) for m in months]
    ys = [v if _ok(v) else None for v in values]
    texts = [value_text(v, unit, currency=currency) for v in ys]
    fig = go.Figure()
    shown = [v for v in ys if v is not None]
    if goal is not None and red_flag is not None and shown:
        _bands(fig, shown, goal, red_flag, stretch, direction, unit, currency)
    if ci_low is not None and ci_high is not None and any(_ok(v) for v in ci_low):
        lo = [v if _ok(v) else None for v in ci_low]
        hi = [v if _ok(v) else None for v in ci_high]
        fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor="rgba(28,78,128,0.12)", name="95 % interval", hoverinfo="skip"))
    prov = list(provisional) if provisional is not None else [False] * len(ys)
    fig.add_trace(go.Scatter(
        x=x, y=ys, mode="lines+markers", name=label, line={"color": BLUE, "width": 2},
        marker={"size": 6, "color": ["white" if p else BLUE for p in prov], "line": {"color": BLUE, "width": 1.5}},
        text=[t + (" (provisional)" if p else "") for t, p in zip(texts, prov)], hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(**_yaxis(unit, currency))
    fig.update_xaxes(type="date", title={"text": None})
    return base_layout(fig, title=title, height=height)


def _bands(fig, shown, goal, red_flag, stretch, direction, unit, currency) -> None:
    pad = (max(shown + [goal, red_flag]) - min(shown + [goal, red_flag])) * 0.15 or abs(goal) * 0.1 or 1.0
    low, high = min(shown + [goal, red_flag]) - pad, max(shown + [goal, red_flag]) + pad
    if unit in PERCENT_UNITS:
        low, high = max(low, 0.0) if min(shown) >= 0 else low, min(high, 1.0) if max(shown) <= 1 else high
    up = direction == HIGHER
    zones = ([("green", goal, high), ("amber", red_flag, goal), ("red", low, red_flag)] if up
             else [("green", low, goal), ("amber", goal, red_flag), ("red", red_flag, high)])
    for status, y0, y1 in zones:
        if y1 > y0:
            fig.add_hrect(y0=y0, y1=y1, fillcolor=BAND[status], line_width=0, layer="below")
    for name, level, colour, dash in (("goal", goal, GREEN, "dash"), ("red flag", red_flag, RED, "dot"),
                                      ("stretch", stretch, GREEN, "dashdot")):
        if level is None:
            continue
        fig.add_hline(y=level, line={"color": colour, "width": 1.5, "dash": dash},
                      annotation_text=f"{name} {threshold_text(level, unit, currency=currency)}",
                      annotation_position="top left", annotation_font={"color": colour, "size": 11})
    fig.update_yaxes(range=[low, high])


def heatmap_figure(rows: Sequence[str], months: Sequence[str], values: Sequence[Sequence[float | None]],
                   statuses: Sequence[Sequence[str]], *, unit: str = "%", height: int | None = None,
                   title: str | None = None) -> go.Figure:
    """A heat map of ``values`` (rows × months) coloured by status, each cell with its shape and value."""
    code = {"red": 0, "amber": 1, "green": 2, "grey": None}
    z = [[code.get(s) for s in row] for row in statuses]
    text = [[f"{SHAPES.get(s, '')} {value_text(v, unit, decimals=2) if _ok(v) else '–'}"
             for v, s in zip(vrow, srow)] for vrow, srow in zip(values, statuses)]
    hover = [[f"{name} · {m}: {value_text(v, unit, decimals=3) if _ok(v) else 'no data'} ({s})"
              for m, v, s in zip(months, vrow, srow)] for name, vrow, srow in zip(rows, values, statuses)]
    scale = [[0.0, RED], [0.333, RED], [0.334, AMBER], [0.666, AMBER], [0.667, GREEN], [1.0, GREEN]]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(months), y=list(rows), text=text, texttemplate="%{text}", textfont={"color": "white", "size": 10},
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", colorscale=scale, zmin=0, zmax=2,
        showscale=False, xgap=2, ygap=2))
    fig.update_xaxes(type="category", side="top", tickangle=0)
    fig.update_yaxes(autorange="reversed", type="category")
    base_layout(fig, title=title, height=height or max(180, 46 * len(rows) + 70))
    fig.update_layout(hovermode="closest", plot_bgcolor="#eef1f4")
    return fig


def lines_figure(series: dict[str, tuple[Sequence[str], Sequence[float | None]]], *, unit: str,
                 limit: float | None = None, limit_label: str | None = None, height: int = 340,
                 title: str | None = None) -> go.Figure:
    """Several named monthly series on one chart (capacity by resource), with an optional limit line."""
    fig = go.Figure()
    for name, (months, values) in series.items():
        fig.add_trace(go.Scatter(x=[month_start(m) for m in months], y=[v if _ok(v) else None for v in values],
                                 mode="lines+markers", name=name, marker={"size": 4},
                                 hovertemplate=f"{name}: %{{y:.1%}}<extra></extra>" if unit in PERCENT_UNITS
                                 else f"{name}: %{{y}}<extra></extra>"))
    if limit is not None:
        fig.add_hline(y=limit, line={"color": RED, "width": 1.5, "dash": "dot"}, annotation_text=limit_label,
                      annotation_position="top left", annotation_font={"color": RED, "size": 11})
    fig.update_yaxes(**_yaxis(unit, None))
    fig.update_xaxes(type="date", title={"text": None})
    base_layout(fig, title=title, height=height)
    fig.update_layout(hovermode="closest")
    return fig
