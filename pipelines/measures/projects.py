"""``projects.on_schedule`` and ``projects.cost_variance`` (whole provider).

Each month uses every project's *latest* snapshot dated in that month (``as_of`` is a local
date; snapshots dated after ``ctx.as_of``'s local date are not yet taken). A project with
no snapshot in a month is not in that month. *Active*: ``pct_complete`` null or below 100
(a project at 100% is done, whatever its dates say).

- on schedule: of the active projects with a ``forecast_end``, the share with
  ``forecast_end ≤ baseline_end + ctx.project_tolerance_days``; 95% Wilson interval;
  n = projects judged.
- cost variance: Σ(forecast_cost − baseline_cost) ÷ Σ baseline_cost over the active
  projects with both costs (no row when that Σ baseline_cost is not positive); a fraction
  (0.04 = 4% over); numerator / denominator the two sums, n = projects.

Provisional while the month is not over (a later snapshot may still come).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from scorecard.context import MeasureContext

from .common import FINAL, MONTH, local_as_of_date, long, proportion_rows, with_months


def latest_snapshots(projects: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """The active projects' latest snapshot per month."""
    return (
        projects.filter(pl.col("as_of") <= local_as_of_date(ctx))
        .with_columns(pl.col("as_of").dt.strftime("%Y-%m").alias(MONTH))
        .filter(pl.col("as_of") == pl.col("as_of").max().over("project", MONTH))
        .unique(["project", MONTH], keep="any")
        .filter(pl.col("pct_complete").is_null() | (pl.col("pct_complete") < 100))
    )


def project_measures(ctx: MeasureContext, projects: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``projects.*`` family."""
    active = latest_snapshots(projects, ctx)
    due = pl.col("baseline_end") + timedelta(days=ctx.project_tolerance_days)
    costed = pl.col("baseline_cost").is_not_null() & pl.col("forecast_cost").is_not_null()
    cube = (active.group_by(MONTH).agg(
        pl.col("forecast_end").is_not_null().sum().cast(pl.Int64).alias("_judged"),
        (pl.col("forecast_end") <= due).sum().cast(pl.Int64).alias("_on_time"),
        costed.sum().cast(pl.Int64).alias("_costed"),
        (pl.col("forecast_cost") - pl.col("baseline_cost")).filter(costed).sum().alias("_over"),
        pl.col("baseline_cost").filter(costed).sum().alias("_baseline"),
    ).pipe(with_months, months, FINAL).with_columns((~pl.col(FINAL)).alias("provisional")).cache())
    variance = cube.filter((pl.col("_costed") > 0) & (pl.col("_baseline") > 0)).with_columns(
        pl.lit("projects.cost_variance").alias("measure"),
        (pl.col("_over") / pl.col("_baseline")).alias("value"),
        pl.col("_over").alias("numerator"), pl.col("_baseline").alias("denominator"),
        pl.col("_costed").alias("n"),
    )
    return pl.concat([proportion_rows(cube, "projects.on_schedule", "_on_time", "_judged"), long(variance)])
