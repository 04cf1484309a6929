"""The demo's calendar: the span of months, an hourly grid in the provider's time zone,
business clocks, event month placement and per-fact random generators.

Times are handled as ``int64`` microseconds since the epoch (UTC) in numpy arrays and turned
into ``Datetime("us", "UTC")`` columns only when a frame is built. The hourly grid starts at
local midnight on the first day of the first month and runs past the end of the demo (so that
durations starting near the end can be placed); both demo time zones have whole-hour offsets,
so every local month and day boundary falls on a grid hour.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from scorecard.errors import BadInput

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR

BUFFER_DAYS = 240  # grid hours after the end, for durations that run past it

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """``"YYYY-MM"`` → ``(year, month)``; raises :class:`BadInput` on anything else."""
    m = _MONTH.match(text) if isinstance(text, str) else None
    if m is None:
        raise BadInput(f"month must look like YYYY-MM, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + delta
    return k // 12, k % 12 + 1


def month_labels(start: tuple[int, int], months: int) -> list[str]:
    out = []
    for i in range(months):
        y, m = shift_month(*start, i)
        out.append(f"{y:04d}-{m:02d}")
    return out


def event_month(k: int, months: int) -> int:
    """Where an event placed at month index ``k`` of a 36-month demo falls in a demo of ``months``.

    The first ``b = min(12, max(months - 6, months // 2))`` months are the clean baseline
    (twelve whenever there are at least 18 months). Indexes from 12 on are
    scaled from the 24 months after the baseline onto the ``months - b`` months after it;
    indexes before 12 are scaled onto the baseline. For ``months=36`` every index maps to itself.
    """
    b = min(12, max(months - 6, months // 2))
    if k < 12:
        idx = int(np.floor(k * b / 12 + 0.5))
    else:
        idx = b + int(np.floor((months - b) * (k - 12) / 24 + 0.5))
    return max(0, min(idx, months - 1))


def sub_rng(seed: int, *names: str) -> np.random.Generator:
    """A generator for one provider/fact, independent of every other one for the same seed.

    Derived from the seed and stable hashes of the names, so adding a fact or drawing more
    numbers for one fact never shifts the numbers of another.
    """
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


def _local_midnights_utc(labels: list[str], tz: str) -> np.ndarray:
    """UTC microseconds of local midnight on the first day of each ``YYYY-MM`` label."""
    s = (
        pl.Series([f"{m}-01" for m in labels])
        .str.to_datetime("%Y-%m-%d", time_unit="us")
        .dt.replace_time_zone(tz)
        .dt.convert_time_zone("UTC")
    )
    return s.cast(pl.Int64).to_numpy()


@dataclass(frozen=True, eq=False)
class Span:
    """The months of a demo for one time zone, and an hourly grid over them (and beyond)."""

    tz: str
    labels: tuple[str, ...]  # "YYYY-MM" of each month, index 0 first
    bounds: np.ndarray  # UTC µs of each local month start; bounds[-1] is the end (as of)
    g0: int  # UTC µs of the grid's first hour (== bounds[0])
    hour_month: np.ndarray  # per grid hour: local month index (>= months after the end)
    hour_of_day: np.ndarray  # per grid hour: local hour 0..23
    weekday: np.ndarray  # per grid hour: local weekday, 0 = Monday
    day: np.ndarray  # per grid hour: local day of month 1..31
    cal_month: np.ndarray  # per grid hour: local calendar month 1..12

    @classmethod
    def build(cls, *, end: str, months: int, tz: str) -> Span:
        if not isinstance(months, int) or isinstance(months, bool) or months < 1:
            raise BadInput(f"months must be a whole number of at least 1, got {months!r}")
        ey, em = parse_month(end)
        start = shift_month(ey, em, -(months - 1))
        labels = month_labels(start, months + 1)  # one more: the month after the end
        bounds = _local_midnights_utc(labels, tz)
        g0 = int(bounds[0])
        hours = int((bounds[-1] - g0) // US_PER_HOUR) + BUFFER_DAYS * 24
        grid = pl.Series(g0 + np.arange(hours, dtype=np.int64) * US_PER_HOUR).cast(
            pl.Datetime("us", "UTC")
        ).dt.convert_time_zone(tz)
        starts = g0 + np.arange(hours, dtype=np.int64) * US_PER_HOUR
        return cls(
            tz=tz,
            labels=tuple(labels[:-1]),
            bounds=bounds,
            g0=g0,
            hour_month=np.searchsorted(bounds, starts, side="right") - 1,
            hour_of_day=grid.dt.hour().to_numpy().astype(np.int64),
            weekday=grid.dt.weekday().to_numpy().astype(np.int64) - 1,
            day=grid.dt.day().to_numpy().astype(np.int64),
            cal_month=grid.dt.month().to_numpy().astype(np.int64),
        )

    @property
    def months(self) -> int:
        return len(self.labels)

    @property
    def end_us(self) -> int:
        """The instant the demo's data is "as of": local midnight after the last month."""
        return int(self.bounds[-1])

    @property
    def hours(self) -> int:
        return len(self.hour_month)

    def hour_index(self, t: np.ndarray) -> np.ndarray:
        return np.clip((t - self.g0) // US_PER_HOUR, 0, self.hours - 1)

    def month_of(self, t: np.ndarray) -> np.ndarray:
        """Local month index of each instant (``months`` or more after the end)."""
        return self.hour_month[self.hour_index(t)]

    def hours_in_month(self, m: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.hour_month, [m, m + 1])
        return np.arange(lo, hi)

    def hour_start(self, h: np.ndarray) -> np.ndarray:
        return self.g0 + h.astype(np.int64) * US_PER_HOUR

    def month_fraction(self, t: np.ndarray) -> np.ndarray:
        """Months since the start as a real number (``m + elapsed share of month m``)."""
        m = np.clip(self.month_of(t), 0, self.months - 1)
        lo, hi = self.bounds[m], self.bounds[m + 1]
        return m + (t - lo) / (hi - lo)

    def daily(self, hour: int) -> np.ndarray:
        """One grid hour index per local day of the span: the first at or after ``hour``
        o'clock (so a day whose ``hour`` is skipped or repeated by a clock change has one)."""
        day_id = np.cumsum(np.concatenate([[0], np.diff(self.day) != 0]))
        cand = np.flatnonzero((self.hour_of_day >= hour) & (self.hour_month < self.months))
        _, first = np.unique(day_id[cand], return_index=True)
        return cand[first]


@dataclass(frozen=True, eq=False)
class BusinessClock:
    """A clock that runs Monday to Friday from ``open_hour`` to ``close_hour`` local time."""

    span: Span
    is_open: np.ndarray  # per grid hour: 1.0 when the clock runs
    cum: np.ndarray  # business hours elapsed before each grid hour (len hours + 1)

    @classmethod
    def build(cls, span: Span, open_hour: int, close_hour: int) -> BusinessClock:
        is_open = (
            (span.weekday < 5) & (span.hour_of_day >= open_hour) & (span.hour_of_day < close_hour)
        ).astype(np.float64)
        return cls(span, is_open, np.concatenate([[0.0], np.cumsum(is_open)]))

    def add(self, t: np.ndarray, business_hours: np.ndarray) -> np.ndarray:
        """``t`` plus a duration counted in business hours (a clock stopped out of hours)."""
        h = self.span.hour_index(t)
        frac = (t - self.span.hour_start(h)) / US_PER_HOUR
        b = self.cum[h] + self.is_open[h] * frac + business_hours
        # the business hour holding b: the first hour whose end count exceeds b
        h2 = np.clip(np.searchsorted(self.cum[1:], b, side="right"), 0, self.span.hours - 1)
        out = self.span.hour_start(h2) + np.round((b - self.cum[h2]) * US_PER_HOUR).astype(np.int64)
        return np.maximum(out, t)


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float,
              size: int) -> np.ndarray:
    """Lognormal draws given their median and the sigma of their logarithm."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(size))


def floor_seconds(t: np.ndarray) -> np.ndarray:
    """Whole seconds, as an export from a ticketing tool has them (order is preserved)."""
    return t - t % US_PER_SECOND


def ts(values: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """UTC timestamps from µs, null where ``valid`` is False."""
    s = pl.Series(np.asarray(values, dtype=np.int64)).cast(pl.Datetime("us", "UTC"))
    if valid is None:
        return s
    return pl.select(pl.when(pl.Series(np.asarray(valid, dtype=bool))).then(s)).to_series()
