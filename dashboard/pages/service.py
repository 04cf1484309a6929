"""Service: availability per service against its target, recent outages, capacity runway.

``/service?provider=Northwind%20IT%20Services``
"""

from __future__ import annotations

from dash import Input, Output, dcc, html, no_update

from dashboard import access, ids
from dashboard.pages.common import LOADING, guarded, html_table, month_label, notice, page, picker, provider_options, \
    search
from dashboard.reports.figures import heatmap_figure, lines_figure
from dashboard.reports.service import ServiceView, load_service

TITLE = "Service"
LEAD = "Availability against each service's target, the outages behind it, and how long capacity lasts."
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


@guarded(lambda message: page(TITLE, message))
def layout(provider: str | None = None, **_query):
    ref = access.resolve_provider(provider)
    return html.Div([
        page(TITLE, dcc.Loading(html.Div(id=ids.SERVICE_BODY), **LOADING), lead=LEAD,
             tools=[picker("Provider", ids.SERVICE_PROVIDER, provider_options(access.visible_providers()), ref.name)]),
        dcc.Location(id=ids.SERVICE_URL, refresh=False),
    ])


def availability_block(view: ServiceView) -> html.Section:
    grid = view.grid
    if not grid["services"]:
        return html.Section([html.H2("Availability"), html.P(
            "No availability results: this provider has no services with outages or probes imported "
            "(`steerco import outages FILE --provider NAME`).", className="muted")], className="panel")
    fig = heatmap_figure(grid["services"], grid["months"], grid["values"], grid["statuses"])
    return html.Section([
        html.H2(f"Availability, twelve months to {month_label(view.month)}"),
        html.P("● green meets the service's target · ▲ amber below target · ■ red past the scorecard's red flag · "
               "○ no data", className="muted small legend"),
        dcc.Graph(id=ids.SERVICE_HEATMAP, figure=fig, config=GRAPH_CONFIG),
    ], className="panel")


def outages_block(view: ServiceView) -> html.Section:
    if not view.outages:
        return html.Section([html.H2("Outages"), html.P("No outages recorded.", className="muted")],
                            className="panel", id=ids.SERVICE_OUTAGES)
    rows = [{"cells": [o["started"], o["service"], {"text": o["duration"], "class": "num"},
                       {"text": o["impact"], "class": "num"}, "planned" if o["planned"] else "unplanned"]}
            for o in view.outages]
    shown = f"The {len(view.outages)} most recent of {view.outage_count:,}, latest first; times in {view.timezone}."
    return html.Section([html.H2("Outages"), html.P(shown, className="muted small"),
                         html_table(("Started", "Service", {"text": "Duration", "class": "num"},
                                     {"text": "Impact", "class": "num"}, "Kind"), rows)],
                        className="panel", id=ids.SERVICE_OUTAGES)


def capacity_block(view: ServiceView) -> html.Section:
    if not view.capacity:
        return html.Section([html.H2("Capacity"), html.P("No capacity results for this provider.", className="muted")],
                            className="panel", id=ids.SERVICE_CAPACITY)
    fig = lines_figure(view.p95_series, unit="%", limit=1.0, limit_label="full (100 %)")
    rows = [{"cells": [{"text": r["resource"], "header": True}, {"text": r["p95_text"], "class": "num"},
                       {"text": r["months_left_text"], "class": "num"}, r["exhaustion"]]} for r in view.capacity]
    return html.Section([
        html.H2("Capacity"),
        html.P("95th percentile of utilisation per month; runway from the robust trend of the last six months.",
               className="muted small"),
        dcc.Graph(id=ids.SERVICE_CAPACITY, figure=fig, config=GRAPH_CONFIG),
        html_table(("Resource", f"Utilisation (p95), {month_label(view.month)}", "Months to exhaustion",
                    "Forecast month full"), rows, table_id=ids.SERVICE_CAPACITY_TABLE),
    ], className="panel")


@guarded(lambda message: (message, no_update))
def update_service_body(provider: str | None):
    ref = access.resolve_provider(provider)
    view = load_service(access.engine(), (ref.id, ref.name), ref.timezone)
    url = search(provider=ref.name)
    if view.month is None and not view.outages:
        return notice(f"No service results for {ref.name} yet",
                      ["Import outages or probes and capacity readings (", html.Code("steerco import outages FILE "
                       "--provider NAME"), "), then run ", html.Code("steerco compute"), "."]), url
    return [availability_block(view), outages_block(view), capacity_block(view)], url


def register_callbacks(app) -> None:
    app.callback(Output(ids.SERVICE_BODY, "children"), Output(ids.SERVICE_URL, "search"),
                 Input(ids.SERVICE_PROVIDER, "value"))(update_service_body)
