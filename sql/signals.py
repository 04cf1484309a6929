"""Stored drift signals: replaced per provider and month by the compute run, read by pages and CLI."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, Engine, delete, insert, select

from sql.models import DriftSignal, Provider

SIGNAL_COLUMNS = ["measure", "params", "month", "rule", "chart", "direction", "since", "value", "center", "lcl",
                  "ucl", "sentence", "severity", "p_value"]
SIGNAL_FRAME_SCHEMA = pl.Schema({
    "provider": pl.String(), "measure": pl.String(), "params": pl.String(), "month": pl.String(),
    "rule": pl.String(), "chart": pl.String(), "direction": pl.String(), "since": pl.String(),
    "value": pl.Float64(), "center": pl.Float64(), "lcl": pl.Float64(), "ucl": pl.Float64(),
    "sentence": pl.String(), "severity": pl.Float64(), "p_value": pl.Float64(),
})


def replace_signals(conn: Connection, provider_id: int, months: list[str], signals: pl.DataFrame, *,
                    run_id: int | None) -> int:
    """Replace the stored signals raised in ``months`` with ``signals`` (SIGNAL_FRAME_SCHEMA)."""
    for chunk in range(0, len(months), 500):
        conn.execute(delete(DriftSignal).where(DriftSignal.provider_id == provider_id,
                                               DriftSignal.month.in_(months[chunk:chunk + 500])))
    rows = signals.filter(pl.col("month").is_in(months)).select(SIGNAL_COLUMNS).with_columns(
        pl.lit(provider_id).alias("provider_id"), pl.lit(run_id).alias("run_id")).to_dicts()
    if rows:
        conn.execute(insert(DriftSignal), rows)
    return len(rows)


def read_signals(engine: Engine, *, provider_ids: list[int] | None = None, month: str | None = None,
                 first: str | None = None, last: str | None = None, measure: str | None = None,
                 params: str | None = None) -> pl.DataFrame:
    """Stored signals (SIGNAL_FRAME_SCHEMA), worst first within a month."""
    cols = [getattr(DriftSignal, c) for c in SIGNAL_COLUMNS]
    q = select(Provider.name, *cols).join(Provider, Provider.id == DriftSignal.provider_id)
    if provider_ids is not None:
        q = q.where(DriftSignal.provider_id.in_(provider_ids))
    if month:
        q = q.where(DriftSignal.month == month)
    if first:
        q = q.where(DriftSignal.month >= first)
    if last:
        q = q.where(DriftSignal.month <= last)
    if measure:
        q = q.where(DriftSignal.measure == measure)
    if params is not None:
        q = q.where(DriftSignal.params == params)
    q = q.order_by(DriftSignal.month.desc(), DriftSignal.severity.desc(), Provider.name, DriftSignal.measure)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return pl.DataFrame(rows, schema=SIGNAL_FRAME_SCHEMA, orient="row") if rows else pl.DataFrame(
        schema=SIGNAL_FRAME_SCHEMA)
