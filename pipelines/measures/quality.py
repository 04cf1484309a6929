"""``quality.reopen_rate``, ``quality.first_assignment_resolution``, ``quality.repeat_rate``.

For the whole provider, per priority and per category; 95% Wilson intervals.

- reopen rate: of tickets resolved in the month whose ``reopen_count`` is known, the share
  with ``reopen_count > 0``.
- first-assignment resolution: of tickets resolved in the month whose ``reopen_count`` and
  ``reassignment_count`` are known, the share with both 0.
- repeat rate: of tickets opened in the month whose requester and category are known, the
  share whose requester had *another* ticket in the same category resolved in the
  ``repeat_window_days`` (× 24 h) before this ticket was opened: a resolution at
  ``r`` with ``opened_at − window ≤ r < opened_at``. Found with one as-of join over the
  tickets sorted by (requester, category) and time — no pairs of tickets are formed (see
  :func:`repeat_cube`). The pair is a 64-bit hash of requester and category: two pairs
  sharing one, at odds below 10⁻⁸ for a million pairs, would be taken for one. Resolutions
  recorded before their own ticket's opening are bad data and are not used as earlier
  resolutions.

Provisional: the two resolution-based rates until ``as_of`` is more than
``reopen_window_days`` after month end (a reopen moves a ticket's last resolution out of
the month); the repeat rate while the month is not over.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.facts import CATEGORY, OPENED_AT, PRIORITY, REQUESTER, RESOLVED_AT
from scorecard.months import US_PER_DAY

from .common import FINAL, FINAL_REOPEN, MONTH, proportion_rows, roll_up, with_months
from .tickets import KEYS, OPENED_MONTH, resolved_cube


def repeat_cube(prepared: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """Per month opened × priority × category: ``repeat_known`` and ``repeats``.

    Each ticket's time is folded with its (requester, category) hash into one Int128,
    ``hash · 2⁶⁴ + µs since 1970``, so that a single sorted column orders tickets by pair and
    then by time, and one as-of join without groups finds each opening's latest earlier
    resolution of the same pair: different pairs lie 2⁶⁴ µs apart, far beyond any window
    (timestamps are below 2⁶² µs). Several times faster than an as-of join ``by`` the pair
    at millions of tickets.
    """
    pair = pl.struct(REQUESTER, CATEGORY).hash().cast(pl.Int128) * pl.lit(2**64, dtype=pl.Int128)

    def at(col: str) -> pl.Expr:
        return pair + pl.col(col).dt.epoch("us").cast(pl.Int128)

    known = prepared.filter(pl.col(REQUESTER).is_not_null() & pl.col(CATEGORY).is_not_null())
    opens = known.select(at(OPENED_AT).alias("_opened"), OPENED_MONTH, PRIORITY, CATEGORY).sort("_opened")
    earlier = (known.filter(pl.col(RESOLVED_AT) >= pl.col(OPENED_AT))
               .select(at(RESOLVED_AT).alias("_earlier")).sort("_earlier"))
    return (
        opens.join_asof(earlier, left_on="_opened", right_on="_earlier", strategy="backward",
                        allow_exact_matches=False, tolerance=ctx.repeat_window_days * US_PER_DAY,
                        check_sortedness=False)
        .group_by(pl.col(OPENED_MONTH).alias(MONTH), *KEYS)
        .agg(pl.len().cast(pl.Int64).alias("repeat_known"),
             pl.col("_earlier").is_not_null().sum().cast(pl.Int64).alias("repeats"))
    )


def quality_measures(ctx: MeasureContext, prepared: pl.LazyFrame, cube: pl.LazyFrame,
                     months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``quality.*`` family, from the prepared tickets and the ticket cube
    (:mod:`pipelines.measures.tickets`)."""
    resolved = (roll_up(resolved_cube(cube), KEYS,
                        ["reopen_known", "reopened", "fa_known", "first_assignment"])
                .pipe(with_months, months, FINAL_REOPEN)
                .with_columns((~pl.col(FINAL_REOPEN)).alias("provisional"))
                .cache())
    repeats = (roll_up(repeat_cube(prepared, ctx), KEYS, ["repeat_known", "repeats"])
               .pipe(with_months, months, FINAL)
               .with_columns((~pl.col(FINAL)).alias("provisional")))
    return pl.concat([
        proportion_rows(resolved, "quality.reopen_rate", "reopened", "reopen_known"),
        proportion_rows(resolved, "quality.first_assignment_resolution", "first_assignment", "fa_known"),
        proportion_rows(repeats, "quality.repeat_rate", "repeats", "repeat_known"),
    ])
