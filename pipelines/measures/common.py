"""What every measure family shares: the months table, the long result rows, Wilson intervals,
roll-ups of small cubes to the parameter variants, and the final ``RESULT_SCHEMA`` frame.

Every family builds a *long* frame (``LONG_SCHEMA``): one row per measure, parameter set and
month, with one nullable String column per parameter (``priority``, ``category``, …; null =
not a parameter of this row). :func:`to_results` turns it into ``RESULT_SCHEMA`` with the
canonical ``params`` JSON of :func:`scorecard.catalogue.params_key`.

Months are ``"YYYY-MM"`` in the provider's time zone; :func:`months_frame` holds, for each
month of ``ctx.months``, its UTC bounds and whether it is *final* under each provisional rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from scorecard.catalogue import RESULT_SCHEMA, params_key
from scorecard.context import MeasureContext
from scorecard.errors import BadInput
from scorecard.facts import PROVIDER, UTC_TS, Fact
from scorecard.months import US_PER_DAY, local_to_utc, month_bounds, parse_month, shift_month

# z of a two-sided 95% normal interval: scipy.stats.norm.ppf(0.975)
Z95 = 1.959963984540054

# month table columns
MONTH = "month"
START = "start"            # UTC instant the month starts
END = "end"                # UTC instant the next month starts
PERIOD_END = "period_end"  # min(end, as_of): the part of the month that has happened
FINAL = "final"                    # as_of ≥ end: the month is over
FINAL_REOPEN = "final_reopen"      # as_of > end + reopen_window_days (local days)
FINAL_SURVEY = "final_survey"      # as_of > end + survey_window_days (local days)

PARAMS = ("priority", "category", "service", "resource", "check_type", "question", "stat")

LONG_SCHEMA = pl.Schema({
    "measure": pl.String(),
    MONTH: pl.String(),
    **{p: pl.String() for p in PARAMS},
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "n": pl.Int64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "provisional": pl.Boolean(),
})

RESULT_COLUMNS = list(RESULT_SCHEMA)


# ---------------------------------------------------------------------------- inputs

def as_of_lit(ctx: MeasureContext) -> pl.Expr:
    """``ctx.as_of`` as a UTC Datetime literal."""
    return pl.lit(utc_as_of(ctx)).cast(UTC_TS)


def utc_as_of(ctx: MeasureContext) -> datetime:
    if not isinstance(ctx.as_of, datetime) or ctx.as_of.tzinfo is None:
        raise BadInput(f"as_of must be a time-zone-aware datetime, got {ctx.as_of!r}")
    return ctx.as_of.astimezone(UTC)


def local_as_of_date(ctx: MeasureContext) -> date:
    """The provider's local date at ``ctx.as_of`` (for facts dated by local dates)."""
    return (pl.Series([utc_as_of(ctx)]).dt.convert_time_zone(ctx.timezone).dt.date()[0])


def fact_frame(facts: object, name: str, fact: Fact | None, ctx: MeasureContext) -> pl.LazyFrame | None:
    """The fact ``name`` of ``ctx.provider`` (None when not given).

    Optional columns missing from the frame are added as typed nulls, so that measures that
    need them have no data rather than fail; rows of other providers are dropped.
    """
    lf = facts.get(name) if facts is not None else None
    if lf is None:
        return None
    if isinstance(lf, pl.DataFrame):
        lf = lf.lazy()
    if fact is not None:
        have = lf.collect_schema()
        missing = [c for c in fact.columns if c.name not in have]
        absent = [c.name for c in missing if c.required]
        if absent:
            raise BadInput(f"fact {name!r}: required column(s) missing: {', '.join(absent)}")
        if missing:
            lf = lf.with_columns(pl.lit(None, dtype=c.dtype).alias(c.name) for c in missing)
    if PROVIDER in lf.collect_schema():
        lf = lf.filter(pl.col(PROVIDER) == ctx.provider)
    return lf


# ---------------------------------------------------------------------------- months

def _after_month(months: Sequence[str], days: int, tz: str) -> np.ndarray:
    """UTC µs of local midnight ``days`` days after the end of each month."""
    walls = []
    for m in months:
        y, mo = parse_month(shift_month(m, 1))
        d = date(y, mo, 1) + timedelta(days=days)
        walls.append((d - date(1970, 1, 1)).days * US_PER_DAY)
    return local_to_utc(np.array(walls, dtype=np.int64), tz)


def months_frame(ctx: MeasureContext) -> pl.LazyFrame:
    """One row per month of ``ctx.months`` begun by ``as_of``: bounds and finality (see the
    module docstring).

    Built from the month names (configuration, not data), with the same wall-clock rule as
    every other month computation (``scorecard.months``).
    """
    months = list(dict.fromkeys(ctx.months))
    bounds = [month_bounds(m, ctx.timezone) for m in months]
    as_of = utc_as_of(ctx)

    def instants(us: np.ndarray) -> pl.Series:
        return pl.Series(us.astype("datetime64[us]")).dt.replace_time_zone("UTC")

    frame = pl.DataFrame({
        MONTH: pl.Series(months, dtype=pl.String),
        START: pl.Series([b[0] for b in bounds], dtype=UTC_TS),
        END: pl.Series([b[1] for b in bounds], dtype=UTC_TS),
        "_reopen": instants(_after_month(months, ctx.reopen_window_days, ctx.timezone)),
        "_survey": instants(_after_month(months, ctx.survey_window_days, ctx.timezone)),
    }, schema_overrides={START: UTC_TS, END: UTC_TS, "_reopen": UTC_TS, "_survey": UTC_TS})
    a = pl.lit(as_of).cast(UTC_TS)
    return frame.lazy().filter(pl.col(START) < a).select(  # a month not begun has no data
        MONTH, START, END,
        pl.min_horizontal(pl.col(END), a).alias(PERIOD_END),
        (a >= pl.col(END)).alias(FINAL),
        (a > pl.col("_reopen")).alias(FINAL_REOPEN),
        (a > pl.col("_survey")).alias(FINAL_SURVEY),
    )


def month_index(col: str | pl.Expr) -> pl.Expr:
    """``"YYYY-MM"`` → months since year 0 (Int32), for arithmetic on months."""
    c = pl.col(col) if isinstance(col, str) else col
    return c.str.slice(0, 4).cast(pl.Int32) * 12 + c.str.slice(5, 2).cast(pl.Int32) - 1


# ---------------------------------------------------------------------------- statistics

def wilson(num: str | pl.Expr, den: str | pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The 95% Wilson score interval of ``num`` successes in ``den`` trials (low, high).

    centre = (p + z²/2n) / (1 + z²/n), half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n);
    null when ``den`` is 0 or null.
    """
    x = pl.col(num) if isinstance(num, str) else num
    n = pl.col(den) if isinstance(den, str) else den
    n = pl.when(n > 0).then(n.cast(pl.Float64))
    p = x.cast(pl.Float64) / n
    z2 = Z95 * Z95
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / denom
    return (centre - half).clip(0.0, 1.0), (centre + half).clip(0.0, 1.0)


def proportion_rows(lf: pl.LazyFrame, measure: str, num: str, den: str) -> pl.LazyFrame:
    """Long rows of a proportion from columns ``num``/``den``; groups with ``den`` 0 are dropped.

    ``lf`` carries ``month``, any parameter columns and ``provisional``.
    """
    low, high = wilson(num, den)
    return long(lf.filter(pl.col(den) > 0).with_columns(
        pl.lit(measure).alias("measure"),
        (pl.col(num).cast(pl.Float64) / pl.col(den)).alias("value"),
        pl.col(num).cast(pl.Float64).alias("numerator"),
        pl.col(den).cast(pl.Float64).alias("denominator"),
        pl.col(den).cast(pl.Int64).alias("n"),
        low.alias("ci_low"), high.alias("ci_high"),
    ))


def count_rows(lf: pl.LazyFrame, measure: str, count: str) -> pl.LazyFrame:
    """Long rows of a count: value = n = ``count``."""
    return long(lf.with_columns(
        pl.lit(measure).alias("measure"),
        pl.col(count).cast(pl.Float64).alias("value"),
        pl.col(count).cast(pl.Int64).alias("n"),
    ))


def long(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Select ``LONG_SCHEMA`` from ``lf``; columns it lacks are null."""
    have = lf.collect_schema()
    return lf.select(
        (pl.col(c) if c in have else pl.lit(None)).cast(dt).alias(c) for c, dt in LONG_SCHEMA.items()
    )


def empty_long() -> pl.LazyFrame:
    return pl.LazyFrame(schema=LONG_SCHEMA)


# ---------------------------------------------------------------------------- cubes

def roll_up(cube: pl.LazyFrame, keys: Iterable[str], values: Sequence[str],
            by: Sequence[str] = (MONTH,)) -> pl.LazyFrame:
    """Sum ``values`` of a small cube for the whole provider and per each of ``keys``.

    The result has ``by``, every key column (null except in that key's rows) and the sums.
    A null key value is counted in the whole-provider row but has no row of its own: a
    parameter names a value.
    """
    keys = list(keys)
    cube = cube.cache()  # read once per variant
    parts = [cube.group_by(*by).agg(pl.col(values).sum())
             .with_columns(pl.lit(None, dtype=pl.String).alias(k) for k in keys)]
    for k in keys:
        parts.append(
            cube.filter(pl.col(k).is_not_null()).group_by(*by, k).agg(pl.col(values).sum())
            .with_columns(pl.lit(None, dtype=pl.String).alias(o) for o in keys if o != k)
        )
    cols = [*by, *keys, *values]
    return pl.concat([p.select(cols) for p in parts])


def densify(cube: pl.LazyFrame, months: pl.LazyFrame, keys: Sequence[str],
            values: Sequence[str], groups: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """``cube`` restricted to the months of ``months``, with a zero row for every month and
    every combination of ``keys`` in ``groups`` (default: seen anywhere in ``cube``; none
    when it is empty, so that an empty fact gives no rows rather than zeros)."""
    if groups is None:
        cube = cube.cache()
        groups = cube.select(keys).unique()
    grid = months.select(MONTH).join(groups.select(keys), how="cross")
    return (grid.join(cube, on=[MONTH, *keys], how="left", nulls_equal=True)
            .with_columns(pl.col(values).fill_null(0)))


def with_months(lf: pl.LazyFrame, months: pl.LazyFrame, *flags: str) -> pl.LazyFrame:
    """Keep the rows of months in ``months`` and add the month's ``flags`` columns."""
    return lf.join(months.select(MONTH, *flags), on=MONTH, how="inner")


# ---------------------------------------------------------------------------- results

def _encode_params(s: pl.Series) -> pl.Series:
    """A struct of parameter columns → ``params_key`` of each row's non-null fields.

    Encoded once per distinct parameter set (a few dozen), then joined back; the JSON is
    exactly ``params_key``'s (sorted keys, compact, ASCII escapes).
    """
    df = s.struct.unnest()
    distinct = df.unique(maintain_order=True)
    texts = [params_key({k: v for k, v in row.items() if v is not None})
             for row in distinct.iter_rows(named=True)]
    keyed = distinct.with_columns(pl.Series("_params", texts, dtype=pl.String))
    return df.join(keyed, on=df.columns, how="left", nulls_equal=True, maintain_order="left")["_params"]


def params_expr(params: Sequence[str] = PARAMS) -> pl.Expr:
    return pl.struct(list(params)).map_batches(_encode_params, return_dtype=pl.String,
                                              is_elementwise=False)


def to_results(long_lf: pl.LazyFrame, provider: str) -> pl.LazyFrame:
    """Long rows → ``RESULT_SCHEMA`` (exact columns, order and dtypes), sorted by measure,
    params and month."""
    return (
        long_lf.with_columns(pl.lit(provider, dtype=pl.String).alias("provider"),
                             params_expr().alias("params"))
        .select(pl.col(c).cast(dt) for c, dt in RESULT_SCHEMA.items())
        .sort("measure", "params", MONTH)
    )
