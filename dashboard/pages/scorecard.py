"""Scorecard (home): does the provider meet its targets this month, what got worse, and why.

The provider and month live in the query string (``/?provider=…&month=2026-10``) so a link
can be shared. Every value is the stored, scored month (``steerco scorecard show``); nothing
is recomputed here.
"""

from __future__ import annotations

import json
import logging

from dash import Input, Output, State, dcc, html, no_update

from dashboard import access, ids
from dashboard.pages.common import (
    LOADING,
    check_month,
    guarded,
    href,
    month_label,
    month_options,
    no_results,
    page,
    picker,
    provider_options,
    search,
)
from dashboard.reports.data import MonthView, load_month, versions
from dashboard.reports.rows import STATUS_SHAPE, STATUS_WORD, attention, status_counts
from dashboard.reports.templates import fragment
from scorecard.errors import BadInput, Forbidden, SteercoError
from sql import browse
from sql.comments import add_comment
from sql.engine import session_scope

PATH = "/"
log = logging.getLogger(__name__)


def _page_error(message):
    return page("Scorecard", message)


@guarded(_page_error)
def layout(provider: str | None = None, month: str | None = None, **_query):
    ref = access.resolve_provider(provider)
    month = check_month(month)
    months = browse.result_months(access.engine(), [ref.id])[ref.id]
    chosen = month or (months[0] if months else None)
    options = month_options(months)
    if chosen and chosen not in months:
        options = month_options([chosen]) + options
    tools = [
        picker("Provider", ids.SC_PROVIDER, provider_options(access.visible_providers()), ref.name),
        picker("Month", ids.SC_MONTH, options, chosen),
    ]
    return html.Div([
        page("Scorecard", dcc.Loading(html.Div(id=ids.SC_BODY, className="sc-body"), **LOADING),
             lead="Is the provider meeting its targets, what got worse since last month, and why.",
             tools=tools, page_id="scorecard-page"),
        _comment_form(),
        dcc.Location(id=ids.SC_URL, refresh=False),
        dcc.Store(id=ids.SC_COMMENTS_VERSION, data=0),
    ])


def _comment_form():
    if not access.may_comment():
        return html.Section([
            html.P("Executives, reviewers and the provider comment on results; your role reads them.",
                   className="muted"),
            html.Div(dcc.Dropdown(id=ids.SC_COMMENT_MEASURE, options=[]), hidden=True),
        ], className="comment-form no-print", id=ids.SC_COMMENT_FORM)
    return html.Section([
        html.H2("Add a comment"),
        html.P("Explain a result or ask about it. Comments are kept with your name and the time, for this month.",
               className="muted"),
        html.Label("Measure", htmlFor=ids.SC_COMMENT_MEASURE, className="picker-label"),
        dcc.Dropdown(id=ids.SC_COMMENT_MEASURE, options=[], value=None, clearable=False, searchable=False,
                     placeholder="Choose a measure", className="picker picker-wide"),
        html.Label("Comment", htmlFor=ids.SC_COMMENT_TEXT, className="picker-label"),
        dcc.Textarea(id=ids.SC_COMMENT_TEXT, value="", maxLength=4000, className="comment-text",
                     placeholder="What happened, and what is being done about it?"),
        html.Button("Post comment", id=ids.SC_COMMENT_POST, n_clicks=0, className="button"),
        html.P(id=ids.SC_COMMENT_FEEDBACK, className="feedback", role="status"),
    ], className="comment-form no-print", id=ids.SC_COMMENT_FORM)


# ------------------------------------------------------------------ the body, from a MonthView

def export_links(provider: str, month: str) -> list:
    return [
        html.A("Board pack (PDF)", href=href("/export/monthly.pdf", provider=provider, month=month),
               id=ids.SC_PDF, className="button button-secondary", download=""),
        html.A("Spreadsheet (XLSX)", href=href("/export/monthly.xlsx", provider=provider, month=month),
               id=ids.SC_XLSX, className="button button-secondary", download=""),
    ]


def measure_href(provider: str, row: dict, month: str, anchor: str = "") -> str:
    return href("/measure", provider=provider, measure=row["measure"], params=row["params_key"], month=month) + anchor


def headline_block(view: MonthView) -> html.Section:
    head, counts = view.head, status_counts(view.rows)
    change = head["score_change_text"]
    since = (f" ({change} since last month)" if change and change != "no change" else
             " (unchanged since last month)" if change else "")
    return html.Section([
        html.Div([html.Span(head["score_text"], className="big-score", id=ids.SC_SCORE),
                  html.Span(" / 10", className="muted"),
                  html.Span(head["status_text"], className=f"status status-{head['status']}", id="sc-status")],
                 className="score-card"),
        html.Div([
            html.H2(f"{view.provider} · {month_label(view.month)}", className="headline-title"),
            html.P(f"Overall score {head['score_text']} of 10{since}; {head['coverage_text']}."),
            html.P([html.Span(f"{STATUS_SHAPE[s]} {STATUS_WORD[s]} {counts[s]}", className=f"count status status-{s}")
                    for s in counts], className="counts", **{"aria-label": "Measures by status"}),
        ], className="headline-text"),
        html.Div(export_links(view.provider, view.month), className="exports no-print", id=ids.SC_EXPORTS),
    ], className="headline", id=ids.SC_HEADLINE)


def _linked(view: MonthView) -> list[dict]:
    return [{**r, "href": measure_href(view.provider, r, view.month)} if r["level"] == "measure" else r
            for r in view.rows]


def attention_block(view: MonthView) -> html.Section:
    """Red measures, amber ones that got worse, any drifting worse: each with why, linked to its page."""
    items = [{**i, "row": {**i["row"], "href": measure_href(view.provider, i["row"], view.month)}}
             for i in attention(view.rows)]
    return html.Section([html.H2("Needs attention"),
                         dcc.Markdown(fragment("attention_list", items, links=True), dangerously_allow_html=True)],
                        className="attention", id=ids.SC_ATTENTION)


def scorecard_table(view: MonthView):
    """The scorecard as one HTML fragment (escaped by Jinja; see dashboard/reports/templates.py):
    forty measures as Dash components would take seconds to draw, as HTML a few milliseconds."""
    caption = f"{view.provider}, {month_label(view.month)}: perspectives, objectives and measures"
    return dcc.Markdown(fragment("scorecard_table", _linked(view), caption, links=True, table_id=ids.SC_TABLE),
                        dangerously_allow_html=True,
                        className="sc-fragment")


def credits_block(view: MonthView) -> html.Section:
    c = view.credits
    if not c["has_rules"]:
        return html.Section([html.H2("Service credits"), html.P("This scorecard has no service-credit rules.")],
                            className="credits", id=ids.SC_CREDITS)
    lines = [html.Li(line["text"], className="credit-earned" if line["earned"] else "credit-none")
             for line in c["lines"]]
    total = c["text"]
    return html.Section([html.H2("Service credits"), html.Ul(lines, className="credit-lines"),
                         html.P(html.Strong(total), className="credit-total")],
                        className="credits", id=ids.SC_CREDITS)


def comments_block(view: MonthView) -> html.Section:
    labelled = {(r["measure"], r["params_key"]): r["name"] for r in view.rows if r["level"] == "measure"}
    items = []
    for c in view.comments:
        label = labelled.get((c["measure"], c["params"]), c["measure"])
        items.append(html.Li([
            html.Div([html.Strong(label), " · ", c["author"], f" ({c['author_role']}) · ",
                      html.Time(c["at"].strftime("%Y-%m-%d %H:%M UTC"), dateTime=c["at"].isoformat())],
                     className="comment-meta"),
            html.P(c["text"], className="comment-body"),  # text, never markup: React escapes it
        ], className="comment"))
    body = html.Ol(items, className="comments") if items else html.P(
        "No comments for this month yet.", className="muted")
    return html.Section([html.H2("Commentary", id="commentary"), body], className="commentary", id=ids.SC_COMMENTS)


def scorecard_body(view: MonthView) -> list:
    return [headline_block(view), attention_block(view), scorecard_table(view), credits_block(view),
            comments_block(view)]


def comment_options(view: MonthView) -> list[dict]:
    return [{"label": r["name"], "value": json.dumps([r["measure"], r["params_key"]])}
            for r in view.rows if r["level"] == "measure"]


# ------------------------------------------------------------------ callbacks

def _body_error(message):
    return message, no_update, []


@guarded(_body_error)
def update_sc_body(provider: str | None, month: str | None, _version=None):
    """The scorecard of the chosen provider and month (with its downloads), the shareable URL, comment choices."""
    ref = access.resolve_provider(provider)
    month = check_month(month)
    url = search(provider=ref.name, month=month)
    if month is None:
        return no_results(ref.name), url, []
    view = load_month(access.engine(), (ref.id, ref.name), month)
    return scorecard_body(view), url, comment_options(view)


@guarded(lambda _message: ([], None))
def update_sc_month_options(provider: str | None, current: str | None):
    """The months of the newly chosen provider; the current month stays if it has results there."""
    ref = access.resolve_provider(provider)
    months = browse.result_months(access.engine(), [ref.id])[ref.id]
    value = current if current in months else (months[0] if months else None)
    return month_options(months), value


def post_comment(provider: str | None, month: str | None, measure_choice: str | None, text: str | None) -> str:
    """Store a comment as the current user; returns what to tell them. Refuses what they may not do."""
    who = access.user()
    if not access.may_comment(who):
        raise Forbidden("your role reads comments but does not write them")
    ref = access.resolve_provider(provider, who=who)
    month = check_month(month)
    if month is None:
        raise BadInput("choose a month first")
    if not measure_choice:
        raise BadInput("choose the measure the comment is about")
    try:
        measure, params = json.loads(measure_choice)
    except (ValueError, TypeError):
        raise BadInput("choose the measure the comment is about") from None
    view_keys = _scorecard_keys(ref, month)
    if (measure, params) not in view_keys:
        raise BadInput("that measure is not on this month's scorecard")
    with session_scope(access.engine()) as session:
        add_comment(session, provider_id=ref.id, measure=measure, params=params, month=month, author=who.email,
                    author_role=who.role, text=text or "")
    return f"Comment saved for {month_label(month)}."


def _scorecard_keys(ref, month: str) -> set[tuple[str, str]]:
    version = versions(access.engine(), ref.id).in_force(month, backdate_first=True)
    return set() if version is None else {m.key for _p, _o, m in version.scorecard.measures()}


def update_sc_comments_version(n_clicks, provider, month, measure_choice, text, version):
    """Post a comment; a new version of the comments re-draws the scorecard with it."""
    if not n_clicks:
        return no_update, no_update, no_update
    try:
        said = post_comment(provider, month, measure_choice, text)
    except SteercoError as exc:
        return no_update, html.Span(str(exc), className="form-error-inline"), no_update
    except Exception:  # noqa: BLE001 - logged; the user gets a message, never a traceback
        log.exception("posting a comment failed")
        return no_update, html.Span("The comment could not be saved. Try again.", className="form-error-inline"), \
            no_update
    return (version or 0) + 1, said, ""


def register_callbacks(app) -> None:
    app.callback(
        Output(ids.SC_BODY, "children"), Output(ids.SC_URL, "search"), Output(ids.SC_COMMENT_MEASURE, "options"),
        Input(ids.SC_PROVIDER, "value"), Input(ids.SC_MONTH, "value"), Input(ids.SC_COMMENTS_VERSION, "data"),
    )(update_sc_body)
    app.callback(
        Output(ids.SC_MONTH, "options"), Output(ids.SC_MONTH, "value"),
        Input(ids.SC_PROVIDER, "value"), State(ids.SC_MONTH, "value"),
        prevent_initial_call=True,
    )(update_sc_month_options)
    app.callback(
        Output(ids.SC_COMMENTS_VERSION, "data"), Output(ids.SC_COMMENT_FEEDBACK, "children"),
        Output(ids.SC_COMMENT_TEXT, "value"),
        Input(ids.SC_COMMENT_POST, "n_clicks"),
        State(ids.SC_PROVIDER, "value"), State(ids.SC_MONTH, "value"), State(ids.SC_COMMENT_MEASURE, "value"),
        State(ids.SC_COMMENT_TEXT, "value"), State(ids.SC_COMMENTS_VERSION, "data"),
        prevent_initial_call=True,
    )(update_sc_comments_version)
