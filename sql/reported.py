"""Provider-reported figures: stored per provider, measure series and month, read back for
reconciliation with the measured results (DESIGN.md §4, ``scorecard.reconcile``).

Recording a figure for a month that already has one replaces it; the audit log keeps both
(``reported.record`` with the old and new values), so nothing a provider said is lost.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from scorecard.reconcile import ReportedFigure
from sql.models import Provider, ReportedValue
from sql.repo import audit

COLUMNS = ("measure", "params", "month", "value", "note", "source", "reported_by", "reported_at")


def record_reported(session: Session, provider: Provider, figures: list[ReportedFigure], *, actor: str,
                    source: str = "") -> dict[str, int]:
    """Store checked figures in the caller's transaction: counts of ``new``, ``updated`` and
    ``unchanged`` figures. Each change is audited with the value it replaced."""
    existing = {(r.measure, r.params, r.month): r for r in session.scalars(
        select(ReportedValue).where(ReportedValue.provider_id == provider.id))}
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    now = dt.datetime.now(dt.timezone.utc)
    for f in figures:
        row = existing.get((f.measure, f.params, f.month))
        if row is not None and row.value == f.value and row.note == f.note:
            counts["unchanged"] += 1
            continue
        before = None if row is None else row.value
        if row is None:
            row = ReportedValue(provider_id=provider.id, measure=f.measure, params=f.params, month=f.month)
            session.add(row)
            counts["new"] += 1
        else:
            counts["updated"] += 1
        row.value, row.note, row.source, row.reported_by, row.reported_at = f.value, f.note, source[:400], actor, now
        audit(session, actor, "reported.record", f"{provider.name}/{f.measure}", params=f.params, month=f.month,
              value=f.value, before=before, source=source)
    session.flush()
    return counts


def reported_values(conn: Engine | Connection, provider_id: int, month: str) -> dict[tuple[str, str], float]:
    """The month's reported figures by (measure, params key): what ``score_scorecard`` reconciles."""
    q = select(ReportedValue.measure, ReportedValue.params, ReportedValue.value).where(
        ReportedValue.provider_id == provider_id, ReportedValue.month == month)
    return {(m, p): v for m, p, v in _rows(conn, q)}


def list_reported(conn: Engine | Connection, provider_id: int, *, measure: str | None = None,
                  params: str | None = None, first: str | None = None, last: str | None = None) -> list[dict]:
    """Reported figures of a provider as dicts (``COLUMNS``), by measure, params and month."""
    q = select(*(getattr(ReportedValue, c) for c in COLUMNS)).where(ReportedValue.provider_id == provider_id)
    if measure is not None:
        q = q.where(ReportedValue.measure == measure)
    if params is not None:
        q = q.where(ReportedValue.params == params)
    if first is not None:
        q = q.where(ReportedValue.month >= first)
    if last is not None:
        q = q.where(ReportedValue.month <= last)
    q = q.order_by(ReportedValue.measure, ReportedValue.params, ReportedValue.month)
    return [dict(zip(COLUMNS, r)) for r in _rows(conn, q)]


def _rows(conn: Engine | Connection, q):
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return c.execute(q).all()
    return conn.execute(q).all()

