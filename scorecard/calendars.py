"""Business calendars: working days, hours and holidays in a provider's time zone, or 24×7.

Everything rests on one function, ``W(t)``: the business time from a fixed origin up to the
instant ``t``. Per local day we know the UTC instants at which its working window opens and
closes (local wall-clock → UTC, so daylight-saving changes are exact) and the business time
before it; ``W`` is then a table lookup and a clip, over whole numpy arrays at once:

    W(t) = cum[d] + clip(t − open[d], 0, close[d] − open[d]),  d = last window opening ≤ t

Elapsed business time is ``W(end) − W(start)``; a deadline is the first instant ``T ≥ start``
with ``W(T) − W(start) ≥ target``, found by inverting ``W`` with a second lookup. All
arithmetic is in integer microseconds, so results are exact. For a 24×7 calendar ``W(t) = t``.

The model and the TOML keys are described in docs/calendars.md.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

import numpy as np
import polars as pl

from scorecard.errors import BadInput
from scorecard.months import (
    NAT,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_MIN,
    US_PER_S,
    _EPOCH_ORDINAL,
    SortedLookup,
    check_timezone,
    local_to_utc,
    utc_micros,
    utc_series,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALWAYS = "24x7"  # the name of the built-in round-the-clock calendar
_TIME_RE = re.compile(r"(\d{2}):(\d{2})")
_MAX_YEARS = 200  # a wider span of timestamps is bad data, not a long SLA
_KEYS = ("timezone", "days", "hours", "holidays", "always")

Hours = tuple[int, int]  # minutes after local midnight: start, end (end ≤ 1440)


@dataclass(frozen=True)
class BusinessCalendar:
    """A provider's working time. Build it with :meth:`from_dict` or :meth:`round_the_clock`.

    ``hours[i]`` is the working window of weekday ``i`` (0 = Monday) in minutes after local
    midnight, or ``None`` when that weekday is not worked. ``holidays`` are local dates on
    which nothing is worked. ``always`` makes the clock run 24×7 (hours and holidays unused).
    """

    name: str
    timezone: str
    hours: tuple[Hours | None, ...] = ((540, 1020),) * 5 + (None, None)
    holidays: frozenset[date] = field(default_factory=frozenset)
    always: bool = False

    def __post_init__(self) -> None:
        where = f"calendar {self.name!r}"
        check_timezone(self.timezone, f"{where}: timezone")
        if len(self.hours) != 7:
            raise BadInput(f"{where}: hours must give one entry per weekday (7), got {len(self.hours)}")
        for wd, h in zip(WEEKDAYS, self.hours):
            if h is not None and not (0 <= h[0] < h[1] <= 1440):
                raise BadInput(f"{where}: hours on {wd}: start must be before end within the day")
        if self.always and self.holidays:
            raise BadInput(f"{where}: a 24×7 calendar has no holidays")
        if not self.always and all(h is None for h in self.hours):
            raise BadInput(f"{where}: no working day; give at least one day with hours")

    # ------------------------------------------------------------------ construction

    @classmethod
    def round_the_clock(cls, timezone: str = "UTC", name: str = ALWAYS) -> BusinessCalendar:
        """A 24×7 calendar: every instant counts. Its time zone is informative only."""
        return cls(name=name, timezone=timezone, hours=((0, 1440),) * 7, always=True)

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, object]) -> BusinessCalendar:
        """Build from a TOML table, e.g. ``{"timezone": "Europe/London", "days": ["mon", …],
        "hours": ["09:00", "17:00"], "holidays": ["2026-12-25"]}`` or ``{"always": true}``.

        ``hours`` may also be a table of weekday → ``[start, end]`` (then it names the working
        days and ``days`` is not given). ``days`` defaults to Monday–Friday.
        """
        where = f"calendar {name!r}"
        if not isinstance(data, Mapping):
            raise BadInput(f"{where}: expected a table, got {type(data).__name__}")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise BadInput(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
        always = data.get("always", False)
        if not isinstance(always, bool):
            raise BadInput(f"{where}: key 'always': expected true or false, got {always!r}")
        if always:
            present = [k for k in ("days", "hours", "holidays") if k in data]
            if present:
                raise BadInput(
                    f"{where}: key {present[0]!r} cannot be combined with always = true; for "
                    "round-the-clock hours with holidays use days = all seven, hours = "
                    "['00:00', '24:00']")
            tz = data.get("timezone", "UTC")
            return cls.round_the_clock(check_timezone(tz, f"{where}: key 'timezone'"), name)
        if "timezone" not in data:
            raise BadInput(f"{where}: key 'timezone' is required (an IANA name such as 'Europe/London')")
        tz = check_timezone(data["timezone"], f"{where}: key 'timezone'")
        if "hours" not in data:
            raise BadInput(f"{where}: key 'hours' is required, e.g. hours = ['09:00', '17:00']")
        raw_hours = data["hours"]
        hours: list[Hours | None] = [None] * 7
        if isinstance(raw_hours, Mapping):
            if "days" in data:
                raise BadInput(f"{where}: key 'days' cannot be combined with hours per day; "
                               "the hours table names the working days")
            if not raw_hours:
                raise BadInput(f"{where}: key 'hours': the table names no day")
            for day, span in raw_hours.items():
                hours[_weekday(day, f"{where}: key 'hours'")] = _span(span, f"{where}: key 'hours.{day}'")
        else:
            span = _span(raw_hours, f"{where}: key 'hours'")
            for wd in _weekdays(data.get("days", list(WEEKDAYS[:5])), f"{where}: key 'days'"):
                hours[wd] = span
        holidays = frozenset(_dates(data.get("holidays", []), f"{where}: key 'holidays'"))
        return cls(name=name, timezone=tz, hours=tuple(hours), holidays=holidays)

    # ------------------------------------------------------------------ description

    @property
    def working_days(self) -> tuple[str, ...]:
        return tuple(wd for wd, h in zip(WEEKDAYS, self.hours) if h is not None)

    @property
    def day_seconds(self) -> int | None:
        """The length of a working day by the clock on the wall, in seconds; ``None`` when the
        working days have different hours. 24×7 counts 86,400."""
        lengths = {h[1] - h[0] for h in self.hours if h is not None}
        return lengths.pop() * 60 if len(lengths) == 1 else None

    def describe(self) -> str:
        if self.always:
            return "24×7"
        spans = {h for h in self.hours if h is not None}
        if len(spans) == 1:
            (s, e), = spans
            text = f"{', '.join(self.working_days)} {_hhmm(s)}–{_hhmm(e)} {self.timezone}"
        else:
            text = ", ".join(f"{wd} {_hhmm(h[0])}–{_hhmm(h[1])}"
                             for wd, h in zip(WEEKDAYS, self.hours) if h is not None)
            text += f" {self.timezone}"
        n = len(self.holidays)
        return text + (f", {n} holiday{'s' if n > 1 else ''}" if n else "")


def calendars_from_dict(data: Mapping[str, object]) -> dict[str, BusinessCalendar]:
    """A TOML table of calendar name → calendar table → calendars by name."""
    if not isinstance(data, Mapping):
        raise BadInput(f"calendars: expected a table of named calendars, got {type(data).__name__}")
    return {str(name): BusinessCalendar.from_dict(str(name), table) for name, table in data.items()}


# ---------------------------------------------------------------------- parsing helpers

def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weekday(value: object, where: str) -> int:
    text = value.lower() if isinstance(value, str) else None
    for names in (WEEKDAYS, _FULL_WEEKDAYS):
        if text in names:
            return names.index(text)
    raise BadInput(f"{where}: not a weekday: {value!r} (use mon, tue, wed, thu, fri, sat, sun)")


def _weekdays(values: object, where: str) -> list[int]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise BadInput(f"{where}: expected a list of weekdays such as ['mon', 'tue'], got {values!r}")
    days = [_weekday(v, where) for v in values]
    if not days:
        raise BadInput(f"{where}: no working day; give at least one")
    if len(set(days)) != len(days):
        raise BadInput(f"{where}: a weekday is listed twice")
    return days


def _minutes(value: object, where: str, *, end: bool) -> int:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise BadInput(f"{where}: times are whole minutes of local time, got {value!r}")
        return value.hour * 60 + value.minute
    m = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if m is not None:
        h, mi = int(m.group(1)), int(m.group(2))
        if mi < 60 and (h < 24 or (end and h == 24 and mi == 0)):
            return h * 60 + mi
    last = "24:00" if end else "23:59"
    raise BadInput(f"{where}: not a time of day: {value!r} (expected HH:MM, 00:00 to {last})")


def _span(value: object, where: str) -> Hours:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or len(value) != 2:
        raise BadInput(f"{where}: expected [start, end] such as ['09:00', '17:00'], got {value!r}")
    start, end = _minutes(value[0], where, end=False), _minutes(value[1], where, end=True)
    if start >= end:
        raise BadInput(f"{where}: start {_hhmm(start)} is not before end {_hhmm(end)} "
                       "(working hours cannot cross midnight; end at '24:00' and start the "
                       "next day at '00:00')")
    return start, end


def _dates(values: object, where: str) -> list[date]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise BadInput(f"{where}: expected a list of dates such as ['2026-12-25'], got {values!r}")
    return [_date(v, where) for v in values]


def _date(value: object, where: str) -> date:
    if type(value) is date:  # TOML dates arrive parsed; a datetime is not a date here
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadInput(f"{where}: not a date: {value!r} (expected YYYY-MM-DD)")


# ---------------------------------------------------------------------- the W function

class _Table:
    """The working windows of local years ``y0..y1``: sorted, non-empty, non-overlapping."""

    def __init__(self, y0: int, y1: int, opens: np.ndarray, lengths: np.ndarray) -> None:
        self.y0, self.y1 = y0, y1
        self.opens = opens      # UTC µs
        self.lengths = lengths  # µs, all > 0
        self.cum_end = np.cumsum(lengths)     # business µs to the end of each window
        self.cum = self.cum_end - lengths     # business µs before each window
        self.total = int(self.cum_end[-1]) if lengths.size else 0
        self._find_open = SortedLookup(opens, "right", US_PER_HOUR)
        self._find_end = SortedLookup(self.cum_end, "left", US_PER_HOUR)

    def w(self, t: np.ndarray) -> np.ndarray:
        """Business µs from the start of year ``y0`` to each instant of ``t``."""
        if not self.opens.size:
            return np.zeros_like(t)
        i = self._find_open(t) - 1
        np.maximum(i, 0, out=i)
        inside = t - self.opens[i]
        np.maximum(inside, 0, out=inside)
        np.minimum(inside, self.lengths[i], out=inside)
        return inside + self.cum[i]

    def invert(self, w: np.ndarray) -> np.ndarray:
        """The first instant at which ``W`` reaches each value of ``w`` (all ≤ total)."""
        j = self._find_end(w)
        return self.opens[j] + (w - self.cum[j])


class _RoundTheClock:
    y0 = y1 = 0
    total = math.inf

    @staticmethod
    def w(t: np.ndarray) -> np.ndarray:
        return t.copy()

    @staticmethod
    def invert(w: np.ndarray) -> np.ndarray:
        return w.copy()


@functools.lru_cache(maxsize=128)
def _windows(cal: BusinessCalendar, y0: int, y1: int) -> _Table:
    first = date(y0, 1, 1).toordinal()
    ords = np.arange(first, date(y1, 12, 31).toordinal() + 1, dtype=np.int64)
    weekday = (ords - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    starts = np.array([h[0] if h else -1 for h in cal.hours], dtype=np.int64)[weekday]
    ends = np.array([h[1] if h else -1 for h in cal.hours], dtype=np.int64)[weekday]
    holidays = np.array([d.toordinal() for d in cal.holidays], dtype=np.int64)
    worked = (starts >= 0) & ~np.isin(ords, holidays)
    midnight = (ords[worked] - _EPOCH_ORDINAL) * US_PER_DAY
    n = midnight.size
    utc = local_to_utc(np.concatenate([midnight + starts[worked] * US_PER_MIN,
                                       midnight + ends[worked] * US_PER_MIN]), cal.timezone)
    opens, closes = utc[:n], utc[n:]
    keep = closes > opens  # a window wholly inside a daylight-saving gap has no time
    return _Table(y0, y1, opens[keep], (closes - opens)[keep])


def _year(us: int) -> int:
    return int(np.datetime64(int(us), "us").astype("datetime64[Y]").astype(np.int64)) + 1970


def _table(cal: BusinessCalendar, lo: int, hi: int) -> _Table | _RoundTheClock:
    """The windows covering every local day that instants ``lo..hi`` (UTC µs) touch."""
    if cal.always:
        return _RoundTheClock()
    y0, y1 = _year(lo - 2 * US_PER_DAY), _year(hi + 2 * US_PER_DAY)
    if y1 - y0 >= _MAX_YEARS or y0 < 1 or y1 > 9000:
        raise BadInput(f"calendar {cal.name!r}: timestamps from {y0} to {y1} span more than "
                       f"{_MAX_YEARS} years or leave the supported range; check the data")
    return _windows(cal, y0, y1)


def _reaching(cal: BusinessCalendar, table: _Table | _RoundTheClock,
              w_max: int) -> _Table | _RoundTheClock:
    """``table`` extended by whole years until its business time reaches ``w_max``.

    Extending keeps ``y0``, so ``W`` values computed with the shorter table stay valid.
    """
    while w_max > table.total:
        span = table.y1 - table.y0 + 1
        per_year = table.total / span
        more = span if per_year == 0 else math.ceil((w_max - table.total) / per_year) + 1
        if span + more > _MAX_YEARS:
            raise BadInput(f"calendar {cal.name!r} has too little working time to reach a "
                           f"deadline within {_MAX_YEARS} years; check its days and holidays")
        table = _windows(cal, table.y0, table.y1 + more)
    return table


def clock_micros(cal: BusinessCalendar, start: np.ndarray, stops: Iterable[np.ndarray] = (),
                 targets: Iterable[np.ndarray] = ()) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The engine under every public function. All arrays are int64 UTC µs of one length.

    ``start`` must hold no NaT. For each array of ``stops`` (NaT allowed) returns the elapsed
    business µs from ``start`` (clamped at 0; −1 where the stop is NaT); for each array of
    ``targets`` (business µs, −1 for none) the deadline (NaT where there is no target).
    """
    stops, targets = list(stops), list(targets)
    if start.size == 0:
        return ([np.zeros(0, np.int64) for _ in stops], [np.zeros(0, np.int64) for _ in targets])
    missing = [s == NAT for s in stops]
    filled = [np.where(m, start, s) for s, m in zip(stops, missing)]  # a NaT stop: no time
    lo = min(int(a.min()) for a in [start, *filled])
    hi = max(int(a.max()) for a in [start, *filled])
    table = _table(cal, lo, hi)
    w_start = table.w(start)
    reach = [w_start + np.maximum(t, 0) for t in targets]
    if reach:
        table = _reaching(cal, table, max(int(r.max()) for r in reach))
    elapsed = []
    for f, m in zip(filled, missing):
        e = table.w(f)
        e -= w_start
        np.maximum(e, 0, out=e)
        e[m] = -1
        elapsed.append(e)
    deadlines = []
    for t, r in zip(targets, reach):
        d = table.invert(r)
        np.maximum(d, start, out=d)  # a zero target is due at the start itself
        d[t < 0] = NAT
        deadlines.append(d)
    return elapsed, deadlines


# ---------------------------------------------------------------------- numpy API

def _instants(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        raise TypeError(f"expected numpy datetime64 values (UTC), got dtype {arr.dtype}")
    return arr.astype("datetime64[us]").view(np.int64)


def elapsed_seconds(cal: BusinessCalendar, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Business seconds between each start and end (datetime64, UTC), as float64.

    NaN where either is NaT; 0 where the end is before the start.
    """
    s, e = np.broadcast_arrays(_instants(starts), _instants(ends))
    out = np.full(s.shape, np.nan)
    ok = (s != NAT) & (e != NAT)
    (el,), _ = clock_micros(cal, s[ok].ravel(), [e[ok].ravel()])
    out[ok] = el / US_PER_S
    return out


def _target_micros(seconds: object, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    sec = np.broadcast_to(np.asarray(seconds), shape)
    if sec.dtype.kind in "iu":
        if (sec < 0).any():
            raise ValueError("target seconds must not be negative")
        return sec.astype(np.int64) * US_PER_S, np.zeros(shape, bool)
    sec = sec.astype(np.float64)
    missing = np.isnan(sec)
    if (sec[~missing] < 0).any():
        raise ValueError("target seconds must not be negative")
    return np.rint(np.where(missing, 0, sec) * US_PER_S).astype(np.int64), missing


def deadlines(cal: BusinessCalendar, starts: np.ndarray, seconds: object) -> np.ndarray:
    """The first instant at which ``seconds`` of business time have elapsed since each start.

    ``starts`` are datetime64 (UTC); ``seconds`` a number or an array (NaN for none). Returns
    datetime64[us], NaT where the start is NaT or the target NaN.
    """
    s = _instants(starts)
    target, missing = _target_micros(seconds, s.shape)
    s, target, missing = np.broadcast_arrays(s, target, missing)
    out = np.full(s.shape, NAT, dtype=np.int64)
    ok = (s != NAT) & ~missing
    _, (d,) = clock_micros(cal, s[ok].ravel(), targets=[target[ok].ravel()])
    out[ok] = d
    return out.view("datetime64[us]")


# ---------------------------------------------------------------------- Polars API

def _expr(e: str | pl.Expr) -> pl.Expr:
    return pl.col(e) if isinstance(e, str) else e


def elapsed_expr(cal: BusinessCalendar, start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    """Business seconds (Float64) from ``start`` to ``end``, both UTC Datetime; null if either is."""

    def batch(cols: list[pl.Series]) -> pl.Series:
        s, s_null = utc_micros(cols[0])
        e, e_null = utc_micros(cols[1])
        missing = s_null | e_null
        out = np.full(s.shape, np.nan)
        (el,), _ = clock_micros(cal, s[~missing], [e[~missing]])
        out[~missing] = el / US_PER_S
        return pl.Series(cols[0].name, out, nan_to_null=True)

    # not elementwise: the function gets whole columns, so one lookup table serves them all
    return pl.map_batches([_expr(start), _expr(end)], batch, return_dtype=pl.Float64,
                          is_elementwise=False)


def deadline_expr(cal: BusinessCalendar, start: str | pl.Expr,
                  seconds: str | pl.Expr | float) -> pl.Expr:
    """The deadline (UTC Datetime) ``seconds`` of business time after ``start``.

    ``seconds`` is a column, an expression or a number; a null start or target gives null.
    """
    constant = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
    inputs = [_expr(start)] if constant else [_expr(start), _expr(seconds)]

    def batch(cols: list[pl.Series]) -> pl.Series:
        s, s_null = utc_micros(cols[0])
        if constant:
            sec = np.full(s.shape, float(seconds))
        else:
            sec = cols[1].cast(pl.Float64).fill_null(np.nan).to_numpy()
        target, missing = _target_micros(sec, s.shape)
        missing = missing | s_null
        out = np.full(s.shape, NAT, dtype=np.int64)
        _, (d,) = clock_micros(cal, s[~missing], targets=[target[~missing]])
        out[~missing] = d
        return utc_series(out, missing, cols[0].name)

    return pl.map_batches(inputs, batch, return_dtype=pl.Datetime("us", "UTC"),
                          is_elementwise=False)


def with_elapsed(lf: pl.LazyFrame, cal: BusinessCalendar, start_col: str, end_col: str,
                 out: str) -> pl.LazyFrame:
    """Add column ``out``: business seconds from ``start_col`` to ``end_col``."""
    return lf.with_columns(elapsed_expr(cal, start_col, end_col).alias(out))


def with_deadline(lf: pl.LazyFrame, cal: BusinessCalendar, start_col: str,
                  seconds: str | float, out: str) -> pl.LazyFrame:
    """Add column ``out``: the deadline ``seconds`` (a column or a number) after ``start_col``."""
    return lf.with_columns(deadline_expr(cal, start_col, seconds).alias(out))
