"""Dates and times as exports write them, read in bulk, converted to UTC.

Three families are recognised, with or without a time (``HH:MM``, seconds, fractions, AM/PM)
and an offset (``Z``, ``+01:00``): year first (``2016-02-29 01:16:00``, ``2016/02/29``),
day and month as numbers (``29-02-2016 01:16``, ``2/29/2016 1:16 PM``), and a month name
(``29/Feb/16 1:16 AM``, Jira's default). Whether numeric dates are day-first or month-first
is decided from all the dates of the file together; when no value tells (every day ≤ 12) the
file is refused and ``--date-format`` asked for. Two-digit years are 2000–2069 and 1970–1999.

A time without an offset is local time in the given zone. In the hour repeated when clocks
go back the earlier instant is taken; a time skipped when clocks go forward is refused.
"""

from __future__ import annotations

import re

import polars as pl

from pipelines.sources.problems import ROW, Problems
from scorecard.errors import BadInput

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
ORDERS = (DAY_FIRST, MONTH_FIRST)

_TIME = (r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
         r"\s*(?P<p>[AaPp]\.?[Mm]\.?)?)?\s*(?P<z>Z|UTC|GMT|[+-]\d{2}:?\d{2})?$")
_YEAR_FIRST = r"^(?P<y>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})" + _TIME
_NUMERIC = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME
_MONTH_NAME = r"^(?P<b>\d{1,2})[-/ ](?P<a>[A-Za-z]{3,9})\.?[-/ ,]+(?P<y>\d{4}|\d{2})" + _TIME
_FAST = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
EXAMPLE = "e.g. 2016-02-29 01:16, 29/02/2016 01:16 or 29/Feb/16 1:16 AM"


def _int(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Int32, strict=False)


_PARTS = ("a", "b", "y", "H", "M", "S", "f", "p", "z")
_FAMILIES = (("y", _YEAR_FIRST), ("n", _NUMERIC), ("m", _MONTH_NAME))


def _extract(values: pl.Series) -> pl.DataFrame:
    """Each value split into its text parts, with ``fam`` the family it matched (null: none)."""
    frame = values.to_frame("v")
    found: list[tuple[str, pl.DataFrame]] = []
    remaining = values.is_not_null()
    for family, pattern in _FAMILIES:
        if not remaining.any():
            break
        parts = frame.select(pl.col("v").str.extract_groups(pattern).alias("g")).unnest("g")
        found.append((family, parts.rename({c: f"{family}_{c}" for c in parts.columns})))
        remaining = remaining & parts["a"].is_null()
    if not found:
        return pl.DataFrame({c: pl.Series([None] * values.len(), dtype=pl.String) for c in (*_PARTS, "fam")})
    wide = pl.concat([p for _, p in found], how="horizontal")

    def pick(part: str | None) -> pl.Expr:
        expr = None
        for family, _ in found:
            value = pl.lit(family) if part is None else pl.col(f"{family}_{part}")
            matched = pl.col(f"{family}_a").is_not_null()
            expr = pl.when(matched).then(value) if expr is None else expr.when(matched).then(value)
        return expr.otherwise(None)

    return wide.select(*(pick(c).alias(c) for c in _PARTS), pick(None).alias("fam"))


def refuse_ambiguous(source: str, column: str, example: str) -> None:
    raise BadInput(
        f"{source}: cannot tell whether the dates are day-first or month-first (column {column!r}, "
        f"e.g. {example!r}, and no date in the file has a day above 12); rerun with --date-format {DAY_FIRST} "
        f"or --date-format {MONTH_FIRST}, or a pattern such as '%d/%m/%Y %H:%M'")


def decide_order(parts: list[pl.DataFrame], examples: list[tuple[str, pl.Series]], *, source: str,
                 date_format: str | None) -> str:
    """Day-first or month-first for the numeric dates of a file, from the values themselves."""
    if date_format in ORDERS:
        return date_format
    numeric = pl.concat([p.filter(pl.col("fam") == "n").select(_int("a").alias("a"), _int("b").alias("b"))
                         for p in parts]) if parts else pl.DataFrame({"a": [], "b": []})
    if numeric.height == 0:
        return DAY_FIRST
    stats = numeric.select(
        dmy=((pl.col("b") <= 12) & (pl.col("a") <= 31)).all(),
        mdy=((pl.col("a") <= 12) & (pl.col("b") <= 31)).all(),
        differ=(pl.col("a") != pl.col("b")).any(),
        day_evidence=(pl.col("a") > 12).sum(),
        month_evidence=(pl.col("b") > 12).sum(),
    ).row(0, named=True)
    if stats["dmy"] and stats["mdy"] and stats["differ"]:
        column, sample = next((c, s) for c, s in examples if s.len())
        refuse_ambiguous(source, column, sample[0])
    if stats["dmy"]:
        return DAY_FIRST
    if stats["mdy"]:
        return MONTH_FIRST
    # Both orders are contradicted somewhere: follow the majority; the others will not read.
    return DAY_FIRST if stats["day_evidence"] >= stats["month_evidence"] else MONTH_FIRST


def _compose(parts: pl.DataFrame, order: str) -> pl.DataFrame:
    """From extracted parts: the naive value as written (``local``) and, for values written with an
    offset, the UTC instant (``ts``)."""
    fam = pl.col("fam")
    month_name = pl.col("a").str.to_lowercase().str.slice(0, 3).replace_strict(
        _MONTHS, default=None, return_dtype=pl.Int32)
    a, b = _int("a"), _int("b")
    if order == DAY_FIRST:
        num_month, num_day = b, a
    else:
        num_month, num_day = a, b
    month = pl.when(fam == "y").then(a).when(fam == "n").then(num_month).otherwise(month_name)
    day = pl.when(fam == "y").then(b).when(fam == "n").then(num_day).otherwise(b)
    year = _int("y")
    century = pl.when(year < 70).then(year + 2000).otherwise(year + 1900)
    year = pl.when(pl.col("y").str.len_chars() == 2).then(century).otherwise(year)
    date = pl.concat_str([year.cast(pl.String), month.cast(pl.String), day.cast(pl.String)], separator="-") \
        .str.to_date("%Y-%m-%d", strict=False)
    hour = _int("H").fill_null(0)
    pm = pl.col("p").str.to_lowercase().str.starts_with("p")
    am = pl.col("p").str.to_lowercase().str.starts_with("a")
    hour = pl.when(pm & (hour < 12)).then(hour + 12).when(am & (hour == 12)).then(0).otherwise(hour)
    twelve = pl.col("p").is_null() | (_int("H").is_between(1, 12))
    minute, second = _int("M").fill_null(0), _int("S").fill_null(0)
    micro = pl.col("f").str.pad_end(6, "0").str.slice(0, 6).cast(pl.Int64, strict=False).fill_null(0)
    valid_time = (hour <= 23) & (minute <= 59) & (second <= 59) & twelve
    local = pl.when(valid_time).then(
        date.cast(pl.Datetime("us")) + pl.duration(hours=hour, minutes=minute, seconds=second, microseconds=micro))
    z = pl.col("z").str.replace(":", "", literal=True)
    offset = pl.when(z.is_in(["Z", "UTC", "GMT"])).then(0).otherwise(
        (z.str.slice(0, 1) + "1").cast(pl.Int32, strict=False)
        * (z.str.slice(1, 2).cast(pl.Int32, strict=False) * 60 + z.str.slice(3, 2).cast(pl.Int32, strict=False)))
    return parts.with_columns(local.alias("local"), offset.alias("offset")).with_columns(
        pl.when(pl.col("z").is_not_null())
        .then((pl.col("local") - pl.duration(minutes=pl.col("offset"))).dt.replace_time_zone("UTC"))
        .dt.cast_time_unit("us").alias("ts"))


LATER = "__later"  # suffix of the column holding the later reading of a repeated-hour time
_ISO_TEMPLATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:([ T])\d{1,2}:\d{2}(:\d{2})?)?$")
_TEMPLATE = re.compile(r"^\d{1,2}([-/.])\d{1,2}\1(\d{4}|\d{2})(?:( |T)\d{1,2}:\d{2}(:\d{2})?)?$")


def _first(values: pl.Series) -> str | None:
    first = values.drop_nulls().head(1).to_list()
    return first[0] if first else None


def _fast(values: pl.Series) -> pl.Series | None:
    """Year-first values all in the exact layout of the first one: local naive times, or None."""
    match = _ISO_TEMPLATE.match(_first(values) or "")
    if match is None:
        return None
    tsep, seconds = match.groups()
    layout = "%Y-%m-%d" + (f"{tsep}%H:%M{':%S' if seconds else ''}" if tsep else "")
    local = values.str.strptime(pl.Datetime("us"), layout, strict=False)
    return local if local.null_count() == values.null_count() else None


def _numeric_fast(values: pl.Series) -> dict[str, pl.Series] | None:
    """Numeric dates all in the exact layout of the first one, read both ways round.

    Returns the local naive times for each order that reads every value, or None.
    """
    match = _TEMPLATE.match(_first(values) or "")
    if match is None:
        return None
    sep, year, tsep, seconds = match.groups()
    year = "%Y" if len(year) == 4 else "%y"
    clock = f"{tsep}%H:%M{':%S' if seconds else ''}" if tsep else ""
    found = {}
    for order, layout in ((DAY_FIRST, f"%d{sep}%m{sep}{year}{clock}"), (MONTH_FIRST, f"%m{sep}%d{sep}{year}{clock}")):
        parsed = values.str.strptime(pl.Datetime("us"), layout, strict=False)
        if parsed.null_count() == values.null_count():
            found[order] = parsed
    return found or None


def localise(local: pl.Series, zone: str) -> tuple[pl.Series, pl.Series | None]:
    """Naive local times to UTC, and for times in an hour repeated when clocks go back, the later reading.

    A local time that does not exist (skipped when clocks go forward) becomes null.
    """
    early = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    if zone == "UTC":
        return early, None
    late = local.dt.replace_time_zone(zone, ambiguous="latest", non_existent="null")
    differs = (early != late).fill_null(False)
    if not differs.any():
        return early.dt.convert_time_zone("UTC"), None
    later = pl.select(pl.when(differs).then(late.dt.convert_time_zone("UTC"))).to_series()
    return early.dt.convert_time_zone("UTC"), later


def settle_repeated_hour(frame: pl.DataFrame, anchor: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """Read a repeated-hour time as its later instant when the earlier one would precede ``anchor``.

    (A ticket opened at 01:50 and resolved at 01:05 in the night the clocks go back was resolved
    in the second 01:00–02:00.) Drops every ``LATER`` column afterwards.
    """
    exprs = []
    for col in columns:
        alt = col + LATER
        if alt in frame.columns and anchor in frame.columns:
            fix = (pl.col(col) < pl.col(anchor)) & (pl.col(alt) >= pl.col(anchor))
            exprs.append(pl.when(fix.fill_null(False)).then(pl.col(alt)).otherwise(pl.col(col)).alias(col))
    frame = frame.with_columns(exprs) if exprs else frame
    return frame.drop([c for c in frame.columns if c.endswith(LATER)])


def _with_pattern(values: pl.Series, pattern: str) -> pl.Series:
    """Values read with an explicit strptime pattern: aware (UTC) if it has an offset, else local naive."""
    if "%z" in pattern or "%:z" in pattern or "%#z" in pattern:
        return values.str.strptime(pl.Datetime("us", "UTC"), pattern, strict=False)
    return values.str.strptime(pl.Datetime("us"), pattern, strict=False)


def parse_timestamps(frame: pl.DataFrame, columns: dict[str, str], *, zone: str, date_format: str | None,
                     problems: Problems, dates: tuple[str, ...] = ()) -> pl.DataFrame:
    """Replace the text ``columns`` (frame name → source name) of ``frame`` by UTC timestamps.

    Names in ``dates`` become calendar dates instead (as written, no conversion). Unreadable
    values are recorded in ``problems`` with their row, source column and text. Where a local
    time falls in an hour repeated when clocks go back, a ``<name>__later`` column holds its
    later reading (see ``settle_repeated_hour``).
    """
    present = [c for c in columns if c in frame.columns]
    pattern = date_format if date_format and date_format not in ORDERS else None
    local: dict[str, pl.Series] = {}  # naive local times (null where the value had an offset)
    aware: dict[str, pl.Series] = {}  # UTC times of values written with an offset
    numeric: dict[str, dict[str, pl.Series]] = {}
    general: dict[str, pl.DataFrame] = {}
    for col in present:
        values = frame[col]
        if values.null_count() == values.len():
            local[col] = values.cast(pl.Datetime("us"))
        elif pattern:
            parsed = _with_pattern(values, pattern)
            (aware if parsed.dtype.time_zone else local)[col] = parsed  # type: ignore[union-attr]
        elif (fast := _fast(values)) is not None:
            local[col] = fast
        elif (both := _numeric_fast(values)) is not None:
            numeric[col] = both
        else:
            general[col] = _extract(values)
    if numeric and not general:
        orders = set(ORDERS) if date_format not in ORDERS else {date_format}
        for both in numeric.values():
            orders &= set(both)
        if len(orders) == 2 and all(both[DAY_FIRST].equals(both[MONTH_FIRST]) for both in numeric.values()):
            orders = {DAY_FIRST}
        if len(orders) == 2:
            col = next(iter(numeric))
            refuse_ambiguous(problems.source, columns[col], frame[col].drop_nulls()[0])
        if len(orders) == 1:
            order = orders.pop()
            local.update({col: both[order] for col, both in numeric.items()})
            numeric = {}
    general.update({col: _extract(frame[col]) for col in numeric})
    if general:
        examples = [(columns[c], frame[c].drop_nulls().head(1)) for c in general]
        order = decide_order(list(general.values()), examples, source=problems.source, date_format=date_format)
        for col, parts in general.items():
            composed = _compose(parts, order)
            naive = composed["z"].is_null()
            local[col] = pl.select(pl.when(naive).then(composed["local"])).to_series()
            if not naive.all():
                aware[col] = composed["ts"]
    out: list[pl.Series] = []
    message = f"not a date and time in the pattern {pattern!r}" if pattern else f"not a date and time ({EXAMPLE})"
    for col in present:
        if col in dates:
            value = pl.coalesce(local.get(col), aware.get(col)) if col in aware else local[col]
            value = pl.select(value).to_series().dt.date() if isinstance(value, pl.Expr) else value.dt.date()
            gap = None
        else:
            utc, later = localise(local[col], zone) if col in local else (None, None)
            gap = None if utc is None else (local[col].is_not_null() & utc.is_null())
            value = utc if col not in aware else (aware[col] if utc is None else pl.select(pl.coalesce(aware[col], utc)).to_series())
            if later is not None:
                out.append(later.alias(col + LATER))
        out.append(value.alias(col))
        unread = frame[col].is_not_null() & value.is_null()
        marked = frame.select(ROW, col).with_columns(
            (unread if gap is None else unread & ~gap).alias("__bad"),
            (pl.repeat(False, frame.height, eager=True) if gap is None else gap).alias("__gap"))
        problems.add_hits(marked, pl.col("__bad"), value=col, column=columns[col], message=message)
        problems.add_hits(marked, pl.col("__gap"), value=col, column=columns[col],
                          message=f"this local time does not exist in time zone {zone} (the clocks went forward)")
    return frame.with_columns(out)
