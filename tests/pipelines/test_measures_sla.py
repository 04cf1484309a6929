"""sla.response_met / sla.resolution_met and time.first_response / time.resolution.

Office calendar: Europe/Berlin, Monday–Friday 09:00–17:00 (08:00–16:00 UTC in winter).
2026-01-05 is a Monday, 2026-01-30 a Friday. P1 runs 24×7 (15 min / 4 h); everything else
on the office calendar (4 h / 3 business days = 24 business hours).
"""

from __future__ import annotations

import numpy as np
import pytest

from scorecard.calendars import calendars_from_dict
from scorecard.sla import SlaPolicySet

from .measures_helpers import context, param_sets, results, rows, tickets, utc, values

CALENDARS = calendars_from_dict({"office": {"timezone": "Europe/Berlin", "hours": ["09:00", "17:00"]}})
POLICIES = SlaPolicySet.from_dict({
    "p1": {"priorities": ["P1"], "response": "15m", "resolution": "4h", "calendar": "24x7"},
    "default": {"response": "4h", "resolution": "3d", "calendar": "office"},
})

TICKETS = [
    # S1 P1: responded after 10 min (met), resolved after 3 h (met)
    {"priority": "P1", "category": "Network", "opened_at": utc(2026, 1, 5, 10),
     "first_response_at": utc(2026, 1, 5, 10, 10), "resolved_at": utc(2026, 1, 5, 13)},
    # S2 P1: 30 min (breached), 5 h (breached)
    {"priority": "P1", "category": "Network", "opened_at": utc(2026, 1, 5, 10),
     "first_response_at": utc(2026, 1, 5, 10, 30), "resolved_at": utc(2026, 1, 5, 15)},
    # S3 P3 opened Monday 09:00 Berlin: responded 11:00 (2 business h, met); resolved Wednesday
    # 11:00 Berlin: 8 + 8 + 2 = 18 business h (met)
    {"category": "Email", "opened_at": utc(2026, 1, 5, 8), "first_response_at": utc(2026, 1, 5, 10),
     "resolved_at": utc(2026, 1, 7, 10)},
    # S4 P3 opened Friday 16:00 Berlin, never answered: response due Monday 2 Feb 12:00 Berlin
    # (1 h + 3 h), resolution Wednesday 4 Feb 16:00 (1 + 8 + 8 + 7 h): breached in February
    {"category": "Email", "opened_at": utc(2026, 1, 30, 15)},
    # S5 P3: no response recorded; resolved after 1 business hour, which answers it too
    {"category": "Email", "opened_at": utc(2026, 1, 20, 8), "resolved_at": utc(2026, 1, 20, 9)},
    # S6 cancelled: no outcome
    {"category": "Email", "status": "cancelled", "opened_at": utc(2026, 1, 6, 8)},
]


def ctx(**kw):
    return context(("2026-01", "2026-02"), calendars=CALENDARS, policies=POLICIES, **kw)


def test_attainment() -> None:
    out = results(ctx(as_of=utc(2026, 3, 1)), tickets=tickets(TICKETS))
    # January, response: S1 met, S2 breached, S3 met, S5 met → 3/4; February: S4 breached and
    # still running → 0/1, provisional (if it is answered later it moves to that month)
    assert rows(out, "sla.response_met") == [
        ("2026-01", 0.75, 3.0, 4.0, 4, False), ("2026-02", 0.0, 0.0, 1.0, 1, True)]
    assert rows(out, "sla.resolution_met") == [
        ("2026-01", 0.75, 3.0, 4.0, 4, False), ("2026-02", 0.0, 0.0, 1.0, 1, True)]
    assert values(out, "sla.response_met", {"priority": "P1"}) == {"2026-01": 0.5}
    assert values(out, "sla.response_met", {"priority": "P3"}) == {"2026-01": 1.0, "2026-02": 0.0}
    assert values(out, "sla.resolution_met", {"category": "Email"}) == {"2026-01": 1.0, "2026-02": 0.0}
    assert values(out, "sla.resolution_met", {"category": "Network"}) == {"2026-01": 0.5}


def test_times_are_linear_quantiles_of_business_hours() -> None:
    out = results(ctx(as_of=utc(2026, 3, 1)), tickets=tickets(TICKETS))
    # first response, January: S1 1/6 h, S2 0.5 h, S3 2 h, S5 1 h → sorted 1/6, .5, 1, 2
    # median: h = 3 × .5 = 1.5 → .5 + .5 × (1 − .5) = .75; p90: h = 2.7 → 1 + .7 × (2 − 1) = 1.7
    assert values(out, "time.first_response", {"stat": "median"}) == {"2026-01": pytest.approx(0.75)}
    assert values(out, "time.first_response", {"stat": "p90"}) == {"2026-01": pytest.approx(1.7)}
    # resolution: 3, 5, 18, 1 → sorted 1, 3, 5, 18: median 4; p90 = 5 + .7 × 13 = 14.1
    assert rows(out, "time.resolution", {"stat": "median"}) == [("2026-01", 4.0, None, None, 4, False)]
    assert values(out, "time.resolution", {"stat": "p90"}) == {"2026-01": pytest.approx(14.1)}
    assert np.quantile([1, 3, 5, 18], 0.9) == pytest.approx(14.1)  # numpy's default is the same
    # P1 alone: 1/6 and 1/2 → median 1/3, p90 = 1/6 + .9 × 1/3 = .4667 (24×7 hours)
    assert values(out, "time.first_response", {"priority": "P1", "stat": "median"}) == {
        "2026-01": pytest.approx(1 / 3)}
    assert values(out, "time.first_response", {"priority": "P1", "stat": "p90"}) == {
        "2026-01": pytest.approx(1 / 6 + 0.3)}
    assert '{"category":"Email","stat":"p90"}' in param_sets(out, "time.resolution")
    # a clock breached while running has no time: no February rows
    assert "2026-02" not in values(out, "time.resolution", {"stat": "median"})


def test_provisional() -> None:
    # 3 February: January is over (response final) but inside its reopen window (resolution
    # provisional); S4's response deadline (2 Feb) has passed, its resolution's (4 Feb) not yet
    out = results(ctx(as_of=utc(2026, 2, 3)), tickets=tickets(TICKETS))
    assert rows(out, "sla.response_met", cols=("month", "n", "provisional")) == [
        ("2026-01", 4, False), ("2026-02", 1, True)]
    assert rows(out, "sla.resolution_met", cols=("month", "n", "provisional")) == [("2026-01", 4, True)]
    assert rows(out, "time.first_response", {"stat": "median"}, ("month", "provisional")) == [("2026-01", False)]
    assert rows(out, "time.resolution", {"stat": "median"}, ("month", "provisional")) == [("2026-01", True)]


def test_a_running_breach_keeps_its_month_provisional() -> None:
    # opened 31 January, P1, never answered: both clocks breached in January and still running
    late = {"priority": "P1", "category": "Network", "opened_at": utc(2026, 1, 31, 10)}
    out = results(ctx(as_of=utc(2026, 6, 1)), tickets=tickets([*TICKETS, late]))
    assert rows(out, "sla.response_met", cols=("month", "value", "n", "provisional")) == [
        ("2026-01", 0.6, 5, True), ("2026-02", 0.0, 1, True)]
    # per priority only P1's January row is affected; P3's is final
    assert rows(out, "sla.response_met", {"priority": "P3"}, ("month", "provisional")) == [
        ("2026-01", False), ("2026-02", True)]
    assert rows(out, "sla.response_met", {"priority": "P1"}, ("month", "provisional")) == [("2026-01", True)]


def test_no_policies_no_sla_or_time() -> None:
    out = results(context(("2026-01",)), tickets=tickets(TICKETS))
    assert not any(m.startswith(("sla.", "time.")) for m in out["measure"])
    assert results(ctx(), tickets=tickets([])).is_empty()
