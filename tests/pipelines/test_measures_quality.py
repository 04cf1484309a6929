"""quality.reopen_rate, quality.first_assignment_resolution, quality.repeat_rate."""

from __future__ import annotations

import math

import pytest

from .measures_helpers import context, param_sets, results, rows, tickets, utc, values

Z = 1.959963984540054


def wilson(x: int, n: int) -> tuple[float, float]:
    """The textbook 95% Wilson score interval, written out independently of the code."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


RESOLVED = [
    # resolved in January (Berlin): reopen_count, reassignment_count
    {"category": "Email", "opened_at": utc(2026, 1, 5, 9), "resolved_at": utc(2026, 1, 6, 9),
     "reopen_count": 0, "reassignment_count": 0},                                             # A
    {"category": "Email", "opened_at": utc(2026, 1, 5, 9), "resolved_at": utc(2026, 1, 7, 9),
     "reopen_count": 2, "reassignment_count": 0},                                             # B
    {"category": "Email", "opened_at": utc(2026, 1, 5, 9), "resolved_at": utc(2026, 1, 8, 9),
     "reopen_count": None, "reassignment_count": 0},                                          # C
    {"priority": "P2", "category": "Access", "opened_at": utc(2026, 1, 5, 9),
     "resolved_at": utc(2026, 1, 31, 22, 59), "reopen_count": 0, "reassignment_count": None},  # D
    {"priority": "P2", "category": "Access", "opened_at": utc(2026, 1, 5, 9),
     "resolved_at": utc(2026, 1, 9, 9), "reopen_count": 0, "reassignment_count": 1},          # E
    # resolved 00:00 Berlin on 1 February: February
    {"category": "Email", "opened_at": utc(2026, 1, 5, 9), "resolved_at": utc(2026, 1, 31, 23),
     "reopen_count": 1, "reassignment_count": 0},                                             # F
    # not resolved: in neither rate
    {"category": "Email", "opened_at": utc(2026, 1, 5, 9), "reopen_count": 1, "reassignment_count": 0},
]


def test_reopen_rate() -> None:
    out = results(context(), tickets=tickets(RESOLVED))
    # January: reopen_count known for A, B, D, E (C is null) = 4; reopened: B = 1 → 1/4
    # February: F, reopened → 1/1
    lo, hi = wilson(1, 4)
    assert rows(out, "quality.reopen_rate", cols=("month", "value", "numerator", "denominator", "n",
                                                  "ci_low", "ci_high", "provisional")) == [
        ("2026-01", 0.25, 1.0, 4.0, 4, pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12), False),
        ("2026-02", 1.0, 1.0, 1.0, 1, pytest.approx(wilson(1, 1)[0], abs=1e-12), 1.0, False)]
    # per priority: P2 = D, E: 0 of 2; P3 = A, B (C unknown): 1 of 2
    assert values(out, "quality.reopen_rate", {"priority": "P2"}) == {"2026-01": 0.0}
    assert values(out, "quality.reopen_rate", {"priority": "P3"}) == {"2026-01": 0.5, "2026-02": 1.0}
    assert values(out, "quality.reopen_rate", {"category": "Email"}) == {"2026-01": 0.5, "2026-02": 1.0}


def test_wilson_interval_by_hand() -> None:
    # 1 of 4, z = 1.96: p = .25, z²/n = .9604, centre = (.25 + .4802) / 1.9604 = .3725,
    # half = 1.96 × √(.046875 + .060025) / 1.9604 = .3269 → [.0456, .6994] (rounded)
    lo, hi = wilson(1, 4)
    assert (round(lo, 4), round(hi, 4)) == (0.0456, 0.6994)


def test_first_assignment_resolution() -> None:
    out = results(context(), tickets=tickets(RESOLVED))
    # January: both counts known for A, B, E (C: reopen null, D: reassignment null) = 3;
    # no reassignment and no reopen: A = 1 → 1/3. February: F was reopened → 0/1
    assert rows(out, "quality.first_assignment_resolution") == [
        ("2026-01", pytest.approx(1 / 3), 1.0, 3.0, 3, False), ("2026-02", 0.0, 0.0, 1.0, 1, False)]
    assert values(out, "quality.first_assignment_resolution", {"category": "Access"}) == {"2026-01": 0.0}


def test_resolution_rates_are_provisional_for_the_reopen_window() -> None:
    # January ends 2026-01-31 23:00 UTC; + 14 local days = 2026-02-14 23:00 UTC
    out = results(context(as_of=utc(2026, 2, 14, 22)), tickets=tickets(RESOLVED))
    assert rows(out, "quality.reopen_rate", cols=("month", "provisional")) == [
        ("2026-01", True), ("2026-02", True)]
    out = results(context(as_of=utc(2026, 2, 15)), tickets=tickets(RESOLVED))
    assert rows(out, "quality.reopen_rate", cols=("month", "provisional")) == [
        ("2026-01", False), ("2026-02", True)]


def rep(requester, category, opened, resolved=None, **kw) -> dict:
    return {"requester": requester, "category": category, "opened_at": opened, "resolved_at": resolved, **kw}


REPEATS = [
    rep("u1", "Software", utc(2026, 1, 2, 9), utc(2026, 1, 3, 10)),      # R1: resolved 3 Jan 10:00
    # R2 opened exactly 30 days after R1's resolution: inside the window
    rep("u1", "Software", utc(2026, 2, 2, 10), utc(2026, 2, 2, 11)),     # R2
    # R3 opened at the instant R2 was resolved (not before it); R1 is 30 days + 1 h back
    rep("u1", "Software", utc(2026, 2, 2, 11)),                          # R3
    rep("u1", "Hardware", utc(2026, 2, 5, 9)),                           # R4 other category
    rep("u2", "Software", utc(2026, 2, 5, 9)),                           # R5 other person
    rep(None, "Software", utc(2026, 2, 6, 9)),                           # R6 unknown person
    rep("u1", None, utc(2026, 2, 7, 9)),                                 # R7 unknown category
    rep("u1", "Software", utc(2026, 2, 10, 9)),                          # R8 ← R2
    # R9 resolved before it was opened (bad data): not an earlier ticket of its own
    rep("u3", "Software", utc(2026, 2, 12, 9), utc(2026, 2, 11, 9)),     # R9
    rep("u1", "Software", utc(2026, 2, 20, 9), status="cancelled", priority="P4"),  # R10 ← R2
]


def test_repeat_rate() -> None:
    out = results(context(), tickets=tickets(REPEATS))
    # January: R1 had nothing before → 0/1
    # February, requester and category known: R2 (← R1, exactly 30 days), R3, R4, R5, R8 (← R2),
    # R9, R10 (← R2; cancelled tickets count as contacts) = 7; repeats R2, R8, R10 = 3
    assert rows(out, "quality.repeat_rate") == [
        ("2026-01", 0.0, 0.0, 1.0, 1, False), ("2026-02", pytest.approx(3 / 7), 3.0, 7.0, 7, False)]
    # per category: Software R2 R3 R5 R8 R9 R10 → 3/6; Hardware R4 → 0/1; per priority P4: R10 → 1/1
    assert values(out, "quality.repeat_rate", {"category": "Software"}) == {"2026-01": 0.0, "2026-02": 0.5}
    assert values(out, "quality.repeat_rate", {"category": "Hardware"}) == {"2026-02": 0.0}
    assert values(out, "quality.repeat_rate", {"priority": "P4"}) == {"2026-02": 1.0}


def test_repeat_window_is_configurable_and_the_month_provisional_until_it_ends() -> None:
    # a 31-day window: R3 now sees R1 (30 days + 1 h before) → 4/7
    out = results(context(repeat_window_days=31), tickets=tickets(REPEATS))
    assert values(out, "quality.repeat_rate")["2026-02"] == pytest.approx(4 / 7)
    out = results(context(as_of=utc(2026, 2, 28, 22, 59)), tickets=tickets(REPEATS))
    assert rows(out, "quality.repeat_rate", cols=("month", "provisional")) == [
        ("2026-01", False), ("2026-02", True)]


def test_no_rows_without_data() -> None:
    out = results(context(), tickets=tickets([{"opened_at": utc(2026, 1, 5)}]))
    assert param_sets(out, "quality.reopen_rate") == set()          # nothing resolved
    assert param_sets(out, "quality.repeat_rate") == set()          # no requester, no category
    assert results(context(), tickets=tickets([])).is_empty()
