"""Measure, Drift, Service and Providers pages through the router and their callbacks."""

from __future__ import annotations

import json

import polars as pl
import pytest

from dashboard import ids
from dashboard.reports.rows import status_text
from pipelines.scoring import scored_month
from sql.results import read_results
from tests.dashboard.dash_client import IT, LEGAL, add_signals, by_id, call, client_as, demo_app, find, html_tables, \
    open_page, signal, text_of

__all__ = ["demo_app"]
MONTH = "2026-10"
P2 = '{"priority":"P2"}'


def test_measure_page_has_definition_trend_control_chart_breakdowns_and_numbers(demo_app, demo_engine):
    add_signals(demo_engine, [signal(IT, "sla.resolution_met", P2, rule="CUSUM", sentence="P2 fell (CUSUM)."),
                              signal(IT, "sla.resolution_met", P2, month="2026-09", rule="EWMA",
                                     sentence="P2 fell (EWMA).")])
    search = f"?provider={IT}&measure=sla.resolution_met&params={P2}&month={MONTH}"
    page = open_page(client_as(demo_app, "executive"), "/measure", search)
    text = text_of(page)
    assert text_of(by_id(page, ids.PAGE_TITLE)) == "P2 resolved within 8 hours"
    definition = text_of(by_id(page, ids.MEASURE_DEFINITION))
    assert "the share that met the resolution target" in definition
    assert "tickets whose resolution met its target ÷" in definition and "goal 80 %, red flag 70 %" in definition
    trend = by_id(page, ids.MEASURE_TREND)["props"]["figure"]
    assert [t.get("name") for t in trend["data"]][-1] == "P2 resolved within 8 hours"
    annotations = [a["text"] for a in trend["layout"]["annotations"]]
    assert "goal 80 %" in annotations and "red flag 70 %" in annotations
    control = by_id(page, ids.MEASURE_CONTROL)["props"]["figure"]
    names = [t.get("name") for t in control["data"]]
    assert "Monthly value" in names and any(n and n.startswith("CUSUM") for n in names)
    # the scorecard's baseline (2023-11 … 2024-10) lies before this 14-month demo: the page says so
    assert "Not judged against a baseline" in text
    tables = html_tables(page)
    assert [r[-1] for r in tables[ids.MEASURE_SIGNALS]["rows"][1:]] == ["P2 fell (CUSUM)."]  # this month's
    assert "All 2 signals of this series" in text
    stored = read_results(demo_engine, (1, IT), measures=["sla.resolution_met"]).filter(pl.col("params") == P2)
    numbers = tables[ids.MEASURE_NUMBERS]["rows"]
    assert numbers[0] == ["Month", "Value", "Numerator", "Denominator", "n", "95 % interval", "Provisional"]
    assert [r[0] for r in numbers[1:]] == sorted(stored["month"].to_list(), reverse=True)
    latest = stored.filter(pl.col("month") == MONTH).row(0, named=True)
    assert numbers[1][:5] == ["2026-10", f"{latest['value'] * 100:.2f} %", f"{latest['numerator']:,.0f}",
                              f"{latest['denominator']:,.0f}", f"{latest['n']:,}"]
    breakdown = by_id(page, ids.MEASURE_BREAKDOWN)
    assert [text_of(h) for h in find(breakdown, lambda c: c.get("type") == "H3")] == [
        "Overall", "By category", "By priority"]
    series = [row for t in tables.values() for row in t["rows"] if row[0].startswith("Resolution SLA met (")]
    assert [r[0] for r in series if "(P" in r[0]] == [f"Resolution SLA met (P{i})" for i in range(1, 5)]
    p1 = next(m for p in scored_month(demo_engine, IT, MONTH).to_dict()["perspectives"] for o in p["objectives"]
              for m in o["measures"] if m["params"] == {"priority": "P1"} and m["measure"] == "sla.resolution_met")
    assert next(r for r in series if r[0] == "Resolution SLA met (P1)")[3] == status_text(p1["status"])
    assert next(r for r in series if r[0] == "Resolution SLA met (Email)")[3] == "—"  # a breakdown, no targets
    assert "None reported" in text_of(by_id(page, ids.MEASURE_REPORTED))


@pytest.mark.parametrize("search, expected", [
    ("?measure=no.such&params={}", "unknown measure 'no.such'"),
    ("?measure=sla.resolution_met&params={oops", "not valid JSON"),
    ("?measure=sla.resolution_met&params={}&month=2026-99", "not a month"),
    ("?params={}", "no measure named"),
    ('?measure=sla.resolution_met&params={"priority":"P9"}', "No stored results for Resolution SLA met (P9)"),
])
def test_measure_page_explains_a_bad_address(demo_app, search, expected):
    text = text_of(open_page(client_as(demo_app, "executive"), "/measure", search))
    assert expected in text and "Traceback" not in text


def test_drift_lists_scorecard_series_worst_first_with_sentences_and_links(demo_app, demo_engine):
    add_signals(demo_engine, [
        signal(IT, "sla.resolution_met", P2, severity=5.0, sentence="P2 got slower."),
        signal(IT, "sla.resolution_met", P2, rule="EWMA", severity=3.0, sentence="P2 average moved."),
        signal(IT, "checks.pass_rate", '{"check_type":"backup"}', direction="better", severity=7.0,
               sentence="Backups improved."),
        signal(IT, "sla.resolution_met", '{"category":"Email"}', severity=9.0, sentence="Email tickets slower."),
        signal(LEGAL, "checks.pass_rate", '{"check_type":"qc_review"}', severity=6.0, sentence="QC worse."),
    ])
    client = client_as(demo_app, "reviewer")
    answer = call(client, [(ids.DRIFT_BODY, "children"), (ids.DRIFT_URL, "search")],
                  [(ids.DRIFT_MONTH, "value", MONTH), (ids.DRIFT_FILTERS, "value", ["scorecard"])])
    tree = answer[ids.DRIFT_BODY]["children"]
    table = html_tables(tree)[ids.DRIFT_TABLE]
    rows = table["rows"][1:]
    assert [r[3] for r in rows] == ["Backups improved.", "QC worse.", "P2 got slower."]
    assert [r[0] for r in rows] == ["● better", "■ worse", "■ worse"]
    assert rows[2][2] == "P2 resolved within 8 hours"
    assert table["links"][3] == ["/measure?provider=Northwind%20IT%20Services&measure=sla.resolution_met"
                                 "&params=%7B%22priority%22%3A%22P2%22%7D&month=2026-10#control-chart"]
    assert "CUSUM" in rows[2][4] and "EWMA" in rows[2][4]
    assert "5 signals on 4 series in October 2026; showing 3 series: 2 worse, 1 better." in text_of(tree)
    assert answer[ids.DRIFT_URL]["search"] == "?month=2026-10"
    every = call(client, [(ids.DRIFT_BODY, "children"), (ids.DRIFT_URL, "search")],
                 [(ids.DRIFT_MONTH, "value", MONTH), (ids.DRIFT_FILTERS, "value", ["worse"])])
    text = text_of(every[ids.DRIFT_BODY]["children"])
    assert "Email tickets slower." in text and "Backups improved." not in text
    quiet = call(client, [(ids.DRIFT_BODY, "children"), (ids.DRIFT_URL, "search")],
                 [(ids.DRIFT_MONTH, "value", "2026-05"), (ids.DRIFT_FILTERS, "value", [])])
    assert "No drift signals in May 2026" in text_of(quiet[ids.DRIFT_BODY]["children"])


def test_service_page_heat_map_outages_and_capacity(demo_app):
    client = client_as(demo_app, "executive")
    answer = call(client, [(ids.SERVICE_BODY, "children"), (ids.SERVICE_URL, "search")],
                  [(ids.SERVICE_PROVIDER, "value", IT)])
    tree = answer[ids.SERVICE_BODY]["children"]
    heat = by_id(tree, ids.SERVICE_HEATMAP)["props"]["figure"]["data"][0]
    assert heat["y"] == ["ERP", "Email", "File shares", "Telephony", "VPN", "Website"]
    assert heat["x"][-1] == MONTH and len(heat["x"]) == 12
    assert all(cell.split(" ")[0] in "●▲■○" for row in heat["text"] for cell in row)
    tables = html_tables(tree)
    outages = next(t for t in tables.values() if t["rows"][0][0] == "Started")["rows"][1:]
    starts = [r[0] for r in outages]
    assert len(outages) == 25 and starts == sorted(starts, reverse=True)
    capacity = tables[ids.SERVICE_CAPACITY_TABLE]["rows"]
    assert capacity[0][-1] == "Forecast month full"
    assert capacity[1][0] == "SAN-01 storage" and capacity[1][3].startswith("20")  # the shortest runway first
    assert answer[ids.SERVICE_URL]["search"] == "?provider=Northwind%20IT%20Services"
    legal = call(client, [(ids.SERVICE_BODY, "children"), (ids.SERVICE_URL, "search")],
                 [(ids.SERVICE_PROVIDER, "value", LEGAL)])
    assert "No service results for Lexington Legal Process yet" in text_of(legal[ids.SERVICE_BODY]["children"])


def test_providers_page_puts_both_scorecards_side_by_side(demo_app, demo_engine):
    client = client_as(demo_app, "executive")
    answer = call(client, [(ids.PROVIDERS_BODY, "children"), (ids.PROVIDERS_URL, "search")],
                  [(ids.PROVIDERS_MONTH, "value", MONTH)])
    table = by_id(answer[ids.PROVIDERS_BODY]["children"], ids.PROVIDERS_TABLE)
    rows = [r for r in find(table, lambda c: c.get("type") == "Tr")]
    assert text_of(rows[0]) == f"{LEGAL} {IT}"
    overall = rows[1]["props"]["children"]
    for cell, name in zip(overall[1:], (LEGAL, IT)):
        data = scored_month(demo_engine, name, MONTH).to_dict()
        assert text_of(cell).split(" (")[0].endswith(f"{data['score']:.1f}")
    assert answer[ids.PROVIDERS_URL]["search"] == "?month=2026-10"
    layout = open_page(client, "/providers")
    assert by_id(layout, ids.PROVIDERS_MONTH)["props"]["value"] == MONTH
    assert json.dumps(layout).count("Only") == 0
