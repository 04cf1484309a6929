"""Tiny literal facts and a context for the measure tests (tests/pipelines/test_measures_*.py).

The provider is in Europe/Berlin: in winter UTC+1, so 2026-01-31 23:30 UTC is already
February there; in summer UTC+2. Times below are written in UTC unless a comment says so.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import polars as pl

from pipelines.measures import compute_all
from scorecard import facts as F
from scorecard.catalogue import RESULT_SCHEMA
from scorecard.context import MeasureContext

TZ = "Europe/Berlin"
PROVIDER = "acme"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def context(months: tuple[str, ...] = ("2026-01", "2026-02"), as_of: datetime = utc(2026, 6, 1),
            **kw: Any) -> MeasureContext:
    return MeasureContext(provider=PROVIDER, timezone=TZ, months=months, as_of=as_of, **kw)


def frame(fact: F.Fact, rows: list[dict[str, Any]]) -> pl.LazyFrame:
    """A frame in ``fact``'s schema: each row a dict of the columns it sets (others null;
    ``provider`` defaults to the test provider)."""
    full = [{"provider": PROVIDER, **r} for r in rows]
    return pl.LazyFrame(full, schema=fact.schema) if full else pl.LazyFrame(schema=fact.schema)


def tickets(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    """Tickets with defaults: id by position, P3, status from the timestamps."""
    out = []
    for i, r in enumerate(rows):
        status = "resolved" if r.get("resolved_at") else "open"
        out.append({"ticket_id": f"T{i}", "priority": "P3", "status": status, **r})
    return frame(F.TICKETS, out)


def results(ctx: MeasureContext, **facts: pl.LazyFrame) -> pl.DataFrame:
    out = compute_all(ctx, facts).collect()
    assert out.schema == RESULT_SCHEMA
    return out


def rows(out: pl.DataFrame, measure: str, params: dict[str, str] | None = None,
         cols: tuple[str, ...] = ("month", "value", "numerator", "denominator", "n", "provisional"),
         ) -> list[tuple]:
    """The rows of one measure and parameter set, as tuples of ``cols``, by month."""
    key = json.dumps(params or {}, sort_keys=True, separators=(",", ":"))
    sel = out.filter((pl.col("measure") == measure) & (pl.col("params") == key)).sort("month")
    return list(sel.select(cols).iter_rows())


def values(out: pl.DataFrame, measure: str, params: dict[str, str] | None = None) -> dict[str, float | None]:
    """month → value of one measure and parameter set."""
    return {m: v for m, v in rows(out, measure, params, ("month", "value"))}


def param_sets(out: pl.DataFrame, measure: str) -> set[str]:
    return set(out.filter(pl.col("measure") == measure)["params"].to_list())


def with_as_of(ctx: MeasureContext, as_of: datetime) -> MeasureContext:
    return dataclasses.replace(ctx, as_of=as_of)
