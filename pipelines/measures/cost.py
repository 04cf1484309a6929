"""``effort.hours``, ``cost.spend``, ``cost.budget_burn``, ``cost.per_ticket`` (whole provider).

From the ``spend`` fact (one row per provider and month, the month already in the
provider's terms; several rows of one month are added up):

- ``effort.hours``: Σ ``hours`` of the month (no row when they are null); n = rows.
- ``cost.spend``: Σ ``amount``; n = rows.
- ``cost.budget_burn``: year-to-date spend ÷ year-to-date budget, the budget year starting
  in month ``ctx.budget_year_start`` (April: 2025-04 … 2026-03 is one year). Sums over the
  spend rows of the budget year up to and including the month; no row when any of them has
  no budget or the budget sums to 0. numerator = YTD spend, denominator = YTD budget,
  n = months summed.
- ``cost.per_ticket``: the month's spend ÷ ``tickets.resolved`` of the month (whole
  provider); numerator = spend, denominator = n = tickets resolved. When no ticket was
  resolved the row is kept with a null value; without tickets no rows.

Provisional while the month is not over; ``cost.per_ticket`` also while its
``tickets.resolved`` is (see tickets).
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext

from .common import FINAL, MONTH, long, month_index, with_months


def monthly_spend(spend: pl.LazyFrame) -> pl.LazyFrame:
    """One row per month: amount, budget (null if any row lacks one), hours, rows."""
    return spend.group_by(MONTH).agg(
        pl.col("amount").sum(),
        pl.when(pl.col("budget").null_count() == 0).then(pl.col("budget").sum()).alias("budget"),
        pl.when(pl.col("hours").null_count() == 0).then(pl.col("hours").sum()).alias("hours"),
        pl.len().cast(pl.Int64).alias("rows"),
    )


def year_to_date(monthly: pl.LazyFrame, budget_year_start: int) -> pl.LazyFrame:
    """Add ``ytd_amount``, ``ytd_budget`` (null when a month lacks a budget), ``ytd_months``."""
    year = (month_index(MONTH) - (budget_year_start - 1)) // 12
    return (
        monthly.with_columns(year.alias("_year"))
        .sort(MONTH)
        .with_columns(
            pl.col("amount").cum_sum().over("_year").alias("ytd_amount"),
            pl.col("budget").cum_sum().over("_year").alias("ytd_budget"),
            pl.col("budget").is_null().cum_sum().over("_year").alias("_missing"),
            pl.int_range(1, pl.len() + 1).over("_year").cast(pl.Int64).alias("ytd_months"),
        )
        .with_columns(pl.when(pl.col("_missing") == 0).then(pl.col("ytd_budget")).alias("ytd_budget"))
    )


def spend_measures(ctx: MeasureContext, spend: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """``effort.hours``, ``cost.spend``, ``cost.budget_burn``."""
    rows = (monthly_spend(spend).pipe(year_to_date, ctx.budget_year_start)
            .pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional"))
            .cache())
    return pl.concat([
        long(rows.filter(pl.col("hours").is_not_null()).with_columns(
            pl.lit("effort.hours").alias("measure"), pl.col("hours").alias("value"), pl.col("rows").alias("n"))),
        long(rows.with_columns(
            pl.lit("cost.spend").alias("measure"), pl.col("amount").alias("value"), pl.col("rows").alias("n"))),
        long(rows.filter(pl.col("ytd_budget") > 0).with_columns(
            pl.lit("cost.budget_burn").alias("measure"),
            (pl.col("ytd_amount") / pl.col("ytd_budget")).alias("value"),
            pl.col("ytd_amount").alias("numerator"), pl.col("ytd_budget").alias("denominator"),
            pl.col("ytd_months").alias("n"))),
    ])


def cost_per_ticket(results: pl.LazyFrame) -> pl.LazyFrame:
    """``cost.per_ticket`` from the long rows of ``cost.spend`` and whole-provider
    ``tickets.resolved`` (both already restricted to the months computed)."""
    whole = pl.all_horizontal(pl.col(p).is_null() for p in ("priority", "category"))
    spent = results.filter(pl.col("measure") == "cost.spend").select(
        MONTH, pl.col("value").alias("_spend"), pl.col("provisional").alias("_p1"))
    resolved = results.filter((pl.col("measure") == "tickets.resolved") & whole).select(
        MONTH, pl.col("n").alias("_resolved"), pl.col("provisional").alias("_p2"))
    return long(spent.join(resolved, on=MONTH, how="inner").with_columns(
        pl.lit("cost.per_ticket").alias("measure"),
        pl.when(pl.col("_resolved") > 0).then(pl.col("_spend") / pl.col("_resolved")).alias("value"),
        pl.col("_spend").alias("numerator"),
        pl.col("_resolved").cast(pl.Float64).alias("denominator"),
        pl.col("_resolved").alias("n"),
        (pl.col("_p1") | pl.col("_p2")).alias("provisional"),
    ))
