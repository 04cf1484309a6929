"""``tickets.opened``, ``tickets.resolved``, ``tickets.backlog``, ``tickets.backlog_aged``, and
the per-ticket preparation and the *ticket cube* that the quality and demand measures share.

Every ticket measure comes for the whole provider (``{}``), per priority and per category.
The tickets pass once through a group-by into the ticket cube — tickets counted per opening
month × resolution month × aged-from month × priority × category × cancelled, a few
thousand rows — and every count and rate (but the repeat rate) is a sum over that cube.

Judged as of ``ctx.as_of``: tickets opened after it are left out, a resolution after it has
not happened yet. A cancelled ticket is never resolved (canonical tickets have no
``resolved_at`` for it) and, as the facts have no cancellation time, is in no backlog at
all. Counts are zero-filled: every month of ``ctx.months`` × every priority and category
that occurs among the tickets gets a row (0 when nothing happened); without tickets there
are no rows.

- ``tickets.opened``: tickets (cancelled ones included) whose ``opened_at`` is in the month.
- ``tickets.resolved``: tickets whose ``resolved_at`` is in the month (the last resolution
  when a ticket was reopened).
- ``tickets.backlog``: at the month's end ``E`` (the next month's local midnight), tickets not
  cancelled with ``opened_at < E`` and ``resolved_at`` null or ``≥ E``.
- ``tickets.backlog_aged``: of those, ``opened_at < E − backlog_age_days × 24 h``.

Provisional: opened and the backlogs while the month is not over (``as_of < E``); resolved
until ``as_of`` is more than ``reopen_window_days`` local days after ``E`` (a reopen moves
the ticket's last resolution out of the month).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from scorecard.context import MeasureContext
from scorecard.facts import (
    CATEGORY,
    OPENED_AT,
    PRIORITY,
    REASSIGNMENT_COUNT,
    REOPEN_COUNT,
    REQUESTER,
    RESOLVED_AT,
    STATUS,
)
from scorecard.months import month_expr

from .common import FINAL, FINAL_REOPEN, MONTH, as_of_lit, count_rows, densify, roll_up, with_months

KEYS = (PRIORITY, CATEGORY)
CANCELLED = "cancelled"
OPENED_MONTH = "opened_month"
RESOLVED_MONTH = "resolved_month"
AGED_MONTH = "aged_month"          # the month from whose end on an open ticket is aged
RESOLVED_SUMS = ("resolved", "reopen_known", "reopened", "fa_known", "first_assignment")


def prepare_tickets(tickets: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """The columns the ticket measures need, judged as of ``ctx.as_of``, with the months (in
    the provider's zone) in which each ticket was opened, resolved and became aged."""
    as_of = as_of_lit(ctx)
    cancelled = pl.col(STATUS) == "cancelled"
    resolved = pl.when(~cancelled & (pl.col(RESOLVED_AT) <= as_of)).then(pl.col(RESOLVED_AT))
    tz = ctx.timezone
    return (
        tickets.filter(pl.col(OPENED_AT) <= as_of)
        .select(PRIORITY, CATEGORY, REQUESTER, OPENED_AT, resolved.alias(RESOLVED_AT),
                cancelled.alias(CANCELLED), REOPEN_COUNT, REASSIGNMENT_COUNT)
        .with_columns(
            month_expr(OPENED_AT, tz).alias(OPENED_MONTH),
            month_expr(RESOLVED_AT, tz).alias(RESOLVED_MONTH),
            month_expr(pl.col(OPENED_AT) + timedelta(days=ctx.backlog_age_days), tz).alias(AGED_MONTH),
        )
    )


def ticket_cube(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """The tickets counted per opening, resolution and aged-from month, priority, category
    and cancelled: ``tickets``; ``reopen_known`` / ``reopened`` (reopen_count > 0);
    ``fa_known`` / ``first_assignment`` (no reassignment and no reopen). The ``_known`` counts
    leave out tickets whose counts are null."""
    reopen, reassign = pl.col(REOPEN_COUNT), pl.col(REASSIGNMENT_COUNT)
    return prepared.group_by(OPENED_MONTH, RESOLVED_MONTH, AGED_MONTH, *KEYS, CANCELLED).agg(
        pl.len().cast(pl.Int64).alias("tickets"),
        reopen.is_not_null().sum().cast(pl.Int64).alias("reopen_known"),
        (reopen > 0).sum().cast(pl.Int64).alias("reopened"),
        (reopen.is_not_null() & reassign.is_not_null()).sum().cast(pl.Int64).alias("fa_known"),
        ((reopen == 0) & (reassign == 0)).sum().cast(pl.Int64).alias("first_assignment"),
    )


def opened_cube(cube: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """Per month opened × priority × category: ``opened``; ``classified`` (category known),
    ``duplicates`` and ``how_to`` (category in the provider's mapping)."""
    n, cat = pl.col("tickets"), pl.col(CATEGORY)
    return cube.group_by(pl.col(OPENED_MONTH).alias(MONTH), *KEYS).agg(
        n.sum().alias("opened"),
        n.filter(cat.is_not_null()).sum().alias("classified"),
        n.filter(cat.is_in(sorted(ctx.duplicate_categories))).sum().alias("duplicates"),
        n.filter(cat.is_in(sorted(ctx.how_to_categories))).sum().alias("how_to"),
    )


def resolved_cube(cube: pl.LazyFrame) -> pl.LazyFrame:
    """Per month resolved × priority × category: ``resolved`` and the reopen and
    first-assignment counts of :func:`ticket_cube`."""
    return (cube.filter(pl.col(RESOLVED_MONTH).is_not_null())
            .group_by(pl.col(RESOLVED_MONTH).alias(MONTH), *KEYS)
            .agg(pl.col("tickets").sum().alias("resolved"), pl.col(RESOLVED_SUMS[1:]).sum()))


def backlog_cube(cube: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """Per month of ``months`` × priority × category: ``backlog`` and ``backlog_aged`` at the
    month's end ``E``.

    A ticket (not cancelled) is in the backlog at ``E`` when ``opened_at < E ≤ resolved_at``
    (or it is unresolved): at the ends of the months from its opening month up to the month
    before its resolution month (none when resolved in its opening month); in the aged
    backlog likewise from its aged-from month. So each ticket adds +1 at one month and −1 at
    a later one, and the backlog at ``E`` is the sum of the changes up to ``E``'s month — a
    product of months with the small cube, not with the tickets.
    """
    live = cube.filter(~pl.col(CANCELLED))
    resolved = pl.col(RESOLVED_MONTH)
    closes = pl.when(resolved.is_not_null())
    changes = pl.concat([
        live.select(pl.col(OPENED_MONTH).alias("_at"), *KEYS, pl.col("tickets").alias("_b"), pl.lit(0).alias("_a")),
        live.select(closes.then(pl.max_horizontal(OPENED_MONTH, resolved)).alias("_at"), *KEYS,
                    (-pl.col("tickets")).alias("_b"), pl.lit(0).alias("_a")),
        live.select(pl.col(AGED_MONTH).alias("_at"), *KEYS, pl.lit(0).alias("_b"), pl.col("tickets").alias("_a")),
        live.select(closes.then(pl.max_horizontal(AGED_MONTH, resolved)).alias("_at"), *KEYS,
                    pl.lit(0).alias("_b"), (-pl.col("tickets")).alias("_a")),
    ], how="vertical_relaxed").filter(pl.col("_at").is_not_null())
    return (
        months.select(MONTH).join(changes, how="cross")
        .filter(pl.col("_at") <= pl.col(MONTH))  # "YYYY-MM" sorts as months do
        .group_by(MONTH, *KEYS)
        .agg(pl.col("_b").sum().cast(pl.Int64).alias("backlog"),
             pl.col("_a").sum().cast(pl.Int64).alias("backlog_aged"))
    )


def ticket_measures(ctx: MeasureContext, cube: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``tickets.*`` family, from the :func:`ticket_cube`."""
    opened = opened_cube(cube, ctx).cache()
    groups = opened.select(KEYS).unique()
    backlog = backlog_cube(cube, months).cache()
    counts = {
        "opened": (opened, FINAL),
        "resolved": (resolved_cube(cube), FINAL_REOPEN),
        "backlog": (backlog, FINAL),
        "backlog_aged": (backlog, FINAL),
    }
    parts = []
    for name, (frame, final) in counts.items():
        dense = densify(frame.select(MONTH, *KEYS, name), months, KEYS, [name], groups=groups)
        rows = (roll_up(dense, KEYS, [name]).pipe(with_months, months, final)
                .with_columns((~pl.col(final)).alias("provisional")))
        parts.append(count_rows(rows, f"tickets.{name}", name))
    return pl.concat(parts)
