"""The logic behind the executive pages, as plain functions with exact expectations."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from dashboard.pages.providers import comparison
from dashboard.reports.rows import (
    amount_change,
    attention,
    change_text,
    credit_rows,
    group_signals,
    headline,
    interval_text,
    scorecard_rows,
    score_change_text,
    status_counts,
    status_text,
)
from dashboard.reports.series import breakdowns, number_rows, parse_params
from dashboard.reports.service import availability_grid, availability_status, capacity_rows, exhaustion_month, \
    outage_rows
from dashboard.reports.sparkline import data_uri, spark_title, sparkline_svg
from scorecard.catalogue import RESULT_SCHEMA
from scorecard.errors import BadInput


def measure(label, status, *, value, score, text, unit="%", measure_id="sla.resolution_met",
            params=None, change=None, movement=None, n=None, ci=(None, None), provisional=False,
            goal=0.8, red_flag=0.7, score_change=None):
    params = params or {}
    return {
        "measure": measure_id, "params": params, "params_key": json.dumps(params, separators=(",", ":")),
        "label": label, "kind": "proportion", "unit": unit, "direction": "higher", "weight": 1.0,
        "goal": goal, "red_flag": red_flag, "stretch": None, "value": value, "n": n, "ci_low": ci[0],
        "ci_high": ci[1], "provisional": provisional, "score": score, "status": status, "stretch_met": None,
        "previous_value": None, "change": change, "previous_score": None, "score_change": score_change,
        "movement": movement, "reported": None,
        "text": {"value": text, "goal": "80 %", "red_flag": "70 %", "stretch": None, "previous_value": None},
    }


def node(name, status, score, children_key, children, *, count, missing=0, change=None):
    return {"name": name, "weight": 1.0, "score": score, "status": status, "measure_count": count,
            "no_data_count": missing, "previous_score": None, "score_change": change, children_key: children}


P1 = measure("P1 resolved within 4 hours", "amber", value=0.786, score=6.19, text="78.6 %", params={"priority": "P1"},
             change=-0.004, movement="worse", n=14, ci=(0.524, 0.924))
P2 = measure("P2 resolved within 8 hours", "red", value=0.348, score=0.0, text="34.8 %", params={"priority": "P2"},
             change=-0.063, movement="worse", n=210, ci=(0.2865, 0.4142))
P3 = measure("P3 resolved within 30 business hours", "green", value=0.847, score=8.04, text="84.7 %",
             params={"priority": "P3"}, change=0.01, movement="better", provisional=True)
CSAT = measure("Users satisfied", "grey", value=None, score=None, text="no data", measure_id="survey.csat")
SCORED = {
    "provider": "Acme IT", "currency": "GBP", "month": "2026-10", "score": 4.2, "status": "amber",
    "measure_count": 4, "no_data_count": 1, "previous_score": 4.5, "score_change": -0.3,
    "perspectives": [node("Users", "amber", 4.2, "objectives", [
        node("Fixed in time", "amber", 4.74, "measures", [P1, P2, P3], count=3, change=-0.3),
        node("Satisfied", "grey", None, "measures", [CSAT], count=1, missing=1),
    ], count=4, missing=1, change=-0.3)],
    "credits": {"month": "2026-10", "currency": "GBP", "monthly_fee": 180000.0, "lines": [
        {"label": "P2 resolution", "measure": "sla.resolution_met", "params": {"priority": "P2"}, "value": 0.348,
         "provisional": False, "threshold": 0.7, "side": "below", "percent": 10.0, "amount": 18000.0,
         "text": "P2 resolution 34.8 % is below 70 %: 10 % of £180,000 = £18,000"},
        {"label": "P1 resolution", "measure": "sla.resolution_met", "params": {"priority": "P1"}, "value": 0.786,
         "provisional": False, "threshold": None, "side": "below", "percent": None, "amount": 0.0,
         "text": "P1 resolution 78.6 % is not below 70 %: no credit"}],
        "subtotal": 18000.0, "cap_percent": 15.0, "cap_amount": 27000.0, "total": 18000.0, "capped": False,
        "provisional": False, "text": "Total £18,000 (cap 15 % of £180,000 = £27,000 not reached)"},
}
SIGNAL = {"provider": "Acme IT", "measure": "sla.resolution_met", "params": '{"priority":"P2"}', "month": "2026-10",
          "rule": "CUSUM", "chart": "p", "direction": "worse", "since": "2026-01", "value": 0.348, "center": 0.86,
          "lcl": 0.76, "ucl": 0.95, "sentence": "Resolution SLA met (P2) has been running below its usual level.",
          "severity": 9.0, "p_value": None}


def test_status_is_a_shape_and_a_word():
    assert [status_text(s) for s in ("green", "amber", "red", "grey")] == ["● green", "▲ amber", "■ red", "○ no data"]


def test_changes_are_signed_in_the_measures_unit():
    assert amount_change(-0.063, "%") == "−6.3 pts"
    assert amount_change(0.0004, "%") == "+0.04 pts"
    assert amount_change(1250.0, "money", "GBP") == "+£1,250"
    assert amount_change(-2.5, "hours") == "−2.5 h"
    assert change_text(P2) == "↓ 6.3 pts, worse"
    assert change_text(P3) == "↑ 1.0 pts, better"
    assert change_text({**P3, "change": 0.0, "movement": "unchanged"}) == "→ unchanged"
    assert change_text(CSAT) is None
    assert score_change_text(-0.3) == "−0.3" and score_change_text(0.01) == "no change" and score_change_text(None) is None


def test_interval_text_says_n_and_the_95_percent_interval():
    assert interval_text(P2) == "n = 210 · 95 % CI 28.6–41.4 %"
    assert interval_text(CSAT) is None
    assert interval_text({"unit": "hours", "n": 1200, "ci_low": None, "ci_high": None}) == "n = 1,200"


def test_scorecard_rows_follow_the_tree_with_the_scored_texts():
    history = {("sla.resolution_met", '{"priority":"P2"}'): [("2026-09", 0.41), ("2026-10", 0.348)]}
    comment = {"measure": "sla.resolution_met", "params": '{"priority":"P2"}', "month": "2026-10", "author": "a@b.c",
               "author_role": "executive", "at": dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc), "text": "Why?"}
    rows = scorecard_rows(SCORED, [SIGNAL], [comment], history)
    assert [(r["level"], r["name"]) for r in rows] == [
        ("perspective", "Users"), ("objective", "Fixed in time"), ("measure", "P1 resolved within 4 hours"),
        ("measure", "P2 resolved within 8 hours"), ("measure", "P3 resolved within 30 business hours"),
        ("objective", "Satisfied"), ("measure", "Users satisfied")]
    p2 = rows[3]
    assert (p2["value_text"], p2["score_text"], p2["status_text"]) == ("34.8 %", "0.0", "■ red")
    assert (p2["goal_text"], p2["red_flag_text"], p2["change_text"]) == ("80 %", "70 %", "↓ 6.3 pts, worse")
    assert p2["drift_text"] == "⚑ drifting worse" and p2["drift"]["rule"] == "CUSUM"
    assert p2["comment_count"] == 1 and p2["comments"][0]["text"] == "Why?"
    assert p2["spark_values"] == [0.41, 0.348] and p2["spark_months"] == ["2026-09", "2026-10"]
    assert (p2["n_text"], p2["ci_text"]) == ("n = 210", "95 % CI 28.6–41.4 %")
    assert rows[4]["provisional"] is True and rows[4]["drift"] is None and rows[4]["comment_count"] == 0
    assert (rows[6]["value_text"], rows[6]["score_text"], rows[6]["status_text"]) == ("no data", "—", "○ no data")
    assert (rows[0]["score_text"], rows[0]["score_change_text"], rows[5]["no_data_count"]) == ("4.2", "−0.3", 1)
    assert status_counts(rows) == {"red": 1, "amber": 1, "green": 1, "grey": 1}


def test_attention_lists_red_then_amber_worse_then_drifting_each_once():
    drifting_green = {**SIGNAL, "params": '{"priority":"P3"}', "sentence": "P3 drifts.", "severity": 2.0}
    rows = scorecard_rows(SCORED, [SIGNAL, drifting_green])
    items = attention(rows)
    assert [(i["row"]["name"], i["status"]) for i in items] == [
        ("P2 resolved within 8 hours", "red"), ("P1 resolved within 4 hours", "amber"),
        ("P3 resolved within 30 business hours", "green")]
    assert items[0]["summary"] == "34.8 % against a goal of 80 % (red flag 70 %), ↓ 6.3 pts, worse"
    assert items[0]["drift"] == SIGNAL["sentence"]
    assert items[1]["summary"] == "got worse: 78.6 % against a goal of 80 %, ↓ 0.4 pts, worse"
    assert items[2]["summary"] == "84.7 % against a goal of 80 %" and items[2]["drift"] == "P3 drifts."
    assert attention(scorecard_rows({**SCORED, "perspectives": [
        node("U", "green", 8.0, "objectives", [node("O", "green", 8.0, "measures", [P3], count=1)], count=1)]})) == []


def test_headline_and_credits():
    head = headline(SCORED)
    assert (head["score_text"], head["status_text"], head["score_change_text"]) == ("4.2", "▲ amber", "−0.3")
    assert head["coverage_text"] == "1 of 4 measures without data"
    c = credit_rows(SCORED["credits"])
    assert c["text"] == "Total £18,000 (cap 15 % of £180,000 = £27,000 not reached)"
    assert [(line["earned"], line["amount_text"]) for line in c["lines"]] == [(True, "£18,000"), (False, "—")]
    assert credit_rows({**SCORED["credits"], "lines": [], "text": "No service-credit rules"})["has_rules"] is False


def test_group_signals_keeps_one_row_per_series_worst_first():
    ewma = {**SIGNAL, "rule": "EWMA", "severity": 4.0, "since": "2025-12", "sentence": "EWMA moved."}
    better = {**SIGNAL, "measure": "checks.pass_rate", "params": '{"check_type":"backup"}', "rule": "N1",
              "direction": "better", "severity": 9.0, "sentence": "Backups better."}
    breakdown = {**SIGNAL, "params": '{"category":"Email"}', "severity": 20.0, "sentence": "Email tickets."}
    labels = {("Acme IT", "sla.resolution_met", '{"priority":"P2"}'): "P2 resolved within 8 hours",
              ("Acme IT", "checks.pass_rate", '{"check_type":"backup"}'): "Backups succeeded"}
    rows = group_signals([ewma, better, SIGNAL, breakdown], labels)
    assert [(r["label"], r["rules"], r["direction"]) for r in rows] == [
        ("Resolution SLA met (Email)", ["CUSUM"], "worse"),
        ("P2 resolved within 8 hours", ["CUSUM", "EWMA"], "worse"),
        ("Backups succeeded", ["N1"], "better")]
    assert rows[1]["since"] == "2025-12" and rows[1]["sentence"] == SIGNAL["sentence"]
    assert [r["label"] for r in group_signals([ewma, better, SIGNAL, breakdown], labels, scorecard_only=True,
                                              worse_only=True)] == ["P2 resolved within 8 hours"]


def test_sparkline_is_an_svg_with_a_text_alternative():
    svg = sparkline_svg([0.9, None, 0.85, 0.7], goal=0.8, status="red", title='P2 <"x">')
    assert svg.startswith("<svg") and svg.count("<polyline") == 1 and svg.count("<circle") == 2
    assert "<title>P2 &lt;\"x\"&gt;</title>" in svg and 'fill="#b42318"' in svg and 'stroke-dasharray="3 2"' in svg
    assert "<polyline" not in sparkline_svg([None, None], title="none")
    assert data_uri("<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"
    assert spark_title("P2", ["2026-09", "2026-10"], [0.41, 0.35], ["41 %", "35 %"]) == "P2, 2026-09 to 2026-10: 41 % to 35 %"
    assert spark_title("P2", ["2026-10"], [None], ["no data"]) == "P2: no data in the last twelve months"


def test_breakdowns_group_the_stored_variants_of_a_measure():
    variants = ["{}", '{"priority":"P2"}', '{"priority":"P1"}', '{"category":"Email"}',
                '{"stat":"median"}', '{"priority":"P1","stat":"median"}']
    assert breakdowns({"priority": "P1"}, variants) == [
        ("", ["{}"]), ("category", ['{"category":"Email"}']), ("priority", ['{"priority":"P1"}', '{"priority":"P2"}'])]
    assert breakdowns({"stat": "median"}, variants) == [("", ['{"stat":"median"}']),
                                                        ("priority", ['{"priority":"P1","stat":"median"}'])]
    assert parse_params('{"priority": "P1"}') == {"priority": "P1"} and parse_params(None) == {}
    for bad in ("{", "[1]", '"x"'):
        with pytest.raises(BadInput):
            parse_params(bad)


def test_number_rows_latest_first_with_intervals():
    frame = pl.DataFrame({"provider": ["A", "A"], "measure": ["sla.resolution_met"] * 2, "params": ["{}"] * 2,
                          "month": ["2026-09", "2026-10"], "value": [0.5, 0.75], "numerator": [1.0, 3.0],
                          "denominator": [2.0, 4.0], "n": [2, 4], "ci_low": [0.1, 0.3], "ci_high": [0.9, 0.95],
                          "provisional": [False, True]}, schema=RESULT_SCHEMA)
    rows = number_rows(frame, "%")
    assert [(r["month"], r["value_text"], r["interval_text"], r["provisional"]) for r in rows] == [
        ("2026-10", "75.00 %", "30.0 % – 95.0 %", True), ("2026-09", "50.00 %", "10.0 % – 90.0 %", False)]


def test_service_availability_statuses_and_runway():
    assert availability_status(0.999, 0.995, 0.99) == "green"
    assert availability_status(0.995, 0.995, 0.99) == "green"
    assert availability_status(0.992, 0.995, 0.99) == "amber"
    assert availability_status(0.9899, 0.995, 0.99) == "red"
    assert availability_status(0.9899, 0.995, None) == "amber"
    assert availability_status(None, 0.995, 0.99) == "grey" and availability_status(0.9, None, None) == "grey"
    assert exhaustion_month("2026-10", 5.01) == "2027-04"
    assert exhaustion_month("2026-10", 0.5) == "2026-11"
    assert exhaustion_month("2026-10", 0.0) == "already full"
    assert exhaustion_month("2026-10", None) == exhaustion_month("2026-10", float("inf")) == "not in sight (no upward trend)"
    assert exhaustion_month("2026-10", 500.0) == "more than ten years away"
    results = pl.DataFrame({
        "provider": ["A"] * 4, "measure": ["availability.service", "availability.service",
                                           "capacity.p95_utilisation", "capacity.months_to_exhaustion"],
        "params": ['{"service":"Email"}', '{"service":"ERP"}', '{"resource":"SAN"}', '{"resource":"SAN"}'],
        "month": ["2026-10"] * 4, "value": [0.9899, 1.0, 0.928, 5.01], "numerator": [None] * 4,
        "denominator": [None] * 4, "n": [None] * 4, "ci_low": [None] * 4, "ci_high": [None] * 4,
        "provisional": [False] * 4}, schema=RESULT_SCHEMA)
    grid = availability_grid(results, ["2026-09", "2026-10"], {"2026-10": {"Email": 0.995, "ERP": 0.995}},
                             {"2026-10": {"Email": 0.99}})
    assert grid["services"] == ["ERP", "Email"]
    assert grid["statuses"] == [["grey", "green"], ["grey", "red"]]
    assert capacity_rows(results, "2026-10") == [{"resource": "SAN", "p95": 0.928, "p95_text": "92.8 %",
                                                  "months_left": 5.01, "months_left_text": "5.0 months",
                                                  "exhaustion": "2027-04"}]


def test_outages_are_listed_latest_first_in_local_time():
    utc = dt.timezone.utc
    outages = pl.DataFrame({
        "provider": ["A", "A"], "service": ["Email", "ERP"],
        "started_at": [dt.datetime(2026, 5, 1, 9, 0, tzinfo=utc), dt.datetime(2026, 6, 1, 12, 0, tzinfo=utc)],
        "ended_at": [dt.datetime(2026, 5, 1, 12, 30, tzinfo=utc), dt.datetime(2026, 6, 1, 12, 20, tzinfo=utc)],
        "planned": [False, True], "impact": [1.0, 0.5]})
    rows = outage_rows(outages, "Europe/London")
    assert [(r["service"], r["started"], r["duration"], r["impact"], r["planned"]) for r in rows] == [
        ("ERP", "2026-06-01 13:00", "20 min", "50 %", True), ("Email", "2026-05-01 10:00", "3 h 30 min", "100 %", False)]


def test_comparison_puts_providers_side_by_side():
    other = {**SCORED, "provider": "Lex", "score": None, "status": "grey", "score_change": None,
             "perspectives": [node("Clients", "grey", None, "objectives", [], count=0)],
             "credits": {**SCORED["credits"], "lines": []}}
    data = comparison({"Acme IT": SCORED, "Lex": other, "Gone": None}, {"Acme IT": 2})
    assert data["providers"] == ["Acme IT", "Lex", "Gone"]
    by_label = {r["label"]: r["cells"] for r in data["rows"]}
    assert by_label["Overall"][0] == {"status": "amber", "score_text": "4.2", "change": "−0.3"}
    assert by_label["Users"][1] == {"status": None, "score_text": "not on this scorecard", "change": None}
    assert by_label["Clients"][1]["status"] == "grey" and by_label["Overall"][2] is None
    assert [c and c["text"] for c in by_label["Measures red"]] == ["1", "0", None]
    assert [c and c["text"] for c in by_label["Service credits"]] == ["£18,000", "no rules", None]
    assert [c and c["text"] for c in by_label["Scorecard measures drifting worse"]] == ["2", "0", None]
