"""Business calendars: hand-worked clocks, daylight saving, validation, and properties.

Hand-worked cases use Europe/London in winter (local time = UTC) unless they say otherwise.
2026-03-06 is a Friday; London changes to BST on Sunday 2026-03-29 at 01:00 UTC and back on
Sunday 2026-10-25 at 01:00 UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from scorecard.calendars import (
    BusinessCalendar,
    calendars_from_dict,
    clock_micros,
    deadline_expr,
    deadlines,
    elapsed_expr,
    elapsed_seconds,
    with_deadline,
    with_elapsed,
)
from scorecard.errors import BadInput

H = 3600
UTC = timezone.utc

OFFICE = BusinessCalendar.from_dict("office", {
    "timezone": "Europe/London",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "hours": ["09:00", "17:00"],
    "holidays": ["2026-12-25", "2026-12-28"],
})
NIGHT = BusinessCalendar.from_dict("night", {
    "timezone": "Europe/London", "days": list("mon tue wed thu fri sat sun".split()),
    "hours": ["00:00", "04:00"],
})
LOCAL_24H = BusinessCalendar.from_dict("local", {
    "timezone": "Europe/London", "days": list("mon tue wed thu fri sat sun".split()),
    "hours": ["00:00", "24:00"], "holidays": ["2026-12-25"],
})
ALWAYS = BusinessCalendar.from_dict("24x7", {"always": True, "timezone": "Europe/London"})
SPLIT_WEEK = BusinessCalendar.from_dict("split", {
    "timezone": "America/New_York",
    "hours": {"mon": ["08:00", "18:00"], "tue": ["08:00", "18:00"], "wed": ["08:00", "18:00"],
              "thu": ["08:00", "18:00"], "fri": ["08:00", "12:30"], "sat": ["23:00", "24:00"]},
    "holidays": ["2026-07-03", "2026-11-26"],
})
SANTIAGO = BusinessCalendar.from_dict("santiago", {
    "timezone": "America/Santiago", "days": list("mon tue wed thu fri sat sun".split()),
    "hours": ["00:00", "24:00"],
})
CALENDARS = [OFFICE, NIGHT, LOCAL_24H, ALWAYS, SPLIT_WEEK, SANTIAGO]


def ts(text: str) -> np.datetime64:
    """A UTC instant."""
    return np.datetime64(text, "us")


def local(text: str, tz: str) -> np.datetime64:
    """A local wall-clock time (unambiguous) as a UTC instant, computed with zoneinfo."""
    dt = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return np.datetime64(dt.replace(tzinfo=None), "us")


def elapsed(cal: BusinessCalendar, start: np.datetime64, end: np.datetime64) -> float:
    return float(elapsed_seconds(cal, np.array([start]), np.array([end]))[0])


def due(cal: BusinessCalendar, start: np.datetime64, seconds: float) -> np.datetime64:
    return deadlines(cal, np.array([start]), seconds)[0]


# ---------------------------------------------------------------------- hand-worked clocks

@pytest.mark.parametrize(("start", "hours", "expected"), [
    ("2026-03-06T16:00", 4, "2026-03-09T12:00"),  # Fri 16–17 is 1h, Mon 09–12 is 3h
    ("2026-03-06T16:00", 3, "2026-03-09T11:00"),
    ("2026-03-07T10:00", 4, "2026-03-09T13:00"),  # Saturday: counts from Monday 09:00
    ("2026-03-08T23:59", 1, "2026-03-09T10:00"),
    ("2026-03-06T17:00", 1, "2026-03-09T10:00"),  # starts exactly at close
    ("2026-03-06T13:00", 4, "2026-03-06T17:00"),  # lands exactly at close: not Monday 09:00
    ("2026-03-06T09:00", 8, "2026-03-06T17:00"),
    ("2026-03-06T08:00", 8, "2026-03-06T17:00"),  # before opening
    ("2026-03-06T09:00", 40, "2026-03-12T17:00"),  # a working week
    ("2026-12-24T16:00", 4, "2026-12-29T12:00"),  # Fri 25th and Mon 28th are holidays
])
def test_office_deadline_hand_worked(start, hours, expected):
    assert due(OFFICE, ts(start), hours * H) == ts(expected)
    assert elapsed(OFFICE, ts(start), ts(expected)) == hours * H


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("2026-03-06T16:00", "2026-03-09T11:00", 3),
    ("2026-03-07T10:00", "2026-03-08T18:00", 0),  # the weekend
    ("2026-03-06T17:00", "2026-03-09T09:00", 0),  # close to next open
    ("2026-03-06T18:00", "2026-03-06T23:00", 0),  # evening
    ("2026-03-06T12:30", "2026-03-06T12:30", 0),
    ("2026-03-06T12:00", "2026-03-06T11:00", 0),  # end before start: clamped
    ("2026-03-02T00:00", "2026-03-09T00:00", 40),  # a whole week
    ("2026-12-24T00:00", "2026-12-30T00:00", 16),  # Thu 24, Tue 29; holidays in between
])
def test_office_elapsed_hand_worked(start, end, hours):
    assert elapsed(OFFICE, ts(start), ts(end)) == hours * H


def test_office_hours_follow_local_time_across_spring_change():
    # Fri 27 March 16:00 GMT; Monday 30 March is BST, so 09:00 local is 08:00 UTC.
    start = ts("2026-03-27T16:00")
    assert due(OFFICE, start, 4 * H) == ts("2026-03-30T11:00")
    assert elapsed(OFFICE, ts("2026-03-27T09:00"), ts("2026-03-30T08:00")) == 8 * H


def test_office_hours_follow_local_time_across_autumn_change():
    # Fri 23 October 16:00 BST (15:00 UTC); Monday 26 October is GMT again.
    start = local("2026-10-23T16:00", "Europe/London")
    assert start == ts("2026-10-23T15:00")
    assert due(OFFICE, start, 4 * H) == ts("2026-10-26T12:00")
    assert elapsed(OFFICE, ts("2026-10-23T08:00"), ts("2026-10-26T09:00")) == 8 * H


@pytest.mark.parametrize(("day", "next_day", "hours"), [
    ("2026-03-28", "2026-03-29", 24),
    ("2026-03-29", "2026-03-30", 23),  # spring forward
    ("2026-10-25", "2026-10-26", 25),  # fall back
])
def test_local_round_the_clock_day_has_its_real_length(day, next_day, hours):
    start = local(f"{day}T00:00", "Europe/London")
    end = local(f"{next_day}T00:00", "Europe/London")
    assert elapsed(LOCAL_24H, start, end) == hours * H
    assert due(LOCAL_24H, start, hours * H) == end


@pytest.mark.parametrize(("day", "hours"), [("2026-03-22", 4), ("2026-03-29", 3), ("2026-10-25", 5)])
def test_working_hours_that_span_the_change_have_their_real_length(day, hours):
    # 00:00–04:00 local: the change at 01:00 UTC falls inside the window.
    start = local(f"{day}T00:00", "Europe/London")
    d = date.fromisoformat(day)
    assert elapsed(NIGHT, start - np.timedelta64(1, "h"), start + np.timedelta64(12, "h")) == hours * H
    close = local(f"{d}T04:00", "Europe/London")
    assert due(NIGHT, start, hours * H) == close
    assert due(NIGHT, start, hours * H + 1) == local(f"{d + timedelta(days=1)}T00:00", "Europe/London") \
        + np.timedelta64(1, "s")


def test_window_opening_in_a_gap_opens_when_the_clock_jumps():
    # Santiago skips Sunday 2026-09-06 00:00–01:00 (UTC−4 → UTC−3): that Sunday begins at
    # 04:00 UTC, the jump, and has 23 hours. At Sunday 2026-04-05 00:00 (UTC−3) the clock
    # falls back to Saturday 23:00 (UTC−4): that Saturday has 25 hours.
    week = ["2026-04-01T00:00", "2026-04-08T00:00"]
    sundays = BusinessCalendar.from_dict("sun", {"timezone": "America/Santiago", "days": ["sun"],
                                                 "hours": ["00:00", "24:00"]})
    saturdays = BusinessCalendar.from_dict("sat", {"timezone": "America/Santiago", "days": ["sat"],
                                                   "hours": ["00:00", "24:00"]})
    assert elapsed(sundays, ts("2026-09-03T00:00"), ts("2026-09-10T00:00")) == 23 * H
    assert due(sundays, ts("2026-09-03T00:00"), 1) == ts("2026-09-06T04:00:01")
    assert elapsed(saturdays, ts(week[0]), ts(week[1])) == 25 * H
    assert due(saturdays, ts(week[0]), 25 * H) == ts("2026-04-05T04:00")
    assert elapsed(sundays, ts(week[0]), ts(week[1])) == 24 * H
    # all seven days: the windows abut, every instant counts
    assert elapsed(SANTIAGO, ts("2026-09-05T12:00"), ts("2026-09-06T12:00")) == 24 * H


@pytest.mark.parametrize(("day", "opens", "closes"), [
    ("2026-03-22", "2026-03-22T01:30", "2026-03-22T03:00"),  # GMT, an ordinary Sunday
    ("2026-03-29", "2026-03-29T01:00", "2026-03-29T02:00"),  # 01:30 does not occur: the jump
    ("2026-10-25", "2026-10-25T00:30", "2026-10-25T03:00"),  # 01:30 occurs twice: the first
])
def test_wall_clock_times_in_a_gap_or_a_repeat(day, opens, closes):
    cal = BusinessCalendar.from_dict("odd", {"timezone": "Europe/London", "days": ["sun"],
                                             "hours": ["01:30", "03:00"]})
    assert due(cal, ts(f"{day}T00:00"), 1) == ts(opens) + np.timedelta64(1, "us") * 10**6
    assert elapsed(cal, ts(f"{day}T00:00"), ts(f"{day}T12:00")) == \
        (ts(closes) - ts(opens)) / np.timedelta64(1, "s")


def test_a_skipped_day_has_no_working_time():
    # Samoa skipped 30 December 2011 entirely.
    apia = BusinessCalendar.from_dict("apia", {"timezone": "Pacific/Apia", "hours": ["09:00", "17:00"],
                                               "days": ["thu", "fri", "sat"]})
    thu_open = local("2011-12-29T09:00", "Pacific/Apia")
    sat_open = local("2011-12-31T09:00", "Pacific/Apia")
    assert elapsed(apia, thu_open, sat_open) == 8 * H
    assert due(apia, thu_open, 9 * H) == sat_open + np.timedelta64(1, "h")


def test_round_the_clock_counts_every_instant():
    start = ts("2026-03-28T22:15")
    assert due(ALWAYS, start, 4 * H) == ts("2026-03-29T02:15")  # across the change: 4 real hours
    assert elapsed(ALWAYS, start, ts("2026-03-29T02:15")) == 4 * H
    assert elapsed(ALWAYS, ts("2026-12-25T00:00"), ts("2026-12-26T00:00")) == 24 * H


def test_per_weekday_hours_and_a_saturday_late_window():
    # New York: Fri 08:00–12:30, Sat 23:00–24:00, Mon 08:00–18:00 (EDT, UTC−4 in October).
    fri = local("2026-10-16T12:00", "America/New_York")
    assert due(SPLIT_WEEK, fri, 0.5 * H) == local("2026-10-16T12:30", "America/New_York")
    assert due(SPLIT_WEEK, fri, 1 * H) == local("2026-10-17T23:30", "America/New_York")
    assert due(SPLIT_WEEK, fri, 2 * H) == local("2026-10-19T08:30", "America/New_York")
    assert SPLIT_WEEK.working_days == ("mon", "tue", "wed", "thu", "fri", "sat")
    assert SPLIT_WEEK.day_seconds is None
    assert OFFICE.day_seconds == 8 * H


def test_zero_target_is_due_at_the_start_even_outside_hours():
    assert due(OFFICE, ts("2026-03-07T10:00"), 0) == ts("2026-03-07T10:00")
    assert due(OFFICE, ts("2026-03-06T10:00"), 0) == ts("2026-03-06T10:00")


def test_deadline_far_beyond_the_data_extends_the_calendar():
    start = ts("2026-03-06T09:00")
    target = 8 * H * 700  # about two and a half working years
    d = due(OFFICE, start, target)
    assert d > ts("2028-09-01T00:00")
    assert elapsed(OFFICE, start, d) == target


def test_nat_and_nan_give_missing_results():
    starts = np.array([ts("2026-03-06T16:00"), np.datetime64("NaT", "us")])
    ends = np.array([np.datetime64("NaT", "us"), ts("2026-03-09T11:00")])
    assert np.isnan(elapsed_seconds(OFFICE, starts, ends)).all()
    got = deadlines(OFFICE, starts, np.array([np.nan, 3600.0]))
    assert np.isnat(got).all()
    got = deadlines(OFFICE, starts, 3 * H)
    assert got[0] == ts("2026-03-09T11:00") and np.isnat(got[1])


def test_arrays_of_mixed_units_and_integer_targets():
    starts = np.array(["2026-03-06T16:00", "2026-03-07T10:00"], dtype="datetime64[s]")
    got = deadlines(OFFICE, starts, np.array([4 * H, 1]))
    assert got.dtype == np.dtype("datetime64[us]")
    assert list(got) == [ts("2026-03-09T12:00"), ts("2026-03-09T09:00:01")]
    with pytest.raises(ValueError, match="negative"):
        deadlines(OFFICE, starts, -1)
    with pytest.raises(TypeError, match="datetime64"):
        elapsed_seconds(OFFICE, np.array([1, 2]), np.array([3, 4]))


def test_empty_input():
    empty = np.array([], dtype="datetime64[us]")
    assert elapsed_seconds(OFFICE, empty, empty).shape == (0,)
    assert deadlines(OFFICE, empty, 60).shape == (0,)


# ---------------------------------------------------------------------- Polars

def _frame() -> pl.LazyFrame:
    return pl.LazyFrame({
        "opened_at": [datetime(2026, 3, 6, 16), datetime(2026, 3, 7, 10), None],
        "resolved_at": [datetime(2026, 3, 9, 11), None, datetime(2026, 3, 9, 11)],
        "target": [3 * H, 4 * H, 1],
    }, schema={"opened_at": pl.Datetime("us", "UTC"), "resolved_at": pl.Datetime("us", "UTC"),
               "target": pl.Int64})


def test_with_elapsed_and_with_deadline():
    got = (_frame()
           .pipe(with_elapsed, OFFICE, "opened_at", "resolved_at", "business_s")
           .pipe(with_deadline, OFFICE, "opened_at", "target", "due")
           .pipe(with_deadline, OFFICE, "opened_at", 60, "due_1m")
           .select("business_s", "due", "due_1m").collect())
    expected = pl.DataFrame({
        "business_s": [3.0 * H, None, None],
        "due": [datetime(2026, 3, 9, 11), datetime(2026, 3, 9, 13), None],
        "due_1m": [datetime(2026, 3, 6, 16, 1), datetime(2026, 3, 9, 9, 1), None],
    }, schema={"business_s": pl.Float64, "due": pl.Datetime("us", "UTC"),
               "due_1m": pl.Datetime("us", "UTC")})
    assert_frame_equal(got, expected)


def test_polars_expressions_accept_other_units_and_zones():
    lf = pl.LazyFrame({"a": [datetime(2026, 3, 6, 16)], "b": [datetime(2026, 3, 9, 11)]},
                      schema={"a": pl.Datetime("ms", "UTC"), "b": pl.Datetime("ns", "UTC")})
    lf = lf.with_columns(pl.col("b").dt.convert_time_zone("Europe/Paris"))
    got = lf.select(elapsed_expr(OFFICE, "a", "b").alias("e"),
                    deadline_expr(OFFICE, pl.col("a"), 3 * H).alias("d")).collect()
    assert got.row(0) == (3.0 * H, datetime(2026, 3, 9, 11, tzinfo=ZoneInfo("UTC")))


def test_polars_expressions_refuse_naive_timestamps():
    lf = pl.LazyFrame({"a": [datetime(2026, 3, 6, 16)], "b": [datetime(2026, 3, 9, 11)]})
    with pytest.raises(BadInput, match="column 'a' must hold UTC timestamps"):
        lf.select(elapsed_expr(OFFICE, "a", "b")).collect()


def test_polars_empty_frame():
    lf = pl.LazyFrame(schema={"a": pl.Datetime("us", "UTC"), "b": pl.Datetime("us", "UTC")})
    got = lf.pipe(with_elapsed, OFFICE, "a", "b", "e").pipe(with_deadline, OFFICE, "a", 60, "d").collect()
    assert got.schema == pl.Schema({"a": pl.Datetime("us", "UTC"), "b": pl.Datetime("us", "UTC"),
                                    "e": pl.Float64, "d": pl.Datetime("us", "UTC")})
    assert got.height == 0


# ---------------------------------------------------------------------- definitions

def test_from_dict_defaults_and_description():
    cal = BusinessCalendar.from_dict("b", {"timezone": "Europe/Berlin", "hours": ["08:00", "18:00"]})
    assert cal.working_days == ("mon", "tue", "wed", "thu", "fri")
    assert cal.hours[0] == (480, 1080) and cal.hours[5] is None
    assert cal.describe() == "mon, tue, wed, thu, fri 08:00–18:00 Europe/Berlin"
    assert OFFICE.describe() == "mon, tue, wed, thu, fri 09:00–17:00 Europe/London, 2 holidays"
    assert ALWAYS.always and ALWAYS.describe() == "24×7"


def test_from_dict_accepts_toml_dates_and_times_and_full_day_names():
    cal = BusinessCalendar.from_dict("t", {
        "timezone": "Europe/London", "days": ["Monday", "TUE"],
        "hours": [time(9, 30), time(17, 0)], "holidays": [date(2026, 12, 25)],
    })
    assert cal.working_days == ("mon", "tue")
    assert cal.hours[0] == (570, 1020)
    assert cal.holidays == frozenset({date(2026, 12, 25)})


def test_calendars_from_dict_names_each_calendar():
    cals = calendars_from_dict({"business": {"timezone": "UTC", "hours": ["09:00", "17:00"]},
                                "24x7": {"always": True}})
    assert set(cals) == {"business", "24x7"}
    assert cals["business"].name == "business" and cals["24x7"].always
    assert cals["24x7"].timezone == "UTC"


def test_calendars_are_hashable_values():
    again = BusinessCalendar.from_dict("office", {
        "timezone": "Europe/London", "hours": ["09:00", "17:00"],
        "holidays": ["2026-12-28", "2026-12-25"]})
    assert again == OFFICE and hash(again) == hash(OFFICE)


@pytest.mark.parametrize(("data", "message"), [
    ({"hours": ["09:00", "17:00"]}, "key 'timezone' is required"),
    ({"timezone": "Mars/Olympus", "hours": ["09:00", "17:00"]}, "key 'timezone': unknown time zone 'Mars/Olympus'"),
    ({"timezone": "UTC"}, "key 'hours' is required"),
    ({"timezone": "UTC", "hours": ["9:00", "17:00"]}, "key 'hours': not a time of day: '9:00'"),
    ({"timezone": "UTC", "hours": ["24:00", "24:00"]}, "key 'hours': not a time of day: '24:00'"),
    ({"timezone": "UTC", "hours": ["09:00", "24:01"]}, "not a time of day: '24:01'"),
    ({"timezone": "UTC", "hours": ["17:00", "09:00"]}, "start 17:00 is not before end 09:00"),
    ({"timezone": "UTC", "hours": ["22:00", "06:00"]}, "cannot cross midnight"),
    ({"timezone": "UTC", "hours": "09:00-17:00"}, "key 'hours': expected \\[start, end\\]"),
    ({"timezone": "UTC", "hours": [time(9, 0, 30), time(17)]}, "whole minutes"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "days": ["mon", "funday"]}, "key 'days': not a weekday: 'funday'"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "days": ["mon", "mon"]}, "listed twice"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "days": []}, "no working day"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "days": "mon"}, "key 'days': expected a list"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "holidays": ["25/12/2026"]}, "key 'holidays': not a date: '25/12/2026'"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "holidays": [datetime(2026, 12, 25)]}, "not a date"),
    ({"timezone": "UTC", "hours": ["09:00", "17:00"], "holday": []}, "unknown key 'holday'"),
    ({"timezone": "UTC", "hours": {"mon": ["09:00", "17:00"]}, "days": ["mon"]}, "key 'days' cannot be combined"),
    ({"timezone": "UTC", "hours": {"mon": ["09:00", "27:00"]}}, "key 'hours.mon': not a time of day"),
    ({"timezone": "UTC", "hours": {"xyz": ["09:00", "17:00"]}}, "key 'hours': not a weekday: 'xyz'"),
    ({"timezone": "UTC", "hours": {}}, "names no day"),
    ({"always": True, "hours": ["00:00", "24:00"]}, "key 'hours' cannot be combined with always"),
    ({"always": "yes"}, "key 'always': expected true or false"),
])
def test_from_dict_refuses_bad_definitions_naming_the_key(data, message):
    with pytest.raises(BadInput, match=message) as err:
        BusinessCalendar.from_dict("office", data)
    assert str(err.value).startswith("calendar 'office'")


def test_calendars_from_dict_refuses_a_non_table():
    with pytest.raises(BadInput, match="calendars: expected a table"):
        calendars_from_dict(["office"])
    with pytest.raises(BadInput, match="calendar 'x': expected a table"):
        calendars_from_dict({"x": "09:00-17:00"})


def test_absurd_timestamp_spans_are_refused():
    with pytest.raises(BadInput, match="span more than"):
        elapsed(OFFICE, ts("1700-01-01T00:00"), ts("2026-01-01T00:00"))


# ---------------------------------------------------------------------- properties

# Instants from late 2025 to early 2028 at whole seconds, plus a few exact boundaries.
LO, HI = int(ts("2025-10-01T00:00").astype(np.int64)), int(ts("2028-03-01T00:00").astype(np.int64))
instant_us = st.one_of(
    st.integers(LO // 10**6, HI // 10**6).map(lambda s: s * 10**6),
    st.integers(LO, HI),
    st.sampled_from([int(local(t, "Europe/London").astype(np.int64)) for t in (
        "2026-03-06T09:00", "2026-03-06T17:00", "2026-03-29T00:00", "2026-03-29T04:00",
        "2026-10-25T00:00", "2026-10-25T04:00", "2026-12-24T17:00", "2026-12-29T09:00")]),
)
calendars = st.sampled_from(CALENDARS)
PROPS = settings(max_examples=150, deadline=None)


def _us(*values: int) -> list[np.ndarray]:
    return [np.array([v], dtype=np.int64) for v in values]


@PROPS
@given(calendars, instant_us, instant_us, instant_us)
def test_elapsed_is_additive_and_never_negative(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    start, mid, end = _us(a, b, c)
    (ab, ac), _ = clock_micros(cal, start, [mid, end])
    (bc,), _ = clock_micros(cal, mid, [end])
    assert ab[0] >= 0 and bc[0] >= 0
    assert ac[0] == ab[0] + bc[0]
    assert ac[0] <= c - a
    # the same through the public float API, to the microsecond
    got = elapsed_seconds(cal, np.array([a, a, b]).view("datetime64[us]"), np.array([b, c, c]).view("datetime64[us]"))
    assert got[1] == pytest.approx(got[0] + got[2], abs=1e-6)


@PROPS
@given(calendars, instant_us, st.integers(0, 400 * H * 10**6))
def test_deadline_is_the_first_instant_the_target_is_reached(cal, start, target):
    (s,) = _us(start)
    _, (d,) = clock_micros(cal, s, targets=[np.array([target])])
    (at,), _ = clock_micros(cal, s, [d])
    assert d[0] >= start
    assert at[0] == target
    if target > 0:
        (before,), _ = clock_micros(cal, s, [d - 1])
        assert before[0] < target


@PROPS
@given(st.dates(date(2025, 10, 1), date(2028, 2, 1)), st.integers(0, 16 * 60 - 1), st.integers(0, 16 * 60 - 1))
def test_time_outside_working_hours_counts_nothing(day, m1, m2):
    # every instant from 17:00 local to 09:00 the next morning is outside OFFICE hours
    tz = ZoneInfo("Europe/London")
    evening = datetime.combine(day, time(17), tz)
    a, b = sorted((m1, m2))
    start = (evening + timedelta(minutes=a)).astimezone(UTC)
    end = (evening + timedelta(minutes=b)).astimezone(UTC)
    got = elapsed_seconds(OFFICE, np.array([np.datetime64(start.replace(tzinfo=None), "us")]),
                          np.array([np.datetime64(end.replace(tzinfo=None), "us")]))
    assert got[0] == 0


def _oracle_seconds(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business seconds by walking local days with zoneinfo, one window at a time."""
    tz = ZoneInfo(cal.timezone)
    total = 0.0
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date() + timedelta(days=1):
        hours = cal.hours[day.weekday()]
        if hours is not None and day not in cal.holidays:
            midnight = datetime.combine(day, time())  # naive local wall clock
            opens = (midnight + timedelta(minutes=hours[0])).replace(tzinfo=tz).astimezone(UTC)
            closes = (midnight + timedelta(minutes=hours[1])).replace(tzinfo=tz).astimezone(UTC)
            overlap = (min(end, closes) - max(start, opens)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total


@PROPS
@given(st.sampled_from([OFFICE, NIGHT, LOCAL_24H, SPLIT_WEEK]), instant_us, instant_us)
def test_elapsed_matches_a_day_by_day_oracle(cal, a, b):
    a, b = sorted((a, b))
    start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=a)
    end = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=b)
    got = elapsed(cal, np.datetime64(a, "us"), np.datetime64(b, "us"))
    assert got == pytest.approx(_oracle_seconds(cal, start, end), abs=1e-6)
