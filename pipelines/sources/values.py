"""Cell values to canonical ones, in bulk: vocabularies, numbers, flags, durations.

Every reader records the rows it cannot read in a ``Problems`` and leaves a null there;
nothing unreadable is turned into a plausible value.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources.problems import Problems
from scorecard import facts as F

TRUE = ("true", "t", "yes", "y", "1", "up", "ok", "pass", "passed", "success", "succeeded")
FALSE = ("false", "f", "no", "n", "0", "down", "fail", "failed", "failure", "error")


def key(expr: pl.Expr) -> pl.Expr:
    """How vocabulary values are compared: case, surrounding and repeated blanks ignored."""
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def norm_table(table: dict[str, str]) -> dict[str, str]:
    return {" ".join(k.lower().split()): v for k, v in table.items()}


PRIORITY_CANON = {p.lower(): p for p in F.PRIORITIES}
STATUS_CANON = {s: s for s in F.TICKET_STATUSES} | {"canceled": "cancelled"}


def translate(frame: pl.DataFrame, col: str, table: dict[str, str], *, problems: Problems, source_col: str,
              what: str, lookup: pl.Expr | None = None) -> pl.DataFrame:
    """Replace ``col`` by its canonical value from ``table`` (normalised keys); unknown values are problems.

    An empty cell is looked up as ``""`` so that a mapping may give it a value; otherwise it
    stays null and the validation names it as missing.
    """
    table = norm_table(table)
    lookup = key(pl.col(col)) if lookup is None else lookup
    mapped = pl.coalesce(lookup, pl.lit("")).replace_strict(table, default=None, return_dtype=pl.String)
    marked = frame.with_columns(mapped.alias("__mapped"))
    problems.add_hits(marked, pl.col(col).is_not_null() & pl.col("__mapped").is_null(), value=col, column=source_col,
                      message=f"unknown {what} (known: {', '.join(_shown(table))}; add it to a --mapping file)")
    return marked.with_columns(pl.col("__mapped").alias(col)).drop("__mapped")


def _shown(table: dict[str, str], limit: int = 12) -> list[str]:
    names = sorted({k for k in table if k})
    return names[:limit] + (["…"] if len(names) > limit else [])


def to_number(frame: pl.DataFrame, col: str, *, problems: Problems, source_col: str, integer: bool = False,
              percent: bool = False) -> pl.DataFrame:
    """Text to Float64 (or Int32 when ``integer``); ``12%`` read as 12 when ``percent``."""
    text = pl.col(col).str.strip_suffix("%").str.strip_chars() if percent else pl.col(col)
    number = text.cast(pl.Float64, strict=False)
    if integer:
        whole = number.is_not_null() & (number == number.round(0)) & (number.abs() < 2**31)
        value = pl.when(whole).then(number).cast(pl.Int32)
        message = "not a whole number"
    else:
        value = pl.when(number.is_finite()).then(number)
        message = "not a number (write 1234.5, without thousands separators)"
    marked = frame.with_columns(value.alias("__n"))
    problems.add_hits(marked, pl.col(col).is_not_null() & pl.col("__n").is_null(), value=col, column=source_col,
                      message=message)
    return marked.with_columns(pl.col("__n").alias(col)).drop("__n")


def to_flag(frame: pl.DataFrame, col: str, *, problems: Problems, source_col: str) -> pl.DataFrame:
    """Text to Boolean: true/false, yes/no, 1/0, up/down, pass/fail, ok/error."""
    table = {**{t: "1" for t in TRUE}, **{f: "0" for f in FALSE}}
    flag = key(pl.col(col)).replace_strict(table, default=None, return_dtype=pl.String)
    marked = frame.with_columns(flag.alias("__f"))
    problems.add_hits(marked, pl.col(col).is_not_null() & pl.col("__f").is_null(), value=col, column=source_col,
                      message="not a yes/no value (use true/false, yes/no, 1/0, up/down or pass/fail)")
    return marked.with_columns((pl.col("__f") == "1").alias(col)).drop("__f")


def to_hours(frame: pl.DataFrame, col: str, *, problems: Problems, source_col: str, unit: str = "hours") -> pl.DataFrame:
    """A duration as hours: ``h:mm`` or ``h:mm:ss`` text, else a number in ``unit`` (hours, minutes, seconds)."""
    clock = pl.col(col).str.extract_groups(r"^(?P<h>\d+):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?$")
    from_clock = (clock.struct.field("h").cast(pl.Float64) + clock.struct.field("m").cast(pl.Float64) / 60
                  + clock.struct.field("s").cast(pl.Float64).fill_null(0) / 3600)
    divisor = {"hours": 1, "minutes": 60, "seconds": 3600}[unit]
    number = pl.col(col).str.replace_all(r"\s", "").cast(pl.Float64, strict=False) / divisor
    marked = frame.with_columns(pl.coalesce(from_clock, number).alias("__h"))
    problems.add_hits(marked, pl.col(col).is_not_null() & pl.col("__h").is_null(), value=col, column=source_col,
                      message=f"not a duration (write h:mm or a number of {unit})")
    return marked.with_columns(pl.col("__h").alias(col)).drop("__h")


def name_kind(expr: pl.Expr) -> pl.Expr:
    """A tool's ticket type as a kind: ``[System] Service request`` → ``service_request``."""
    return (expr.str.replace(r"^\[[^\]]*\]\s*", "").str.to_lowercase().str.strip_chars()
            .str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_").replace("", None))
