"""``demand.duplicate_share`` and ``demand.how_to_share``, for the whole provider and per
priority.

Of the tickets opened in the month whose category is known (cancelled ones included: a
duplicate is often cancelled), the share whose category is one of ``ctx.duplicate_categories``
/ ``ctx.how_to_categories`` (exact, case-sensitive names). 95% Wilson intervals. Provisional
while the month is not over.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.facts import PRIORITY

from .common import FINAL, proportion_rows, roll_up, with_months
from .tickets import opened_cube


def demand_measures(ctx: MeasureContext, cube: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``demand.*`` family, from the :func:`~pipelines.measures.tickets.ticket_cube`."""
    opened = (roll_up(opened_cube(cube, ctx), [PRIORITY],
                      ["classified", "duplicates", "how_to"])
              .pipe(with_months, months, FINAL)
              .with_columns((~pl.col(FINAL)).alias("provisional"))
              .cache())
    return pl.concat([
        proportion_rows(opened, "demand.duplicate_share", "duplicates", "classified"),
        proportion_rows(opened, "demand.how_to_share", "how_to", "classified"),
    ])
