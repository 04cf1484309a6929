"""Surveys: response rates, satisfaction and NPS trends with their intervals, rating
distributions against the baseline, breakdowns and the month's comments.

``/surveys?provider=…&from=2025-11&month=2026-10``. Satisfaction, NPS and the response rate
trends are the stored measure results (``sql.results``; computed by ``steerco compute``);
counts, rates by sending month and distributions are read from the survey tables
(``surveys.readouts``), which applies the five-response rule. Comments are text, never markup.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, dcc, html, no_update

from dashboard import access, ids
from dashboard.pages.common import (
    LOADING,
    check_month,
    guarded,
    month_label,
    month_options,
    notice,
    page,
    picker,
    provider_options,
    search,
    table,
)
from dashboard.figures.surveys import GROUP_NAMES, NOT_SHOWN, distribution_figure, rates_figure
from dashboard.reports.data import versions
from dashboard.reports.figures import trend_figure
from scorecard import catalogue
from scorecard.definition import MeasureSpec
from scorecard.display import percent, threshold_text, value_text
from scorecard.errors import BadInput
from scorecard.months import shift_month
from sql.results import read_results
from surveys import readouts
from surveys.exports import MIN_GROUP
from surveys.i18n import LANGUAGE_NAMES

TITLE = "Surveys"
LEAD = "What the people who raised tickets say: how many answer, how satisfied they are, and in their own words."
ADMIN_PATH = "/admin/questionnaires"
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
TRENDS = (("survey.csat", ids.SURVEYS_CSAT), ("survey.nps", ids.SURVEYS_NPS),
          ("survey.response_rate", ids.SURVEYS_RESPONSE_RATE))
RANGE_MONTHS = 12


# ------------------------------------------------------------------ what the page shows, read once

@dataclass
class Trend:
    measure: str
    component_id: str
    info: catalogue.MeasureInfo
    series: pl.DataFrame            # month, value, ci_low, ci_high, provisional, n (withheld months: nulls)
    spec: MeasureSpec | None        # on the scorecard in force in the chosen month: its targets


@dataclass
class SurveysView:
    provider: str
    timezone: str
    first: str
    month: str
    rates: pl.DataFrame                                    # readouts.RATES_SCHEMA
    responses: dict[str, int]                              # by response month, first … month
    trends: list[Trend]
    questions: list[readouts.QuestionInfo]
    month_dists: dict[str, readouts.Distribution]
    baseline: tuple[str, str] | None
    baseline_named: bool                                   # by the scorecard, or the first twelve months
    baseline_dists: dict[str, readouts.Distribution]
    breakdowns: dict[str, list[readouts.BreakdownRow]] = field(default_factory=dict)
    comments: list[readouts.Comment] | None = None

    @property
    def month_responses(self) -> int:
        return self.responses.get(self.month, 0)


def withhold_small(series: pl.DataFrame, measure: str) -> pl.DataFrame:
    """Stored results resting on fewer than five responses lose their value and interval."""
    count = pl.col("numerator") if measure == "survey.response_rate" else pl.col("n")
    small = count.is_null() | (count < MIN_GROUP)
    return series.with_columns(pl.when(small).then(None).otherwise(pl.col(c)).alias(c)
                               for c in ("value", "ci_low", "ci_high"))


def default_range(months: list[str], month: str | None) -> str | None:
    """The earliest month with data in the twelve months to ``month``."""
    if month is None:
        return None
    start = shift_month(month, -(RANGE_MONTHS - 1))
    inside = [m for m in months if start <= m <= month]
    return min(inside) if inside else month


def load_surveys(engine, ref, first: str, month: str, months: list[str]) -> SurveysView:
    """Everything the page shows for ``ref`` from ``first`` to ``month`` (months with data: ``months``)."""
    version = versions(engine, ref.id).in_force(month, backdate_first=True)
    card = version.scorecard if version is not None else None
    specs = {} if card is None else {m.measure: m for _p, _o, m in card.measures()
                                     if m.measure.startswith("survey.") and m.params_key == "{}"}
    if card is not None and card.baseline is not None:
        baseline, named = card.baseline, True
    else:
        start = min(months) if months else month
        baseline, named = (start, shift_month(start, 11)), False
    results = read_results(engine, (ref.id, ref.name), first=first, last=month, measures=[m for m, _ in TRENDS])
    trends = []
    for measure, component_id in TRENDS:
        series = results.filter(pl.col("params") == "{}").filter(pl.col("measure") == measure).sort("month")
        trends.append(Trend(measure, component_id, catalogue.measure(measure), withhold_small(series, measure),
                            specs.get(measure)))
    with engine.connect() as conn:
        questions = readouts.rating_questions(conn, ref.id, min(first, baseline[0]), month)
        view = SurveysView(
            provider=ref.name, timezone=ref.timezone, first=first, month=month,
            rates=readouts.response_rates(conn, ref.id, first, month),
            responses=readouts.response_counts(conn, ref.id, first, month),
            trends=trends, questions=questions,
            month_dists=readouts.rating_distributions(conn, ref.id, questions, month, month),
            baseline=baseline, baseline_named=named,
            baseline_dists=readouts.rating_distributions(conn, ref.id, questions, *baseline))
        view.breakdowns = {by: readouts.breakdown(conn, ref.id, month, by) for by in readouts.BREAKDOWNS}
        view.comments = readouts.month_comments(conn, ref.id, month)
    return view


# ------------------------------------------------------------------ figures (the others: dashboard.figures.surveys)

def trend_chart(t: Trend) -> go.Figure:
    f = t.series
    spec = t.spec
    return trend_figure(f["month"].to_list(), f["value"].to_list(), unit=t.info.unit,
                        label=spec.label if spec else t.info.name, goal=spec.goal if spec else None,
                        red_flag=spec.red_flag if spec else None, stretch=spec.stretch if spec else None,
                        direction=spec.direction if spec else t.info.better, ci_low=f["ci_low"].to_list(),
                        ci_high=f["ci_high"].to_list(), provisional=f["provisional"].to_list(), height=300,
                        title=spec.label if spec else t.info.name)


def _periods(view: SurveysView) -> tuple[str, str]:
    lo, hi = view.baseline or (view.month, view.month)
    base = f"Baseline {month_label(lo)} – {month_label(hi)}"
    return base, month_label(view.month)


# ------------------------------------------------------------------ blocks

def rates_block(view: SurveysView) -> html.Section:
    rates = view.rates
    head = [html.H2("Response rate by sending month"),
            html.P("Invitations sent in each month and how many of them were answered, whenever the answer came "
                   f"(a month's rate can still rise while its invitations are open). Months with fewer than "
                   f"{MIN_GROUP} answers show no answered count or rate.", className="muted small")]
    if rates.is_empty():
        return html.Section(head + [html.P("No invitations were sent in these months.", className="muted")],
                            className="panel", id="surveys-rates-panel")
    rows = [html.Tr([html.Th(month_label(r["month"]), scope="row"), html.Td(f"{r['invited']:,}", className="num"),
                     html.Td(NOT_SHOWN if r["withheld"] else f"{r['answered']:,}",
                             className="small muted" if r["withheld"] else "num"),
                     html.Td("—" if r["response_rate"] is None else percent(r["response_rate"], 1), className="num"),
                     html.Td(f"{r['open']:,}" if r["open"] else "", className="num")],
                    className="current" if r["month"] == view.month else None)
            for r in rates.sort("month", descending=True).iter_rows(named=True)]
    header = ["Sent in", html.Th("Invited", scope="col", className="num"),
              html.Th("Answered", scope="col", className="num"),
              html.Th("Response rate", scope="col", className="num"),
              html.Th("Still open", scope="col", className="num")]
    return html.Section(head + [dcc.Graph(id=ids.SURVEYS_RATES, figure=rates_figure(rates), config=GRAPH_CONFIG),
                                table(header, rows, table_id=ids.SURVEYS_RATES_TABLE, className="table compact")],
                        className="panel", id="surveys-rates-panel")


def _trend_note(t: Trend, month: str) -> html.P:
    unit = t.info.unit
    now = t.series.filter(pl.col("month") == month)
    parts = []
    if now.height and now["value"][0] is not None:
        r = now.row(0, named=True)
        parts.append(f"{month_label(month)}: {value_text(r['value'], unit, decimals=1)}")
        if r["ci_low"] is not None and r["ci_high"] is not None:
            parts.append(f"95 % interval {value_text(r['ci_low'], unit, decimals=1)} – "
                         f"{value_text(r['ci_high'], unit, decimals=1)}")
        if r["n"] is not None:
            parts.append(f"n = {r['n']:,}")
        if r["provisional"]:
            parts.append("provisional")
    elif now.height:
        parts.append(f"{month_label(month)}: {NOT_SHOWN}")
    else:
        parts.append(f"{month_label(month)}: no stored result")
    if t.spec is not None:
        parts.append(f"goal {threshold_text(t.spec.goal, unit)}, red flag {threshold_text(t.spec.red_flag, unit)}")
    else:
        parts.append("not on the scorecard: no goal")
    return html.P(" · ".join(parts), className="small surveys-trend-note")


def trends_block(view: SurveysView) -> html.Section:
    cards = []
    for t in view.trends:
        if t.series.is_empty():
            cards.append(html.Div([html.H3(t.info.name), html.P(
                "No stored results in these months: run `steerco compute` once responses are in.",
                className="muted")], className="surveys-trend", id=t.component_id))
            continue
        cards.append(html.Div([dcc.Graph(id=t.component_id, figure=trend_chart(t),
                                         config=GRAPH_CONFIG, style={"height": "300px"}), _trend_note(t, view.month)],
                              className="surveys-trend"))
    return html.Section([
        html.H2("Satisfaction, NPS and response rate"),
        html.P("The stored monthly results of the survey measures with their 95 % intervals (shaded); where a "
               "measure is on the scorecard, its goal and red flag. Hollow points are provisional; months "
               f"resting on fewer than {MIN_GROUP} responses are left out.", className="muted small"),
        html.Div(cards, className="surveys-trends"),
    ], className="panel", id=ids.SURVEYS_TRENDS)


def distributions_block(view: SurveysView) -> html.Section:
    labels = _periods(view)
    lo, hi = view.baseline or (view.month, view.month)
    where = ("the scorecard's baseline" if view.baseline_named else "the first twelve months with survey data")
    head = [html.H2(f"How people rated, {month_label(view.month)} against the baseline"),
            html.P(f"Shares of the answers to each question in {month_label(view.month)} and in {where} "
                   f"({month_label(lo)} – {month_label(hi)}); hover for the counts.", className="muted small")]
    ratings = [q for q in view.questions if q.type == "rating"]
    nps = [q for q in view.questions if q.type == "nps"]
    if not ratings and not nps:
        return html.Section(head + [html.P("No rating questions were answered in these months.", className="muted")],
                            className="panel", id="surveys-distribution-panel")
    body = []
    if not any(d.n for d in view.baseline_dists.values()):
        body.append(html.P(f"The baseline ({month_label(lo)} – {month_label(hi)}) has no responses: only "
                           f"{month_label(view.month)} is shown.", className="notice-inline"))
    if ratings:
        body += [html.H3("Ratings from 1 (worst) to 5 (best)"),
                 dcc.Graph(id=ids.SURVEYS_DISTRIBUTION, config=GRAPH_CONFIG,
                           figure=distribution_figure(ratings, view.month_dists, view.baseline_dists, labels))]
    if nps:
        body += [html.H3("How likely to recommend, 0–10"),
                 dcc.Graph(id=ids.SURVEYS_NPS_GROUPS, config=GRAPH_CONFIG,
                           figure=distribution_figure(nps, view.month_dists, view.baseline_dists, labels,
                                                      groups=True))]
    return html.Section(head + body, className="panel", id="surveys-distribution-panel")


def _shares(d: readouts.Distribution | None, parts) -> list[html.Td]:
    if d is None or d.n == 0:
        return [html.Td("—", className="num") for _ in parts]
    values = d.groups() if isinstance(parts[0], str) else d.counts
    return [html.Td(f"{values[p] / d.n:.0%}", className="num", title=f"{values[p]:,} of {d.n:,}") for p in parts]


def breakdown_block(view: SurveysView) -> html.Section:
    ratings, groups = list(range(1, 6)), list(GROUP_NAMES)
    sections = []
    for by, rows in view.breakdowns.items():
        if not rows:
            continue
        body = []
        for r in rows:
            if r.withheld is not None:
                why = NOT_SHOWN if r.withheld == "few" else \
                    f"not shown, so that a group of fewer than {MIN_GROUP} cannot be worked out from the total"
                body.append(html.Tr([html.Th(r.group, scope="row"),
                                     html.Td(why, colSpan=1 + len(ratings) + len(groups), className="muted small")],
                                    className="withheld"))
                continue
            body.append(html.Tr([html.Th(r.group, scope="row"), html.Td(f"{r.responses:,}", className="num"),
                                 *_shares(r.satisfaction, ratings), *_shares(r.recommend, groups)]))
        header = [by.capitalize(), html.Th("Responses", scope="col", className="num"),
                  *[html.Th(f"rated {v}", scope="col", className="num") for v in ratings],
                  *[html.Th(GROUP_NAMES[g], scope="col", className="num") for g in groups]]
        sections.append(html.Div([html.H3(f"By {by}"), table(header, body, table_id=f"surveys-by-{by}",
                                                            className="table compact")], className="breakdown"))
    lead = html.P(f"The month's responses by the ticket's {' and '.join(readouts.BREAKDOWNS)}: the overall "
                  "satisfaction rating and the recommendation groups, as shares of each group's answers. A group "
                  f"with fewer than {MIN_GROUP} responses is not shown.", className="muted small")
    if view.month_responses < MIN_GROUP:
        sections = [html.P(f"{month_label(view.month)}: {NOT_SHOWN}.", className="muted")]
    return html.Section([html.H2(f"Breakdowns, {month_label(view.month)}"), lead, *sections], className="panel",
                        id=ids.SURVEYS_BREAKDOWN)


def _local_date(at, tz: str) -> str:
    return "" if at is None else at.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%d")


def comments_block(view: SurveysView) -> html.Section:
    head = [html.H2(f"Comments, {month_label(view.month)}", id="comments")]
    comments = view.comments
    if comments is None:
        return html.Section(head + [html.P(
            f"{month_label(view.month)} has {view.month_responses} responses: comments are shown only for months "
            f"with at least {MIN_GROUP}, so that no one can be recognised by what they wrote.", className="muted")],
            className="panel", id=ids.SURVEYS_COMMENTS)
    if not comments:
        return html.Section(head + [html.P("No one left a comment this month.", className="muted")],
                            className="panel", id=ids.SURVEYS_COMMENTS)
    confidential = any(not c.anonymous for c in comments)
    several = len({c.question for c in comments}) > 1
    notes = []
    if any(c.anonymous for c in comments):
        notes.append("Anonymous questionnaire: its comments carry no ticket, person or time.")
    if confidential:
        notes.append("Confidential questionnaire: a comment keeps its ticket, so that it can be followed up; "
                     "never the person.")
    header = ["Rating", "Recommend", "Language"] + (["Question"] if several else []) + ["Comment"]
    if confidential:
        header += ["Ticket", "Priority", "Category", "Answered"]
    rows = []
    for c in comments:
        cells = [html.Td("—" if c.rating is None else f"{c.rating} / 5", className="num nowrap"),
                 html.Td("—" if c.recommend is None else f"{c.recommend} / 10", className="num nowrap"),
                 html.Td(LANGUAGE_NAMES.get(c.language, c.language))]
        if several:
            cells.append(html.Td(c.question, className="small"))
        cells.append(html.Td(c.text, className="surveys-comment-text"))  # text, never markup: React escapes it
        if confidential:
            cells += [html.Td(c.ticket_id or "—", className="nowrap") if not c.anonymous else
                      html.Td("anonymous", className="muted"),
                      html.Td(c.priority or ""), html.Td(c.category or ""),
                      html.Td(_local_date(c.submitted_at, view.timezone), className="nowrap")]
        rows.append(html.Tr(cells))
    return html.Section(head + [
        html.P(f"{len(comments):,} comments from {view.month_responses:,} responses, lowest rating first. "
               + " ".join(notes), className="muted small"),
        table(header, rows, table_id=ids.SURVEYS_COMMENTS_TABLE, className="table compact surveys-comments"),
    ], className="panel", id=ids.SURVEYS_COMMENTS)


def summary_line(view: SurveysView) -> html.P:
    sent = view.rates.filter(pl.col("month") == view.month)
    parts = [f"{month_label(view.month)}: {view.month_responses:,} responses"]
    if sent.height:
        r = sent.row(0, named=True)
        answered = NOT_SHOWN if r["withheld"] else f"{r['answered']:,} answered ({percent(r['response_rate'], 1)})"
        parts.append(f"{r['invited']:,} invitations sent, {answered}")
    return html.P("; ".join(parts) + ".", className="summary")


def surveys_body(view: SurveysView) -> list:
    return [summary_line(view), rates_block(view), trends_block(view), distributions_block(view),
            breakdown_block(view), comments_block(view)]


def empty_state(provider: str, is_admin: bool) -> html.Section:
    steps = [html.Li(["Invite after every ticket import: ",
                      html.Code(f'steerco survey settings --provider "{provider}" --auto-invite')]),
             html.Li(["or invite one resolved ticket: ",
                      html.Code(f'steerco survey invite --provider "{provider}" --ticket ID')]),
             html.Li("or let the ticketing tool create invitations through the API (docs/surveys.md)."),
             html.Li(["Send them with ", html.Code("steerco survey send"), " (email) or ",
                      html.Code("steerco survey links"), ", and once answers are in, run ",
                      html.Code("steerco compute"), " for satisfaction and NPS."])]
    body = [html.P("No invitations have been sent and no responses stored yet. To start:"), html.Ol(steps)]
    if is_admin:
        body.append(html.P(html.A("Choose the questionnaire and the invitation rules", href=ADMIN_PATH)))
    return notice(f"No surveys for {provider} yet", *body)


# ------------------------------------------------------------------ the page and its callbacks

def _admin_link(who) -> list:
    if who.role != "admin":
        return []
    return [html.A("Manage questionnaires", href=ADMIN_PATH, id=ids.SURVEYS_ADMIN_LINK,
                   className="button button-secondary")]


def _months_of(ref) -> list[str]:
    with access.engine().connect() as conn:
        return readouts.survey_months(conn, ref.id)


def _with(options_months: list[str], chosen: str | None) -> list[dict]:
    listed = options_months if chosen is None or chosen in options_months else sorted(
        [chosen, *options_months], reverse=True)
    return month_options(listed)


@guarded(lambda message: page(TITLE, message))
def layout(provider: str | None = None, month: str | None = None, **query):
    who = access.user()
    ref = access.resolve_provider(provider)
    month, first = check_month(month), check_month(query.get("from"))
    months = _months_of(ref)
    chosen = month or (months[0] if months else None)
    start = first or default_range(months, chosen)
    tools = [picker("Provider", ids.SURVEYS_PROVIDER, provider_options(access.visible_providers()), ref.name),
             picker("From", ids.SURVEYS_FROM, _with(months, start), start),
             picker("Month", ids.SURVEYS_MONTH, _with(months, chosen), chosen), *_admin_link(who)]
    return html.Div([
        page(TITLE, dcc.Loading(html.Div(id=ids.SURVEYS_BODY), **LOADING), lead=LEAD, tools=tools,
             page_id="surveys-page"),
        dcc.Location(id=ids.SURVEYS_URL, refresh=False),
    ])


@guarded(lambda message: (message, no_update))
def update_surveys_body(provider: str | None, first: str | None, month: str | None):
    """The page body for the provider and range of months, and the address that keeps them."""
    who = access.user()
    ref = access.resolve_provider(provider, who=who)
    month, first = check_month(month), check_month(first)
    months = _months_of(ref)
    if not months:
        return empty_state(ref.name, who.role == "admin"), search(provider=ref.name)
    month = month or months[0]
    first = first or default_range(months, month)
    url = search(**{"provider": ref.name, "from": first, "month": month})
    if first > month:
        raise BadInput(f"the range starts in {month_label(first)}, after the month shown ({month_label(month)}): "
                       "choose an earlier From month")
    view = load_surveys(access.engine(), ref, first, month, months)
    return surveys_body(view), url


@guarded(lambda _message: ([], None, [], None))
def update_surveys_months(provider: str | None, first: str | None, month: str | None):
    """The months of the newly chosen provider; the chosen ones stay where it has data."""
    ref = access.resolve_provider(provider)
    months = _months_of(ref)
    month = month if month in months else (months[0] if months else None)
    first = first if first in months and month is not None and first <= month else default_range(months, month)
    return month_options(months), first, month_options(months), month


def register_callbacks(app) -> None:
    app.callback(Output(ids.SURVEYS_BODY, "children"), Output(ids.SURVEYS_URL, "search"),
                 Input(ids.SURVEYS_PROVIDER, "value"), Input(ids.SURVEYS_FROM, "value"),
                 Input(ids.SURVEYS_MONTH, "value"))(update_surveys_body)
    app.callback(Output(ids.SURVEYS_FROM, "options"), Output(ids.SURVEYS_FROM, "value"),
                 Output(ids.SURVEYS_MONTH, "options"), Output(ids.SURVEYS_MONTH, "value"),
                 Input(ids.SURVEYS_PROVIDER, "value"), State(ids.SURVEYS_FROM, "value"),
                 State(ids.SURVEYS_MONTH, "value"), prevent_initial_call=True)(update_surveys_months)
