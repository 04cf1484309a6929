"""tickets.opened / resolved / backlog / backlog_aged on a handful of tickets.

Berlin months (UTC+1 in winter): January 2026 is [2025-12-31 23:00, 2026-01-31 23:00) UTC,
February [2026-01-31 23:00, 2026-02-28 23:00) UTC.
"""

from __future__ import annotations

import polars as pl

from pipelines.measures import compute_all

from .measures_helpers import context, param_sets, results, rows, tickets, utc, values, with_as_of

MONTHS = ("2025-11", "2026-01", "2026-02")

TICKETS = [
    # T0: a P1 network ticket opened and resolved in January
    {"priority": "P1", "category": "Network", "opened_at": utc(2026, 1, 10, 10), "resolved_at": utc(2026, 1, 12, 10)},
    # T1: opened 23:30 Berlin on 31 January, resolved 00:30 Berlin on 1 February
    {"category": "Software", "opened_at": utc(2026, 1, 31, 22, 30), "resolved_at": utc(2026, 1, 31, 23, 30)},
    # T2: opened 00:30 Berlin on 1 January (still December in UTC), never resolved, no category
    {"priority": "P2", "opened_at": utc(2025, 12, 31, 23, 30)},
    # T3: opened in December (not a month computed), resolved in February
    {"category": "Software", "opened_at": utc(2025, 12, 15, 9), "resolved_at": utc(2026, 2, 10, 10)},
    # T4: cancelled: opened, never resolved, in no backlog
    {"category": "Software", "status": "cancelled", "opened_at": utc(2026, 1, 5, 9)},
    # T5: resolved after as_of (2026-06-01): not resolved yet
    {"category": "Hardware", "opened_at": utc(2026, 2, 20, 9), "resolved_at": utc(2026, 7, 1, 9), "status": "closed"},
    # T6: opened after as_of: left out everywhere (its P4 appears nowhere)
    {"priority": "P4", "category": "Email", "opened_at": utc(2026, 7, 2, 9)},
]


def test_counts_for_the_whole_provider() -> None:
    out = results(context(MONTHS), tickets=tickets(TICKETS))
    # opened: Jan T0 T1 T2 T4 = 4 (T2 is January in Berlin), Feb T5 = 1, Nov none = 0
    assert rows(out, "tickets.opened") == [
        ("2025-11", 0.0, None, None, 0, False), ("2026-01", 4.0, None, None, 4, False),
        ("2026-02", 1.0, None, None, 1, False)]
    # resolved: Jan T0; Feb T1 (00:30 Berlin) and T3; T5's resolution is after as_of
    assert values(out, "tickets.resolved") == {"2025-11": 0.0, "2026-01": 1.0, "2026-02": 2.0}
    # backlog at the end of January (2026-01-31 23:00 UTC): T1 (resolved 30 min later),
    # T2 (open), T3 (resolved in February) = 3; T0 resolved, T4 cancelled, T5 not yet opened.
    # End of February: T2 and T5 (resolution after as_of) = 2. November: nothing opened yet.
    assert values(out, "tickets.backlog") == {"2025-11": 0.0, "2026-01": 3.0, "2026-02": 2.0}
    # aged (opened before month end − 30 days): January: end − 30 d = 2026-01-01 23:00 UTC:
    # T2 (2025-12-31 23:30) and T3 = 2; February: 2026-01-29 23:00: T2 only = 1
    assert values(out, "tickets.backlog_aged") == {"2025-11": 0.0, "2026-01": 2.0, "2026-02": 1.0}


def test_counts_per_priority_and_category_are_zero_filled() -> None:
    out = results(context(MONTHS), tickets=tickets(TICKETS))
    # every priority and category met among the tickets, none for a null category or P4 (T6)
    assert param_sets(out, "tickets.opened") == {
        "{}", '{"priority":"P1"}', '{"priority":"P2"}', '{"priority":"P3"}',
        '{"category":"Hardware"}', '{"category":"Network"}', '{"category":"Software"}'}
    assert values(out, "tickets.opened", {"priority": "P3"}) == {"2025-11": 0, "2026-01": 2, "2026-02": 1}
    assert values(out, "tickets.opened", {"category": "Software"}) == {"2025-11": 0, "2026-01": 2, "2026-02": 0}
    assert values(out, "tickets.backlog", {"priority": "P2"}) == {"2025-11": 0, "2026-01": 1, "2026-02": 1}
    assert values(out, "tickets.backlog", {"category": "Software"}) == {"2025-11": 0, "2026-01": 2, "2026-02": 0}
    assert values(out, "tickets.resolved", {"category": "Network"}) == {"2025-11": 0, "2026-01": 1, "2026-02": 0}
    assert values(out, "tickets.backlog_aged", {"priority": "P3"}) == {"2025-11": 0, "2026-01": 1, "2026-02": 0}


def test_provisional_until_month_end_or_the_reopen_window_has_passed() -> None:
    # as of 2026-02-10 12:00 UTC: T3 (resolved 10:00) is resolved, T5 not yet opened
    ctx = context(("2026-01", "2026-02"), as_of=utc(2026, 2, 10, 12))
    out = results(ctx, tickets=tickets(TICKETS))
    assert rows(out, "tickets.opened", cols=("month", "value", "provisional")) == [
        ("2026-01", 4.0, False), ("2026-02", 0.0, True)]
    # January's resolutions stay provisional until 14 local days after its end:
    # 2026-02-15 00:00 Berlin = 2026-02-14 23:00 UTC
    assert rows(out, "tickets.resolved", cols=("month", "value", "provisional")) == [
        ("2026-01", 1.0, True), ("2026-02", 2.0, True)]
    assert rows(out, "tickets.backlog", cols=("month", "value", "provisional")) == [
        ("2026-01", 3.0, False), ("2026-02", 1.0, True)]  # now: T2 only
    later = results(with_as_of(ctx, utc(2026, 2, 14, 23, 0, 1)), tickets=tickets(TICKETS))
    assert rows(later, "tickets.resolved", cols=("month", "provisional")) == [
        ("2026-01", False), ("2026-02", True)]
    exactly = results(with_as_of(ctx, utc(2026, 2, 14, 23)), tickets=tickets(TICKETS))
    assert rows(exactly, "tickets.resolved", cols=("month", "provisional"))[0] == ("2026-01", True)


def test_no_tickets_no_rows() -> None:
    ctx = context(MONTHS)
    assert results(ctx, tickets=tickets([])).is_empty()
    assert compute_all(ctx, {}).collect().is_empty()
    # another provider's tickets are not this provider's
    other = tickets(TICKETS).with_columns(pl.lit("someone else").alias("provider"))
    assert results(ctx, tickets=other).is_empty()


def test_only_the_months_asked_for() -> None:
    out = results(context(("2026-02",)), tickets=tickets(TICKETS))
    assert set(out["month"]) == {"2026-02"}
    assert values(out, "tickets.backlog") == {"2026-02": 2.0}  # earlier months still count


def test_optional_columns_may_be_missing() -> None:
    lf = tickets(TICKETS).drop("category", "requester", "reopen_count", "reassignment_count", "hours_spent")
    out = results(context(MONTHS), tickets=lf)
    assert values(out, "tickets.opened")["2026-01"] == 4.0
    assert param_sets(out, "tickets.opened") == {"{}", '{"priority":"P1"}', '{"priority":"P2"}', '{"priority":"P3"}'}
    # what needs the missing columns has no data, not a guess
    for m in ("quality.reopen_rate", "quality.first_assignment_resolution", "quality.repeat_rate",
              "demand.duplicate_share", "demand.how_to_share"):
        assert out.filter(pl.col("measure") == m).is_empty(), m
