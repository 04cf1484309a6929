"""Column types that store the same values on SQLite and PostgreSQL.

Fact timestamps are UTC instants. PostgreSQL keeps them as ``timestamptz``; SQLite, which has
no time type, keeps them as integer microseconds since the epoch, so that bulk reads through
Arrow arrive as ``int64`` and become ``Datetime("us", "UTC")`` without parsing text.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, String
from sqlalchemy.types import TypeDecorator

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_US = dt.timedelta(microseconds=1)


class UTCTimestamp(TypeDecorator):
    """An aware UTC datetime: ``timestamptz`` on PostgreSQL, int64 µs on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        if dialect.name == "sqlite":
            return (value - EPOCH) // _US
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return EPOCH + dt.timedelta(microseconds=int(value))
        return value.astimezone(dt.timezone.utc)


class CalendarDate(TypeDecorator):
    """A calendar date: ``date`` on PostgreSQL, ISO text on SQLite (sortable, readable)."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(10))
        return dialect.type_descriptor(Date())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.isoformat() if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
