"""PostgreSQL's bulk write: binary COPY, the provider checked once, the import transaction's settings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import polars as pl
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from pipelines.ingest import import_frame
from scorecard import facts as F
from sql import pg_copy, repo
from sql.engine import make_engine, parse_url, session_scope
from sql.facts import _may_skip_row_checks, read_facts
from sql.models import Provider
from tests.conftest import _fresh_pg

UTC = dt.timezone.utc


def _tickets(ids: list[str], status: str = "open") -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame({
        "provider": ["Acme"] * n, "ticket_id": ids, "kind": ["incident"] * n,
        "opened_at": [dt.datetime(2026, 1, 5, 9, i, tzinfo=UTC) for i in range(n)],
        "first_response_at": [None] * n, "resolved_at": [None] * n, "closed_at": [None] * n,
        "status": [status] * n, "priority": ["P3"] * n, "category": ["Email"] * n, "channel": [None] * n,
        "requester": [None] * n, "requester_group": [None] * n, "assignee_group": [None] * n,
        "reassignment_count": [0] * n, "reopen_count": [0] * n, "hours_spent": [None] * n,
    }).cast(F.TICKETS.schema)


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    yield from _fresh_pg(pg_server, migrated=True)


@pytest.fixture
def pg(pg_url):
    engine = make_engine(pg_url)
    with session_scope(engine) as s:
        repo.add_provider(s, "Acme", "it", "UTC", actor="test")
        pid = s.scalar(select(Provider.id).where(Provider.name == "Acme"))
    yield engine, pid
    engine.dispose()


@pytest.fixture
def plain_role(pg, pg_url) -> Iterator[object]:
    """An engine connected as a role that owns nothing and is no superuser, like a production one."""
    engine, _ = pg
    role = f"steerco_t_role_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    plain = create_engine(parse_url(pg_url), connect_args={"options": f"-c role={role}"})
    yield plain
    plain.dispose()
    with engine.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.mark.postgres
def test_a_plain_role_imports_with_the_foreign_key_checked_on_every_row(pg, plain_role):
    engine, pid = pg
    with plain_role.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one().startswith("steerco_t_role_")
        assert not _may_skip_row_checks(conn, "tickets")
    with plain_role.begin() as conn:
        first = import_frame(conn, "Acme", "tickets", _tickets(["T1", "T2"]), source="a", actor="test")
    with plain_role.begin() as conn:
        again = import_frame(conn, "Acme", "tickets", _tickets(["T2", "T3"], status="resolved"), source="b",
                             actor="test")
    assert (first.written.new, again.written.new, again.written.updated) == (2, 1, 1)
    back = read_facts(engine, F.TICKETS, (pid, "Acme")).sort("ticket_id")
    assert back.select("ticket_id", "status").rows() == [("T1", "open"), ("T2", "resolved"), ("T3", "resolved")]


@pytest.mark.postgres
def test_a_superuser_skips_the_per_row_check_only_for_the_bulk_statements(pg):
    engine, pid = pg
    with engine.connect() as conn:
        assert _may_skip_row_checks(conn, "tickets")
        conn.rollback()
        with conn.begin():
            import_frame(conn, "Acme", "tickets", _tickets(["T1"]), source="a", actor="test")
            import_frame(conn, "Acme", "tickets", _tickets(["T1", "T2"], status="closed"), source="b", actor="test")
            assert conn.execute(text("SELECT current_setting('session_replication_role')")).scalar_one() == "origin"
            with pytest.raises(IntegrityError, match="foreign key"), conn.begin_nested():
                conn.execute(text("INSERT INTO tickets (provider_id, ticket_id, opened_at, status, priority) "
                                  "VALUES (:p, 'X', now(), 'open', 'P1')"), {"p": pid + 1000})


@pytest.mark.postgres
def test_the_import_transaction_alone_commits_without_waiting_for_the_disk(pg):
    engine, _ = pg
    with engine.connect() as conn:
        conn.execute(text("SET synchronous_commit = on"))
        conn.commit()
        with conn.begin():
            import_frame(conn, "Acme", "tickets", _tickets(["T1"]), source="a", actor="test")
            assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


@pytest.mark.postgres
def test_a_provider_being_imported_cannot_be_deleted_until_the_import_ends(pg):
    engine, pid = pg
    with engine.connect() as conn, conn.begin():
        import_frame(conn, "Acme", "tickets", _tickets(["T1"]), source="a", actor="test")
        with engine.connect() as other, pytest.raises(OperationalError, match="could not obtain lock"):
            other.execute(text("SELECT id FROM providers WHERE id = :p FOR UPDATE NOWAIT"), {"p": pid})


@pytest.mark.postgres
def test_reading_back_uses_binary_copy_and_keeps_the_canonical_schema(pg):
    engine, pid = pg
    with engine.begin() as conn:
        import_frame(conn, "Acme", "tickets", _tickets(["T1", "T2"]), source="a", actor="test")
    back = read_facts(engine, F.TICKETS, (pid, "Acme"))
    assert back.schema == F.TICKETS.schema and back.height == 2
    empty = read_facts(engine, F.OUTAGES, (pid, "Acme"))
    assert empty.schema == F.OUTAGES.schema and empty.is_empty()
    one = read_facts(engine, F.TICKETS, (pid, "Acme"), where="ticket_id = $2", params=("T2",))
    assert one["ticket_id"].to_list() == ["T2"] and one.schema == F.TICKETS.schema


def test_binary_copy_refuses_a_number_its_column_cannot_hold():
    with pytest.raises(ValueError, match="column 'n': 2147483648 does not fit a PostgreSQL integer"):
        pg_copy.encode_rows(pl.DataFrame({"n": [1, 2**31]}), ["integer"])
    with pytest.raises(TypeError, match="binary COPY of PostgreSQL json is not supported"):
        pg_copy.encode_rows(pl.DataFrame({"j": ["{}"]}), ["json"])


def test_binary_copy_rows_are_length_prefixed_fields_in_network_order():
    frame = pl.DataFrame({"n": [1, None], "t": ["é", ""], "at": [dt.datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)] * 2,
                          "d": [dt.date(1999, 12, 31), None], "b": [True, None], "f": [0.5, None]})
    data = bytes(pg_copy.encode_rows(frame, ["integer", "text", "timestamp with time zone", "date", "boolean",
                                             "double precision"]))
    row1 = (b"\x00\x06" + b"\x00\x00\x00\x04\x00\x00\x00\x01" + b"\x00\x00\x00\x02\xc3\xa9"
            + b"\x00\x00\x00\x08" + (1).to_bytes(8, "big") + b"\x00\x00\x00\x04" + (-1).to_bytes(4, "big", signed=True)
            + b"\x00\x00\x00\x01\x01" + b"\x00\x00\x00\x08\x3f\xe0\x00\x00\x00\x00\x00\x00")
    null = b"\xff\xff\xff\xff"
    row2 = (b"\x00\x06" + null + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x08" + (1).to_bytes(8, "big") + null + null + null)
    assert data == row1 + row2
