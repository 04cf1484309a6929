"""``capacity.p95_utilisation`` and ``capacity.months_to_exhaustion``, per resource.

- p95 utilisation: the 95th percentile of ``used ÷ capacity`` over the resource's samples
  taken in the month (by ``as_of``; samples with a null ``used`` or a capacity that is null
  or not positive are left out), linearly interpolated (as in ``time.*``); n = samples.
- months to exhaustion, for a month *K* with a p95: the Theil–Sen trend of the monthly p95
  values of the six calendar months *K−5 … K* that have one (at least three, else no row) —
  the median of the slopes between every pair of them, per month — and from *K*'s own p95
  the months until the trend reaches 1.0: ``(1 − p95_K) ÷ slope``. 0 when ``p95_K ≥ 1``; a
  row with a null value when the slope is ≤ 0 (the trend never reaches 100%). n = points.
  The p95 values of months before ``ctx.months`` are used when the samples have them.

Provisional while the month is not over.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.months import month_expr

from .common import FINAL, MONTH, as_of_lit, long, month_index, with_months

RESOURCE = "resource"
TREND_MONTHS = 6
MIN_POINTS = 3


def monthly_p95(capacity: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """Per resource and month (every month with samples): ``p95`` and ``samples``."""
    return (
        capacity.filter((pl.col("at") <= as_of_lit(ctx)) & pl.col("used").is_not_null()
                        & (pl.col("capacity") > 0))
        .group_by(RESOURCE, month_expr("at", ctx.timezone).alias(MONTH))
        .agg((pl.col("used") / pl.col("capacity")).quantile(0.95, interpolation="linear").alias("p95"),
             pl.len().cast(pl.Int64).alias("samples"))
    )


def exhaustion(p95: pl.LazyFrame) -> pl.LazyFrame:
    """Per resource and month: ``slope`` (Theil–Sen), ``points``, ``months_left``."""
    p = p95.select(RESOURCE, MONTH, month_index(MONTH).alias("_k"), "p95").cache()
    window = (p.select(RESOURCE, MONTH, "_k", pl.col("p95").alias("_now"))
              .join(p.select(RESOURCE, pl.col("_k").alias("_x"), pl.col("p95").alias("_y")), on=RESOURCE)
              .filter((pl.col("_x") <= pl.col("_k")) & (pl.col("_x") > pl.col("_k") - TREND_MONTHS))
              .cache())
    points = window.group_by(RESOURCE, MONTH).agg(pl.len().cast(pl.Int64).alias("points"), pl.col("_now").first())
    slopes = (window.join(window.select(RESOURCE, MONTH, pl.col("_x").alias("_x2"), pl.col("_y").alias("_y2")),
                          on=[RESOURCE, MONTH])
              .filter(pl.col("_x2") > pl.col("_x"))
              .group_by(RESOURCE, MONTH)
              .agg(((pl.col("_y2") - pl.col("_y")) / (pl.col("_x2") - pl.col("_x"))).median().alias("slope")))
    now, slope = pl.col("_now"), pl.col("slope")
    return (points.filter(pl.col("points") >= MIN_POINTS).join(slopes, on=[RESOURCE, MONTH], how="left")
            .with_columns(pl.when(now >= 1).then(0.0).when(slope > 0).then((1 - now) / slope)
                          .alias("months_left")))


def capacity_measures(ctx: MeasureContext, capacity: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``capacity.*`` family."""
    p95 = monthly_p95(capacity, ctx).cache()
    flags = [(~pl.col(FINAL)).alias("provisional")]
    return pl.concat([
        long(p95.pipe(with_months, months, FINAL).with_columns(
            *flags, pl.lit("capacity.p95_utilisation").alias("measure"),
            pl.col("p95").alias("value"), pl.col("samples").alias("n"))),
        long(exhaustion(p95).pipe(with_months, months, FINAL).with_columns(
            *flags, pl.lit("capacity.months_to_exhaustion").alias("measure"),
            pl.col("months_left").alias("value"), pl.col("points").alias("n"))),
    ])
