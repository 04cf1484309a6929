"""Calendar months in a provider's time zone, and the wall-clock arithmetic under them.

A month is named ``"YYYY-MM"`` and is the calendar month in the provider's IANA time zone
(DESIGN.md §3): an instant belongs to the month its local wall-clock date falls in. Local
wall-clock times become instants by one rule used everywhere (months here, working hours in
:mod:`scorecard.calendars`): *a wall-clock time means the first instant at which the local
clock shows that time or later*. A time that occurs twice (autumn) is its first occurrence;
a time that does not occur (spring gap) is the instant the clock jumps past it.

Time-zone rules come from Polars' database for everything, so that months, month bounds
and working hours always agree with each other.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from scorecard.errors import BadInput

US_PER_S = 1_000_000
US_PER_MIN = 60 * US_PER_S
US_PER_HOUR = 60 * US_PER_MIN
US_PER_DAY = 86_400 * US_PER_S
NAT = np.iinfo(np.int64).min  # numpy's NaT as int64
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_GAP_STEPS = 24 * 60 + 1  # the longest gap (Pacific/Apia, 2011-12-30) is one whole day


# --------------------------------------------------------------------------- month names

def parse_month(text: object) -> tuple[int, int]:
    """``"2026-03"`` → ``(2026, 3)``; anything else is BadInput."""
    m = _MONTH_RE.fullmatch(text) if isinstance(text, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise BadInput(f"not a month: {text!r} (expected YYYY-MM, e.g. 2026-03)")
    return int(m.group(1)), int(m.group(2))


def format_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (before it when ``n`` is negative)."""
    y, m = parse_month(month)
    k = y * 12 + (m - 1) + n
    return format_month(k // 12, k % 12 + 1)


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included; empty when ``last < first``."""
    y0, m0 = parse_month(first)
    y1, m1 = parse_month(last)
    k0, k1 = y0 * 12 + m0 - 1, y1 * 12 + m1 - 1
    return [format_month(k // 12, k % 12 + 1) for k in range(k0, k1 + 1)]


# --------------------------------------------------------------------------- time zones

def check_timezone(tz: object, what: str = "timezone") -> str:
    """Return ``tz`` if it names an IANA time zone Polars knows, else BadInput naming ``what``."""
    if not isinstance(tz, str) or not tz or not _known_timezone(tz):
        raise BadInput(f"{what}: unknown time zone {tz!r} (expected an IANA name such as "
                       "'Europe/London' or 'America/New_York')")
    return tz


@functools.lru_cache(maxsize=256)
def _known_timezone(tz: str) -> bool:
    try:
        pl.Series([0], dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone(tz)
    except pl.exceptions.PolarsError:
        return False
    return True


def local_to_utc(walls: np.ndarray, tz: str) -> np.ndarray:
    """Local wall-clock times (naive, int64 µs since 1970-01-01 00:00) → UTC int64 µs.

    Each wall time becomes the first instant at which the local clock in ``tz`` shows that
    time or later. The mapping is non-decreasing, so ordered wall times stay ordered.
    """
    walls = np.asarray(walls, dtype=np.int64)
    if walls.size == 0:
        return walls.copy()
    local = pl.Series(walls).cast(pl.Datetime("us")).dt.replace_time_zone(
        tz, ambiguous="earliest", non_existent="null")
    missing = local.is_null().to_numpy()
    out = local.to_physical().fill_null(0).to_numpy().astype(np.int64, copy=True)
    if missing.any():
        # In a gap the first existing wall time at or after w is the gap's end, reached at
        # the jump itself; walls and gap ends are on whole minutes, so step by minutes.
        w = walls[missing]
        steps = np.arange(1, _GAP_STEPS + 1, dtype=np.int64) * US_PER_MIN
        cand = pl.Series((w[:, None] + steps[None, :]).ravel()).cast(pl.Datetime("us"))
        cand = cand.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        ok = ~cand.is_null().to_numpy().reshape(w.size, steps.size)
        if not ok.any(axis=1).all():
            raise ValueError(f"{tz}: a wall-clock time lies in a gap longer than a day")
        vals = cand.to_physical().fill_null(0).to_numpy().reshape(w.size, steps.size)
        out[missing] = vals[np.arange(w.size), ok.argmax(axis=1)]
    return out


def utc_micros(s: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """A time-zone-aware Datetime series → (UTC µs as int64, NaT at nulls; null mask)."""
    dt = s.dtype
    if not isinstance(dt, pl.Datetime) or dt.time_zone is None:
        raise BadInput(f"column {s.name!r} must hold UTC timestamps (Datetime('us', 'UTC')), "
                       f"not {dt}")
    if dt.time_unit != "us":
        s = s.dt.cast_time_unit("us")
    values = s.to_physical().fill_null(NAT).to_numpy()
    return values, values == NAT


def utc_series(us: np.ndarray, mask: np.ndarray, name: str = "") -> pl.Series:
    """The inverse of :func:`utc_micros`: int64 UTC µs and a null mask → Datetime('us', 'UTC')."""
    values = np.where(mask, NAT, np.asarray(us, dtype=np.int64)).view("datetime64[us]")
    return pl.Series(name, values).dt.replace_time_zone("UTC")


def _as_utc(instant: datetime, what: str) -> datetime:
    if not isinstance(instant, datetime) or instant.tzinfo is None:
        raise BadInput(f"{what} must be a time-zone-aware datetime, got {instant!r}")
    return instant.astimezone(UTC)


def _micros(instant: datetime) -> int:
    d = _as_utc(instant, "instant") - datetime(1970, 1, 1, tzinfo=UTC)
    return (d.days * 86_400 + d.seconds) * US_PER_S + d.microseconds


def _instant(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))


# --------------------------------------------------------------------------- fast search

class SortedLookup:
    """``np.searchsorted(a, x, side)`` for a fixed sorted int64 array ``a``, by a table.

    A binary search costs ~50 ns per value on unsorted queries; here a value finds its bucket
    of width ``step`` by division, the table gives the answer at the bucket's start, and a
    few vectorised steps (as many as ``a`` has values in one bucket) finish the count.
    """

    _MAX_BUCKETS = 4_000_000

    def __init__(self, a: np.ndarray, side: str, step: int) -> None:
        a = np.asarray(a, dtype=np.int64)
        self.left = side == "left"
        self.a = np.append(a, np.iinfo(np.int64).max)
        if a.size == 0:
            self.base, self.step, self.lut, self.steps = 0, 1, np.zeros(1, np.int64), 0
            return
        step = max(int(step), -(-(int(a[-1]) - int(a[0])) // self._MAX_BUCKETS), 1)
        self.step = step
        self.base = (int(a[0]) // step) * step - step
        buckets = (int(a[-1]) - self.base) // step + 2
        starts = self.base + np.arange(buckets, dtype=np.int64) * step
        self.lut = np.searchsorted(a, starts, side=side).astype(np.int64)
        self.steps = int(np.bincount((a - self.base) // step).max())

    def __call__(self, x: np.ndarray) -> np.ndarray:
        b = (x - self.base) // self.step
        np.clip(b, 0, self.lut.size - 1, out=b)
        r = self.lut[b]
        for _ in range(self.steps):
            nxt = self.a[r]
            r += (nxt < x) if self.left else (nxt <= x)
        return r


# --------------------------------------------------------------------------- months in a zone

@functools.lru_cache(maxsize=64)
def _month_starts(tz: str, y0: int, y1: int) -> tuple[np.ndarray, pl.Series, SortedLookup]:
    """UTC starts (µs) of every month of years ``y0..y1`` plus one, their names, a lookup."""
    months = [(y, m) for y in range(y0, y1 + 1) for m in range(1, 13)] + [(y1 + 1, 1)]
    walls = np.array([(date(y, m, 1).toordinal() - _EPOCH_ORDINAL) * US_PER_DAY
                      for y, m in months], dtype=np.int64)
    names = pl.Series([format_month(y, m) for y, m in months[:-1]] + [None], dtype=pl.String)
    starts = local_to_utc(walls, tz)
    return starts, names, SortedLookup(starts, "right", US_PER_DAY)


def _year_of(us: int) -> int:
    return int(np.datetime64(int(us), "us").astype("datetime64[Y]").astype(np.int64)) + 1970


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants ``[start, end)`` of ``month`` in time zone ``tz``."""
    y, m = parse_month(month)
    check_timezone(tz)
    starts, _, _ = _month_starts(tz, y, y)
    return _instant(starts[m - 1]), _instant(starts[m])


def months_of(instants: np.ndarray, mask: np.ndarray, tz: str) -> pl.Series:
    """UTC µs instants → their ``"YYYY-MM"`` month in ``tz``; null where ``mask`` is set."""
    instants = np.asarray(instants, dtype=np.int64)
    valid = instants[~mask]
    if valid.size == 0:
        return pl.Series([None] * instants.size, dtype=pl.String)
    lo, hi = int(valid.min()), int(valid.max())
    _, names, lookup = _month_starts(tz, _year_of(lo - 2 * US_PER_DAY), _year_of(hi + 2 * US_PER_DAY))
    idx = lookup(np.where(mask, lo, instants)) - 1
    idx[mask] = len(names) - 1  # the trailing null name
    return names.gather(idx)


def month_of(instant: datetime, tz: str) -> str:
    """The month (``"YYYY-MM"``) in ``tz`` of one time-zone-aware instant."""
    check_timezone(tz)
    us = np.array([_micros(instant)], dtype=np.int64)
    return months_of(us, np.zeros(1, dtype=bool), tz)[0]


def month_expr(instant: str | pl.Expr, tz: str) -> pl.Expr:
    """Polars expression: a UTC Datetime column → its ``"YYYY-MM"`` month in ``tz`` (String).

    Equal to ``dt.convert_time_zone(tz).dt.strftime("%Y-%m")`` but a few times faster: one
    table lookup among the zone's month starts per value. Nulls stay null.
    """
    check_timezone(tz)
    col = pl.col(instant) if isinstance(instant, str) else instant

    def batch(s: pl.Series) -> pl.Series:
        values, mask = utc_micros(s)
        return months_of(values, mask, tz)

    return col.map_batches(batch, return_dtype=pl.String, is_elementwise=False)


def assign_month(lf: pl.LazyFrame, instant: str, tz: str, *, out: str = "month") -> pl.LazyFrame:
    """Add column ``out``: the month in ``tz`` of the UTC timestamp column ``instant``."""
    return lf.with_columns(month_expr(instant, tz).alias(out))
