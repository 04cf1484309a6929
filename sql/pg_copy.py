"""PostgreSQL's binary ``COPY`` format, written column by column from a Polars frame.

Text ``COPY`` makes the server parse every value; timestamps are the costly part (about two
seconds of server time per million tickets). The binary format carries them as integers.
It is built here with vectorised Arrow kernels, never a Python object per value: each field
is a 4-byte length (-1 for NULL) and the value in network byte order, each row a 2-byte field
count and its fields, the whole stream framed by a signature and a trailer
(https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format").

Binary input must match the column types exactly, so the types are read from the catalogue.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, text

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
TRAILER = b"\xff\xff"
_NULL = pa.scalar(b"\xff\xff\xff\xff", pa.large_binary())
_EMPTY = pa.scalar(b"", pa.large_binary())
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in µs since 1970-01-01
_PG_EPOCH_DAYS = 10_957

# PostgreSQL type → (numpy big-endian dtype, range of values) for the fixed-width types.
_FIXED = {
    "smallint": (">i2", (-(2**15), 2**15 - 1)),
    "integer": (">i4", (-(2**31), 2**31 - 1)),
    "bigint": (">i8", None),
    "real": (">f4", None),
    "double precision": (">f8", None),
    "boolean": ("u1", None),
    "timestamp with time zone": (">i8", None),
    "timestamp without time zone": (">i8", None),
    "date": (">i4", None),
}
_TEXT = ("text", "character varying")


def column_types(conn: Connection, table: str, columns: list[str]) -> list[str]:
    """The PostgreSQL type of each of ``columns`` of ``table`` (a temporary table too)."""
    rows = conn.execute(text(
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"), {"t": table}).all()
    types = dict(rows)
    return [types[c] for c in columns]


def _fixed_field(values: pl.Series, pg_type: str) -> pa.Array:
    dtype, bounds = _FIXED[pg_type]
    if pg_type.startswith("timestamp"):
        numbers = values.dt.epoch("us") - _PG_EPOCH_US
    elif pg_type == "date":
        numbers = values.cast(pl.Int32) - _PG_EPOCH_DAYS
    else:
        numbers = values
    if bounds is not None and values.null_count() < values.len():
        outside = numbers.filter((numbers < bounds[0]) | (numbers > bounds[1]))
        if outside.len():
            raise ValueError(f"column {values.name!r}: {outside[0]} does not fit a PostgreSQL {pg_type}")
    fill = False if pg_type == "boolean" else 0
    width = np.dtype(dtype).itemsize
    record = np.empty(values.len(), dtype=[("length", ">i4"), ("value", dtype)])
    record["length"] = width
    record["value"] = numbers.fill_null(fill).to_numpy()
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(4 + width), values.len(),
                                                [None, pa.py_buffer(record)]).cast(pa.large_binary())


def _text_field(values: pl.Series) -> pa.Array:
    data = values.to_arrow().cast(pa.large_binary())
    record = np.empty(values.len(), dtype=[("length", ">i4")])
    record["length"] = pc.binary_length(data).fill_null(0).to_numpy(zero_copy_only=False)
    lengths = pa.FixedSizeBinaryArray.from_buffers(pa.binary(4), values.len(), [None, pa.py_buffer(record)])
    return pc.binary_join_element_wise(lengths.cast(pa.large_binary()), data, _EMPTY)


def _field(values: pl.Series, pg_type: str) -> pa.Array:
    if pg_type in _TEXT:
        field = _text_field(values.cast(pl.String))
    elif pg_type in _FIXED:
        field = _fixed_field(values, pg_type)
    else:
        raise TypeError(f"column {values.name!r}: binary COPY of PostgreSQL {pg_type} is not supported")
    if values.null_count():
        field = pc.if_else(values.is_not_null().to_arrow(), field, _NULL)
    return field


def encode_rows(frame: pl.DataFrame, pg_types: list[str]) -> memoryview:
    """The rows of ``frame`` (columns in the order of ``pg_types``) in binary COPY format,
    without the signature and trailer."""
    fields = [_field(frame.get_column(name), t) for name, t in zip(frame.columns, pg_types)]
    count = pa.scalar(len(fields).to_bytes(2, "big"), pa.large_binary())
    rows = pc.binary_join_element_wise(count, *fields, _EMPTY)
    _, offsets, data = rows.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64, count=len(rows) + 1, offset=rows.offset * 8)
    return memoryview(data)[int(bounds[0]):int(bounds[-1])]
