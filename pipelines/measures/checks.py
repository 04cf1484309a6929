"""``checks.pass_rate``, per check type: of the checks done in the month (``at``, by
``as_of``), the share passed; 95% Wilson interval; n = checks. Checks with a null ``passed``
are left out. Provisional while the month is not over.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.months import month_expr

from .common import FINAL, MONTH, as_of_lit, proportion_rows, with_months


def check_measures(ctx: MeasureContext, checks: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``checks.*`` family."""
    cube = (checks.filter((pl.col("at") <= as_of_lit(ctx)) & pl.col("passed").is_not_null())
            .group_by("check_type", month_expr("at", ctx.timezone).alias(MONTH))
            .agg(pl.col("passed").sum().cast(pl.Int64).alias("_passed"),
                 pl.len().cast(pl.Int64).alias("_checks"))
            .filter(pl.col("check_type").is_not_null())
            .pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional")))
    return proportion_rows(cube, "checks.pass_rate", "_passed", "_checks")
