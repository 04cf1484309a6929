"""Differential test: ``compute_all`` against the same measures in plain SQL in DuckDB.

120,000 synthetic tickets over 36 months (with nulls, a second provider's rows and requesters
who come back), outages (overlapping, partial, ongoing, across month ends, planned), probes,
capacity samples, spend, project snapshots, checks, survey answers and actions
(``benchmarks/synthetic.py``), for a provider in Europe/Berlin judged as of a day in the
middle of the last month. Every result row must exist on both sides with equal counts and
sample sizes, values within 1e-9 and the same provisional flag.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import polars as pl
import pytest

from benchmarks.synthetic import all_facts
from pipelines.measures import compute_all
from scorecard.calendars import calendars_from_dict
from scorecard.catalogue import CATALOGUE, COUNT, RESULT_SCHEMA
from scorecard.context import MeasureContext, ServiceSpec
from scorecard.months import month_range
from scorecard.sla import SlaPolicySet

from .duckdb_measures import PARAMS, all_sql_measures

TZ = "Europe/Berlin"
PROVIDER = "Bench"

CONTEXT = MeasureContext(
    provider=PROVIDER,
    timezone=TZ,
    months=tuple(month_range("2023-02", "2025-12")),
    # 2025-11 is over but inside its reopen window; 2025-12 is running
    as_of=datetime(2025, 12, 10, 9, 30, tzinfo=UTC),
    calendars=calendars_from_dict({
        "office": {"timezone": TZ, "hours": ["08:00", "18:00"],
                   "holidays": ["2024-12-25", "2024-12-26", "2025-01-01"]},
    }),
    policies=SlaPolicySet.from_dict({
        "p1": {"priorities": ["P1"], "response": "15m", "resolution": "4h", "calendar": "24x7"},
        "p2": {"priorities": ["P2"], "response": "1h", "resolution": "8h", "calendar": "office"},
        "network": {"categories": ["Network"], "response": "2h", "resolution": "2d", "calendar": "office"},
        "default": {"response": "4h", "resolution": "3d", "calendar": "office"},
    }),
    services={
        "SVC-0": ServiceSpec(calendar="office", target=0.999),
        "SVC-1": ServiceSpec(calendar="24x7", target=0.99),
        "SVC-2": ServiceSpec(target=0.995),
        "SVC-X": ServiceSpec(calendar="office", target=0.9),  # no outages: 100%
        "PRB-0": ServiceSpec(target=0.99),                    # probes
    },
    budget_year_start=4,
)


def _facts() -> dict[str, pl.DataFrame]:
    facts = all_facts(120_000, provider=PROVIDER, seed=11)
    t = facts["tickets"]
    i = pl.int_range(pl.len())
    t = t.with_columns(
        # 1,500 requesters: people come back within 30 days often enough to count
        (pl.lit("user") + (pl.col("requester").str.slice(4).cast(pl.Int64) % 1500).cast(pl.String))
        .alias("requester"),
        pl.col("reopen_count") * ((i % 5).cast(pl.Int32) % 3),
    ).with_columns(
        pl.when(i % 53 == 0).then(None).otherwise(pl.col("category")).alias("category"),
        pl.when(i % 61 == 0).then(None).otherwise(pl.col("requester")).alias("requester"),
        pl.when(i % 71 == 0).then(None).otherwise(pl.col("reopen_count")).alias("reopen_count"),
        pl.when(i % 83 == 0).then(None).otherwise(pl.col("reassignment_count")).alias("reassignment_count"),
    )
    other = t.head(500).with_columns(pl.lit("Other").alias("provider"))
    facts["tickets"] = pl.concat([t, other])
    return facts


@pytest.fixture(scope="module")
def both() -> tuple[dict, dict]:
    facts = _facts()
    polars_rows = compute_all(CONTEXT, {k: v.lazy() for k, v in facts.items()}).collect()
    assert polars_rows.schema == RESULT_SCHEMA
    sql_rows = all_sql_measures(CONTEXT, facts)
    return _keyed_polars(polars_rows), _keyed_sql(sql_rows)


def _keyed_polars(df: pl.DataFrame) -> dict:
    out = {}
    for r in df.iter_rows(named=True):
        key = (r["measure"], tuple(sorted(json.loads(r["params"]).items())), r["month"])
        assert key not in out, key
        out[key] = r
    return out


def _keyed_sql(df: pl.DataFrame) -> dict:
    out = {}
    for r in df.iter_rows(named=True):
        params = tuple(sorted((p, r[p]) for p in PARAMS if r[p] is not None))
        key = (r["measure"], params, r["month"])
        assert key not in out, key
        out[key] = r
    return out


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("measure", sorted(CATALOGUE))
def test_measure_agrees_with_sql(both: tuple[dict, dict], measure: str) -> None:
    mine = {k: v for k, v in both[0].items() if k[0] == measure}
    theirs = {k: v for k, v in both[1].items() if k[0] == measure}
    assert mine, f"{measure}: no rows from compute_all"
    assert sorted(mine) == sorted(theirs)
    exact = CATALOGUE[measure].kind == COUNT
    for key, a in mine.items():
        b = theirs[key]
        assert a["n"] == b["n"], key
        assert a["provisional"] == b["provisional"], key
        if exact:
            assert a["value"] == b["value"], key
        for col in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            assert _close(a[col], b[col]), (key, col, a[col], b[col])


def test_every_variant_is_there(both: tuple[dict, dict]) -> None:
    params = {(k[0], tuple(p for p, _ in k[1])) for k in both[0]}
    assert ("sla.resolution_met", ("category",)) in params
    assert ("time.resolution", ("category", "stat")) in params
    assert ("demand.how_to_share", ("priority",)) in params
    assert ("availability.outages", ("service",)) in params
    assert ("availability.mttr", ()) in params
    months = {k[2] for k in both[0]}
    assert months == set(CONTEXT.months)
