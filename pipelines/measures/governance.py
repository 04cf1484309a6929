"""``governance.actions_on_time`` — and the input frame it expects.

Fact ``"actions"``: the improvement actions agreed with the provider, one row per action
(``ACTIONS`` below):

| column | dtype | |
|---|---|---|
| ``provider`` | String | |
| ``action_id`` | String | |
| ``due_on`` | Date | the local date it is due |
| ``closed_on`` | Date, nullable | the local date it was closed, null while open |

Of the actions due in the month (``due_on``'s month), the share closed on or before their
due date (a closing dated after ``ctx.as_of``'s local date has not happened yet); an open
action past its due date counts as late; 95% Wilson interval; n = actions due. Provisional
while the month is not over (an action due on its last day can still be closed in time).
Without the frame, or with an empty one, no rows.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.facts import Column, Fact

from .common import FINAL, MONTH, local_as_of_date, proportion_rows, with_months

ACTIONS = Fact(
    name="actions", table="improvement_actions", key=("provider", "action_id"),
    help="improvement actions agreed with the provider",
    columns=(
        Column("provider", pl.String()),
        Column("action_id", pl.String()),
        Column("due_on", pl.Date(), help="local date"),
        Column("closed_on", pl.Date(), False, "local date; null while open"),
    ),
)


def governance_measures(ctx: MeasureContext, actions: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``governance.*`` family."""
    closed = pl.col("closed_on")
    in_time = closed.is_not_null() & (closed <= pl.col("due_on")) & (closed <= local_as_of_date(ctx))
    cube = (actions.filter(pl.col("due_on").is_not_null())
            .group_by(pl.col("due_on").dt.strftime("%Y-%m").alias(MONTH))
            .agg(in_time.sum().cast(pl.Int64).alias("_on_time"), pl.len().cast(pl.Int64).alias("_due"))
            .pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional")))
    return proportion_rows(cube, "governance.actions_on_time", "_on_time", "_due")
