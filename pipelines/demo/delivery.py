"""Money and projects: monthly spend for both demo providers, Northwind's project snapshots.

Northwind spends about 97% of its budget in a normal month. Known events here: Northwind
overspends during ``overspend_months`` (contractors brought in for the ERP upgrade), and the
ERP upgrade slips from ``slip_month``: its forecast end moves about three weeks later every
month and its forecast cost grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from scorecard.facts import FACTS, empty_frame

from .model import frame
from .span import Span, event_month

NORTHWIND_BUDGET = 180_000.0  # GBP a month in the first financial year
NORTHWIND_BUDGET_RISE = 0.03  # each April
NORTHWIND_SPEND_RATIO = 0.97  # spend ÷ budget in a normal month (± 2%)
NORTHWIND_OVERSPEND = 0.18  # added to that ratio in the overspend months
NORTHWIND_OTHER_HOURS = 900.0  # project and operations hours outside tickets
LEXINGTON_BUDGET = 78_000.0  # USD a month in the first calendar year
LEXINGTON_BUDGET_RISE = 0.03  # each January
LEXINGTON_RATE = 92.5  # USD an hour, blended
LEXINGTON_OTHER_HOURS = 120.0  # management and quality hours outside matters


def monthly_hours(span: Span, tickets: pl.DataFrame) -> np.ndarray:
    """Sum of ``hours_spent`` by the local month the ticket was opened, for each demo month."""
    by_month = (
        tickets.select(
            pl.col("opened_at").dt.convert_time_zone(span.tz).dt.strftime("%Y-%m").alias("month"),
            "hours_spent",
        )
        .group_by("month")
        .agg(pl.col("hours_spent").sum())
    )
    lookup = dict(zip(by_month["month"].to_list(), by_month["hours_spent"].to_list(), strict=True))
    return np.array([lookup.get(m, 0.0) for m in span.labels])


def _yearly_budget(span: Span, base: float, rise: float, first_month: int) -> np.ndarray:
    """A monthly budget that rises by ``rise`` at each year starting in calendar ``first_month``."""
    ym = np.array([(int(s[:4]), int(s[5:7])) for s in span.labels])
    fy = ym[:, 0] - (ym[:, 1] < first_month)
    return base * (1 + rise) ** (fy - fy[0])


def make_northwind_spend(span: Span, rng: np.random.Generator, tickets: pl.DataFrame, *,
                    provider: str, overspend_months: tuple[int, int]) -> pl.DataFrame:
    budget = _yearly_budget(span, NORTHWIND_BUDGET, NORTHWIND_BUDGET_RISE, 4)
    m = np.arange(span.months)
    over = (m >= overspend_months[0]) & (m <= overspend_months[1])
    ratio = NORTHWIND_SPEND_RATIO + 0.02 * rng.standard_normal(span.months)
    amount = budget * (ratio + np.where(over, NORTHWIND_OVERSPEND, 0.0))
    hours = monthly_hours(span, tickets) + NORTHWIND_OTHER_HOURS + 40 * rng.standard_normal(span.months)
    hours = hours + np.where(over, 320.0, 0.0)
    return frame("spend", {
        "provider": provider,
        "month": pl.Series(list(span.labels), dtype=pl.String),
        "amount": pl.Series(np.round(amount, 2)),
        "budget": pl.Series(np.round(budget, 2)),
        "hours": pl.Series(np.round(hours * 2) / 2),
        "currency": "GBP",
    })


def make_lexington_spend(span: Span, rng: np.random.Generator, tickets: pl.DataFrame, *,
                    provider: str) -> pl.DataFrame:
    budget = _yearly_budget(span, LEXINGTON_BUDGET, LEXINGTON_BUDGET_RISE, 1)
    hours = monthly_hours(span, tickets) + LEXINGTON_OTHER_HOURS + 10 * rng.standard_normal(span.months)
    hours = np.round(hours * 4) / 4
    return frame("spend", {
        "provider": provider,
        "month": pl.Series(list(span.labels), dtype=pl.String),
        "amount": pl.Series(np.round(hours * LEXINGTON_RATE, 2)),
        "budget": pl.Series(np.round(budget, 2)),
        "hours": pl.Series(hours),
        "currency": "USD",
    })


@dataclass(frozen=True)
class ProjectPlan:
    """A project at 36-month indexes: first snapshot month, baseline last month, cost."""

    name: str
    start: int
    baseline_end: int
    cost: float
    late_months: int = 0  # finishes in this many months after its baseline end
    late_from: int = 0  # the month it announces that


PROJECTS = (
    ProjectPlan("Windows 11 rollout", start=1, baseline_end=13, cost=240_000.0),
    ProjectPlan("Network refresh", start=6, baseline_end=18, cost=310_000.0, late_months=1, late_from=15),
    ProjectPlan("ERP upgrade", start=16, baseline_end=30, cost=420_000.0),
)
SLIPPING_PROJECT = "ERP upgrade"
LATE_DAYS = 14  # the Network refresh's forecast end moves two weeks, within tolerance
SLIP_DAYS_PER_MONTH = (16, 27)  # uniform, whole days the forecast end moves each month
SLIP_COST_PER_MONTH = 0.025  # share of the baseline cost added each month of slipping


def month_ends(span: Span, extra: int = 0) -> np.ndarray:
    """The last local day of each demo month (and of ``extra`` months after), as datetime64[D]."""
    first = pl.Series([f"{span.labels[0]}-01"]).str.to_date("%Y-%m-%d")
    return (
        pl.date_ranges(first, first.dt.offset_by(f"{span.months + extra - 1}mo"), "1mo", eager=True)
        .explode().dt.offset_by("1mo").dt.offset_by("-1d").to_numpy()
    )


def make_projects(span: Span, rng: np.random.Generator, *, provider: str,
                       slip_month: int) -> pl.DataFrame:
    end_dates = month_ends(span, extra=24)
    parts = []
    for plan in PROJECTS:
        s = event_month(plan.start, span.months)
        b = max(event_month(plan.baseline_end, span.months), s + 1)
        slipping = plan.name == SLIPPING_PROJECT
        # a slipping project is still going at the end; the others stop at their last month
        last = span.months - 1 if slipping else min(b + plan.late_months, span.months - 1)
        m = np.arange(s, last + 1)
        if len(m) == 0:
            continue
        baseline_end = end_dates[b]
        planned = np.minimum((m - s + 1) / (b - s + 1), 1.0)
        cost_drift = np.cumsum(0.004 * rng.standard_normal(len(m)))
        slip_days = np.zeros(len(m), dtype=np.int64)
        pct = planned
        if slipping:
            slipping_now = m >= slip_month
            steps = rng.integers(SLIP_DAYS_PER_MONTH[0], SLIP_DAYS_PER_MONTH[1] + 1, len(m))
            slip_days = np.cumsum(np.where(slipping_now, steps, 0))
            months_late = np.cumsum(slipping_now)
            at_slip = planned[np.argmax(slipping_now)] if slipping_now.any() else 1.0
            pct = np.where(slipping_now, np.minimum(at_slip + 0.03 * (months_late - 1), 0.97), planned)
            cost_drift = cost_drift + SLIP_COST_PER_MONTH * months_late
        elif plan.late_months:
            late = m >= event_month(plan.late_from, span.months)
            slip_days = np.where(late, LATE_DAYS, 0)
            pct = np.where(late, np.minimum((m - s + 1) / (b + plan.late_months - s + 1), 1.0), planned)
            cost_drift = cost_drift + np.where(late, 0.04, 0.0)
        pct = np.maximum.accumulate(pct)
        forecast_end = baseline_end + slip_days.astype("timedelta64[D]")
        parts.append(frame("projects", {
            "provider": provider,
            "project": pl.Series([plan.name] * len(m), dtype=pl.String),
            "as_of": pl.Series(end_dates[m]),
            "baseline_end": pl.Series(np.full(len(m), baseline_end)),
            "forecast_end": pl.Series(forecast_end),
            "pct_complete": pl.Series(np.round(100 * pct, 1)),
            "baseline_cost": pl.Series(np.full(len(m), plan.cost)),
            "forecast_cost": pl.Series(np.round(plan.cost * (1 + cost_drift), 0)),
        }))
    return pl.concat(parts) if parts else empty_frame(FACTS["projects"])
