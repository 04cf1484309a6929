"""Facts in and out of the database in bulk.

Writes run inside the caller's transaction, so an import is all or nothing, and match rows on
the fact's source key, so re-importing the same rows changes nothing. A provider's first rows
of a fact go straight into the table; later ones are staged in a temporary table and merged
from there in one statement.

- SQLite: rows are sent with ``executemany`` in batches, under a large page cache.
- PostgreSQL: rows are sent with binary ``COPY`` (``sql.pg_copy``). The provider's row is
  locked once (``FOR NO KEY UPDATE``: imports of one provider queue behind each other, and the
  provider cannot be deleted meanwhile), which is the check the foreign key makes on every row;
  when the database role may set ``session_replication_role`` (a superuser, or
  ``GRANT SET ON PARAMETER session_replication_role`` on PostgreSQL 15+) and the table has
  no trigger of its own, the per-row foreign-key triggers are skipped for the bulk statements
  (the constraint stays; every row carries the locked provider's id). The import transaction
  commits with ``synchronous_commit = off``: a server crash in the instant after the commit
  may lose that import (the command said it was done; run it again), never half of it and
  never anything else.

Reads come back as Polars frames: through Arrow (ADBC, binary ``COPY``) on PostgreSQL, in
chunks through the stdlib driver on SQLite.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from scorecard import facts as F
from scorecard.errors import NotFound
from sql.models import FACT_TABLES, Provider, Resource, Service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteSummary:
    new: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@contextlib.contextmanager
def timed(phase: str, logger: logging.Logger = log) -> Iterator[None]:
    """Log how long ``phase`` took, at DEBUG (``steerco --debug import …`` shows it; the import
    benchmark reads these lines)."""
    start = time.perf_counter()
    yield
    logger.debug("phase %s: %.2f s", phase, time.perf_counter() - start)


def _data_columns(fact: F.Fact) -> list[str]:
    return [c for c in fact.names if c != F.PROVIDER]


def _key_columns(fact: F.Fact) -> list[str]:
    return [k for k in fact.key if k != F.PROVIDER]


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as SQLite stores them: timestamps in µs, booleans 0/1, dates as ISO text."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(name).dt.epoch("us"))
        elif dtype == pl.Boolean():
            exprs.append(pl.col(name).cast(pl.Int8))
        elif dtype == pl.Date():
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
    return frame.with_columns(exprs) if exprs else frame


BATCH = 100_000  # rows converted and sent at a time, to bound memory


def _send(conn: Connection, target: str, columns: list[str], frame: pl.DataFrame) -> None:
    """Rows of ``frame`` into ``target``: batched ``executemany`` on SQLite, binary ``COPY`` on PostgreSQL."""
    col_list = ", ".join(columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {target} ({col_list}) VALUES ({marks})"
        for part in frame.select(columns).iter_slices(BATCH):
            raw.executemany(sql, _for_sqlite(part).rows())
        return
    from sql import pg_copy  # pyarrow's kernels, loaded only when PostgreSQL is written to

    types = pg_copy.column_types(conn, target, columns)
    with raw.cursor() as cur, cur.copy(f"COPY {target} ({col_list}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(pg_copy.SIGNATURE)
        for part in frame.select(columns).iter_slices(BATCH):
            copy.write(pg_copy.encode_rows(part, types))
        copy.write(pg_copy.TRAILER)


def _stage(conn: Connection, fact: F.Fact, frame: pl.DataFrame) -> str:
    """The rows in a temporary table without indexes, named ``stage_<table>``."""
    table = fact.table
    stage = f"stage_{table}"
    cols = _data_columns(fact)
    col_list = ", ".join(cols)
    conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"CREATE TEMP TABLE {stage} AS SELECT {col_list} FROM {table} WHERE 0"))
    else:
        # Not ANALYZEd: the planner sizes it from its pages, which is enough to pick a hash join.
        conn.execute(text(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {col_list} FROM {table} WITH NO DATA"))
    _send(conn, stage, cols, frame)
    return stage


WRITE_CACHE_KIB = 256 * 1024  # SQLite page cache while writing: index pages stay in memory


@contextlib.contextmanager
def _sqlite_write_cache(conn: Connection) -> Iterator[None]:
    """A large page cache on SQLite for the duration of a bulk write (its default is 2 MB)."""
    raw = conn.connection.driver_connection
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {before}")


def upsert_facts(conn: Connection, fact: F.Fact, provider_id: int, frame: pl.DataFrame) -> WriteSummary:
    """Insert new rows and update changed ones of ``frame`` (canonical schema) for a provider.

    Rows are matched on the fact's source key; an unchanged row is not written at all.
    Runs inside the caller's transaction and never commits (on PostgreSQL it sets that
    transaction's ``synchronous_commit`` to off; see the module's docstring).
    """
    if frame.is_empty():
        return WriteSummary(0, 0, 0)
    keys = _key_columns(fact)
    frame = _in_index_order(fact, frame.with_columns(pl.col(k).fill_null("") for k in keys if not fact.column(k).required))
    if conn.dialect.name == "sqlite":
        with _sqlite_write_cache(conn):
            written = _upsert_sqlite(conn, fact, provider_id, frame)
    else:
        written = _upsert_postgres(conn, fact, provider_id, frame)
    _register_names(conn, fact, provider_id, frame)
    return written


def _in_index_order(fact: F.Fact, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows in the order of the table's indexes: inserted in order, each index grows page
    after page instead of at random places (twice as fast for a million shuffled tickets).
    Tickets by opening time (their numbers usually follow it), other facts by their key."""
    by = [F.OPENED_AT] if fact is F.TICKETS else _key_columns(fact)
    if len(by) == 1 and frame[by[0]].is_sorted():
        return frame
    return frame.sort(by, maintain_order=True)


def _has_rows(conn: Connection, table: str, provider_id: int) -> bool:
    return conn.execute(text(f"SELECT 1 FROM {table} WHERE provider_id = :p LIMIT 1"), {"p": provider_id}).first() is not None


def _differs(fact: F.Fact, distinct: str, left: str, right: str) -> tuple[str, str, list[str]]:
    """The join condition on the source key, the condition "some other column differs", and the other columns."""
    keys = _key_columns(fact)
    others = [c for c in _data_columns(fact) if c not in keys]
    on = " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)
    differs = " OR ".join(f"{left}.{c} {distinct} {right}.{c}" for c in others) or "false"
    return on, differs, others


def _upsert_sqlite(conn: Connection, fact: F.Fact, provider_id: int, frame: pl.DataFrame) -> WriteSummary:
    table, cols, keys = fact.table, _data_columns(fact), _key_columns(fact)
    if not _has_rows(conn, table, provider_id):
        # The provider's first rows of this fact: nothing to match, so no staging table.
        with timed("write"):
            _send(conn, table, ["provider_id", *cols],
                  frame.with_columns(pl.lit(provider_id, pl.Int64).alias("provider_id")))
        return WriteSummary(new=frame.height, updated=0, unchanged=0)
    with timed("stage"):
        stage = _stage(conn, fact, frame)
    p = {"p": provider_id}
    with timed("compare"):
        on, differs, others = _differs(fact, "IS NOT", "t", "s")
        new, updated = conn.execute(text(
            f"SELECT coalesce(sum(t.rowid IS NULL), 0), coalesce(sum(t.rowid IS NOT NULL AND ({differs})), 0) "
            f"FROM {stage} s LEFT JOIN {table} t ON t.provider_id = :p AND {on}"), p).one()
    if new or updated:
        with timed("merge"):
            _, changed, _ = _differs(fact, "IS NOT", table, "excluded")
            sets = ", ".join(f"{c} = excluded.{c}" for c in others)
            action = f"DO UPDATE SET {sets} WHERE {changed}" if others else "DO NOTHING"
            conn.execute(text(
                f"INSERT INTO {table} (provider_id, {', '.join(cols)}) "
                f"SELECT :p, {', '.join(cols)} FROM {stage} WHERE true "
                f"ON CONFLICT (provider_id, {', '.join(keys)}) {action}"), p)
    conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    return WriteSummary(new=new, updated=updated, unchanged=frame.height - new - updated)


def _lock_provider(conn: Connection, provider_id: int) -> None:
    """Lock the provider's row until the transaction ends (PostgreSQL): no concurrent import of
    the same provider, no deletion, no change of its id. It is the foreign keys' check, made once."""
    locked = conn.execute(text("SELECT id FROM providers WHERE id = :p FOR NO KEY UPDATE"), {"p": provider_id}).first()
    if locked is None:
        raise NotFound(f"provider {provider_id} no longer exists")


def _may_skip_row_checks(conn: Connection, table: str) -> bool:
    """Whether the per-row foreign-key triggers of ``table`` may be skipped: the role may set
    ``session_replication_role``, the table has no trigger of its own (which that would also
    silence) and its only foreign key is ``provider_id`` → ``providers``."""
    version = conn.dialect.server_version_info or (0,)
    allowed = ("SELECT has_parameter_privilege('session_replication_role', 'SET')" if version >= (15,)
               else "SELECT current_setting('is_superuser') = 'on'")
    if not conn.execute(text(allowed)).scalar_one():
        return False
    others = conn.execute(text(
        "SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal) "
        "     + (SELECT count(*) FROM pg_constraint c WHERE c.conrelid = CAST(:t AS regclass) AND c.contype = 'f' "
        "        AND NOT (c.confrelid = CAST('providers' AS regclass) AND c.conkey = ARRAY["
        "            (SELECT attnum FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attname = 'provider_id')"
        "        ]::int2[]))"), {"t": table}).scalar_one()
    return others == 0


@contextlib.contextmanager
def _foreign_key_checked_once(conn: Connection, table: str) -> Iterator[None]:
    """Bulk statements without the foreign key's per-row trigger, when allowed (the provider row
    is locked by the caller, and every row carries that provider's id)."""
    if not _may_skip_row_checks(conn, table):
        log.debug("foreign keys of %s checked per row (the role may not set session_replication_role)", table)
        yield
        return
    before = conn.execute(text("SELECT current_setting('session_replication_role')")).scalar_one()
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    yield  # on an error the caller rolls back, which also undoes the SET LOCAL
    if before in ("origin", "replica", "local"):
        conn.execute(text(f"SET LOCAL session_replication_role = {before}"))


def _upsert_postgres(conn: Connection, fact: F.Fact, provider_id: int, frame: pl.DataFrame) -> WriteSummary:
    table, cols, keys = fact.table, _data_columns(fact), _key_columns(fact)
    _lock_provider(conn, provider_id)
    conn.execute(text("SET LOCAL synchronous_commit = off"))
    if not _has_rows(conn, table, provider_id):
        with _foreign_key_checked_once(conn, table), timed("write"):
            _send(conn, table, ["provider_id", *cols],
                  frame.with_columns(pl.lit(provider_id, pl.Int32).alias("provider_id")))
        return WriteSummary(new=frame.height, updated=0, unchanged=0)
    with timed("stage"):
        stage = _stage(conn, fact, frame)
    on, differs, others = _differs(fact, "IS DISTINCT FROM", "t", "s")
    sets = ", ".join(f"{c} = excluded.{c}" for c in others)
    action = f"DO UPDATE SET {sets}" if others else "DO NOTHING"
    col_list = ", ".join(cols)
    with _foreign_key_checked_once(conn, table), timed("merge"):
        new, updated = conn.execute(text(
            f"WITH changed AS MATERIALIZED ("
            f"  SELECT s.*, t.id IS NULL AS _new FROM {stage} s"
            f"  LEFT JOIN {table} t ON t.provider_id = :p AND {on} WHERE t.id IS NULL OR {differs}), "
            f"written AS (INSERT INTO {table} (provider_id, {col_list}) SELECT :p, {col_list} FROM changed "
            f"  ON CONFLICT (provider_id, {', '.join(keys)}) {action}) "
            f"SELECT count(*) FILTER (WHERE _new), count(*) FILTER (WHERE NOT _new) FROM changed"),
            {"p": provider_id}).one()
    conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    return WriteSummary(new=new, updated=updated, unchanged=frame.height - new - updated)


def _register_names(conn: Connection, fact: F.Fact, provider_id: int, frame: pl.DataFrame) -> None:
    """Keep the services and resources tables in step with the facts that name them."""
    if fact.name in ("outages", "probes"):
        model, column = Service, "service"
    elif fact.name == "capacity":
        model, column = Resource, "resource"
    else:
        return
    known = set(conn.scalars(select(model.name).where(model.provider_id == provider_id)))
    aggs = [pl.col("unit").max()] if model is Resource else []
    rows = frame.group_by(column).agg(aggs).sort(column).rows()
    fresh = [r for r in rows if r[0] not in known]
    if not fresh:
        return
    if model is Resource:
        conn.execute(insert(Resource), [{"provider_id": provider_id, "name": r[0], "unit": r[1]} for r in fresh])
    else:
        conn.execute(insert(Service), [{"provider_id": provider_id, "name": r[0]} for r in fresh])


def _adbc_postgres(engine: Engine):
    import adbc_driver_postgresql.dbapi as adbc

    return adbc.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of row tuples are made and dropped: they
    hold no cycles, and each collection would walk all of them (a third of the read's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


READ_CHUNK = 50_000  # rows fetched as Python objects at a time


def _read_sqlite(engine: Engine, query: str, params: tuple, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Through the stdlib driver, in chunks.

    ADBC's SQLite is faster but is a second SQLite library in the process: two copies on one
    file break each other's POSIX locks, so it is never used here (see docs/benchmarks.md for
    what the alternatives measured)."""
    parts = []
    with engine.connect() as conn, _gc_paused():
        cur = conn.connection.driver_connection.execute(query, params)
        while rows := cur.fetchmany(READ_CHUNK):
            columns = zip(*rows)  # built column by column: faster than orient="row"
            parts.append(pl.DataFrame([pl.Series(name, values, dtype=dtype)
                                       for (name, dtype), values in zip(schema.items(), columns)]))
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _sqlite_scan_hint(engine: Engine, table: str, provider_id: int) -> str:
    """``NOT INDEXED`` when the provider holds a large share of the table: a scan in table order
    then beats a lookup per row through the provider index (SQLite keeps no statistics here)."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        rows = raw.execute(f"SELECT count(*) FROM {table} WHERE provider_id = ?", (provider_id,)).fetchone()[0]
        last = raw.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    return " NOT INDEXED" if rows >= 10_000 and rows * 4 >= last else ""


def _stored_dtype(dtype: pl.DataType) -> pl.DataType:
    """How SQLite hands a canonical dtype back: timestamps as µs, booleans 0/1, dates as text."""
    if isinstance(dtype, pl.Datetime):
        return pl.Int64()
    if dtype == pl.Boolean():
        return pl.Int8()
    if dtype == pl.Date():
        return pl.String()
    return dtype


def read_facts(engine: Engine, fact: F.Fact, provider: Provider | tuple[int, str], *,
               where: str = "", params: tuple = ()) -> pl.DataFrame:
    """All rows of ``fact`` for a provider as a canonical frame, read in bulk.

    ``where`` is an extra SQL condition on the fact's columns with ``?`` placeholders
    (SQLite) or ``$2…`` (PostgreSQL); most callers read everything and filter lazily in Polars.
    """
    provider_id, name = (provider.id, provider.name) if isinstance(provider, Provider) else provider
    cols = _data_columns(fact)
    sqlite = engine.dialect.name == "sqlite"
    hint = _sqlite_scan_hint(engine, fact.table, provider_id) if sqlite and not where else ""
    # On PostgreSQL, a query without parameters is read with binary COPY (ADBC's fast path);
    # with parameters ADBC runs a prepared statement and buffers the whole result in libpq.
    marker = "?" if sqlite else ("$1" if params else str(int(provider_id)))
    query = f"SELECT {', '.join(cols)} FROM {fact.table}{hint} WHERE provider_id = {marker}"
    if where:
        query += f" AND ({where})"
    schema = fact.schema
    if sqlite:
        frame = _read_sqlite(engine, query, (provider_id, *params), {c: _stored_dtype(schema[c]) for c in cols})
    else:
        with _adbc_postgres(engine) as conn, conn.cursor() as cur:
            cur.execute(query, (provider_id, *params) if params else None)
            frame = pl.from_arrow(cur.fetch_arrow_table())
    casts = []
    for col in cols:
        dtype, got = schema[col], frame.schema[col]
        if isinstance(dtype, pl.Datetime) and not isinstance(got, pl.Datetime):
            casts.append(pl.from_epoch(pl.col(col), time_unit="us").dt.replace_time_zone("UTC"))
        elif dtype == pl.Date() and got == pl.String():
            casts.append(pl.col(col).str.to_date("%Y-%m-%d"))
        elif got != dtype:
            casts.append(pl.col(col).cast(dtype))
    return frame.with_columns(casts).select(pl.lit(name, pl.String()).alias(F.PROVIDER), *cols)


def fact_counts(session: Session, *, provider_id: int | None = None) -> list[dict]:
    """Per provider: name, kind, time zone and the number of rows of each fact."""
    q = select(Provider).order_by(Provider.name)
    if provider_id is not None:
        q = q.where(Provider.id == provider_id)
    providers = list(session.scalars(q))
    counts: dict[str, dict[int, int]] = {}
    for name, table in FACT_TABLES.items():
        stmt = select(table.c.provider_id, func.count()).group_by(table.c.provider_id)
        counts[name] = dict(session.execute(stmt).tuples().all())
    return [{"name": p.name, "kind": p.kind, "timezone": p.timezone,
             "facts": {name: counts[name].get(p.id, 0) for name in FACT_TABLES}} for p in providers]
