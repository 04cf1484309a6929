"""projects.on_schedule and projects.cost_variance."""

from __future__ import annotations

from datetime import date

import pytest

from scorecard import facts as F

from .measures_helpers import context, frame, results, rows, utc


def snap(project, as_of, forecast_end, pct=50.0, base=None, forecast=None, baseline_end=date(2026, 6, 30)):
    return {"project": project, "as_of": as_of, "baseline_end": baseline_end, "forecast_end": forecast_end,
            "pct_complete": pct, "baseline_cost": base, "forecast_cost": forecast}


SNAPSHOTS = [
    snap("A", date(2026, 1, 10), date(2026, 6, 30), 20.0, 100.0, 110.0),   # superseded in January
    snap("A", date(2026, 1, 31), date(2026, 8, 15), 30.0, 100.0, 120.0),   # 46 days late
    snap("B", date(2026, 1, 20), date(2026, 9, 1), 100.0, 80.0, 200.0),    # done: not active
    snap("C", date(2026, 1, 15), None, 10.0, 200.0, 190.0),                # no forecast end
    snap("D", date(2026, 1, 25), date(2026, 7, 30), None, None, 50.0),     # exactly 30 days late
    snap("E", date(2026, 2, 5), date(2026, 6, 1), 60.0, 50.0, 50.0),
    snap("F", date(2026, 3, 5), date(2027, 1, 1), 5.0, 10.0, 20.0),        # after as_of
]


def test_on_schedule_and_cost_variance() -> None:
    out = results(context(("2026-01", "2026-02", "2026-03"), as_of=utc(2026, 3, 1, 12)),
                  projects=frame(F.PROJECTS, SNAPSHOTS))
    # January, latest snapshots of active projects: A (31 Jan, late), C (no forecast: not
    # judged), D (forecast = baseline + 30 days: within tolerance; null % is active) → 1/2
    # February: E on time → 1/1. March: F's snapshot is after as_of → no rows
    got = rows(out, "projects.on_schedule", cols=("month", "value", "numerator", "denominator", "n", "provisional"))
    assert got == [("2026-01", 0.5, 1.0, 2.0, 2, False), ("2026-02", 1.0, 1.0, 1.0, 1, False)]
    # cost variance: A +20 on 100, C −10 on 200 (D has no baseline cost) → 10 / 300
    assert rows(out, "projects.cost_variance") == [
        ("2026-01", pytest.approx(1 / 30), 10.0, 300.0, 2, False), ("2026-02", 0.0, 0.0, 50.0, 1, False)]


def test_tolerance_and_provisional() -> None:
    out = results(context(("2026-01",), as_of=utc(2026, 1, 31, 12), project_tolerance_days=50),
                  projects=frame(F.PROJECTS, SNAPSHOTS))
    # with 50 days A (46 late) is on schedule too → 2/2; January is not over
    assert rows(out, "projects.on_schedule", cols=("month", "value", "provisional")) == [("2026-01", 1.0, True)]


def test_no_snapshots_no_rows() -> None:
    assert results(context(), projects=frame(F.PROJECTS, [])).is_empty()
