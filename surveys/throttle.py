"""Rate limits of the public survey form, shared by every worker through the database.

Only failures count, so that legitimate traffic, however heavy and from however few addresses
(a company's NAT, a load test), is never slowed down:

- an address that opened ``UNKNOWN_PER_ADDRESS`` unknown links within ``WINDOW`` is refused
  (HTTP 429) for every link until the window has passed, so that guessing learns nothing;
- an invitation that received ``FAILED_PER_INVITATION`` rejected submissions within ``WINDOW``
  refuses further submissions (429) for a while.

With 256-bit tokens guessing cannot succeed anyway; the limits keep it from costing anything.
The form reads both counts with the link itself (``surveys.responses.find_link``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from sql.survey_models import SurveyThrottle as T

WINDOW = dt.timedelta(minutes=15)
UNKNOWN_PER_ADDRESS = 30
FAILED_PER_INVITATION = 10
KEEP = dt.timedelta(days=1)

_GUESSES = select(func.count()).select_from(T).where(
    T.address == bindparam("address"), T.at >= bindparam("since"), T.kind == "unknown")


def address_blocked(conn: Connection, address: str, *, now: dt.datetime) -> bool:
    return conn.scalar(_GUESSES, {"address": address, "since": now - WINDOW}) >= UNKNOWN_PER_ADDRESS


def record_unknown(conn: Connection, address: str, *, now: dt.datetime) -> None:
    conn.execute(insert(T).values(at=now, kind="unknown", address=address[:64], invitation_id=None))


def record_rejected(conn: Connection, address: str, invitation_id: int, *, now: dt.datetime) -> None:
    conn.execute(insert(T).values(at=now, kind="rejected", address=address[:64], invitation_id=invitation_id))


def prune(conn: Connection, *, now: dt.datetime) -> int:
    """Forget failures older than a day."""
    return conn.execute(delete(T).where(T.at < now - KEEP)).rowcount
