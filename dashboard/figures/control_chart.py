"""The control chart of one measure series, with the points each drift rule flagged.

Drawn from :class:`scorecard.drift.SeriesChart` (``scorecard.drift.chart_for_series``), so
the page shows exactly what the drift engine judged: the monthly values, the baseline's
centre line, the control limits (stepped month by month where they vary, as on a p chart),
the ±1σ, ±2σ and ±3σ zones shaded, the baseline period marked, provisional months hollow,
and one marker per rule at each month it raised a signal, with the signal's sentence as
hover text. Colours are the Okabe–Ito palette (distinguishable with colour-blindness) and
every rule also has its own marker shape, so colour is never the only cue.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import plotly.graph_objects as go
import polars as pl

from scorecard import catalogue
from scorecard.drift import RULE_DESCRIPTIONS, SeriesChart, amount, label

INK = "#000000"
BLUE = "#0072B2"
SKY = "#56B4E9"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
ZONE = "rgba(86, 180, 233, 0.13)"     # sky blue, light: three nested bands darken inwards
BASELINE = "rgba(0, 0, 0, 0.06)"

RULE_MARKERS: dict[str, tuple[str, str, int]] = {
    # rule: (symbol, colour, size) — open symbols of different sizes stay visible together
    "N1": ("diamond-open", VERMILLION, 17),
    "WE1": ("diamond-open", VERMILLION, 17),
    "N2": ("triangle-up-open", BLUE, 15),
    "WE4": ("triangle-up-open", BLUE, 15),
    "WE2": ("square-open", ORANGE, 14),
    "N5": ("square-open", ORANGE, 14),
    "WE3": ("pentagon-open", PURPLE, 14),
    "N6": ("pentagon-open", PURPLE, 14),
    "N3": ("star-open", GREEN, 16),
    "CUSUM": ("circle-open", INK, 22),
    "EWMA": ("hexagon-open", GREEN, 19),
    "MWU": ("cross-thin-open", PURPLE, 14),
    "CHI2": ("x-thin-open", PURPLE, 14),
}
CHART_NAMES = {"p": "p chart", "p_laney": "Laney p′ chart", "c": "c chart",
               "xmr": "individuals (XmR) chart"}


def control_chart_figure(series: pl.DataFrame | None, chart: SeriesChart,
                         signals: pl.DataFrame | None = None) -> go.Figure:
    """The control chart of ``chart``'s series with ``signals`` (``SIGNAL_SCHEMA``) marked.

    ``series`` is the series' stored results (``RESULT_SCHEMA`` rows, or any frame with
    ``month`` and optionally ``n``, ``numerator``, ``denominator``) and only adds detail to
    the hover text; it may be ``None``. Signals of other series are ignored.
    """
    months = list(chart.months)
    x = [_month_start(m) for m in months]
    fig = go.Figure()
    shape = "hvh" if _varies(chart.center) or _varies(chart.lcl) or _varies(chart.ucl) \
        else "linear"
    if chart.chart is not None:
        _zones(fig, x, chart, shape)
        fig.add_trace(go.Scatter(x=x, y=_nan_none(chart.center), name="Centre (baseline)",
                                 mode="lines", line={"color": INK, "width": 1.5, "shape": shape},
                                 hoverinfo="skip"))
        for name, level in (("Upper limit", chart.ucl), ("Lower limit", chart.lcl)):
            fig.add_trace(go.Scatter(x=x, y=_nan_none(level), name=name, mode="lines",
                                     line={"color": VERMILLION, "width": 1.5, "dash": "dash",
                                           "shape": shape}, hoverinfo="skip"))
    hover = _hover(chart, series)
    final = ~chart.provisional
    fig.add_trace(go.Scatter(
        x=x, y=_nan_none(np.where(final, chart.values, np.nan)), name="Monthly value",
        mode="lines+markers", connectgaps=False, line={"color": BLUE, "width": 2},
        marker={"color": BLUE, "size": 7, "symbol": "circle"},
        hovertext=hover, hoverinfo="text"))
    if chart.provisional.any():
        idx = np.flatnonzero(chart.provisional & ~np.isnan(chart.values))
        fig.add_trace(go.Scatter(
            x=[x[i] for i in idx], y=[float(chart.values[i]) for i in idx],
            name="Provisional (not judged yet)", mode="markers",
            marker={"color": "white", "size": 8, "symbol": "circle",
                    "line": {"color": BLUE, "width": 2}},
            hovertext=[hover[i] + "<br>provisional: may still change" for i in idx],
            hoverinfo="text"))
    _flags(fig, chart, signals)
    _baseline(fig, chart)
    _layout(fig, chart)
    return fig


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _varies(level: np.ndarray) -> bool:
    finite = level[~np.isnan(level)]
    return finite.size > 1 and not np.allclose(finite, finite[0])


def _nan_none(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values]


def _bounds(chart: SeriesChart) -> tuple[float, float]:
    if chart.chart in ("p", "p_laney"):
        return 0.0, 1.0
    if chart.chart == "c":
        return 0.0, np.inf
    return -np.inf, np.inf


def _zones(fig: go.Figure, x: list[date], chart: SeriesChart, shape: str) -> None:
    """±3σ, ±2σ, ±1σ as nested filled bands (the inner ones look darker)."""
    low, high = _bounds(chart)
    for k in (3, 2, 1):
        lower = np.clip(chart.center - k * chart.sigma, low, high)
        upper = np.clip(chart.center + k * chart.sigma, low, high)
        fig.add_trace(go.Scatter(x=x, y=_nan_none(lower), mode="lines", showlegend=False,
                                 line={"width": 0, "shape": shape}, hoverinfo="skip",
                                 name=f"−{k}σ"))
        fig.add_trace(go.Scatter(x=x, y=_nan_none(upper), mode="lines", fill="tonexty",
                                 fillcolor=ZONE, line={"width": 0, "shape": shape},
                                 hoverinfo="skip", name=f"±{k}σ zone", legendgroup="zones",
                                 legendgrouptitle_text="Zones ±1σ, ±2σ, ±3σ" if k == 1 else None,
                                 showlegend=k == 1))


def _hover(chart: SeriesChart, series: pl.DataFrame | None) -> list[str]:
    extra: dict[str, str] = {}
    if series is not None and "month" in series.columns:
        cols = [c for c in ("numerator", "denominator", "n") if c in series.columns]
        for row in series.select(["month", *cols]).iter_rows(named=True):
            if chart.kind == catalogue.PROPORTION and row.get("numerator") is not None \
                    and row.get("denominator") is not None:
                extra[row["month"]] = f"{row['numerator']:,.0f} of {row['denominator']:,.0f}"
            elif row.get("n") is not None:
                extra[row["month"]] = f"n = {row['n']:,}"
    out = []
    for i, m in enumerate(chart.months):
        text = f"{m}: {amount(chart.measure, float(chart.values[i]))}"
        if m in extra:
            text += f" ({extra[m]})"
        if chart.chart is not None and not np.isnan(chart.center[i]):
            text += (f"<br>usual {amount(chart.measure, float(chart.center[i]))}, limits "
                     f"{amount(chart.measure, float(chart.lcl[i]))}–"
                     f"{amount(chart.measure, float(chart.ucl[i]))}")
        out.append(text)
    return out


def _flags(fig: go.Figure, chart: SeriesChart, signals: pl.DataFrame | None) -> None:
    """One trace per rule: a marker at each month the rule raised a signal."""
    if signals is None or signals.height == 0:
        return
    mine = signals.filter((pl.col("provider") == chart.provider)
                          & (pl.col("measure") == chart.measure)
                          & (pl.col("params") == chart.params))
    where = {m: i for i, m in enumerate(chart.months)}
    for rule in [r for r in RULE_MARKERS if r in set(mine["rule"].to_list())]:
        rows = mine.filter(pl.col("rule") == rule).sort("month")
        xs, ys, texts = [], [], []
        for row in rows.iter_rows(named=True):
            i = where.get(row["month"])
            y = row["value"] if i is None or np.isnan(chart.values[i]) else float(chart.values[i])
            xs.append(_month_start(row["month"]))
            ys.append(y)
            texts.append(f"<b>{rule}</b> — {RULE_DESCRIPTIONS[rule]}<br>{row['sentence']}")
        symbol, colour, size = RULE_MARKERS[rule]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=f"{rule}: {RULE_DESCRIPTIONS[rule]}",
            marker={"symbol": symbol, "color": colour, "size": size,
                    "line": {"color": colour, "width": 2}},
            hovertext=texts, hoverinfo="text", meta={"rule": rule}))


def _baseline(fig: go.Figure, chart: SeriesChart) -> None:
    if chart.baseline_period is None:
        return
    first, last = (_month_start(m) for m in chart.baseline_period)
    fig.add_vrect(x0=first - timedelta(days=15), x1=last + timedelta(days=15),
                  fillcolor=BASELINE, line_width=0, layer="below",
                  annotation_text="Baseline", annotation_position="top left",
                  name="baseline")


def _layout(fig: go.Figure, chart: SeriesChart) -> None:
    title = label(chart.measure, chart.params)
    if chart.chart is not None:
        title += f" — {CHART_NAMES[chart.chart]}"
    else:
        title += f" — not judged: {chart.skip_reason}"
    yaxis: dict = {"title": {"text": catalogue.measure(chart.measure).unit}}
    if chart.kind == catalogue.PROPORTION:
        yaxis = {"title": {"text": "%"}, "tickformat": ".1%"}
    fig.update_layout(
        title={"text": f"{chart.provider} · {title}"}, xaxis={"type": "date", "title": None},
        yaxis=yaxis, template="simple_white", hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 60, "b": 40})
