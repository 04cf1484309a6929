"""Stored measure results: written in bulk per provider and month, read back as frames."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, Engine, Row, delete, insert, select

from scorecard.catalogue import RESULT_SCHEMA
from sql.models import ComputedMonth, MeasureResult, Provider

_COLUMNS = [c for c in RESULT_SCHEMA.names() if c != "provider"]


def replace_results(conn: Connection, provider_id: int, months: list[str], results: pl.DataFrame, *,
                    run_id: int, versions: dict[str, int | None]) -> int:
    """Replace the stored results of ``months`` with ``results`` (RESULT_SCHEMA) in one transaction."""
    if not months:
        return 0
    for chunk in range(0, len(months), 500):
        conn.execute(delete(MeasureResult).where(MeasureResult.provider_id == provider_id,
                                                 MeasureResult.month.in_(months[chunk:chunk + 500])))
    rows = results.filter(pl.col("month").is_in(months)).select(_COLUMNS).with_columns(
        pl.lit(provider_id).alias("provider_id"), pl.lit(run_id).alias("run_id"),
        pl.col("month").replace_strict(versions, default=None, return_dtype=pl.Int64).alias("scorecard_version_id"),
    ).to_dicts()
    if rows:
        conn.execute(insert(MeasureResult), rows)
    return len(rows)


def read_results(engine_or_conn: Engine | Connection, provider: Provider | tuple[int, str], *,
                 first: str | None = None, last: str | None = None,
                 measures: list[str] | None = None) -> pl.DataFrame:
    """Stored results of a provider in RESULT_SCHEMA, ordered by measure, params and month."""
    provider_id, name = (provider.id, provider.name) if isinstance(provider, Provider) else provider
    cols = [getattr(MeasureResult, c) for c in _COLUMNS]
    q = select(*cols).where(MeasureResult.provider_id == provider_id)
    if first:
        q = q.where(MeasureResult.month >= first)
    if last:
        q = q.where(MeasureResult.month <= last)
    if measures:
        q = q.where(MeasureResult.measure.in_(measures))
    q = q.order_by(MeasureResult.measure, MeasureResult.params, MeasureResult.month)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            rows = conn.execute(q).all()
    else:
        rows = engine_or_conn.execute(q).all()
    schema = {c: RESULT_SCHEMA[c] for c in _COLUMNS}
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.select(pl.lit(name, pl.String()).alias("provider"), *_COLUMNS)


def computed_months(conn: Connection, provider_id: int) -> dict[str, Row]:
    """What each stored month was computed from: month → (facts_fingerprint, scorecard_version_id,
    code_version, provisional)."""
    q = select(ComputedMonth.month, ComputedMonth.facts_fingerprint, ComputedMonth.scorecard_version_id,
               ComputedMonth.code_version, ComputedMonth.provisional).where(ComputedMonth.provider_id == provider_id)
    return {row.month: row for row in conn.execute(q)}


def record_months(conn: Connection, provider_id: int, entries: list[dict]) -> None:
    """Remember what each month was computed from (fingerprint, scorecard version, code)."""
    if not entries:
        return
    months = [e["month"] for e in entries]
    for chunk in range(0, len(months), 500):
        conn.execute(delete(ComputedMonth).where(ComputedMonth.provider_id == provider_id,
                                                 ComputedMonth.month.in_(months[chunk:chunk + 500])))
    conn.execute(insert(ComputedMonth), [{"provider_id": provider_id, **e} for e in entries])
