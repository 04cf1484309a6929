"""Facts go in and come out in bulk, unchanged, on both databases; upserts are idempotent."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, select

from pipelines.ingest import import_frame, validate
from scorecard import facts as F
from scorecard.errors import InvalidInput
from sql import repo
from sql.engine import session_scope
from sql.facts import read_facts
from sql.models import FACT_TABLES, AuditEntry, Provider, Resource, Service

UTC = dt.timezone.utc


def ts(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _tickets(**changes) -> pl.DataFrame:
    rows = {
        "provider": ["Acme", "Acme"],
        "ticket_id": ["INC1", "INC2"],
        "kind": ["incident", None],
        "opened_at": [ts(2026, 1, 5, 9, 0, 0, 123456), ts(2026, 1, 31, 23, 30)],
        "first_response_at": [ts(2026, 1, 5, 9, 10), None],
        "resolved_at": [ts(2026, 1, 6, 10, 0), None],
        "closed_at": [None, None],
        "status": ["resolved", "open"],
        "priority": ["P2", "P4"],
        "category": ["Email", "Access"],
        "channel": ["portal", ""],
        "requester": ["ann@example.com", None],
        "requester_group": ["Finance", None],
        "assignee_group": ["Service Desk", None],
        "reassignment_count": [1, 0],
        "reopen_count": [0, 0],
        "hours_spent": [1.25, None],
    }
    rows.update(changes)
    return pl.DataFrame(rows).cast(F.TICKETS.schema)


@pytest.fixture
def acme(engine):
    with session_scope(engine) as s:
        repo.add_provider(s, "Acme", "it", "Europe/London", actor="test")
        return s.scalar(select(Provider.id).where(Provider.name == "Acme"))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_tickets_round_trip_exactly_and_requesters_are_pseudonymised(engine, acme):
    frame = _tickets()
    with engine.begin() as conn:
        result = import_frame(conn, "Acme", "tickets", frame, source="t.csv", actor="test")
    assert (result.written.new, result.written.updated, result.written.unchanged) == (2, 0, 0)
    back = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    assert back.schema == F.TICKETS.schema
    requester = back["requester"].to_list()
    assert requester[0].startswith("p_") and "ann" not in requester[0] and requester[1] is None
    assert_frame_equal(back.drop("requester"), frame.drop("requester"))
    assert back["channel"].to_list() == ["portal", ""]  # empty text is not null


def test_reimport_changes_nothing_and_newer_export_updates(engine, acme):
    with engine.begin() as conn:
        import_frame(conn, "Acme", "tickets", _tickets(), source="a", actor="test")
    before = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    with engine.begin() as conn:
        again = import_frame(conn, "Acme", "tickets", _tickets(), source="a", actor="test")
    assert (again.written.new, again.written.updated, again.written.unchanged) == (0, 0, 2)
    assert_frame_equal(read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id"), before)
    newer = _tickets(status=["closed", "resolved"], resolved_at=[ts(2026, 1, 6, 10), ts(2026, 2, 2, 8)],
                     closed_at=[ts(2026, 1, 9), None])
    with engine.begin() as conn:
        third = import_frame(conn, "Acme", "tickets", newer, source="b", actor="test")
    assert (third.written.new, third.written.updated, third.written.unchanged) == (0, 2, 0)
    back = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    assert back["status"].to_list() == ["closed", "resolved"]
    assert _count(engine, FACT_TABLES["tickets"]) == 2
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")) == 3


def test_invalid_frame_names_rows_and_columns_and_writes_nothing(engine, acme):
    bad = _tickets(priority=["P9", "P4"], resolved_at=[ts(2026, 1, 1), None])
    with pytest.raises(InvalidInput) as err, engine.begin() as conn:
        import_frame(conn, "Acme", "tickets", bad, source="bad.csv", actor="test")
    text = str(err.value)
    assert "bad.csv: 2 problems in tickets, nothing was imported" in text
    assert "bad.csv, row 1, column 'priority': unknown priority" in text and "'P9'" in text
    assert "row 1, column 'resolved_at': resolved before the ticket was opened" in text
    assert _count(engine, FACT_TABLES["tickets"]) == 0


def test_conflicting_duplicate_keys_are_refused_identical_ones_merged():
    dup = pl.concat([_tickets(), _tickets().head(1)])
    assert validate(dup, F.TICKETS, source="x").height == 2
    conflict = pl.concat([_tickets(), _tickets(status=["closed", "open"]).head(1)])
    with pytest.raises(InvalidInput, match="same key appears more than once"):
        validate(conflict, F.TICKETS, source="x")


def test_every_fact_round_trips(engine, acme):
    d = dt.date
    frames = {
        "outages": pl.DataFrame({"provider": ["Acme"], "service": ["Email"], "started_at": [ts(2026, 3, 1, 10)],
                                 "ended_at": [ts(2026, 3, 1, 11, 30)], "planned": [False], "impact": [0.5]}),
        "probes": pl.DataFrame({"provider": ["Acme"] * 2, "service": ["VPN"] * 2,
                                "at": [ts(2026, 3, 1), ts(2026, 3, 1, 0, 5)], "up": [True, False]}),
        "capacity": pl.DataFrame({"provider": ["Acme"], "resource": ["SAN-01"], "at": [ts(2026, 3, 1)],
                                  "used": [80.5], "capacity": [100.0], "unit": ["TB"]}),
        "spend": pl.DataFrame({"provider": ["Acme"], "month": ["2026-03"], "amount": [1000.0], "budget": [1200.0],
                               "hours": [40.0], "currency": ["GBP"]}),
        "projects": pl.DataFrame({"provider": ["Acme"], "project": ["ERP"], "as_of": [d(2026, 3, 31)],
                                  "baseline_end": [d(2026, 6, 30)], "forecast_end": [d(2026, 8, 31)],
                                  "pct_complete": [40.0], "baseline_cost": [1e5], "forecast_cost": [1.2e5]}),
        "checks": pl.DataFrame({"provider": ["Acme"] * 2, "check_type": ["backup"] * 2, "subject": ["job-1", None],
                                "at": [ts(2026, 3, 1, 2)] * 2, "passed": [True, False]}),
    }
    for name, frame in frames.items():
        fact = F.fact(name)
        frame = frame.cast(fact.schema)
        with engine.begin() as conn:
            import_frame(conn, "Acme", name, frame, source=name, actor="test")
        back = read_facts(engine, fact, (acme, "Acme"))
        expected = frame.with_columns(pl.col("subject").fill_null("")) if name == "checks" else frame
        assert_frame_equal(back.sort(back.columns[1:3]), expected.sort(expected.columns[1:3]), check_row_order=False)
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Service.name))) == ["Email", "VPN"]
        assert s.execute(select(Resource.name, Resource.unit)).all() == [("SAN-01", "TB")]


def test_bad_outage_and_spend_rows_are_refused(engine, acme):
    outage = pl.DataFrame({"provider": ["Acme"], "service": ["Email"], "started_at": [ts(2026, 3, 1, 10)],
                           "ended_at": [ts(2026, 3, 1, 9)], "planned": [False], "impact": [1.5]}).cast(F.OUTAGES.schema)
    with pytest.raises(InvalidInput, match="ends before it starts") as err, engine.begin() as conn:
        import_frame(conn, "Acme", "outages", outage, source="o", actor="t")
    assert "impact must be in (0, 1]" in str(err.value)
    spend = pl.DataFrame({"provider": ["Acme"], "month": ["2026-13"], "amount": [1.0], "budget": [None],
                          "hours": [None], "currency": [None]}).cast(F.SPEND.schema)
    with pytest.raises(InvalidInput, match="not a month"), engine.begin() as conn:
        import_frame(conn, "Acme", "spend", spend, source="s", actor="t")


def test_one_import_counts_new_updated_and_unchanged_rows(engine, acme):
    three = _tickets(ticket_id=["INC1", "INC2"]).vstack(_tickets(ticket_id=["INC3", "INC4"]).head(1))
    with engine.begin() as conn:
        import_frame(conn, "Acme", "tickets", three, source="a", actor="test")
    newer = pl.concat([
        three.filter(pl.col("ticket_id") == "INC1"),  # unchanged
        three.filter(pl.col("ticket_id") == "INC2").with_columns(pl.lit("closed").alias("status"),
                                                                 pl.lit(ts(2026, 2, 1)).alias("closed_at")),
        three.filter(pl.col("ticket_id") == "INC3").with_columns(pl.lit(None, pl.String).alias("category")),
        _tickets(ticket_id=["INC9", "INC2"]).head(1),  # new
    ])
    with engine.begin() as conn:
        result = import_frame(conn, "Acme", "tickets", newer, source="b", actor="test")
    assert (result.written.new, result.written.updated, result.written.unchanged) == (1, 2, 1)
    back = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    assert back["ticket_id"].to_list() == ["INC1", "INC2", "INC3", "INC9"]
    assert back["status"].to_list() == ["resolved", "closed", "resolved", "resolved"]
    assert back["category"].to_list() == ["Email", "Access", None, "Email"]


def test_awkward_values_round_trip_exactly_through_both_write_paths(engine, acme):
    """Instants before 1970 and 2000 (the epochs of SQLite's and PostgreSQL's encodings), the
    largest 32-bit count, floats that need 17 digits, text that CSV and COPY have to escape."""
    frame = _tickets(
        ticket_id=["A,\"1\"\n", "Ünïcødé\t\\N"],
        opened_at=[dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), ts(1999, 12, 31, 23, 59, 59, 999999)],
        first_response_at=[ts(2000, 1, 1), ts(2200, 6, 30, 12, 0, 0, 1)],
        reassignment_count=[2**31 - 1, 0],
        hours_spent=[1 / 3, 1e-300],
        category=["", "\\."],
    )
    with engine.begin() as conn:
        first = import_frame(conn, "Acme", "tickets", frame, source="a", actor="test")  # straight into the table
    back = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    assert first.written.new == 2
    assert_frame_equal(back.drop("requester"), frame.sort("ticket_id").drop("requester"))
    changed = frame.with_columns(pl.col("hours_spent") * 3, pl.lit("x\r\ny").alias("channel"))
    with engine.begin() as conn:
        again = import_frame(conn, "Acme", "tickets", changed, source="b", actor="test")  # through the staging table
    assert (again.written.new, again.written.updated) == (0, 2)
    back = read_facts(engine, F.TICKETS, (acme, "Acme")).sort("ticket_id")
    assert_frame_equal(back.drop("requester"), changed.sort("ticket_id").drop("requester"))


def test_rows_in_any_order_are_stored_and_read_back_the_same(engine, acme):
    frame = pl.concat([_tickets(ticket_id=[f"INC{i}", f"INC{i + 50}"],
                                opened_at=[ts(2025, 11, 1 + i % 28, i % 24), ts(2025, 12, 1 + i % 28)])
                       for i in range(50)]).sample(fraction=1.0, shuffle=True, seed=3)
    with engine.begin() as conn:
        import_frame(conn, "Acme", "tickets", frame, source="a", actor="test")
    back = read_facts(engine, F.TICKETS, (acme, "Acme"))
    assert_frame_equal(back.drop("requester").sort("ticket_id"), frame.drop("requester").sort("ticket_id"))
