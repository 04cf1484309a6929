"""Overview: the providers and what has been loaded for each."""

from __future__ import annotations

from dash import html
from flask import current_app
from flask_login import current_user

from dashboard import ids
from sql.engine import session_scope
from sql.facts import fact_counts


def layout(**_query):
    engine = current_app.extensions["steerco.engine"]
    only = current_user.provider_id if current_user.role == "provider" else None
    with session_scope(engine) as session:
        rows = fact_counts(session, provider_id=only)
    if not rows:
        return html.Section([
            html.H1("No providers yet"),
            html.P(["Add one with ", html.Code("steerco provider add NAME --kind it"),
                    ", or build the demo with ", html.Code("steerco demo"), "."]),
        ], className="empty-state")
    facts = [k for k in rows[0]["facts"]]
    header = html.Tr([html.Th("Provider"), html.Th("Kind"), html.Th("Time zone")]
                     + [html.Th(k.replace("_", " "), className="num") for k in facts])
    body = [html.Tr([html.Td(r["name"]), html.Td(r["kind"]), html.Td(r["timezone"])]
                    + [html.Td(f"{r['facts'][k]:,}", className="num") for k in facts]) for r in rows]
    return html.Section([
        html.H1("Providers"),
        html.P("Facts loaded per provider. Scorecards, trends and drift build on these.", className="lead"),
        html.Table([html.Thead(header), html.Tbody(body)], className="table", id=ids.HOME_PROVIDERS),
    ])
