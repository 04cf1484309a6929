"""Engines and sessions for SQLite (default) and PostgreSQL.

The caller owns the transaction: ``with engine.begin() as conn`` or ``with session_scope(engine)``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from scorecard.errors import BadInput, SteercoError

log = logging.getLogger(__name__)


class DatabaseUnavailable(SteercoError):
    """The database cannot be reached or opened."""


def parse_url(url: str) -> URL:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(f"not a database URL: {url!r} (expected sqlite:///FILE or postgresql://USER@HOST/DB)") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise BadInput(f"unsupported database {backend!r} in {redact(url)}: use sqlite:///FILE or postgresql://…")
    return parsed


def redact(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True) if isinstance(url, str) else url.render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, *, check: bool = True) -> Engine:
    """An engine for ``url``; with ``check`` it connects once so that a bad URL fails here, clearly."""
    parsed = parse_url(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "postgresql":
        kwargs.update(pool_pre_ping=True, connect_args={"connect_timeout": 10})
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:
        raise BadInput(f"no driver for {redact(parsed)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (OperationalError, DBAPIError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(f"cannot open database {redact(parsed)}: {reason}") from None
    return engine


@contextlib.contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
