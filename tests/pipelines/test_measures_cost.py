"""effort.hours, cost.spend, cost.budget_burn and cost.per_ticket."""

from __future__ import annotations

import pytest

from scorecard import facts as F

from .measures_helpers import context, frame, param_sets, results, rows, tickets, utc, values

MONTHS = ("2025-03", "2025-04", "2025-05", "2025-06", "2025-07")
SPEND = [
    {"month": "2025-02", "amount": 80.0, "budget": 100.0, "hours": 8.0},   # before the months asked for
    {"month": "2025-03", "amount": 90.0, "budget": 100.0, "hours": 10.0},
    {"month": "2025-04", "amount": 110.0, "budget": 100.0, "hours": None},
    {"month": "2025-05", "amount": 50.0, "budget": 100.0, "hours": 5.0},
    {"month": "2025-06", "amount": 100.0, "budget": None, "hours": 6.0},
    {"month": "2025-07", "amount": 100.0, "budget": 100.0, "hours": 7.0},
]


def spend(rows_: list[dict]) -> object:
    return frame(F.SPEND, [{"currency": "EUR", **r} for r in rows_])


def test_hours_and_spend() -> None:
    out = results(context(MONTHS, as_of=utc(2025, 7, 15)), spend=spend(SPEND))
    # 2025-04 has no hours: no row, not a zero
    assert rows(out, "effort.hours") == [
        ("2025-03", 10.0, None, None, 1, False), ("2025-05", 5.0, None, None, 1, False),
        ("2025-06", 6.0, None, None, 1, False), ("2025-07", 7.0, None, None, 1, True)]
    assert values(out, "cost.spend") == {"2025-03": 90.0, "2025-04": 110.0, "2025-05": 50.0,
                                         "2025-06": 100.0, "2025-07": 100.0}


def test_budget_burn_year_to_date_from_april() -> None:
    out = results(context(MONTHS, as_of=utc(2025, 7, 15), budget_year_start=4), spend=spend(SPEND))
    # 2025-03 closes the year that began 2024-04 (only Feb and March have rows): (80 + 90) / 200
    # 2025-04 starts a new year: 110 / 100; 2025-05: (110 + 50) / 200 = 0.8
    # 2025-06 has no budget, so neither it nor 2025-07 has a year-to-date budget: no rows
    assert rows(out, "cost.budget_burn") == [
        ("2025-03", 0.85, 170.0, 200.0, 2, False), ("2025-04", 1.1, 110.0, 100.0, 1, False),
        ("2025-05", 0.8, 160.0, 200.0, 2, False)]


def test_budget_burn_calendar_year() -> None:
    full = [r for r in SPEND if r["month"] != "2025-06"]
    out = results(context(MONTHS, as_of=utc(2025, 8, 1)), spend=spend(full))
    # January start: 2025-05 = (80 + 90 + 110 + 50) / 400; 2025-07 = (… + 100) / 500
    assert values(out, "cost.budget_burn") == {
        "2025-03": 0.85, "2025-04": pytest.approx(280 / 300), "2025-05": pytest.approx(330 / 400),
        "2025-07": pytest.approx(430 / 500)}


def test_cost_per_ticket() -> None:
    resolved = tickets([
        {"opened_at": utc(2025, 3, 1), "resolved_at": utc(2025, 3, 2)},
        {"opened_at": utc(2025, 3, 1), "resolved_at": utc(2025, 3, 31, 21, 59)},  # 23:59 Berlin (CEST)
        {"opened_at": utc(2025, 5, 1), "resolved_at": utc(2025, 5, 2)},
        {"opened_at": utc(2025, 6, 1), "resolved_at": utc(2025, 6, 20)},
        {"opened_at": utc(2025, 7, 1), "resolved_at": utc(2025, 7, 2)},
    ])
    out = results(context(MONTHS, as_of=utc(2025, 7, 15)), spend=spend(SPEND), tickets=resolved)
    # 90 / 2 = 45; April: spend but nothing resolved → a row without a value; 50 / 1; 100 / 1;
    # July is running (and June resolutions are final only after 2025-07-14 22:00 UTC)
    assert rows(out, "cost.per_ticket") == [
        ("2025-03", 45.0, 90.0, 2.0, 2, False), ("2025-04", None, 110.0, 0.0, 0, False),
        ("2025-05", 50.0, 50.0, 1.0, 1, False), ("2025-06", 100.0, 100.0, 1.0, 1, False),
        ("2025-07", 100.0, 100.0, 1.0, 1, True)]
    out = results(context(MONTHS, as_of=utc(2025, 7, 14, 21)), spend=spend(SPEND), tickets=resolved)
    assert rows(out, "cost.per_ticket", cols=("month", "provisional"))[3] == ("2025-06", True)


def test_no_spend_no_rows() -> None:
    out = results(context(MONTHS), spend=spend([]), tickets=tickets([{"opened_at": utc(2025, 3, 1)}]))
    assert not any(m.startswith(("cost.", "effort.")) for m in out["measure"])
    out = results(context(MONTHS), spend=spend(SPEND))
    assert param_sets(out, "cost.per_ticket") == set()  # without tickets
