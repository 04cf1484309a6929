"""governance.actions_on_time (the frame of pipelines.measures.governance)."""

from __future__ import annotations

from datetime import date

from pipelines.measures.governance import ACTIONS

from .measures_helpers import context, frame, results, rows, utc

ACTION_ROWS = [
    {"action_id": "A1", "due_on": date(2026, 1, 10), "closed_on": date(2026, 1, 9)},    # early
    {"action_id": "A2", "due_on": date(2026, 1, 15), "closed_on": date(2026, 1, 15)},   # on the day
    {"action_id": "A3", "due_on": date(2026, 1, 20), "closed_on": date(2026, 1, 25)},   # late
    {"action_id": "A4", "due_on": date(2026, 1, 31), "closed_on": None},                # open, overdue
    {"action_id": "A5", "due_on": date(2026, 2, 20), "closed_on": date(2026, 2, 18)},   # closed after as_of
]


def test_actions_closed_by_their_due_date() -> None:
    # as of 10 February (Berlin): January 2 of 4; February: A5 not closed yet → 0/1, provisional
    out = results(context(as_of=utc(2026, 2, 10, 12)), actions=frame(ACTIONS, ACTION_ROWS))
    assert rows(out, "governance.actions_on_time") == [
        ("2026-01", 0.5, 2.0, 4.0, 4, False), ("2026-02", 0.0, 0.0, 1.0, 1, True)]
    later = results(context(as_of=utc(2026, 3, 1)), actions=frame(ACTIONS, ACTION_ROWS))
    assert rows(later, "governance.actions_on_time")[1] == ("2026-02", 1.0, 1.0, 1.0, 1, False)


def test_no_actions_no_rows() -> None:
    assert results(context(), actions=frame(ACTIONS, [])).is_empty()
