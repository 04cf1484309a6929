"""Ticket arrival and life cycle, shared by both demo providers.

Arrivals: a count per month, spread over the month's hours by a weekday × hour-of-day profile
in the provider's time zone. Life cycle: raw instants for first response, (first) resolution,
an optional reopen and re-resolution, cancellation and automatic closure are settled against
the instant the data is "as of" (local midnight after the last month): whatever has not
happened by then is null, and the status says where the ticket stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .span import US_PER_DAY, US_PER_HOUR, Span, floor_seconds

# relative arrival weight by local weekday (Monday first) and by local hour of day
OFFICE_WEEKDAYS = np.array([1.0, 1.0, 0.97, 0.95, 0.85, 0.10, 0.06])
OFFICE_HOURS = np.array([
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.10, 0.35,  # 00-07
    1.00, 1.60, 1.70, 1.50, 1.10, 1.30, 1.50, 1.40,  # 08-15
    1.10, 0.70, 0.35, 0.20, 0.12, 0.08, 0.05, 0.04,  # 16-23
])


def sample_opened(span: Span, rng: np.random.Generator, counts: np.ndarray,
                  weekday_w: np.ndarray = OFFICE_WEEKDAYS, hour_w: np.ndarray = OFFICE_HOURS,
                  ) -> np.ndarray:
    """Sorted opening instants (UTC µs, whole seconds): ``counts[m]`` in month ``m``."""
    w = weekday_w[span.weekday] * hour_w[span.hour_of_day]
    parts = []
    for m, n in enumerate(counts):
        hours = span.hours_in_month(m)
        p = w[hours]
        parts.append(rng.choice(hours, size=int(n), p=p / p.sum()))
    h = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    t = span.hour_start(h) + rng.integers(0, US_PER_HOUR, size=len(h))
    return np.sort(floor_seconds(t))


@dataclass(frozen=True, eq=False)
class Settled:
    """Settled ticket instants (µs) with validity masks, status and reopen count."""

    first_response: np.ndarray
    has_response: np.ndarray
    resolved: np.ndarray
    has_resolved: np.ndarray
    closed: np.ndarray
    has_closed: np.ndarray
    status: np.ndarray
    reopen_count: np.ndarray

    def columns(self) -> dict[str, pl.Series]:
        from .span import ts

        return {
            "first_response_at": ts(self.first_response, self.has_response),
            "resolved_at": ts(self.resolved, self.has_resolved),
            "closed_at": ts(self.closed, self.has_closed),
            "status": pl.Series(self.status, dtype=pl.String),
            "reopen_count": pl.Series(self.reopen_count, dtype=pl.Int32),
        }


def settle(
    span: Span,
    rng: np.random.Generator,
    *,
    opened: np.ndarray,
    response: np.ndarray,
    resolution: np.ndarray,
    reopen_prob: np.ndarray,
    cancelled: np.ndarray,
    cancel_after: np.ndarray,
    close_days: tuple[float, float] = (3.0, 7.0),
) -> Settled:
    """Settle raw instants (µs) into the state of each ticket as of the end of the demo.

    ``response`` and ``resolution`` are the raw first-response and first-resolution instants;
    ``reopen_prob`` the chance that the first resolution is reopened (by the requester, one to
    a few days later), ``cancelled`` the tickets withdrawn ``cancel_after`` µs after opening
    (they are closed then and never resolved). A resolved ticket is closed automatically
    ``close_days`` (uniform) after its last resolution.
    """
    n = len(opened)
    as_of = span.end_us
    response = floor_seconds(np.maximum(response, opened))
    first_res = floor_seconds(np.maximum(resolution, response))

    # reopen: the requester comes back 2 h – 10 days after the first resolution
    reopened = rng.random(n) < reopen_prob
    gap = np.clip(np.exp(np.log(1.5 * 24) + 0.8 * rng.standard_normal(n)), 2.0, 240.0)
    reopen_at = first_res + (gap * US_PER_HOUR).astype(np.int64)
    reopened &= reopen_at <= as_of
    twice = reopened & (rng.random(n) < 0.12)
    rework = np.clip(np.exp(np.log(6.0) + 0.9 * rng.standard_normal(n)), 0.25, 120.0)
    last_res = np.where(reopened, floor_seconds(reopen_at + (rework * US_PER_HOUR).astype(np.int64)),
                        first_res)
    reopen_count = np.where(reopened, np.where(twice, 2, 1), 0).astype(np.int32)

    cancel_at = floor_seconds(opened + cancel_after.astype(np.int64))
    close_gap = rng.uniform(close_days[0], close_days[1], n) * US_PER_DAY
    auto_close = floor_seconds(last_res + close_gap.astype(np.int64))

    cancelled_now = cancelled & (cancel_at <= as_of)
    live = ~cancelled  # cancelled later than as_of: still open, and it looks like any open one
    has_resolved = live & (last_res <= as_of)
    has_closed = (has_resolved & (auto_close <= as_of)) | cancelled_now
    closed = np.where(cancelled, cancel_at, auto_close)
    has_response = (response <= as_of) & ~(cancelled & (response > cancel_at))

    status = np.full(n, "open", dtype=object)
    status[has_resolved] = "resolved"
    status[has_resolved & has_closed] = "closed"
    status[cancelled_now] = "cancelled"
    reopen_count = np.where(live, reopen_count, 0).astype(np.int32)

    return Settled(
        first_response=response,
        has_response=has_response,
        resolved=last_res,
        has_resolved=has_resolved,
        closed=closed,
        has_closed=has_closed,
        status=status,
        reopen_count=reopen_count,
    )


def numbered(prefixes: np.ndarray, first: int, width: int = 7) -> pl.Series:
    """Ticket numbers in opening order: ``prefix`` + zero-padded ``first + i``."""
    numbers = pl.Series(np.arange(first, first + len(prefixes), dtype=np.int64)).cast(pl.String)
    return (pl.Series(prefixes, dtype=pl.String) + numbers.str.zfill(width)).alias("ticket_id")


def month_counts(span: Span, rng: np.random.Generator, per_month: float,
                 season: dict[int, float]) -> np.ndarray:
    """Poisson counts per demo month around ``per_month`` × the calendar month's factor.

    Factors are normalised to average 1 over a calendar year, so a year holds about
    ``12 × per_month`` tickets whatever the seasonality.
    """
    factors = np.array([season.get(c, 1.0) for c in range(1, 13)])
    factors = factors / factors.mean()
    cal = np.array([int(label[5:7]) for label in span.labels])
    return rng.poisson(per_month * factors[cal - 1])
