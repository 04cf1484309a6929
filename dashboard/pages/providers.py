"""Providers: the scorecards of several providers side by side for one month.

``/providers?month=2026-10``. Each column is that provider's scored month (overall, each
perspective, how many measures are red, amber, green or without data, its service credits).
"""

from __future__ import annotations

from collections.abc import Mapping

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
    status_badge,
    table,
)
from dashboard.reports.data import score_month, scorecard_labels
from dashboard.reports.rows import STATUS_ORDER, STATUS_WORD, group_signals, score_change_text, score_text
from scorecard.display import money
from scorecard.errors import NotFound
from sql import browse
from sql.signals import read_signals

TITLE = "Providers"
LEAD = "Every provider's scorecard for the month, side by side."


def comparison(scored: Mapping[str, dict | None], worse_signals: Mapping[str, int] | None = None) -> dict:
    """Rows of a side-by-side table: overall, each perspective (in first-seen order), counts of
    measures by status, service credits and signals; a provider without a scored month has
    None in each cell."""
    names = list(scored)
    worse_signals = worse_signals or {}
    perspectives: list[str] = []
    for data in scored.values():
        for p in (data or {}).get("perspectives", []):
            if p["name"] not in perspectives:
                perspectives.append(p["name"])

    def node(data: dict | None, name: str | None) -> dict | None:
        if data is None:
            return None
        if name is None:
            return {"status": data["status"], "score_text": score_text(data["score"]),
                    "change": score_change_text(data["score_change"])}
        for p in data["perspectives"]:
            if p["name"] == name:
                return {"status": p["status"], "score_text": score_text(p["score"]),
                        "change": score_change_text(p["score_change"])}
        return {"status": None, "score_text": "not on this scorecard", "change": None}

    rows = [{"label": "Overall", "kind": "score", "cells": [node(scored[n], None) for n in names]}]
    rows += [{"label": p, "kind": "score", "cells": [node(scored[n], p) for n in names]} for p in perspectives]
    for status in STATUS_ORDER:
        rows.append({"label": f"Measures {STATUS_WORD[status]}", "kind": "count", "status": status,
                     "cells": [None if scored[n] is None else
                               {"text": str(sum(m["status"] == status for p in scored[n]["perspectives"]
                                                for o in p["objectives"] for m in o["measures"]))} for n in names]})
    rows.append({"label": "Service credits", "kind": "text",
                 "cells": [None if scored[n] is None else
                           {"text": money(scored[n]["credits"]["total"], scored[n]["currency"])
                            if scored[n]["credits"]["lines"] else "no rules"} for n in names]})
    rows.append({"label": "Scorecard measures drifting worse", "kind": "text",
                 "cells": [None if scored[n] is None else {"text": str(worse_signals.get(n, 0))} for n in names]})
    return {"providers": names, "rows": rows}


@guarded(lambda message: page(TITLE, message))
def layout(month: str | None = None, **_query):
    refs = access.visible_providers()
    found = browse.result_months(access.engine(), [r.id for r in refs])
    months = sorted({m for ms in found.values() for m in ms}, reverse=True)
    month = check_month(month) or (months[0] if months else None)
    options = month_options(months if month in months or month is None else [month, *months])
    return html.Div([
        page(TITLE, dcc.Loading(html.Div(id=ids.PROVIDERS_BODY), **LOADING), lead=LEAD,
             tools=[picker("Month", ids.PROVIDERS_MONTH, options, month)]),
        dcc.Location(id=ids.PROVIDERS_URL, refresh=False),
    ])


def _cell(row: dict, cell: dict | None):
    if cell is None:
        return html.Td("no results", className="muted")
    if row["kind"] == "score":
        if cell["status"] is None:
            return html.Td(cell["score_text"], className="muted")
        extra = [html.Span(f" ({cell['change']})", className="small muted")] if cell["change"] else []
        return html.Td([status_badge(cell["status"]), html.Span(f" {cell['score_text']}", className="score"), *extra])
    return html.Td(cell["text"], className="num")


def comparison_table(data: dict, month: str):
    header = ["", *[html.Th(dcc.Link(name, href=href("/", provider=name, month=month)), scope="col")
                    for name in data["providers"]]]
    body = []
    for row in data["rows"]:
        label = status_badge(row["status"]) if row["kind"] == "count" else row["label"]
        if row["kind"] == "count":
            label = html.Span([status_badge(row["status"]), " measures"])
        body.append(html.Tr([html.Th(label, scope="row"), *[_cell(row, c) for c in row["cells"]]],
                            className="row-overall" if row["label"] == "Overall" else None))
    return table(header, body, table_id=ids.PROVIDERS_TABLE, className="table providers-table")


@guarded(lambda message: (message, no_update))
def update_providers_body(month: str | None):
    refs = access.visible_providers()
    month = check_month(month)
    if not refs:
        return notice("No providers yet", "Add one with `steerco provider add NAME --kind it`."), ""
    if month is None:
        return notice("No results yet", "Import facts, load a scorecard, then run `steerco compute`."), ""
    eng = access.engine()
    scored: dict[str, dict | None] = {}
    for ref in refs:
        try:
            scored[ref.name] = score_month(eng, (ref.id, ref.name), month, months=2)[0].to_dict()
        except NotFound:
            scored[ref.name] = None
    signals = read_signals(eng, provider_ids=[r.id for r in refs], month=month).to_dicts()
    labels = scorecard_labels(eng, [(r.id, r.name) for r in refs], month)
    worse: dict[str, int] = {}
    for row in group_signals(signals, labels, scorecard_only=True, worse_only=True):
        worse[row["provider"]] = worse.get(row["provider"], 0) + 1
    data = comparison(scored, worse)
    caption = html.P(f"Scored on the results stored for {month_label(month)}; a provider without results that "
                     "month says so.", className="muted small")
    return [caption, comparison_table(data, month)], search(month=month)


def register_callbacks(app) -> None:
    app.callback(Output(ids.PROVIDERS_BODY, "children"), Output(ids.PROVIDERS_URL, "search"),
                 Input(ids.PROVIDERS_MONTH, "value"))(update_providers_body)
