"""Measure: one number drilled into — definition, trend against targets, control chart,
breakdowns and the monthly numbers behind it.

``/measure?provider=…&measure=sla.resolution_met&params={"priority":"P2"}&month=2026-10``
"""

from __future__ import annotations

import logging

import polars as pl
from dash import dcc, html

from dashboard import access, ids
from dashboard.figures.control_chart import control_chart_figure
from dashboard.pages.common import check_month, guarded, href, html_table, month_label, notice, page
from dashboard.reports.figures import trend_figure
from dashboard.reports.formulas import formula
from dashboard.reports.rows import status_text
from dashboard.reports.series import DIMENSION_NAMES, Series, breakdowns, count_text, load_series, number_rows
from scorecard.display import threshold_text, value_text
from scorecard.drift import RULE_DESCRIPTIONS, chart_for_series
from scorecard.drift.wording import label as series_label
from scorecard.errors import BadInput, NotFound
from scorecard.reconcile import ToleranceDefaults, reconcile
from sql.reported import list_reported
from sql.signals import read_signals

log = logging.getLogger(__name__)
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


@guarded(lambda message: page("Measure", message))
def layout(provider: str | None = None, measure: str | None = None, params: str | None = None,
           month: str | None = None, **_query):
    ref = access.resolve_provider(provider)
    if not measure:
        raise BadInput("no measure named: open a measure from the Scorecard page")
    s = load_series(access.engine(), (ref.id, ref.name), measure, params, check_month(month))
    return measure_page(ref.name, s)


def measure_page(provider: str, s: Series):
    back = dcc.Link(f"← Scorecard of {month_label(s.month)}" if s.month else "← Scorecard",
                    href=href("/", provider=provider, month=s.month), className="back-link")
    lead = f"{provider} · {s.info.name}" + (f" · {month_label(s.month)}" if s.month else "")
    if s.series.is_empty():
        return page(s.label, back, notice(f"No stored results for {s.label}",
                                          "This measure has not been computed for this provider. "
                                          "Check the scorecard names it, then run `steerco compute`."), lead=lead)
    signals = read_signals(access.engine(), provider_ids=[s.provider[0]], measure=s.measure, params=s.key)
    return page(s.label, back, definition_block(s), trend_block(s), control_block(s, signals), breakdown_block(provider, s),
                numbers_block(s), reported_block(s, list_reported(access.engine(), s.provider[0], measure=s.measure, params=s.key)),
                lead=lead, page_id="measure-page")


def definition_block(s: Series) -> html.Section:
    items = [html.Dt("Definition"), html.Dd(s.info.definition),
             html.Dt("Formula"), html.Dd(html.Code(formula(s.measure))),
             html.Dt("Better"), html.Dd("higher" if (s.spec.direction if s.spec else s.info.better) == "higher"
                                        else "lower"),
             html.Dt("Measure id"), html.Dd(html.Code(s.measure + ("" if s.key == "{}" else f" {s.key}")))]
    if s.spec is not None:
        unit, cur = s.info.unit, s.currency
        targets = f"goal {threshold_text(s.spec.goal, unit, currency=cur)}, red flag " \
                  f"{threshold_text(s.spec.red_flag, unit, currency=cur)}"
        if s.spec.stretch is not None:
            targets += f", stretch {threshold_text(s.spec.stretch, unit, currency=cur)}"
        items += [html.Dt("Targets"), html.Dd(targets + f" (weight {s.spec.weight:g})")]
    else:
        items += [html.Dt("Targets"), html.Dd("This breakdown is not on the scorecard: it has no targets.")]
    return html.Section([html.H2("What it measures"), html.Dl(items, className="definition")],
                        id=ids.MEASURE_DEFINITION, className="panel")


def trend_block(s: Series) -> html.Section:
    f = s.series
    spec = s.spec
    fig = trend_figure(f["month"].to_list(), f["value"].to_list(), unit=s.info.unit, label=s.label,
                       goal=spec.goal if spec else None, red_flag=spec.red_flag if spec else None,
                       stretch=spec.stretch if spec else None, direction=spec.direction if spec else s.info.better,
                       ci_low=f["ci_low"].to_list(), ci_high=f["ci_high"].to_list(),
                       provisional=f["provisional"].to_list(), currency=s.currency)
    note = ("Shaded bands: green meets the goal, amber lies between goal and red flag, red is past the red flag. "
            "Hollow points are provisional.") if spec else "Hollow points are provisional."
    return html.Section([html.H2("Trend against the targets"), html.P(note, className="muted small"),
                         dcc.Graph(id=ids.MEASURE_TREND, figure=fig, config=GRAPH_CONFIG)], className="panel")


def control_block(s: Series, signals: pl.DataFrame) -> html.Section:
    head = [html.H2("Control chart", id="control-chart"),
            html.P("Is the process still behaving as it did in its baseline? Points outside the limits, or runs "
                   "the rules flag, are drift — better or worse — rather than month-to-month noise.",
                   className="muted small")]
    try:
        chart = chart_for_series(s.series, baseline=s.baseline)
        figure = control_chart_figure(s.series, chart, signals)
        graph = dcc.Graph(id=ids.MEASURE_CONTROL, figure=figure, config=GRAPH_CONFIG)
        if chart.chart is None:
            graph = html.Div([html.P(f"Not judged against a baseline: {chart.skip_reason}.", className="notice-inline"),
                              graph])
    except (BadInput, NotFound) as exc:
        graph = notice("No control chart", str(exc))
    now = signals.filter(pl.col("month") == s.month) if s.month else signals.clear()
    listing = [signals_table(now, ids.MEASURE_SIGNALS) if now.height else
               html.P(f"No rule raised a signal in {month_label(s.month)}." if s.month else "No signals.",
                      className="muted", id=ids.MEASURE_SIGNALS)]
    earlier = signals.filter(pl.col("month") != s.month) if s.month else signals
    if earlier.height:
        listing.append(html.Details([html.Summary(f"All {signals.height} signals of this series"),
                                     signals_table(signals, None)], className="history"))
    title = f"Signals raised in {month_label(s.month)}" if s.month else "Signals"
    return html.Section(head + [graph, html.H3(title), *listing], className="panel")


def signals_table(signals: pl.DataFrame, table_id: str | None):
    rows = [{"cells": [{"text": r["month"], "class": "nowrap"},
                       {"text": r["rule"], "title": RULE_DESCRIPTIONS.get(r["rule"], "")},
                       {"text": ("■ " if r["direction"] == "worse" else "● ") + r["direction"],
                        "class": f"drift drift-{r['direction']}"}, {"text": r["since"], "class": "nowrap"},
                       r["sentence"]]}
            for r in signals.sort(["month", "severity"], descending=[True, True]).iter_rows(named=True)]
    return html_table(("Month", "Rule", "Direction", "Since", "What moved"), rows, table_id=table_id)


def breakdown_block(provider: str, s: Series) -> html.Section:
    variants = s.frame["params"].unique().to_list()
    groups = breakdowns(s.params, variants)
    at_month = s.frame.filter(pl.col("month") == s.month)
    by_key = {r["params"]: r for r in at_month.iter_rows(named=True)}
    sections = []
    for dim, keys in groups:
        if dim == "" and len(groups) == 1:
            continue
        rows = []
        for key in keys:
            r = by_key.get(key)
            value = None if r is None else r["value"]
            status = s.status_of(key, value)
            name = series_label(s.measure, key)
            link = None if key == s.key else href("/measure", provider=provider, measure=s.measure, params=key,
                                                   month=s.month)
            rows.append({"class": "current" if key == s.key else None, "cells": [
                {"text": name, "href": link, "header": True},
                {"text": value_text(value, s.info.unit, currency=s.currency), "class": "num"},
                {"text": count_text(None if r is None else r["n"]), "class": "num"},
                {"text": status_text(status), "class": f"status status-{status}"} if status else "—"]})
        sections.append(html.Div([html.H3(DIMENSION_NAMES.get(dim, "By " + dim.replace("+", " and "))),
                                  html_table(("Series", {"text": f"Value in {month_label(s.month)}", "class": "num"},
                                              {"text": "n", "class": "num"}, "On the scorecard"), rows)],
                                 className="breakdown"))
    if not sections:
        sections = [html.P("This measure is stored without breakdowns.", className="muted")]
    return html.Section([html.H2("Breakdowns"), *sections], id=ids.MEASURE_BREAKDOWN, className="panel")


def numbers_block(s: Series) -> html.Section:
    rows = [{"class": "current" if r["month"] == s.month else None, "cells": [
        r["month"], {"text": r["value_text"], "class": "num"}, {"text": count_text(r["numerator"]), "class": "num"},
        {"text": count_text(r["denominator"]), "class": "num"}, {"text": count_text(r["n"]), "class": "num"},
        r["interval_text"] or "", "provisional" if r["provisional"] else ""]}
        for r in number_rows(s.series, s.info.unit, s.currency)]
    return html.Section([html.H2("The monthly numbers"),
                         html_table(("Month", {"text": "Value", "class": "num"}, {"text": "Numerator", "class": "num"},
                                     {"text": "Denominator", "class": "num"}, {"text": "n", "class": "num"},
                                     "95 % interval", "Provisional"), rows, table_id=ids.MEASURE_NUMBERS)],
                        className="panel")


def reported_rows(s: Series, reported: list[dict]) -> list[dict]:
    """Each reported figure beside the measured value of its month, reconciled against the
    tolerance of the scorecard (or the default for the kind of measure)."""
    tolerance = s.spec.tolerance if s.spec is not None else ToleranceDefaults().for_measure(s.info)
    measured = {r["month"]: r["value"] for r in s.series.select("month", "value").to_dicts()}
    rows = []
    for r in reported:
        value = measured.get(r["month"])
        value = None if value is None or value != value else value
        rec = reconcile(value, r["value"], tolerance, unit=s.info.unit, currency=s.currency)
        verdict = ("⚠ beyond the tolerance" if rec.flagged else "✓ within the tolerance" if value is not None
                   else "○ nothing measured")
        rows.append({"class": " ".join(c for c in ("current" if r["month"] == s.month else "",
                                                        "reported-flagged" if rec.flagged else "") if c) or None,
                     "cells": [r["month"], {"text": value_text(r["value"], s.info.unit, currency=s.currency),
                                            "class": "num"},
                               {"text": "—" if value is None else value_text(value, s.info.unit, currency=s.currency),
                                "class": "num"},
                               verdict, {"text": rec.text, "class": "small"}, r["note"] or "",
                               f"{r['reported_by']}, {r['reported_at']:%Y-%m-%d}"]})
    return rows


def reported_block(s: Series, reported: list[dict]) -> html.Section:
    if not reported:
        return html.Section([html.H2("Provider-reported value"),
                             html.P(["None reported: steerco holds no provider-reported figure for this measure. "
                                     "Record one with ", html.Code("steerco reported import FILE --provider NAME"),
                                     "."], className="muted")], id=ids.MEASURE_REPORTED, className="panel")
    tolerance = s.spec.tolerance if s.spec is not None else ToleranceDefaults().for_measure(s.info)
    return html.Section([
        html.H2("Provider-reported value"),
        html.P(f"The provider's own figures beside the measured ones; a difference beyond "
               f"{tolerance.text(s.info.unit)} is flagged.", className="muted small"),
        html_table(("Month", {"text": "Reported", "class": "num"}, {"text": "Measured", "class": "num"}, "Verdict",
                    "Difference", "Note", "Recorded"), reported_rows(s, reported), table_id=ids.MEASURE_REPORTED + "-table"),
    ], id=ids.MEASURE_REPORTED, className="panel")


def register_callbacks(app) -> None:
    """The Measure page is drawn from its address alone: no callbacks of its own."""
