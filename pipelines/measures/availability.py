"""``availability.service``, ``availability.services_meeting_target``,
``availability.outages``, ``availability.mttr``.

**Which services.** A service that has rows in ``outages`` (planned or not) is measured
from outages; one that has none but has ``probes`` from probes. A service of
``ctx.services`` with neither is measured from outages — it had none, 100% — provided the
provider's outage log is not empty (an empty log is no data, never 100%).

**From outages**, per service and month, within the service's scheduled hours
(``ServiceSpec.calendar`` names a calendar of ``ctx.calendars``, or ``"24x7"``; none means
round the clock in the provider's zone):

- scheduled = business minutes of the calendar from the month's start to its end, or to
  ``as_of`` while the month is running (a month with no scheduled time has no row);
- unplanned outages only (planned maintenance is left out); one still going on
  (``ended_at`` null) lasts until ``as_of``; each is cut at the month's bounds;
- downtime = ∫ impact over the scheduled time: where outages overlap, the time counts
  once, at the largest impact among those going on (two full outages overlapping by an
  hour lose the union; a 50% outage inside a 100% one adds nothing);
- value = (scheduled − downtime) ÷ scheduled; numerator = scheduled − downtime and
  denominator = scheduled, in minutes; n = unplanned outages that touch the month; no
  interval (the minutes are not a sample).

Computed on elementary segments: within a service and month the starts and ends of the
outage pieces cut time into segments, each segment gets the largest impact of the pieces
covering it, and its business time on the service's calendar.

**From probes**: up ÷ all probes taken in the month (≤ ``as_of``); Wilson interval; n = probes.

**services_meeting_target**: of the services with a target (``ServiceSpec.target``) that
have an availability this month, the share at or above their target (compared with a
tolerance of 10⁻¹²); Wilson interval over the services; n = services.

**outages / mttr**: unplanned outages that *ended* in the month (by ``as_of``), for the
whole provider and per service (counts zero-filled over the services measured from
outages); mttr = their mean duration in minutes (wall-clock ``ended_at − started_at``),
numerator = total minutes, denominator = n = outages; no mttr row without outages.

Provisional while the month is not over.
"""

from __future__ import annotations

import polars as pl

from scorecard.calendars import ALWAYS, BusinessCalendar, elapsed_expr
from scorecard.context import MeasureContext
from scorecard.errors import BadInput
from scorecard.months import month_expr

from .common import (
    FINAL,
    MONTH,
    PERIOD_END,
    START,
    as_of_lit,
    count_rows,
    densify,
    empty_long,
    long,
    proportion_rows,
    roll_up,
    with_months,
)

SERVICE = "service"
_CAL = "_calendar"
_ROUND = "\x00round-the-clock"  # the calendar key of services without one
TOLERANCE = 1e-12


def service_calendars(ctx: MeasureContext) -> dict[str, BusinessCalendar]:
    """Calendar key → calendar, for every calendar the services use."""
    out = {_ROUND: BusinessCalendar.round_the_clock(ctx.timezone)}
    for name, spec in ctx.services.items():
        if spec.calendar is None or spec.calendar in out:
            continue
        if spec.calendar in ctx.calendars:
            out[spec.calendar] = ctx.calendars[spec.calendar]
        elif spec.calendar == ALWAYS:
            out[ALWAYS] = BusinessCalendar.round_the_clock(ctx.timezone)
        else:
            known = ", ".join(sorted(set(ctx.calendars) | {ALWAYS}))
            raise BadInput(f"service {name!r}: unknown calendar {spec.calendar!r} (known: {known})")
    return out


def business_seconds(calendars: dict[str, BusinessCalendar], start: str, end: str) -> pl.Expr:
    """Seconds of scheduled time from ``start`` to ``end`` on each row's ``_calendar``."""
    expr = None
    for key, cal in calendars.items():
        secs = elapsed_expr(cal, start, end)
        cond = pl.col(_CAL) == key
        expr = pl.when(cond).then(secs) if expr is None else expr.when(cond).then(secs)
    return expr.otherwise(None)


def _spec_frame(ctx: MeasureContext) -> pl.LazyFrame:
    names = list(ctx.services)
    return pl.LazyFrame({
        SERVICE: pl.Series(names, dtype=pl.String),
        _CAL: pl.Series([s.calendar or _ROUND for s in ctx.services.values()], dtype=pl.String),
        "target": pl.Series([s.target for s in ctx.services.values()], dtype=pl.Float64),
    })


def outage_services(ctx: MeasureContext, outages: pl.LazyFrame | None,
                    probes: pl.LazyFrame | None) -> pl.LazyFrame:
    """The services measured from outages, with their calendar key (empty without outages)."""
    if outages is None:
        return pl.LazyFrame(schema={SERVICE: pl.String, _CAL: pl.String})
    logged = outages.select(SERVICE).unique()
    spec = _spec_frame(ctx)
    unlogged = spec.select(SERVICE)
    if probes is not None:
        unlogged = unlogged.join(probes.select(SERVICE).unique(), on=SERVICE, how="anti")
    gate = outages.select(pl.len().alias("_rows")).filter(pl.col("_rows") > 0)
    return (
        pl.concat([logged, unlogged.join(gate, how="cross").select(SERVICE)]).unique()
        .join(spec.select(SERVICE, _CAL), on=SERVICE, how="left")
        .with_columns(pl.col(_CAL).fill_null(_ROUND))
    )


def unplanned(outages: pl.LazyFrame, ctx: MeasureContext) -> pl.LazyFrame:
    """Unplanned outages with ``_from``/``_to`` (an ongoing one runs to ``as_of``)."""
    as_of = as_of_lit(ctx)
    to = pl.min_horizontal(pl.col("ended_at").fill_null(as_of), as_of)
    return (outages.filter(~pl.col("planned"))
            .select(SERVICE, pl.col("started_at").alias("_from"), to.alias("_to"), "impact")
            .filter(pl.col("_to") > pl.col("_from")))


def downtime(pieces: pl.LazyFrame, calendars: dict[str, BusinessCalendar]) -> pl.LazyFrame:
    """Per service and month: impact-weighted scheduled seconds lost, overlaps counted once
    at their largest impact."""
    points = (pl.concat([pieces.select(SERVICE, MONTH, _CAL, pl.col("_a").alias("_t0")),
                         pieces.select(SERVICE, MONTH, _CAL, pl.col("_b").alias("_t0"))])
              .unique().sort(SERVICE, MONTH, "_t0")
              .with_columns(pl.col("_t0").shift(-1).over(SERVICE, MONTH).alias("_t1"))
              .filter(pl.col("_t1").is_not_null()))
    segments = (points.join(pieces.select(SERVICE, MONTH, "_a", "_b", "impact"), on=[SERVICE, MONTH])
                .filter((pl.col("_a") <= pl.col("_t0")) & (pl.col("_b") >= pl.col("_t1")))
                .group_by(SERVICE, MONTH, _CAL, "_t0", "_t1").agg(pl.col("impact").max()))
    return (segments.with_columns((pl.col("impact") * business_seconds(calendars, "_t0", "_t1")).alias("_lost"))
            .group_by(SERVICE, MONTH).agg(pl.col("_lost").sum()))


def from_outages(ctx: MeasureContext, outages: pl.LazyFrame, services: pl.LazyFrame,
                 months: pl.LazyFrame) -> pl.LazyFrame:
    """Rows of availability.service for the services measured from outages."""
    calendars = service_calendars(ctx)
    periods = months.filter(pl.col(PERIOD_END) > pl.col(START)).select(MONTH, START, PERIOD_END, FINAL).cache()
    scheduled = (services.join(periods, how="cross")
                 .with_columns(business_seconds(calendars, START, PERIOD_END).alias("_scheduled"))
                 .filter(pl.col("_scheduled") > 0))
    pieces = (unplanned(outages, ctx).join(services, on=SERVICE)
              .join(periods, how="cross")
              .filter((pl.col("_from") < pl.col(PERIOD_END)) & (pl.col("_to") > pl.col(START)))
              .select(SERVICE, MONTH, _CAL, "impact",
                      pl.max_horizontal("_from", START).alias("_a"),
                      pl.min_horizontal("_to", PERIOD_END).alias("_b"))
              .cache())
    counts = pieces.group_by(SERVICE, MONTH).agg(pl.len().cast(pl.Int64).alias("n"))
    rows = (scheduled.join(downtime(pieces, calendars), on=[SERVICE, MONTH], how="left")
            .join(counts, on=[SERVICE, MONTH], how="left")
            .with_columns(pl.col("_lost").fill_null(0.0), pl.col("n").fill_null(0)))
    return long(rows.with_columns(
        pl.lit("availability.service").alias("measure"),
        ((pl.col("_scheduled") - pl.col("_lost")) / pl.col("_scheduled")).alias("value"),
        ((pl.col("_scheduled") - pl.col("_lost")) / 60).alias("numerator"),
        (pl.col("_scheduled") / 60).alias("denominator"),
        (~pl.col(FINAL)).alias("provisional"),
    ))


def from_probes(ctx: MeasureContext, probes: pl.LazyFrame, outages: pl.LazyFrame | None,
                months: pl.LazyFrame) -> pl.LazyFrame:
    """Rows of availability.service for services with probes and no outages."""
    taken = probes.filter(pl.col("at") <= as_of_lit(ctx))
    if outages is not None:
        taken = taken.join(outages.select(SERVICE).unique(), on=SERVICE, how="anti")
    cube = (taken.group_by(SERVICE, month_expr("at", ctx.timezone).alias(MONTH))
            .agg(pl.col("up").sum().cast(pl.Int64).alias("_up"), pl.len().cast(pl.Int64).alias("_all"))
            .pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional")))
    return proportion_rows(cube, "availability.service", "_up", "_all")


def meeting_target(ctx: MeasureContext, service_rows: pl.LazyFrame) -> pl.LazyFrame:
    """availability.services_meeting_target from the rows of availability.service."""
    targets = _spec_frame(ctx).filter(pl.col("target").is_not_null()).select(SERVICE, "target")
    cube = (service_rows.join(targets, on=SERVICE).group_by(MONTH).agg(
        pl.len().cast(pl.Int64).alias("_services"),
        (pl.col("value") >= pl.col("target") - TOLERANCE).sum().cast(pl.Int64).alias("_meeting"),
        pl.col("provisional").any(),
    ))
    return proportion_rows(cube, "availability.services_meeting_target", "_meeting", "_services")


def outage_counts(ctx: MeasureContext, outages: pl.LazyFrame, services: pl.LazyFrame,
                  months: pl.LazyFrame) -> pl.LazyFrame:
    """availability.outages and availability.mttr."""
    as_of = as_of_lit(ctx)
    ended = (outages.filter(~pl.col("planned") & pl.col("ended_at").is_not_null()
                            & (pl.col("ended_at") <= as_of) & (pl.col("ended_at") >= pl.col("started_at")))
             .group_by(SERVICE, month_expr("ended_at", ctx.timezone).alias(MONTH))
             .agg(pl.len().cast(pl.Int64).alias("_outages"),
                  ((pl.col("ended_at") - pl.col("started_at")).dt.total_microseconds() / 60e6)
                  .sum().alias("_minutes")))
    dense = densify(ended, months, [SERVICE], ["_outages", "_minutes"], groups=services.select(SERVICE))
    rows = (roll_up(dense, [SERVICE], ["_outages", "_minutes"]).pipe(with_months, months, FINAL)
            .with_columns((~pl.col(FINAL)).alias("provisional"))
            .cache())
    mttr = rows.filter(pl.col("_outages") > 0).with_columns(
        pl.lit("availability.mttr").alias("measure"),
        (pl.col("_minutes") / pl.col("_outages")).alias("value"),
        pl.col("_minutes").alias("numerator"),
        pl.col("_outages").cast(pl.Float64).alias("denominator"),
        pl.col("_outages").alias("n"),
    )
    return pl.concat([count_rows(rows, "availability.outages", "_outages"), long(mttr)])


def availability_measures(ctx: MeasureContext, outages: pl.LazyFrame | None, probes: pl.LazyFrame | None,
                          months: pl.LazyFrame) -> pl.LazyFrame:
    """The ``availability.*`` family."""
    parts = []
    services = outage_services(ctx, outages, probes).cache()
    if outages is not None:
        parts.append(from_outages(ctx, outages, services, months))
    if probes is not None:
        parts.append(from_probes(ctx, probes, outages, months))
    if not parts:
        return empty_long()
    service_rows = pl.concat(parts).cache()
    parts = [service_rows]
    parts.append(meeting_target(ctx, service_rows))
    if outages is not None:
        parts.append(outage_counts(ctx, outages, services, months))
    return pl.concat(parts)

