"""Months in a provider's time zone, wall-clock conversion, and the sorted lookup under both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from scorecard.errors import BadInput
from scorecard.months import (
    SortedLookup,
    assign_month,
    check_timezone,
    format_month,
    local_to_utc,
    month_bounds,
    month_expr,
    month_of,
    month_range,
    parse_month,
    shift_month,
)

UTC = timezone.utc


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parse_and_format_month():
    assert parse_month("2026-03") == (2026, 3)
    assert format_month(2026, 3) == "2026-03"
    assert format_month(987, 12) == "0987-12"


@pytest.mark.parametrize("bad", ["2026-3", "2026-13", "2026-00", "26-03", "2026-03-01", "", 202603, None])
def test_parse_month_refuses(bad):
    with pytest.raises(BadInput, match="not a month"):
        parse_month(bad)


@pytest.mark.parametrize(("month", "n", "expected"), [
    ("2026-01", -1, "2025-12"), ("2026-11", 3, "2027-02"), ("2026-05", 0, "2026-05"), ("2026-05", -24, "2024-05"),
])
def test_shift_month(month, n, expected):
    assert shift_month(month, n) == expected


def test_month_range():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_range("2026-02", "2026-02") == ["2026-02"]
    assert month_range("2026-02", "2026-01") == []


@pytest.mark.parametrize(("month", "tz", "start", "end"), [
    ("2026-03", "Europe/London", utc(2026, 3, 1), utc(2026, 3, 31, 23)),
    ("2026-10", "Europe/London", utc(2026, 9, 30, 23), utc(2026, 11, 1)),
    ("2026-02", "Europe/Berlin", utc(2026, 1, 31, 23), utc(2026, 2, 28, 23)),
    ("2026-12", "America/New_York", utc(2026, 12, 1, 5), utc(2027, 1, 1, 5)),
    ("2026-01", "UTC", utc(2026, 1, 1), utc(2026, 2, 1)),
    # In Asunción, 2023-10-01 00:00 does not exist: the clock jumps from 23:59:59 (UTC−4)
    # to 01:00 (UTC−3). October begins at the jump.
    ("2023-10", "America/Asuncion", utc(2023, 10, 1, 4), utc(2023, 11, 1, 3)),
    ("2023-09", "America/Asuncion", utc(2023, 9, 1, 4), utc(2023, 10, 1, 4)),
])
def test_month_bounds(month, tz, start, end):
    assert month_bounds(month, tz) == (start, end)


def test_month_of_in_the_providers_zone():
    assert month_of(utc(2026, 1, 31, 23, 30), "Europe/Berlin") == "2026-02"
    assert month_of(utc(2026, 1, 31, 22, 59, 59, 999_999), "Europe/Berlin") == "2026-01"
    assert month_of(utc(2026, 1, 31, 23, 30), "UTC") == "2026-01"
    assert month_of(utc(2026, 1, 1, 3), "America/Los_Angeles") == "2025-12"
    with pytest.raises(BadInput, match="time-zone-aware"):
        month_of(datetime(2026, 1, 1), "UTC")


def test_check_timezone():
    assert check_timezone("Europe/Berlin") == "Europe/Berlin"
    for bad in ("Europe/Berln", "", None, 1):
        with pytest.raises(BadInput, match="unknown time zone"):
            check_timezone(bad)
    with pytest.raises(BadInput, match="^provider timezone: unknown"):
        check_timezone("nowhere", "provider timezone")


def test_assign_month_keeps_nulls_and_other_units():
    lf = pl.LazyFrame({"at": [utc(2026, 1, 31, 23, 30), None, utc(2026, 3, 29, 0, 59)]},
                      schema={"at": pl.Datetime("ns", "UTC")})
    got = lf.pipe(assign_month, "at", "Europe/Berlin").collect()["month"]
    assert_series_equal(got, pl.Series("month", ["2026-02", None, "2026-03"]))
    empty = pl.LazyFrame(schema={"at": pl.Datetime("us", "UTC")}).pipe(assign_month, "at", "UTC").collect()
    assert empty.schema["month"] == pl.String and empty.height == 0


def test_month_expr_refuses_naive_timestamps():
    lf = pl.LazyFrame({"at": [datetime(2026, 1, 1)]})
    with pytest.raises(BadInput, match="column 'at' must hold UTC timestamps"):
        lf.select(month_expr("at", "UTC")).collect()


ZONES = ["Europe/Berlin", "Europe/London", "America/Asuncion", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "Pacific/Apia", "UTC"]
instant = st.integers(int(utc(2008, 1, 1).timestamp()), int(utc(2030, 1, 1).timestamp())).map(
    lambda s: utc(1970, 1, 1) + timedelta(seconds=s))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.lists(st.one_of(st.none(), instant), max_size=30))
def test_month_expr_agrees_with_polars_time_zone_conversion(tz, instants):
    s = pl.Series("at", instants, dtype=pl.Datetime("us", "UTC"))
    got = pl.select(month_expr(pl.lit(s), tz)).to_series()
    expected = s.dt.convert_time_zone(tz).dt.strftime("%Y-%m")
    assert_series_equal(got, expected, check_names=False)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.integers(2008, 2029), st.integers(1, 12))
def test_month_bounds_agree_with_month_of(tz, year, month):
    m = format_month(year, month)
    start, end = month_bounds(m, tz)
    assert month_of(start, tz) == m
    assert month_of(start - timedelta(microseconds=1), tz) == shift_month(m, -1)
    assert month_of(end - timedelta(microseconds=1), tz) == m
    assert month_of(end, tz) == shift_month(m, 1)


def test_local_to_utc_takes_the_first_instant_at_or_after_the_wall_time():
    walls = np.array(["2026-03-29T00:59", "2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T02:00",
                      "2026-10-25T01:30", "2026-10-25T02:00"], dtype="datetime64[us]").view(np.int64)
    got = local_to_utc(walls, "Europe/London").view("datetime64[us]")
    expected = np.array(["2026-03-29T00:59", "2026-03-29T01:00", "2026-03-29T01:00", "2026-03-29T01:00",
                         "2026-10-25T00:30", "2026-10-25T02:00"], dtype="datetime64[us]")
    assert (got == expected).all()
    assert local_to_utc(np.array([], dtype=np.int64), "UTC").size == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=0, max_size=40), st.lists(st.integers(-80, 80), min_size=1, max_size=40),
       st.integers(1, 30), st.sampled_from(["left", "right"]))
def test_sorted_lookup_is_searchsorted(values, queries, step, side):
    a = np.sort(np.array(values, dtype=np.int64))
    x = np.array(queries, dtype=np.int64)
    assert (SortedLookup(a, side, step)(x) == np.searchsorted(a, x, side=side)).all()
