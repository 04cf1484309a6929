"""Facts in and out of the database in bulk.

Writes stage the whole frame in a temporary table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) and upsert from there on the source key, inside the caller's transaction, so an
import is all or nothing and re-importing the same rows changes nothing. A provider's first
rows of a fact go straight into the table (nothing to match them against). Reads come back as
Polars frames: through Arrow (ADBC) on PostgreSQL, in chunks through the stdlib driver on SQLite.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from scorecard import facts as F
from sql.models import FACT_TABLES, Provider, Resource, Service


@dataclass(frozen=True)
class WriteSummary:
    new: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


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
    """Rows of ``frame`` into ``target``: batched ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""
    col_list = ", ".join(columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {target} ({col_list}) VALUES ({marks})"
        for part in frame.select(columns).iter_slices(BATCH):
            raw.executemany(sql, _for_sqlite(part).rows())
    else:
        with raw.cursor() as cur, cur.copy(f"COPY {target} ({col_list}) FROM STDIN (FORMAT csv)") as copy:
            for part in frame.select(columns).iter_slices(BATCH):
                buf = io.BytesIO()
                part.write_csv(buf, include_header=False)
                copy.write(buf.getvalue())


def _stage(conn: Connection, fact: F.Fact, frame: pl.DataFrame) -> str:
    table = fact.table
    stage = f"stage_{table}"
    cols = _data_columns(fact)
    col_list = ", ".join(cols)
    conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"CREATE TEMP TABLE {stage} AS SELECT {col_list} FROM {table} WHERE 0"))
    else:
        conn.execute(text(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {col_list} FROM {table} WITH NO DATA"))
    _send(conn, stage, cols, frame)
    return stage


WRITE_CACHE_KIB = 256 * 1024  # SQLite page cache while writing: index pages stay in memory


@contextlib.contextmanager
def _sqlite_write_cache(conn: Connection) -> Iterator[None]:
    """A large page cache on SQLite for the duration of a bulk write (its default is 2 MB)."""
    if conn.dialect.name != "sqlite":
        yield
        return
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
    Runs inside the caller's transaction and never commits.
    """
    if frame.is_empty():
        return WriteSummary(0, 0, 0)
    with _sqlite_write_cache(conn):
        return _upsert(conn, fact, provider_id, frame)


def _upsert(conn: Connection, fact: F.Fact, provider_id: int, frame: pl.DataFrame) -> WriteSummary:
    keys = _key_columns(fact)
    frame = frame.with_columns(pl.col(k).fill_null("") for k in keys if not fact.column(k).required)
    table = fact.table
    if conn.execute(text(f"SELECT 1 FROM {table} WHERE provider_id = :p LIMIT 1"), {"p": provider_id}).first() is None:
        # The provider's first rows of this fact: nothing to match, so no staging table.
        _send(conn, table, ["provider_id", *_data_columns(fact)],
              frame.with_columns(pl.lit(provider_id, pl.Int64).alias("provider_id")))
        _register_names(conn, fact, provider_id, frame)
        return WriteSummary(new=frame.height, updated=0, unchanged=0)
    stage = _stage(conn, fact, frame)
    cols = _data_columns(fact)
    others = [c for c in cols if c not in keys]
    distinct = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
    on = " AND ".join([f"t.{k} = s.{k}" for k in keys])
    differs = " OR ".join(f"t.{c} {distinct} s.{c}" for c in others) or "false"
    p = {"p": provider_id}
    new = conn.execute(text(
        f"SELECT count(*) FROM {stage} s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {table} t WHERE t.provider_id = :p AND {on})"), p).scalar_one()
    updated = conn.execute(text(
        f"SELECT count(*) FROM {stage} s JOIN {table} t ON t.provider_id = :p AND {on} WHERE {differs}"),
        p).scalar_one()
    if new or updated:
        sets = ", ".join(f"{c} = excluded.{c}" for c in others)
        changed = " OR ".join(f"{table}.{c} {distinct} excluded.{c}" for c in others) or "false"
        action = f"DO UPDATE SET {sets} WHERE {changed}" if others else "DO NOTHING"
        conn.execute(text(
            f"INSERT INTO {table} (provider_id, {', '.join(cols)}) "
            f"SELECT :p, {', '.join(cols)} FROM {stage} WHERE true "
            f"ON CONFLICT (provider_id, {', '.join(keys)}) {action}"), p)
    _register_names(conn, fact, provider_id, stage)
    conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    return WriteSummary(new=new, updated=updated, unchanged=frame.height - new - updated)


def _register_names(conn: Connection, fact: F.Fact, provider_id: int, stage: str | pl.DataFrame) -> None:
    """Keep the services and resources tables in step with the facts that name them."""
    if fact.name in ("outages", "probes"):
        model, column, extra = Service, "service", ""
    elif fact.name == "capacity":
        model, column, extra = Resource, "resource", ", max(unit)"
    else:
        return
    known = set(conn.scalars(select(model.name).where(model.provider_id == provider_id)))
    if isinstance(stage, pl.DataFrame):
        aggs = [pl.col("unit").max()] if model is Resource else []
        rows = stage.group_by(column).agg(aggs).sort(column).rows()
    else:
        rows = conn.execute(text(f"SELECT {column}{extra} FROM {stage} GROUP BY {column}")).all()
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


def _read_sqlite(engine: Engine, query: str, params: tuple, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Through the stdlib driver, in chunks. (ADBC's SQLite is a second SQLite library in the
    process; two copies on one file break each other's POSIX locks, so it is never used.)"""
    parts = []
    with engine.connect() as conn:
        cur = conn.connection.driver_connection.execute(query, params)
        while rows := cur.fetchmany(200_000):
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
    query = f"SELECT {', '.join(cols)} FROM {fact.table}{hint} WHERE provider_id = {'?' if sqlite else '$1'}"
    if where:
        query += f" AND ({where})"
    schema = fact.schema
    if sqlite:
        frame = _read_sqlite(engine, query, (provider_id, *params), {c: _stored_dtype(schema[c]) for c in cols})
    else:
        with _adbc_postgres(engine) as conn, conn.cursor() as cur:
            cur.execute(query, (provider_id, *params))
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
