"""Files to frames of text: CSV (any common delimiter, with or without a BOM, UTF-8, UTF-16 or
Latin-1), XLSX (first sheet) and Parquet, from a path or from bytes (standard input).

Every cell comes back as stripped text or null, never interpreted: a spreadsheet formula stays
its literal text. A ``_row`` column carries each record's line in the file (the header is
line 1, a quoted value spanning lines counts them all), or its spreadsheet row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scorecard.errors import BadInput, InvalidInput, Problem

ROW = "_row"
SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


@dataclass
class Table:
    """A file read as text: one String column per source column, plus ``_row``."""

    frame: pl.DataFrame
    source: str
    container: str  # csv | xlsx | parquet
    blank_rows: int = 0


def _head(data: bytes | Path) -> bytes:
    if isinstance(data, bytes):
        return data[:SNIFF_BYTES]
    with open(data, "rb") as fh:
        return fh.read(SNIFF_BYTES)


def container_of(head: bytes, source: str) -> str:
    """What kind of file this is, from its first bytes; refuses what cannot be a table."""
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise BadInput(f"{source}: the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadInput(f"{source}: this is an old Excel .xls workbook; save it as .xlsx or CSV and import that")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv-utf16"
    if b"\x00" in head or head.startswith(b"\x1f\x8b"):
        raise BadInput(f"{source}: this is a binary file, not CSV, XLSX or Parquet")
    return "csv"


def sniff_delimiter(head: bytes) -> str:
    """The delimiter used in the header line: the candidate that occurs most, then consistently."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    header = lines[0].decode("latin-1")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts.values())
    if best == 0:
        return ","
    tied = [d for d, n in counts.items() if n == best]
    if len(tied) == 1:
        return tied[0]
    sample = [ln.decode("latin-1") for ln in lines[1:20] if ln.strip()]
    return max(tied, key=lambda d: sum(ln.count(d) == best for ln in sample))


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Column names and cells stripped of surrounding blanks; empty cells null."""
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    text = [c for c, t in frame.schema.items() if t == pl.String and c != ROW]
    return frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in text)


def _drop_blank(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    cols = [c for c in frame.columns if c != ROW]
    if not cols:
        return frame, 0
    blank = pl.all_horizontal(pl.col(c).is_null() for c in cols)
    n = frame.select(blank.sum()).item()
    return (frame.filter(~blank), n) if n else (frame, 0)


def _line_numbers(frame: pl.DataFrame, header_lines: int) -> pl.DataFrame:
    """``_row``: the file line each record starts on, counting line breaks inside quoted values."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    spanning = [c for c in text if frame.select(pl.col(c).str.contains("\n", literal=True).any()).item()]
    if not spanning:
        return frame.with_row_index(ROW, offset=header_lines + 1).with_columns(pl.col(ROW).cast(pl.Int64))
    lines = 1 + pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in spanning)
    start = (lines.cum_sum() - lines + header_lines + 1).cast(pl.Int64)
    return frame.with_columns(start.alias(ROW)).select(ROW, *frame.columns)


def _ragged_line(text: str, delimiter: str, width: int) -> int | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for record in reader:
        if len(record) > width:
            return reader.line_num
    return None


def _read_csv_text(data: bytes | Path, delimiter: str, source: str) -> pl.DataFrame:
    try:
        return pl.read_csv(data if isinstance(data, bytes) else str(data), separator=delimiter,
                           infer_schema=False, has_header=True, raise_if_empty=True)
    except pl.exceptions.NoDataError:
        raise BadInput(f"{source}: the file is empty") from None
    except pl.exceptions.ComputeError as exc:
        message = str(exc)
        if "invalid utf-8" in message:
            raise UnicodeError(message) from None
        raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        text = raw.decode("utf-8", errors="replace")
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        line = _ragged_line(text, delimiter, len(header)) if "more fields" in message else None
        if line is not None:
            raise InvalidInput(f"{source}: a line has more fields than the header, nothing was imported", [
                Problem(f"more fields than the {len(header)} columns of the header", source=source, row=line)]) from None
        raise BadInput(f"{source}: not a readable CSV file ({message.splitlines()[0]})") from None


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _from_latin1(raw: bytes, source: str) -> bytes:
    """A file that is not UTF-8, read as Windows-1252 (Latin-1 for its few undefined bytes).

    A file that is UTF-8 up to a stray byte is refused rather than garbled throughout.
    """
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_SEQUENCE.search(raw, 0, bad):
        line = raw.count(b"\n", 0, bad) + 1
        raise BadInput(f"{source}: line {line} is not UTF-8 (byte 0x{raw[bad]:02x}) although earlier lines are; "
                       "save the file in one encoding, preferably UTF-8")
    try:
        return raw.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1").encode("utf-8")


def read_csv(data: bytes | Path, *, source: str, head: bytes, utf16: bool = False) -> Table:
    """A delimited text file, its delimiter and encoding detected."""
    if utf16:
        raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        data = raw.decode("utf-16").encode("utf-8")
        head = data[:SNIFF_BYTES]
    if b"\n" not in head and b"\r" in head:  # classic Mac line ends
        data = (data if isinstance(data, bytes) else Path(data).read_bytes()).replace(b"\r", b"\n")
        head = data[:SNIFF_BYTES]
    delimiter = sniff_delimiter(head.removeprefix(b"\xef\xbb\xbf"))
    try:
        frame = _read_csv_text(data, delimiter, source)
    except UnicodeError:
        raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        frame = _read_csv_text(_from_latin1(raw, source), delimiter, source)
    header_lines = 1 + sum(c.count("\n") for c in frame.columns)
    frame = _clean(_line_numbers(frame, header_lines))
    frame, blank = _drop_blank(frame)
    return Table(frame, source, "csv", blank)


def _formula_cells(data: bytes | Path) -> list[tuple[int, int, str]]:
    """(row, column, text) of every formula cell of the first sheet, read as literal text."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_FORMULA.search(zf.read(n)) for n in sheets):
            return []
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True, data_only=False)
    try:
        found = []
        for cells in wb.worksheets[0].iter_rows():
            for cell in cells:
                if getattr(cell, "data_type", None) == "f" and isinstance(cell.value, str):
                    found.append((cell.row, cell.column, cell.value))
        return found
    finally:
        wb.close()


def read_xlsx(data: bytes | Path, *, source: str) -> Table:
    """The first sheet of a workbook, every cell as text; formulas as their literal text."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data if isinstance(data, bytes) else str(data))
        frame = reader.load_sheet(0, dtypes="string", header_row=0).to_polars()
        formulas = _formula_cells(data)
    except (fastexcel.FastExcelError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadInput(f"{source}: not a readable XLSX workbook; it may be truncated or damaged ({reason})") from None
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    if formulas:
        frame = _put_cells(frame, formulas)
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    frame, blank = _drop_blank(_clean(frame))
    return Table(frame, source, "xlsx", blank)


def _put_cells(frame: pl.DataFrame, cells: list[tuple[int, int, str]]) -> pl.DataFrame:
    """Replace cells (spreadsheet row, 1-based column) with the given text."""
    idx = "__idx"
    frame = frame.with_row_index(idx, offset=2)
    names = frame.columns[1:]
    for col in sorted({c for _, c, _ in cells}):
        if col > len(names):
            continue
        patch = pl.DataFrame({idx: [r for r, c, _ in cells if c == col], "__v": [t for _, c, t in cells if c == col]},
                             schema={idx: frame.schema[idx], "__v": pl.String})
        name = names[col - 1]
        frame = frame.join(patch, on=idx, how="left").with_columns(
            pl.coalesce("__v", name).alias(name)).drop("__v")
    return frame.drop(idx)


def read_parquet(data: bytes | Path, *, source: str) -> Table:
    """A Parquet file; typed values rendered as text the adapters parse back (UTC ISO timestamps)."""
    try:
        frame = pl.read_parquet(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BadInput(f"{source}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    exprs = []
    for name, dtype in frame.schema.items():
        c = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            exprs.append((c.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ") if dtype.time_zone
                          else c.dt.strftime("%Y-%m-%d %H:%M:%S%.f")).alias(name))
        elif dtype == pl.Date:
            exprs.append(c.dt.strftime("%Y-%m-%d"))
        else:
            exprs.append(c.cast(pl.String))
    frame = frame.select(exprs).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    frame, blank = _drop_blank(_clean(frame))
    return Table(frame, source, "parquet", blank)


def read_table(data: bytes | Path, *, source: str) -> Table:
    """Any supported file as text, refusing empty, header-only, binary and damaged files."""
    head = _head(data)
    kind = container_of(head, source)
    if kind == "xlsx":
        table = read_xlsx(data, source=source)
    elif kind == "parquet":
        table = read_parquet(data, source=source)
    else:
        table = read_csv(data, source=source, head=head, utf16=kind == "csv-utf16")
    if table.frame.height == 0:
        raise BadInput(f"{source}: the file has a header but no rows")
    return table
