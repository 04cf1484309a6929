"""``survey.csat``, ``survey.nps``, ``survey.response_rate`` — and the input frames they expect.

The app collects survey answers itself (DESIGN.md §6); the surveys package feeds these two
frames (facts ``"survey_responses"`` and ``"survey_invitations"``), as the ``Fact``
declarations ``RESPONSES`` and ``INVITATIONS`` below say (timestamps UTC, microseconds):

``survey_responses`` — one row per answered rating question (no link to a person or ticket):

| column | dtype | |
|---|---|---|
| ``provider`` | String | |
| ``questionnaire`` | String, nullable | questionnaire id / version |
| ``question`` | String | question id (the ``question`` parameter of ``survey.csat``) |
| ``scale`` | String | ``"1-5"`` (satisfaction) or ``"0-10"`` (recommendation) |
| ``answered_at`` | Datetime(us, UTC) | when the response was submitted |
| ``rating`` | Int32 | the answer on the scale |

``survey_invitations`` — one row per invitation sent:

| column | dtype | |
|---|---|---|
| ``provider`` | String | |
| ``sent_at`` | Datetime(us, UTC) | |
| ``responded_at`` | Datetime(us, UTC), nullable | when its response was submitted, null if none |

Measures:

- ``survey.csat``: of the ratings on a ``"1-5"`` question answered in the month, the share
  of 4 and 5; 95% Wilson interval; all such questions together (``{}``) and per
  ``question``. n = ratings.
- ``survey.nps``: of the ratings on ``"0-10"`` questions answered in the month,
  100 × (share of 9–10 − share of 0–6), from −100 to 100. Interval:
  ``p⁺ − p⁻ ± z·√((p⁺ + p⁻ − (p⁺ − p⁻)²)/n)`` × 100, clipped to ±100 (z = 1.95996…).
  numerator = promoters − detractors, denominator = n = ratings.
- ``survey.response_rate``: of the invitations *sent* in the month, the share responded to
  by ``as_of``; 95% Wilson interval (a cohort by sending month).

Ratings outside their scale are left out (the survey form refuses them).

Provisional: csat and NPS while the month is not over (a response counts in the month it
was answered, so it cannot change after); the response rate until ``as_of`` is more than
``ctx.survey_window_days`` after month end (invitations sent late in the month can still be
answered until they expire).

Without the frames, or with empty ones, no rows. Reports, not measures, apply the rule
that no breakdown of fewer than five responses is shown.
"""

from __future__ import annotations

import polars as pl

from scorecard.context import MeasureContext
from scorecard.facts import UTC_TS, Column, Fact
from scorecard.months import month_expr

from .common import (
    FINAL,
    FINAL_SURVEY,
    MONTH,
    Z95,
    as_of_lit,
    empty_long,
    long,
    proportion_rows,
    roll_up,
    with_months,
)

RESPONSES = Fact(
    name="survey_responses", table="survey_responses", key=(),
    help="answered rating questions of the app's own surveys, one row per answer",
    columns=(
        Column("provider", pl.String()),
        Column("questionnaire", pl.String(), False),
        Column("question", pl.String()),
        Column("scale", pl.String(), help='"1-5" or "0-10"'),
        Column("answered_at", UTC_TS),
        Column("rating", pl.Int32()),
    ),
)
INVITATIONS = Fact(
    name="survey_invitations", table="survey_invitations", key=(),
    help="survey invitations sent, and whether they were answered",
    columns=(
        Column("provider", pl.String()),
        Column("sent_at", UTC_TS),
        Column("responded_at", UTC_TS, False, "null while not answered"),
    ),
)
CSAT_SCALE, NPS_SCALE = "1-5", "0-10"


def answered(responses: pl.LazyFrame, ctx: MeasureContext, scale: str, lo: int, hi: int) -> pl.LazyFrame:
    return (responses.filter((pl.col("scale") == scale) & pl.col("rating").is_between(lo, hi)
                             & (pl.col("answered_at") <= as_of_lit(ctx)))
            .with_columns(month_expr("answered_at", ctx.timezone).alias(MONTH)))


def csat(responses: pl.LazyFrame, ctx: MeasureContext, months: pl.LazyFrame) -> pl.LazyFrame:
    cube = (answered(responses, ctx, CSAT_SCALE, 1, 5).group_by(MONTH, "question")
            .agg((pl.col("rating") >= 4).sum().cast(pl.Int64).alias("_satisfied"),
                 pl.len().cast(pl.Int64).alias("_ratings")))
    rows = (roll_up(cube, ["question"], ["_satisfied", "_ratings"]).pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional")))
    return proportion_rows(rows, "survey.csat", "_satisfied", "_ratings")


def nps(responses: pl.LazyFrame, ctx: MeasureContext, months: pl.LazyFrame) -> pl.LazyFrame:
    rows = (answered(responses, ctx, NPS_SCALE, 0, 10).group_by(MONTH)
            .agg((pl.col("rating") >= 9).sum().cast(pl.Int64).alias("_promoters"),  # signed: pro − det < 0
                 (pl.col("rating") <= 6).sum().cast(pl.Int64).alias("_detractors"),
                 pl.len().cast(pl.Int64).alias("n"))
            .pipe(with_months, months, FINAL))
    n = pl.col("n").cast(pl.Float64)
    pro, det = pl.col("_promoters") / n, pl.col("_detractors") / n
    half = Z95 * ((pro + det - (pro - det) ** 2) / n).sqrt()
    return long(rows.with_columns(
        pl.lit("survey.nps").alias("measure"),
        (100 * (pro - det)).alias("value"),
        (pl.col("_promoters") - pl.col("_detractors")).cast(pl.Float64).alias("numerator"),
        n.alias("denominator"),
        (100 * (pro - det - half)).clip(-100.0, 100.0).alias("ci_low"),
        (100 * (pro - det + half)).clip(-100.0, 100.0).alias("ci_high"),
        (~pl.col(FINAL)).alias("provisional"),
    ))


def response_rate(invitations: pl.LazyFrame, ctx: MeasureContext, months: pl.LazyFrame) -> pl.LazyFrame:
    as_of = as_of_lit(ctx)
    cube = (invitations.filter(pl.col("sent_at") <= as_of)
            .group_by(month_expr("sent_at", ctx.timezone).alias(MONTH))
            .agg((pl.col("responded_at") <= as_of).sum().cast(pl.Int64).alias("_responded"),
                 pl.len().cast(pl.Int64).alias("_sent"))
            .pipe(with_months, months, FINAL_SURVEY)
            .with_columns((~pl.col(FINAL_SURVEY)).alias("provisional")))
    return proportion_rows(cube, "survey.response_rate", "_responded", "_sent")


def survey_measures(ctx: MeasureContext, responses: pl.LazyFrame | None,
                    invitations: pl.LazyFrame | None, months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``survey.*`` family (parts without their frame give no rows)."""
    parts = []
    if responses is not None:
        parts += [csat(responses, ctx, months), nps(responses, ctx, months)]
    if invitations is not None:
        parts.append(response_rate(invitations, ctx, months))
    return pl.concat(parts) if parts else empty_long()
