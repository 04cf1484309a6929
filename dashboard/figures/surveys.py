"""Plotly figures of the Surveys page: response rates by sending month and rating distributions.

The dashboard's chart style (``dashboard.reports.figures.base_layout``). Ratings run from orange
(1) to the brand blue (5), a diverging scale readable with colour-blindness, and every segment
also carries its value and share as text, so that colour is never the only cue.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.reports.figures import BLUE, FONT, base_layout, month_start
from surveys.exports import MIN_GROUP
from surveys.readouts import Distribution, QuestionInfo

NOT_SHOWN = f"fewer than {MIN_GROUP} responses — not shown"
RATING_COLOURS = {1: "#b35806", 2: "#f1a340", 3: "#c9ced6", 4: "#7fa7d1", 5: BLUE}
GROUP_COLOURS = {"detractors": "#b35806", "passives": "#c9ced6", "promoters": BLUE}
GROUP_NAMES = {"detractors": "Detractors (0–6)", "passives": "Passives (7–8)", "promoters": "Promoters (9–10)"}


def rates_figure(rates: pl.DataFrame) -> go.Figure:
    """Invitations sent and answered per sending month (bars) and the response rate (line, right axis)."""
    x = [month_start(m) for m in rates["month"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=rates["invited"].to_list(), name="Invited", marker={"color": "#c9d6e3"},
                         hovertemplate="%{y:,} invited<extra></extra>"))
    fig.add_trace(go.Bar(x=x, y=rates["answered"].to_list(), name="Answered", marker={"color": BLUE},
                         hovertemplate="%{y:,} answered<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=rates["response_rate"].to_list(), name="Response rate", yaxis="y2",
                             mode="lines+markers", line={"color": "#a86200", "width": 2},
                             marker={"symbol": "diamond", "size": 7},
                             hovertemplate="%{y:.1%} answered<extra></extra>"))
    base_layout(fig, height=320)
    fig.update_layout(barmode="group", yaxis={"title": {"text": "invitations"}, "rangemode": "tozero"},
                      yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero",
                              "showgrid": False, "title": {"text": "response rate"}},
                      xaxis={"type": "date", "title": {"text": None}})
    return fig


def distribution_figure(questions: list[QuestionInfo], month: dict[str, Distribution],
                        baseline: dict[str, Distribution], labels: tuple[str, str], *,
                        groups: bool = False) -> go.Figure:
    """One row of stacked bars per question: the baseline's answers and the month's, as shares
    of 100 %; 0–10 questions in detractor / passive / promoter groups. A period with fewer than
    five answers has no bar and says so in its label."""
    fig = make_subplots(rows=len(questions), cols=1, shared_xaxes=True, vertical_spacing=0.1 if groups else 0.07,
                        subplot_titles=[_short(q.label) for q in questions])
    for row, q in enumerate(questions, start=1):
        periods = [(labels[0], baseline.get(q.key)), (labels[1], month.get(q.key))]
        ys = [name if d is not None and d.n >= MIN_GROUP else f"{name}: {NOT_SHOWN}" for name, d in periods]
        parts = GROUP_NAMES if groups else {v: str(v) for v in range(1, 6)}
        for part, name in parts.items():
            counts, shares, texts = [], [], []
            for _label, d in periods:
                if d is None or d.n < MIN_GROUP:
                    counts.append(None), shares.append(None), texts.append("")
                    continue
                count = d.groups()[part] if groups else d.counts[part]
                counts.append(count)
                shares.append(count / d.n)
                texts.append(f"{name if not groups else ''} {count / d.n:.0%}".strip())
            colour = GROUP_COLOURS[part] if groups else RATING_COLOURS[part]
            fig.add_trace(go.Bar(
                x=shares, y=ys, orientation="h", name=name if groups else f"rated {name}",
                marker={"color": colour, "line": {"color": "white", "width": 1}}, text=texts,
                textposition="inside", insidetextanchor="middle", textangle=0, customdata=counts, legendgroup=str(part),
                showlegend=row == 1, meta={"question": q.key, "part": part},
                hovertemplate=f"{name}: %{{x:.1%}} (%{{customdata:,}} answers)<extra>%{{y}}</extra>"),
                row=row, col=1)
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    base_layout(fig, height=110 * len(questions) + 110)
    fig.update_layout(barmode="stack", hovermode="closest", uniformtext={"minsize": 9, "mode": "hide"},
                      legend={"traceorder": "normal", "y": -0.08 if len(questions) > 2 else -0.2})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_annotations(font={"size": 12, "color": FONT["color"]}, x=0, xanchor="left")
    return fig


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
