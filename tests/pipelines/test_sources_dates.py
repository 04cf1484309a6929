"""Dates as exports write them: day or month first decided from the data, time zones, clock changes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.sources.dates import DAY_FIRST, MONTH_FIRST, parse_timestamps, settle_repeated_hour
from pipelines.sources.problems import ROW, Problems
from scorecard.errors import BadInput

UTC = dt.timezone.utc


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def parse(values: dict[str, list], *, zone: str = "UTC", date_format: str | None = None, dates: tuple = ()):
    n = len(next(iter(values.values())))
    frame = pl.DataFrame({ROW: list(range(2, n + 2)), **values}, schema_overrides={k: pl.String for k in values})
    problems = Problems("f.csv")
    out = parse_timestamps(frame, {c: c.upper() for c in values}, zone=zone, date_format=date_format,
                           problems=problems, dates=dates)
    return out, problems


@pytest.mark.parametrize("text, expected", [
    ("2016-02-29 01:16:00", utc(2016, 2, 29, 1, 16)),
    ("2016-02-29 01:16", utc(2016, 2, 29, 1, 16)),
    ("2016-02-29T01:16:07.250", utc(2016, 2, 29, 1, 16, 7, 250000)),
    ("2016-02-29", utc(2016, 2, 29)),
    ("2016/2/29 1:16", utc(2016, 2, 29, 1, 16)),
    ("2016-02-29T01:16:00Z", utc(2016, 2, 29, 1, 16)),
    ("2016-02-29T02:16:00+01:00", utc(2016, 2, 29, 1, 16)),
    ("2016-02-28 20:16:00 -0500", utc(2016, 2, 29, 1, 16)),
    ("29/Feb/16 1:16 AM", utc(2016, 2, 29, 1, 16)),
    ("29/Feb/16 1:16 PM", utc(2016, 2, 29, 13, 16)),
    ("29-feb-2016 12:05 am", utc(2016, 2, 29, 0, 5)),
])
def test_layouts_read_without_being_told(text, expected):
    out, problems = parse({"opened": [text]})
    assert not problems and out["opened"].to_list() == [expected]


def test_day_first_is_decided_by_a_day_above_twelve_anywhere_in_the_file():
    out, problems = parse({"opened": ["01/02/2016 09:00", "03/04/2016 10:00"], "resolved": ["29/2/2016 01:16", None]})
    assert not problems
    assert out["opened"].to_list() == [utc(2016, 2, 1, 9), utc(2016, 4, 3, 10)]
    assert out["resolved"].to_list() == [utc(2016, 2, 29, 1, 16), None]


def test_month_first_with_twelve_hour_clock():
    out, problems = parse({"opened": ["2/29/2016 1:16:00 PM", "3/1/2016 9:02:00 AM", "3/12/2016 11:59:00 PM"]})
    assert not problems
    assert out["opened"].to_list() == [utc(2016, 2, 29, 13, 16), utc(2016, 3, 1, 9, 2), utc(2016, 3, 12, 23, 59)]


def test_dates_that_could_be_either_way_round_are_refused_and_the_option_named():
    with pytest.raises(BadInput) as err:
        parse({"opened": ["01/02/2016 09:00", "03/04/2016 10:00"]})
    assert str(err.value) == (
        "f.csv: cannot tell whether the dates are day-first or month-first (column 'OPENED', e.g. '01/02/2016 09:00', "
        "and no date in the file has a day above 12); rerun with --date-format day-first or --date-format month-first, "
        "or a pattern such as '%d/%m/%Y %H:%M'")


def test_the_order_can_be_given_or_a_pattern():
    values = {"opened": ["01/02/2016 09:00", "03/04/2016 10:00"]}
    assert parse(values, date_format=DAY_FIRST)[0]["opened"].to_list() == [utc(2016, 2, 1, 9), utc(2016, 4, 3, 10)]
    assert parse(values, date_format=MONTH_FIRST)[0]["opened"].to_list() == [utc(2016, 1, 2, 9), utc(2016, 3, 4, 10)]
    out, problems = parse({"opened": ["01.02.2016 09:00", "garbage"]}, date_format="%d.%m.%Y %H:%M")
    assert out["opened"].to_list() == [utc(2016, 2, 1, 9), None]
    assert [str(p) for p in problems.items] == [
        "f.csv, row 3, column 'OPENED': not a date and time in the pattern '%d.%m.%Y %H:%M' (value 'garbage')"]


def test_unreadable_values_are_named_with_row_column_and_text():
    out, problems = parse({"opened": ["2016-02-29 01:16", "yesterday", "31/02/2016", "2016-02-30 10:00", None]})
    assert out["opened"].to_list() == [utc(2016, 2, 29, 1, 16), None, None, None, None]
    shown = [(p.row, p.column, p.value) for p in problems.items]
    assert shown == [(3, "OPENED", "yesterday"), (4, "OPENED", "31/02/2016"), (5, "OPENED", "2016-02-30 10:00")]
    assert all("not a date and time" in p.message for p in problems.items)


def test_naive_times_are_local_to_the_zone_and_converted_to_utc():
    out, _ = parse({"at": ["2026-01-15 09:00", "2026-07-15 09:00", "2026-07-15T09:00:00Z"]}, zone="Europe/London")
    assert out["at"].to_list() == [utc(2026, 1, 15, 9), utc(2026, 7, 15, 8), utc(2026, 7, 15, 9)]
    assert out["at"].dtype == pl.Datetime("us", "UTC")


def test_a_time_skipped_when_clocks_go_forward_is_refused():
    _, problems = parse({"at": ["2026-03-29 01:30", "2026-03-29 02:30"]}, zone="Europe/Berlin")
    assert [str(p) for p in problems.items] == [
        "f.csv, row 3, column 'AT': this local time does not exist in time zone Europe/Berlin "
        "(the clocks went forward) (value '2026-03-29 02:30')"]


def test_a_repeated_hour_reads_as_the_later_instant_only_when_the_earlier_would_be_too_early():
    out, problems = parse({"opened": ["2025-10-26 01:50", "2025-10-26 01:10"],
                           "resolved": ["2025-10-26 01:05", "2025-10-26 01:20"]}, zone="Europe/London")
    assert not problems
    settled = settle_repeated_hour(out, "opened", ("resolved",))
    assert settled.columns == [ROW, "opened", "resolved"]
    # 01:50 is read as BST (00:50 UTC); 01:05 after it can only be GMT, the second 01:05.
    assert settled["opened"].to_list() == [utc(2025, 10, 26, 0, 50), utc(2025, 10, 26, 0, 10)]
    assert settled["resolved"].to_list() == [utc(2025, 10, 26, 1, 5), utc(2025, 10, 26, 0, 20)]


def test_calendar_dates_stay_as_written():
    out, problems = parse({"as_of": ["31/01/2026", "2026-02-28", None]}, zone="Pacific/Auckland", dates=("as_of",))
    assert not problems
    assert out["as_of"].to_list() == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), None]


def test_two_digit_years():
    out, _ = parse({"at": ["05/Jan/24 9:15 AM", "05/Jan/99 9:15 AM"]})
    assert out["at"].to_list() == [utc(2024, 1, 5, 9, 15), utc(1999, 1, 5, 9, 15)]


def test_many_day_first_timestamps_parse_in_bulk():
    days = pl.datetime_range(dt.datetime(2023, 1, 1), dt.datetime(2025, 12, 31), "7m", eager=True).head(100_000)
    out, problems = parse({"at": days.dt.strftime("%d-%m-%Y %H:%M:%S").to_list()})
    assert not problems and out["at"].null_count() == 0
    assert out["at"][-1] == days[-1].replace(tzinfo=UTC)
