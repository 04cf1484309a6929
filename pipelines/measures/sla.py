"""``sla.response_met``, ``sla.resolution_met``, ``time.first_response``, ``time.resolution``.

All four start from :func:`scorecard.sla.sla_outcomes`: one row per ticket and clock with
an outcome by ``as_of``, attributed to the month it counts in (the month the clock stopped,
or for a clock still running past its deadline, the month of the deadline), with ``met``
and the business hours elapsed on the SLA policy's calendar (docs/calendars.md). No SLA
policies in the context: none of these measures.

- ``sla.*_met``: of the clock's outcomes in the month, the share met; 95% Wilson interval.
- ``time.*``: of the clocks that *stopped* in the month (the response clock stops at the
  first response, or at the resolution when no response was recorded), the median and the
  90th percentile of the elapsed business hours: two rows per group, params ``stat`` =
  ``"median"`` / ``"p90"``. Quantiles are linearly interpolated between order statistics
  (Hyndman–Fan type 7, numpy's default, DuckDB's ``quantile_cont``): with the sorted
  values ``x₀ … xₙ₋₁`` and ``h = (n − 1)·q``, ``x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋)``.
  ``n`` = clocks measured.

For the whole provider, per priority and per category.

Provisional:
- response measures while the month is not over; resolution measures until ``as_of`` is
  more than ``reopen_window_days`` after month end (a reopen moves the last resolution, and
  with it the outcome, out of the month);
- ``sla.*_met`` besides, while a clock counted breached in the month is still running: when
  it stops it counts in its stop month instead (docs/calendars.md, rule 3).
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.sla import CLOCK, CLOCKS, ELAPSED_HOURS, MET, STOPPED_AT, sla_outcomes

from .common import FINAL, FINAL_REOPEN, MONTH, empty_long, long, proportion_rows, roll_up, with_months
from .tickets import KEYS

# clock → (attainment measure, time measure, the month flag that ends its provisional time)
CLOCK_MEASURES = {
    "response": ("sla.response_met", "time.first_response", FINAL),
    "resolution": ("sla.resolution_met", "time.resolution", FINAL_REOPEN),
}
STATS = {"median": 0.5, "p90": 0.9}


def _strings(*cols: str) -> list[pl.Expr]:
    """The group keys back from enum / categorical to String (on small aggregates)."""
    return [pl.col(c).cast(pl.String) for c in cols]


def attainment(outcomes: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """Long rows of ``sla.response_met`` and ``sla.resolution_met``."""
    cube = outcomes.group_by(CLOCK, MONTH, *KEYS).agg(
        pl.len().cast(pl.Int64).alias("clocks"),
        pl.col(MET).sum().cast(pl.Int64).alias("met"),
        pl.col(STOPPED_AT).is_null().sum().cast(pl.Int64).alias("running"),
    ).with_columns(_strings(CLOCK, MONTH, *KEYS))
    rolled = roll_up(cube, KEYS, ["clocks", "met", "running"], by=(CLOCK, MONTH)).cache()
    parts = []
    for clock, (measure, _, final) in CLOCK_MEASURES.items():
        rows = (rolled.filter(pl.col(CLOCK) == clock).pipe(with_months, months, final)
                .with_columns((~pl.col(final) | (pl.col("running") > 0)).alias("provisional")))
        parts.append(proportion_rows(rows, measure, "met", "clocks"))
    return pl.concat(parts)


def elapsed_quantiles(outcomes: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """Long rows of ``time.first_response`` and ``time.resolution``."""
    stopped = outcomes.filter(pl.col(ELAPSED_HOURS).is_not_null())
    hours = pl.col(ELAPSED_HOURS)
    aggs = [hours.quantile(q, interpolation="linear").alias(s) for s, q in STATS.items()]
    groups = [stopped.group_by(CLOCK, MONTH).agg(*aggs, pl.len().cast(pl.Int64).alias("n"))
              .with_columns(_strings(CLOCK, MONTH))]
    for k in KEYS:
        groups.append(stopped.filter(pl.col(k).is_not_null()).group_by(CLOCK, MONTH, k)
                      .agg(*aggs, pl.len().cast(pl.Int64).alias("n")).with_columns(_strings(CLOCK, MONTH, k)))
    stats = pl.concat(groups, how="diagonal").cache()
    parts = []
    for clock, (_, measure, final) in CLOCK_MEASURES.items():
        rows = (stats.filter(pl.col(CLOCK) == clock).pipe(with_months, months, final)
                .with_columns((~pl.col(final)).alias("provisional"), pl.lit(measure).alias("measure")))
        for stat in STATS:
            parts.append(long(rows.with_columns(pl.lit(stat).alias("stat"), pl.col(stat).alias("value"))))
    return pl.concat(parts)


def sla_measures(ctx: MeasureContext, tickets: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``sla.*`` and ``time.*`` family (no rows without SLA policies)."""
    if ctx.policies is None:
        return empty_long()
    # Only the months asked for; the group keys as enums / categoricals, which halve the
    # time and the memory of grouping millions of outcomes by strings.
    wanted = sorted(set(ctx.months))
    outcomes = (
        sla_outcomes(tickets, ctx.policies, ctx.calendars, as_of=ctx.as_of, timezone=ctx.timezone)
        .select(CLOCK, MONTH, *KEYS, MET, STOPPED_AT, ELAPSED_HOURS)
        .filter(pl.col(MONTH).is_in(wanted))
        .with_columns(pl.col(CLOCK).cast(pl.Enum(CLOCKS)), pl.col(MONTH).cast(pl.Enum(wanted)),
                      pl.col(KEYS).cast(pl.Categorical))
        .cache()  # read by both halves
    )
    return pl.concat([attainment(outcomes, months), elapsed_quantiles(outcomes, months)])
