"""Per-database keys kept in ``steerco_meta``: the pseudonymisation key and the demo secret."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, delete, insert, select

from sql.models import Meta

PSEUDONYM_KEY = "pseudonym_key"
DEMO_SECRET = "demo_secret_key"


def get_meta_value(conn: Connection, key: str) -> str | None:
    return conn.scalar(select(Meta.value).where(Meta.key == key))


def ensure_meta_secret(conn: Connection, key: str) -> str:
    """The random secret stored under ``key``, created on first use (256 bits)."""
    value = get_meta_value(conn, key)
    if value is None:
        value = secrets.token_hex(32)
        conn.execute(insert(Meta).values(key=key, value=value))
    return value


def set_meta_value(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(Meta).where(Meta.key == key))
    conn.execute(insert(Meta).values(key=key, value=value))
