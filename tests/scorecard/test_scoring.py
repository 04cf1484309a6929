"""Scores, statuses, roll-ups, the JSON shape, reconciliation and version choice, by hand."""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.catalogue import CATALOGUE
from scorecard.definition import EXAMPLES, load_scorecard
from scorecard.errors import BadInput
from scorecard.reconcile import Tolerance, ToleranceDefaults, reconcile
from scorecard.scoring import (
    GOAL_SCORE,
    RED_SCORE,
    ResultValue,
    measure_score,
    measure_status,
    results_from_rows,
    rollup_status,
    score_scorecard,
)
from scorecard.versions import ScorecardVersions


def example_text(name: str) -> str:
    """A shipped example scorecard (package data; the scorecard package itself does no I/O)."""
    return resources.files("scorecard.examples").joinpath(name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------- one measure


@pytest.mark.parametrize(("value", "score"), [
    (0.925, 5.0),          # halfway between red flag and goal
    (0.95, 20 / 3),        # at the goal
    (0.90, 10 / 3),        # at the red flag
    (0.97, 8.0),           # beyond the goal: 10/3 · (1 + 0.07/0.05) = 10/3 · 2.4
    (0.99, 28 / 3),        # 10/3 · 2.8
    (1.00, 10.0),          # 10/3 · 3: exactly the top
    (0.875, 5 / 3),        # halfway between the red flag and zero
    (0.85, 0.0),           # 10/3 · (1 − 1)
    (0.80, 0.0),           # would be −10/3: clamped
])
def test_score_higher_is_better(value, score):
    assert measure_score(value, 0.95, 0.90) == pytest.approx(score, abs=1e-12)


@pytest.mark.parametrize(("value", "score"), [
    (0.065, 5.0),          # halfway, lower is better: goal 5 %, red flag 8 %
    (0.05, 20 / 3),
    (0.08, 10 / 3),
    (0.035, 25 / 3),       # 10/3 · (1 + 1.5)
    (0.02, 10.0),          # 10/3 · 3
    (0.0, 10.0),           # would be 10/3 · (1 + 8/3): clamped
    (0.11, 0.0),
    (0.2, 0.0),
])
def test_score_lower_is_better(value, score):
    assert measure_score(value, 0.05, 0.08) == pytest.approx(score, abs=1e-12)


def test_score_of_money_and_infinity():
    assert measure_score(110, 100, 120) == pytest.approx(5.0)
    assert measure_score(90, 100, 120) == pytest.approx(25 / 3)
    assert measure_score(math.inf, 12, 6) == 10.0  # months to exhaustion: never
    assert measure_score(-math.inf, 12, 6) == 0.0
    with pytest.raises(BadInput):
        measure_score(1, 2, 2)


@pytest.mark.parametrize(("value", "status"), [
    (0.96, "green"), (0.95, "green"),      # meeting the goal is green
    (0.9499, "amber"), (0.90, "amber"),    # at the red flag: amber (red is *past* it)
    (0.8999, "red"), (0.0, "red"),
    (None, "grey"), (math.nan, "grey"),
])
def test_status_higher_is_better(value, status):
    assert measure_status(value, 0.95, 0.90, "higher") == status


@pytest.mark.parametrize(("value", "status"), [
    (0.04, "green"), (0.05, "green"), (0.0501, "amber"), (0.08, "amber"), (0.0801, "red"), (None, "grey"),
])
def test_status_lower_is_better(value, status):
    assert measure_status(value, 0.05, 0.08, "lower") == status


def test_status_and_score_agree_at_the_thresholds():
    assert rollup_status(measure_score(0.95, 0.95, 0.90)) == "green" == measure_status(0.95, 0.95, 0.90, "higher")
    assert rollup_status(measure_score(0.90, 0.95, 0.90)) == "amber" == measure_status(0.90, 0.95, 0.90, "higher")
    assert rollup_status(GOAL_SCORE) == "green" and rollup_status(GOAL_SCORE - 1e-6) == "amber"
    assert rollup_status(RED_SCORE) == "amber" and rollup_status(RED_SCORE - 1e-6) == "red"
    assert rollup_status(None) == "grey"
    # a weighted mean of scores at the goal is green despite rounding
    assert rollup_status((GOAL_SCORE * 0.1 + GOAL_SCORE * 0.2) / 0.30000000000000004) == "green"


# ---------------------------------------------------------------------- a small scorecard

CARD = """\
[provider]
name = "Acme"
kind = "it"
timezone = "Europe/London"
currency = "GBP"

[sla.policies.all]
response = "1h"
calendar = "24x7"

[[perspectives]]
name = "A"
weight = 2

[[perspectives.objectives]]
name = "A1"

[[perspectives.objectives.measures]]
measure = "sla.response_met"
params = { priority = "P1" }
goal = "95%"
red_flag = "90%"
stretch = "97%"

[[perspectives.objectives.measures]]
measure = "sla.response_met"
params = { priority = "P2" }
goal = "95%"
red_flag = "90%"
weight = 3

[[perspectives.objectives]]
name = "A2"
weight = 3

[[perspectives.objectives.measures]]
measure = "quality.reopen_rate"
goal = "5%"
red_flag = "8%"

[[perspectives]]
name = "B"

[[perspectives.objectives]]
name = "B1"

[[perspectives.objectives.measures]]
measure = "cost.per_ticket"
goal = 100
red_flag = 120

[[perspectives]]
name = "C"
weight = 5

[[perspectives.objectives]]
name = "C1"

[[perspectives.objectives.measures]]
measure = "capacity.months_to_exhaustion"
params = { resource = "SAN" }
goal = 12
red_flag = 6
"""
P1 = ("sla.response_met", '{"priority":"P1"}')
P2 = ("sla.response_met", '{"priority":"P2"}')
REOPEN = ("quality.reopen_rate", "{}")
COST = ("cost.per_ticket", "{}")
SAN = ("capacity.months_to_exhaustion", '{"resource":"SAN"}')


@pytest.fixture(scope="module")
def card():
    return load_scorecard(CARD, source="acme.toml")


def test_rollups_are_weighted_means_of_the_children_with_data(card):
    results = {P1: ResultValue(0.925, n=40), P2: ResultValue(0.97, n=200), COST: ResultValue(130.0)}
    s = score_scorecard(card, results, month="2026-05")
    a, b, c = s.perspectives
    a1, a2 = a.objectives
    assert a1.score == pytest.approx((1 * 5.0 + 3 * 8.0) / 4)       # 7.25
    assert (a1.status, a1.no_data_count, a1.measure_count) == ("green", 0, 2)
    assert (a2.score, a2.status, a2.no_data_count) == (None, "grey", 1)
    assert a.score == pytest.approx(7.25) and a.status == "green"   # A2 has no data: left out
    assert (a.no_data_count, a.measure_count) == (1, 3)
    assert b.score == pytest.approx(5 / 3) and b.status == "red"    # 10/3 · (1 + 10/−20)
    assert (c.score, c.status, c.no_data_count) == (None, "grey", 1)
    assert s.score == pytest.approx((2 * 7.25 + 1 * 5 / 3) / 3)    # C has no data: left out
    assert s.status == "amber"
    assert (s.no_data_count, s.measure_count) == (2, 5)
    m1, m2 = a1.measures
    assert (m1.status, m1.score, m1.stretch_met) == ("amber", pytest.approx(5.0), False)
    assert (m2.status, m2.stretch_met) == ("green", None)           # no stretch given
    assert [m.spec.label for _, _, m in s.measures()] == [
        "Response SLA met (P1)", "Response SLA met (P2)", "Reopen rate", "Cost per ticket",
        "Months to exhaustion (SAN)"]


def test_no_data_anywhere_is_grey(card):
    s = score_scorecard(card, {})
    assert (s.score, s.status, s.no_data_count, s.measure_count) == (None, "grey", 5, 5)
    assert all(m.status == "grey" and m.score is None for _, _, m in s.measures())
    assert s.credits.lines == () and s.credits.total == 0


def test_a_result_without_a_value_counts_as_no_data(card):
    s = score_scorecard(card, {P1: ResultValue(None, n=0), P2: ResultValue(math.nan)})
    a1 = s.perspectives[0].objectives[0]
    assert (a1.score, a1.status, a1.no_data_count) == (None, "grey", 2)


def test_stretch_met(card):
    s = score_scorecard(card, {P1: ResultValue(0.97)})
    assert s.perspectives[0].objectives[0].measures[0].stretch_met is True


def test_change_since_the_previous_month(card):
    results = {P1: ResultValue(0.925), P2: ResultValue(0.97), REOPEN: ResultValue(0.06), COST: ResultValue(130.0)}
    previous = {P1: ResultValue(0.95), P2: ResultValue(0.97), REOPEN: ResultValue(0.05)}
    s = score_scorecard(card, results, previous=previous)
    m1, m2, reopen, cost, _ = (m for _, _, m in s.measures())
    assert m1.change == pytest.approx(-0.025) and m1.movement == "worse"
    assert m1.previous_score == pytest.approx(20 / 3) and m1.score_change == pytest.approx(5.0 - 20 / 3)
    assert (m2.change, m2.movement) == (0.0, "unchanged")
    assert reopen.change == pytest.approx(0.01) and reopen.movement == "worse"  # lower is better
    assert (cost.change, cost.movement, cost.previous_score) == (None, None, None)
    a1 = s.perspectives[0].objectives[0]
    assert a1.previous_score == pytest.approx((20 / 3 + 3 * 8.0) / 4)
    # previous A = mean(A1 prev, A2 prev = 10/3 · (1 + 0.03/0.03) = 20/3) weighted 1 : 3
    prev_a = (1 * (20 / 3 + 24) / 4 + 3 * 20 / 3) / 4
    assert s.perspectives[0].previous_score == pytest.approx(prev_a)
    assert s.previous_score == pytest.approx(prev_a)  # B and C had no data last month
    assert s.score_change == pytest.approx(s.score - prev_a)
    better = score_scorecard(card, {REOPEN: ResultValue(0.04)}, previous={REOPEN: ResultValue(0.05)})
    assert better.perspectives[0].objectives[1].measures[0].movement == "better"


def test_to_dict_shape_and_json(card):
    results = {P1: ResultValue(0.925, n=40, ci_low=0.8, ci_high=0.97, provisional=True),
               COST: ResultValue(130.0), SAN: ResultValue(math.inf)}
    s = score_scorecard(card, results, previous={P1: ResultValue(0.95)}, month="2026-05",
                        reported={P1: 0.95})
    d = s.to_dict()
    assert set(d) == {"provider", "kind", "timezone", "currency", "month", "scorecard", "score", "status",
                      "measure_count", "no_data_count", "previous_score", "score_change", "perspectives",
                      "credits"}
    assert (d["provider"], d["currency"], d["month"]) == ("Acme", "GBP", "2026-05")
    assert d["scorecard"] == {"source": "acme.toml", "sha256": card.fingerprint}
    p = d["perspectives"][0]
    assert set(p) == {"name", "weight", "score", "status", "measure_count", "no_data_count", "previous_score",
                      "score_change", "objectives"}
    o = p["objectives"][0]
    assert set(o) == set(p) - {"objectives"} | {"measures"}
    m = o["measures"][0]
    assert m == {
        "measure": "sla.response_met", "params": {"priority": "P1"}, "params_key": '{"priority":"P1"}',
        "label": "Response SLA met (P1)", "kind": "proportion", "unit": "%", "direction": "higher",
        "weight": 1.0, "goal": 0.95, "red_flag": 0.9, "stretch": 0.97, "value": 0.925, "n": 40,
        "ci_low": 0.8, "ci_high": 0.97, "provisional": True, "score": m["score"], "status": "amber",
        "stretch_met": False, "previous_value": 0.95, "change": m["change"],
        "previous_score": m["previous_score"], "score_change": m["score_change"], "movement": "worse",
        "reported": {"reported": 0.95, "measured": 0.925, "difference": m["reported"]["difference"],
                     "relative_difference": m["reported"]["relative_difference"], "tolerance": 0.01,
                     "tolerance_relative": False, "flagged": True,
                     "text": "reported 95.0 %, measured 92.5 %: 2.5 points higher, beyond the tolerance of "
                             "1 point"},
        "text": {"value": "92.5 %", "goal": "95 %", "red_flag": "90 %", "stretch": "97 %",
                 "previous_value": "95.0 %"},
    }
    assert m["score"] == pytest.approx(5.0)
    grey = o["measures"][1]
    assert (grey["value"], grey["status"], grey["score"], grey["text"]["value"]) == (None, "grey", None, "no data")
    cost = d["perspectives"][1]["objectives"][0]["measures"][0]
    assert cost["text"] == {"value": "£130", "goal": "£100", "red_flag": "£120", "stretch": None,
                            "previous_value": None}
    san = d["perspectives"][2]["objectives"][0]["measures"][0]
    assert (san["value"], san["status"], san["score"], san["text"]["value"]) == (None, "green", 10.0, "never")
    text = s.to_json()
    assert json.loads(text)["perspectives"][0]["name"] == "A"  # no NaN or Infinity in the JSON


def test_results_from_rows():
    rows = [
        {"provider": "Acme", "measure": "sla.response_met", "params": '{"priority":"P1"}', "month": "2026-05",
         "value": 0.925, "numerator": 37.0, "denominator": 40.0, "n": 40, "ci_low": 0.8, "ci_high": 0.97,
         "provisional": None},
        {"measure": "cost.per_ticket", "params": "{}", "month": "2026-05", "value": 130.0, "provisional": True},
    ]
    got = results_from_rows(rows)
    assert got[P1] == ResultValue(0.925, n=40, ci_low=0.8, ci_high=0.97, provisional=False,
                                  numerator=37.0, denominator=40.0)
    assert got[COST] == ResultValue(130.0, provisional=True)
    with pytest.raises(BadInput, match="two results for cost.per_ticket"):
        results_from_rows(rows + [rows[1]])
    with pytest.raises(BadInput, match="results of several months given \\(2026-04, 2026-05\\)"):
        results_from_rows(rows + [{"measure": "cost.spend", "params": "{}", "month": "2026-04", "value": 1.0}])


def test_examples_score_with_every_result_and_with_none():
    for name in EXAMPLES:
        card = load_scorecard(example_text(name), source=name)
        everything = {m.key: ResultValue(m.goal) for _, _, m in card.measures()}
        s = score_scorecard(card, everything, month="2026-05")
        assert s.status == "green" and s.score == pytest.approx(GOAL_SCORE) and s.no_data_count == 0
        assert s.credits.total == 0
        empty = score_scorecard(card, {})
        assert empty.status == "grey" and empty.no_data_count == len(card.measures())
        json.loads(s.to_json())


# ---------------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(goal=finite, red=finite, a=finite, b=finite)
def test_score_is_within_0_and_10_and_monotone_in_the_better_direction(goal, red, a, b):
    if math.isclose(goal, red, rel_tol=1e-9, abs_tol=1e-9):
        return
    lo, hi = min(a, b), max(a, b)
    s_lo, s_hi = measure_score(lo, goal, red), measure_score(hi, goal, red)
    assert 0.0 <= s_lo <= 10.0 and 0.0 <= s_hi <= 10.0
    if goal > red:   # higher is better
        assert s_lo <= s_hi
    else:            # lower is better
        assert s_lo >= s_hi


@given(goal=st.floats(0.5, 1.0), gap=st.floats(0.001, 0.4), value=st.floats(0.0, 1.0), up=st.booleans())
def test_status_matches_the_score_band(goal, gap, value, up):
    red = goal - gap if up else goal + gap
    direction = "higher" if up else "lower"
    status, score = measure_status(value, goal, red, direction), measure_score(value, goal, red)
    if status == "green":
        assert score >= GOAL_SCORE - 1e-9
    elif status == "red":
        assert score <= RED_SCORE + 1e-9
    else:
        assert RED_SCORE - 1e-9 <= score <= GOAL_SCORE + 1e-9


@given(st.lists(st.tuples(st.floats(0.01, 100), st.one_of(st.none(), st.floats(0, 1))), min_size=1, max_size=6))
def test_an_objective_score_lies_between_its_measures(pairs):
    text = CARD.split("[[perspectives]]")[0] + "[[perspectives]]\nname = \"P\"\n[[perspectives.objectives]]\nname = \"O\"\n"
    results = {}
    for i, (weight, value) in enumerate(pairs):
        text += (f'[[perspectives.objectives.measures]]\nmeasure = "checks.pass_rate"\n'
                 f'params = {{ check_type = "c{i}" }}\ngoal = 0.9\nred_flag = 0.8\nweight = {weight!r}\n')
        if value is not None:
            results[("checks.pass_rate", f'{{"check_type":"c{i}"}}')] = ResultValue(value)
    s = score_scorecard(load_scorecard(text, source="p.toml"), results)
    scores = [m.score for _, _, m in s.measures() if m.score is not None]
    assert s.no_data_count == len(pairs) - len(scores)
    if scores:
        assert min(scores) - 1e-9 <= s.score <= max(scores) + 1e-9
    else:
        assert s.score is None and s.status == "grey"


# ---------------------------------------------------------------------- reconciliation

def test_reconcile_proportions_absolute():
    r = reconcile(0.95, 0.96, Tolerance(0.01), unit="%")
    assert r.difference == pytest.approx(0.01) and not r.flagged  # exactly at the tolerance: within
    assert r.text == "reported 96.0 %, measured 95.0 %: 1 point higher, within the tolerance of 1 point"
    r = reconcile(0.95, 0.925, Tolerance(0.01), unit="%")
    assert r.flagged and r.difference == pytest.approx(-0.025)
    assert r.text == "reported 92.5 %, measured 95.0 %: 2.5 points lower, beyond the tolerance of 1 point"


def test_reconcile_money_relative():
    r = reconcile(10_000, 10_500, Tolerance(0.02, relative=True), unit="money", currency="GBP")
    assert r.flagged and r.difference == 500 and r.relative_difference == pytest.approx(0.05)
    assert r.text == "reported £10,500, measured £10,000: 5.0 % higher, beyond the tolerance of 2 %"
    r = reconcile(10_000, 9_900, Tolerance(0.02, relative=True), unit="money", currency="USD")
    assert not r.flagged
    assert r.text == "reported $9,900, measured $10,000: 1.0 % lower, within the tolerance of 2 %"


def test_reconcile_edge_cases():
    same = reconcile(0.95, 0.95, Tolerance(0.0), unit="%")
    assert (same.difference, same.flagged, same.text) == (0.0, False, "reported 95.0 %, measured 95.0 %: the same")
    nothing = reconcile(None, 0.95, Tolerance(0.01), unit="%")
    assert (nothing.difference, nothing.flagged) == (None, False)
    assert nothing.text == "reported 95.0 %; nothing measured to compare"
    zero = reconcile(0.0, 3.0, Tolerance(0.05, relative=True), unit="tickets")
    assert zero.flagged and zero.relative_difference is None
    assert zero.text == "reported 3 tickets, measured 0 tickets: higher, beyond the tolerance of 5 %"
    nps = reconcile(30.0, 36.0, Tolerance(5.0), unit="score")
    assert nps.flagged and nps.text == "reported 36, measured 30: 6 points higher, beyond the tolerance of 5 points"


def test_tolerance_defaults_by_kind():
    d = ToleranceDefaults()
    assert d.for_measure(CATALOGUE["sla.resolution_met"]) == Tolerance(0.01)
    assert d.for_measure(CATALOGUE["survey.nps"]) == Tolerance(5.0)
    assert d.for_measure(CATALOGUE["cost.spend"]) == Tolerance(0.05, relative=True)
    assert d.for_measure(CATALOGUE["tickets.opened"], 0.1) == Tolerance(0.1, relative=True)


def test_reconciliation_in_the_scored_tree(card):
    s = score_scorecard(card, {P1: ResultValue(0.925)}, reported={P1: 0.93, COST: 99.0})
    m1 = s.perspectives[0].objectives[0].measures[0]
    assert m1.reconciliation is not None and not m1.reconciliation.flagged
    cost = s.perspectives[1].objectives[0].measures[0]
    assert cost.reconciliation.measured is None and not cost.reconciliation.flagged


# ---------------------------------------------------------------------- versions

def test_the_version_in_force_is_the_latest_effective_not_after_the_month():
    v = ScorecardVersions([("2025-04", "v2"), ("2024-01", "v1"), ("2026-01", "v3")])
    assert v.effective_months == ("2024-01", "2025-04", "2026-01") and len(v) == 3
    assert v.in_force("2023-12") is None
    assert v.in_force("2023-12", backdate_first=True) == "v1"
    assert [v.in_force(m) for m in ("2024-01", "2025-03", "2025-04", "2025-12", "2026-01", "2030-07")] == [
        "v1", "v1", "v2", "v2", "v3", "v3"]
    assert v.effective_month("2025-06") == "2025-04"
    assert list(v) == [("2024-01", "v1"), ("2025-04", "v2"), ("2026-01", "v3")]


def test_months_grouped_by_version():
    v = ScorecardVersions([("2025-04", "v2"), ("2024-01", "v1")])
    assert v.group_months(["2025-05", "2023-12", "2025-03", "2024-02", "2025-04"]) == [
        (None, ["2023-12"]), ("2024-01", ["2024-02", "2025-03"]), ("2025-04", ["2025-04", "2025-05"])]
    assert v.group_months(["2023-12", "2024-01"], backdate_first=True) == [("2024-01", ["2023-12", "2024-01"])]


def test_versions_refuse_bad_months_and_two_versions_in_a_month():
    with pytest.raises(BadInput, match="two scorecard versions take effect in 2025-04"):
        ScorecardVersions([("2025-04", 1), ("2025-04", 2)])
    with pytest.raises(BadInput, match="not a month"):
        ScorecardVersions([("2025-4", 1)])
    empty = ScorecardVersions([])
    assert empty.in_force("2025-01") is None and empty.in_force("2025-01", backdate_first=True) is None
    with pytest.raises(BadInput):
        empty.in_force("January")


def test_versions_hold_parsed_scorecards(card):
    other = load_scorecard(CARD.replace('goal = 100', 'goal = 95'), source="acme v2")
    v = ScorecardVersions([("2026-01", other), ("2025-01", card)])
    assert v.in_force("2025-12") is card and v.in_force("2026-02") is other
    assert v.in_force("2025-12").fingerprint != v.in_force("2026-02").fingerprint
