"""Drift: every stored signal of a month across the providers the user may see, worst first.

``/drift?month=2026-10``. Signals are written by the compute run; this page only reads them.
"""

from __future__ import annotations

from dash import Input, Output, dcc, html, no_update

from dashboard import access, ids
from dashboard.pages.common import (
    LOADING,
    check_month,
    guarded,
    href,
    month_label,
    month_options,
    notice,
    page,
    picker,
    search,
    html_table,
)
from dashboard.reports.data import scorecard_labels
from dashboard.reports.rows import group_signals
from sql import browse
from sql.signals import read_signals

TITLE = "Drift"
LEAD = "Measures whose behaviour changed against their baseline, in plain words, worst first."
FILTERS = [{"label": "Only measures on a scorecard", "value": "scorecard"},
           {"label": "Only changes for the worse", "value": "worse"}]


def drift_months(provider_ids: list[int]) -> list[str]:
    """Months worth offering: those with results or signals, latest first."""
    eng = access.engine()
    months = set(browse.signal_months(eng, provider_ids))
    for found in browse.result_months(eng, provider_ids).values():
        months.update(found)
    return sorted(months, reverse=True)


@guarded(lambda message: page(TITLE, message))
def layout(month: str | None = None, **_query):
    provider_ids = access.visible_ids()
    months = drift_months(provider_ids)
    month = check_month(month) or (months[0] if months else None)
    options = month_options(months if month in months or month is None else [month, *months])
    return html.Div([
        page(TITLE, dcc.Loading(html.Div(id=ids.DRIFT_BODY), **LOADING), lead=LEAD,
             tools=[html.Div(dcc.Checklist(id=ids.DRIFT_FILTERS, options=FILTERS, value=["scorecard"],
                                           className="filters", inputClassName="filter-box"),
                             className="picker-box"),
                    picker("Month", ids.DRIFT_MONTH, options, month)]),
        dcc.Location(id=ids.DRIFT_URL, refresh=False),
    ])


def drift_rows(signals: list[dict], labels: dict, filters: list[str]) -> list[dict]:
    """One row per drifting series, worst first, with a link to its control chart."""
    rows = group_signals(signals, labels, scorecard_only="scorecard" in filters, worse_only="worse" in filters)
    return [{**r, "href": href("/measure", provider=r["provider"], measure=r["measure"], params=r["params"],
                               month=r["month"]) + "#control-chart"} for r in rows]


def drift_table(rows: list[dict]):
    body = [{"class": f"row-drift-{r['direction']}", "cells": [
        {"text": "■ worse" if r["direction"] == "worse" else "● better", "class": f"drift drift-{r['direction']}"},
        r["provider"], {"text": r["label"], "href": r["href"], "header": True}, r["sentence"],
        {"text": r["rules_text"], "class": "small"}, r["since"]]} for r in rows]
    return html_table(("Direction", "Provider", "Measure", "What moved", "Rules", "Since"), body,
                      table_id=ids.DRIFT_TABLE, classes="table")


@guarded(lambda message: (message, no_update))
def update_drift_body(month: str | None, filters: list[str] | None = None):
    refs = access.visible_providers()
    filters = filters or []
    month = check_month(month)
    if month is None:
        return notice("No months to show yet", "Signals appear once results are computed: "
                      "import facts, load a scorecard, then run `steerco compute`."), ""
    eng = access.engine()
    signals = read_signals(eng, provider_ids=[r.id for r in refs], month=month).to_dicts()
    if not signals:
        return notice(f"No drift signals in {month_label(month)}",
                      "Every measure behaved as in its baseline, or signals have not been computed for this month "
                      "yet (`steerco compute` stores them)."), search(month=month)
    labels = scorecard_labels(eng, [(r.id, r.name) for r in refs], month)
    rows = drift_rows(signals, labels, filters)
    every = group_signals(signals)
    worse = sum(r["direction"] == "worse" for r in rows)
    summary = html.P(f"{len(signals)} signals on {len(every)} series in {month_label(month)}; "
                     f"showing {len(rows)} series: {worse} worse, {len(rows) - worse} better.", className="summary")
    if not rows:
        return [summary, notice("Nothing drifts under these filters",
                                "Untick the filters above to see every breakdown.")], search(month=month)
    return [summary, drift_table(rows)], search(month=month)


def register_callbacks(app) -> None:
    app.callback(Output(ids.DRIFT_BODY, "children"), Output(ids.DRIFT_URL, "search"),
                 Input(ids.DRIFT_MONTH, "value"), Input(ids.DRIFT_FILTERS, "value"))(update_drift_body)
