"""demand.duplicate_share and demand.how_to_share."""

from __future__ import annotations

import pytest

from .measures_helpers import context, param_sets, results, rows, tickets, utc, values

TICKETS = [
    {"category": "Duplicate", "opened_at": utc(2026, 1, 5, 9)},                                 # D1
    {"category": "Dupe", "priority": "P4", "status": "cancelled", "opened_at": utc(2026, 1, 6, 9)},  # D2
    {"category": "How-to", "opened_at": utc(2026, 1, 7, 9)},                                    # D3
    {"category": "Software", "opened_at": utc(2026, 1, 8, 9)},                                  # D4
    {"category": None, "priority": "P2", "opened_at": utc(2026, 1, 9, 9)},                      # D5
    {"category": "How-to", "priority": "P2", "opened_at": utc(2026, 1, 31, 23, 30)},            # D6: Feb in Berlin
    {"category": "how-to", "opened_at": utc(2026, 2, 10, 9)},                                   # D7: names are exact
]


def test_shares_of_opened_tickets_by_the_category_mapping() -> None:
    ctx = context(duplicate_categories=frozenset({"Duplicate", "Dupe"}))
    out = results(ctx, tickets=tickets(TICKETS))
    # January, category known: D1 D2 D3 D4 = 4 (D5 has none); duplicates D1, D2 (cancelled
    # ones count: a duplicate is often cancelled) → 2/4; how-to D3 → 1/4
    # February: D6 and D7 known; how-to D6 only ("how-to" is not "How-to") → 1/2, duplicates 0/2
    assert rows(out, "demand.duplicate_share") == [
        ("2026-01", 0.5, 2.0, 4.0, 4, False), ("2026-02", 0.0, 0.0, 2.0, 2, False)]
    assert rows(out, "demand.how_to_share") == [
        ("2026-01", 0.25, 1.0, 4.0, 4, False), ("2026-02", 0.5, 1.0, 2.0, 2, False)]
    # per priority (no per-category variant): P3 January D1 D3 D4 → 1/3 each; P4: D2 → 1/1;
    # P2: January only D5 (unknown category): no row; February D6 → how-to 1/1
    assert param_sets(out, "demand.how_to_share") == {
        "{}", '{"priority":"P2"}', '{"priority":"P3"}', '{"priority":"P4"}'}
    assert values(out, "demand.duplicate_share", {"priority": "P3"}) == {
        "2026-01": pytest.approx(1 / 3), "2026-02": 0.0}
    assert values(out, "demand.duplicate_share", {"priority": "P4"}) == {"2026-01": 1.0}
    assert values(out, "demand.how_to_share", {"priority": "P2"}) == {"2026-02": 1.0}


def test_default_mapping_and_provisional() -> None:
    out = results(context(as_of=utc(2026, 2, 15)), tickets=tickets(TICKETS))
    # default mapping: Duplicate / How-to only, so D2 ("Dupe") is not a duplicate
    assert rows(out, "demand.duplicate_share", cols=("month", "value", "provisional")) == [
        ("2026-01", 0.25, False), ("2026-02", 0.0, True)]


def test_no_rows_without_categories() -> None:
    out = results(context(), tickets=tickets([{"opened_at": utc(2026, 1, 5)}]))
    assert param_sets(out, "demand.duplicate_share") == set()
    assert results(context(), tickets=tickets([])).is_empty()
