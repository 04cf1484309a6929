"""A year's evidence from literal frames, the Theil–Sen slope, and this year beside last year."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from scipy import stats

from scorecard.catalogue import RESULT_SCHEMA
from scorecard.review import AreaRating, AreaSide, Target, compare_areas, load_rubric, summarise_year, theil_sen
from scorecard.review.evidence import aggregate, summarise_series

P2 = '{"priority":"P2"}'
KEY = ("sla.resolution_met", P2)


def results(rows: list[tuple]) -> pl.DataFrame:
    """(measure, params, month, value, numerator, denominator) rows in RESULT_SCHEMA."""
    return pl.DataFrame([{"provider": "Acme", "measure": m, "params": p, "month": mo, "value": v, "numerator": nu,
                          "denominator": de, "n": None if de is None else int(de), "ci_low": None, "ci_high": None,
                          "provisional": False} for m, p, mo, v, nu, de in rows], schema=RESULT_SCHEMA)


def signals(rows: list[dict]) -> pl.DataFrame:
    base = {"provider": "Acme", "measure": KEY[0], "params": P2, "rule": "CUSUM", "chart": "p", "value": 0.5,
            "center": 0.8, "lcl": None, "ucl": None, "severity": 1.0, "p_value": None}
    schema = {k: pl.String() for k in ("provider", "measure", "params", "month", "rule", "chart", "direction",
                                       "since", "sentence")} | {k: pl.Float64() for k in ("value", "center", "lcl",
                                                                                         "ucl", "severity", "p_value")}
    return pl.DataFrame([base | r for r in rows], schema=schema)


def test_theil_sen_is_the_median_of_pairwise_slopes_and_agrees_with_scipy():
    assert theil_sen([1, 2, 3, 4, 5], [1, 2, 3, 4, 100]) == 1.0  # one wild point does not move it
    assert theil_sen([1, 2, 3], [3, 1, 2]) == pytest.approx(-0.5)  # slopes -2, -0.5, 1
    assert theil_sen([1], [1]) is None
    rng = np.random.default_rng(3)
    x = np.arange(12, dtype=float)
    y = 0.8 + 0.01 * x + rng.normal(0, 0.02, 12)
    assert theil_sen(list(x), list(y)) == pytest.approx(stats.theilslopes(y, x).slope, rel=1e-12)


def test_the_year_value_is_pooled_summed_or_averaged_by_kind():
    rows = [{"value": 0.5, "numerator": 1, "denominator": 2}, {"value": 1.0, "numerator": 8, "denominator": 8}]
    assert aggregate(rows, "proportion") == (0.9, "pooled")          # 9 of 10, not the mean 0.75
    assert aggregate([{"value": 2.0}, {"value": 3.0}], "count") == (5.0, "total")
    assert aggregate([{"value": 2.0}, {"value": None}, {"value": 4.0}], "continuous") == (3.0, "mean")
    assert aggregate([{"value": None}], "continuous") == (None, "none")


def test_one_series_months_on_target_trend_signals_and_link():
    months = [f"2025-{m:02d}" for m in range(1, 8)]  # seven months of data
    values = [0.90, 0.85, 0.60, 0.82, 0.95, 0.99, 0.70]
    rows = results([(KEY[0], P2, mo, v, v * 100, 100.0) for mo, v in zip(months, values)]).to_dicts()
    target = Target(goal=0.80, red_flag=0.70, direction="higher", label="P2 resolved within 8 hours")
    targets = {m: {KEY: target} for m in months + ["2025-08"]}  # August: on the scorecard, nothing stored
    sig = signals([{"month": "2025-03", "direction": "worse", "since": "2025-03", "sentence": "fell"},
                   {"month": "2025-04", "direction": "worse", "since": "2025-03", "sentence": "still low"},
                   {"month": "2025-06", "direction": "better", "since": "2025-05", "sentence": "rose"}]).to_dicts()
    s = summarise_series(provider="Acme IT", measure=KEY[0], params=P2, label=None, rows=rows, targets=targets,
                         signals=sig, currency="GBP")
    assert [m["status"] for m in s["months"]] == ["green", "green", "red", "green", "green", "green", "amber"]
    assert (s["on_target"], s["amber"], s["red"], s["grey"], s["judged"]) == (5, 1, 1, 1, 7)
    assert s["months_with_target"] == 8 and s["months_with_data"] == 7 and s["label"] == "P2 resolved within 8 hours"
    assert s["year_value"] == pytest.approx(sum(values) / 7) and s["year_basis"] == "pooled"
    assert s["first_quarter"] == pytest.approx((0.90 + 0.85 + 0.60) / 3)
    assert s["last_quarter"] == pytest.approx((0.95 + 0.99 + 0.70) / 3)
    assert s["quarter_movement"] == "better" and s["first_quarter_months"] == months[:3]
    assert s["slope"] == pytest.approx(theil_sen(list(range(7)), values)) and s["slope_movement"] == "better"
    assert s["worst"] == {"month": "2025-03", "value": 0.6, "text": "60.0 %"} and s["best"]["month"] == "2025-06"
    worse, better = s["signals"]["episodes"]
    assert (s["signals"]["worse"], s["signals"]["better"]) == (2, 1)
    assert worse == {"direction": "worse", "since": "2025-03", "first": "2025-03", "last": "2025-04", "months": 2,
                     "rule": "CUSUM", "sentence": "still low"} and better["since"] == "2025-05"
    assert s["link"] == ("/measure?provider=Acme+IT&measure=sla.resolution_met&params=%7B%22priority%22%3A%22P2%22%7D"
                         "&month=2025-07")


def test_lower_is_better_and_too_few_months_for_a_trend():
    rows = results([("quality.reopen_rate", "{}", f"2025-0{m}", v, None, None)
                    for m, v in ((1, 0.04), (2, 0.05), (3, 0.09))]).to_dicts()
    t = Target(0.05, 0.07, "lower", "Reopen rate")
    s = summarise_series(provider="A", measure="quality.reopen_rate", params="{}", label="Reopens", rows=rows,
                         targets={r["month"]: {("quality.reopen_rate", "{}"): t} for r in rows}, signals=[],
                         currency=None)
    assert (s["on_target"], s["red"]) == (2, 1) and s["year_basis"] == "mean"
    assert s["first_quarter"] is None and s["slope"] is None  # 3 months: no trend claimed
    assert s["worst"]["month"] == "2025-03" and s["best"]["month"] == "2025-01"


RUBRIC = """\
[rubric]
key = "t"
version = 1
kind = "it"
title = "Test"
""" + "".join(f'\n[[levels]]\nlevel = {n}\nname = "L{n}"\nmeaning = "m{n}"\n' for n in range(6)) + """
[[areas]]
key = "desk"
name = "Desk"
question = "?"

[[areas.measures]]
measure = "sla.resolution_met"
params = { priority = "*" }

[[areas]]
key = "security"
name = "Security"
question = "?"

[[areas.measures]]
measure = "checks.pass_rate"
params = { check_type = "patch" }
"""


def test_a_year_by_area_with_credits_documents_and_a_fingerprint():
    rubric = load_rubric(RUBRIC, source="t.toml")
    frame = results([(KEY[0], P2, "2025-01", 0.9, 9.0, 10.0), (KEY[0], '{"priority":"P1"}', "2025-01", 1.0, 2.0, 2.0),
                     (KEY[0], P2, "2024-12", 0.1, 1.0, 10.0)])  # December 2024 is not in the year
    statements = [{"month": "2025-01", "total": 500.0, "lines": [
        {"label": "P2 resolution", "measure": KEY[0], "params": {"priority": "P2"}, "amount": 500.0, "text": "…"},
        {"label": "Email", "measure": "availability.service", "params": {"service": "Email"}, "amount": 0.0}]}]
    docs = [{"id": 1, "area_key": "security", "filename": "iso.pdf", "expires_on": "2025-03-01"},
            {"id": 2, "area_key": "security", "filename": "pen.pdf", "expires_on": "2025-12-31"},
            {"id": 3, "area_key": None, "filename": "notes.txt", "expires_on": None}]
    ev = summarise_year(rubric, provider="Acme", year=2025, results=frame, targets={"2025-01": {KEY: Target(
        0.8, 0.7, "higher", "P2")}}, signals=signals([]), statements=statements, documents=docs, currency="GBP",
        today=dt.date(2025, 2, 1), computed_at="2025-02-01T00:00:00+00:00")
    assert ev["months"] == ["2025-01"] and not ev["complete"] and ev["currency"] == "GBP"
    desk, security = ev["areas"]
    assert [s["params"] for s in desk["measures"]] == [P2, '{"priority":"P1"}']  # the agreed series first
    assert (desk["on_target"], desk["judged"], desk["share_on_target"]) == (1, 1, 1.0)
    assert desk["credits"]["total"] == 500.0 and desk["credits"]["total_text"] == "£500"
    assert security["credits"]["total"] == 0 and security["measures"][0]["months"] == []
    assert [d["expiry"] for d in security["documents"]] == ["expires soon", "valid"]
    assert [d["id"] for d in ev["documents"]] == [3] and ev["credits"]["total"] == 500.0
    json.dumps(ev, allow_nan=False)  # storable as it is
    again = summarise_year(rubric, provider="Acme", year=2025, results=frame, targets={}, signals=signals([]),
                           statements=[], documents=[], currency="GBP", today=dt.date(2025, 2, 1),
                           computed_at="x")
    assert len(ev["sha256"]) == 64 and again["sha256"] != ev["sha256"]


def test_comparison_with_last_year():
    now = [("desk", AreaSide("Desk", AreaRating(2, rationale="slower"), {"share_on_target": 0.5, "worse_signals": 3})),
           ("security", AreaSide("Security", AreaRating(4), None)),
           ("new", AreaSide("New area", AreaRating(None, True, "n/a")))]
    before = {"desk": AreaSide("Desk", AreaRating(4, rationale="fine"), {"share_on_target": 1.0, "worse_signals": 0}),
              "security": AreaSide("Security", AreaRating(4)),
              "old": AreaSide("Gone", AreaRating(1, rationale="bad"))}
    rows = {r["key"]: r for r in compare_areas(now, before)}
    assert rows["desk"]["change"] == -2 and rows["desk"]["direction"] == "down"
    assert rows["desk"]["what"] == ("Down 2 from 4 to 2. Evidence: 100 % of measured months on target last year, "
                                    "50 % of measured months on target this year. Drift signals towards worse: 0 "
                                    "last year, 3 this year.")
    assert rows["desk"]["previous_rationale"] == "fine" and rows["desk"]["current_rationale"] == "slower"
    assert rows["security"]["what"] == "Unchanged at 4." and rows["security"]["change"] == 0
    assert rows["new"]["direction"] == "new" and rows["old"]["direction"] == "dropped"
    first = compare_areas(now, None)
    assert {r["direction"] for r in first} == {"first"} and first[0]["previous"] == "—"
