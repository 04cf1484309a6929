"""What is stored, for pickers, breakdowns and the scorecard view: providers, months with results,
parameter variants of a measure, scorecard sources, the results of chosen series."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select, tuple_

from scorecard.catalogue import RESULT_SCHEMA
from sql.models import DriftSignal, MeasureResult, Provider, ScorecardVersion


def providers(engine: Engine, provider_ids: list[int] | None = None) -> list[dict]:
    """Providers by name: id, name, kind, timezone; only ``provider_ids`` when given."""
    q = select(Provider.id, Provider.name, Provider.kind, Provider.timezone).order_by(Provider.name)
    if provider_ids is not None:
        q = q.where(Provider.id.in_(provider_ids))
    with engine.connect() as conn:
        return [dict(zip(("id", "name", "kind", "timezone"), row)) for row in conn.execute(q)]


def result_months(engine: Engine, provider_ids: list[int]) -> dict[int, list[str]]:
    """Per provider, the months that have stored results, latest first."""
    q = (select(MeasureResult.provider_id, MeasureResult.month)
         .where(MeasureResult.provider_id.in_(provider_ids))
         .group_by(MeasureResult.provider_id, MeasureResult.month))
    out: dict[int, list[str]] = {pid: [] for pid in provider_ids}
    with engine.connect() as conn:
        for pid, month in conn.execute(q):
            out[pid].append(month)
    return {pid: sorted(months, reverse=True) for pid, months in out.items()}


def signal_months(engine: Engine, provider_ids: list[int]) -> list[str]:
    """Months in which any of the providers has a stored drift signal, latest first."""
    q = select(DriftSignal.month).where(DriftSignal.provider_id.in_(provider_ids)).distinct()
    with engine.connect() as conn:
        return sorted(conn.scalars(q), reverse=True)


def result_params(engine: Engine, provider_id: int, measure: str) -> list[str]:
    """The stored parameter variants (params keys) of one measure of a provider, sorted."""
    q = (select(MeasureResult.params)
         .where(MeasureResult.provider_id == provider_id, MeasureResult.measure == measure).distinct())
    with engine.connect() as conn:
        return sorted(conn.scalars(q))


def scorecard_sources(engine: Engine, provider_id: int) -> list[tuple[int, str, str, str]]:
    """A provider's scorecard versions as (id, effective month, sha256, source text)."""
    q = (select(ScorecardVersion.id, ScorecardVersion.effective_month, ScorecardVersion.sha256,
                ScorecardVersion.source)
         .where(ScorecardVersion.provider_id == provider_id).order_by(ScorecardVersion.effective_month))
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(q)]


def read_series(engine: Engine, provider: tuple[int, str], keys: list[tuple[str, str]], *, first: str,
                last: str) -> pl.DataFrame:
    """Stored results (RESULT_SCHEMA) of just these (measure, params) series between two months —
    a scorecard's forty series rather than every breakdown of their measures."""
    if not keys:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    cols = [getattr(MeasureResult, c) for c in RESULT_SCHEMA.names() if c != "provider"]
    q = (select(*cols).where(MeasureResult.provider_id == provider[0], MeasureResult.month >= first,
                             MeasureResult.month <= last,
                             tuple_(MeasureResult.measure, MeasureResult.params).in_(sorted(set(keys))))
         .order_by(MeasureResult.measure, MeasureResult.params, MeasureResult.month))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    schema = {c: RESULT_SCHEMA[c] for c in RESULT_SCHEMA.names() if c != "provider"}
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.select(pl.lit(provider[1], pl.String()).alias("provider"), *schema)
