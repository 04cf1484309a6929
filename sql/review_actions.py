"""Improvement actions agreed in signed reviews, and who may read a provider's signed reviews.

Signing a review (``sql.reviews.sign_review``) makes its recommendations actions; here they
are listed, closed on the date they were done, and read for the compute run in the shape of
the ``actions`` fact of ``pipelines.measures.governance`` (:func:`read_actions`). The caller
owns the session; every change is audited.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput, NotFound
from scorecard.review import parse_date
from sql.models import Provider
from sql.repo import audit
from sql.review_models import ReviewAction, ReviewSetting

ACTION_PREFIX = "RA-"
ACTION_SCHEMA = pl.Schema({"provider": pl.String(), "action_id": pl.String(), "due_on": pl.Date(),
                           "closed_on": pl.Date()})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def action_dict(a: ReviewAction, today: dt.date | None = None) -> dict:
    today = today or _now().date()
    if a.withdrawn_at is not None:
        state = "withdrawn"
    elif a.closed_on is not None:
        state = "closed on time" if a.closed_on <= a.due_on else "closed late"
    else:
        state = "overdue" if a.due_on < today else "open"
    return {"id": a.id, "ref": f"{ACTION_PREFIX}{a.id}", "provider_id": a.provider_id, "review_id": a.review_id,
            "area_key": a.area_key, "text": a.text, "owner": a.owner, "due_on": a.due_on.isoformat(),
            "closed_on": a.closed_on.isoformat() if a.closed_on else None, "closed_by": a.closed_by,
            "state": state}


def action_rows(session: Session, provider_ids: list[int] | None = None, *, today: dt.date | None = None) -> list[dict]:
    """Improvement actions (not withdrawn), with the provider's name, by due date."""
    q = (select(ReviewAction, Provider.name).join(Provider, Provider.id == ReviewAction.provider_id)
         .where(ReviewAction.withdrawn_at.is_(None)).order_by(ReviewAction.due_on, ReviewAction.id))
    if provider_ids is not None:
        q = q.where(ReviewAction.provider_id.in_(provider_ids))
    return [action_dict(a, today) | {"provider": name} for a, name in session.execute(q).all()]


def parse_action_id(raw: object) -> int:
    text = str(raw or "").strip().upper().removeprefix(ACTION_PREFIX)
    if not text.isdigit():
        raise BadInput(f"an action is named by its number, e.g. {ACTION_PREFIX}12 or 12, got {str(raw)[:20]!r}")
    return int(text)


def get_action(session: Session, action_id: int) -> ReviewAction:
    action = session.get(ReviewAction, action_id)
    if action is None:
        raise NotFound(f"there is no improvement action {ACTION_PREFIX}{action_id}")
    return action


def close_action(session: Session, action_id: int, *, on: object, actor: str, today: dt.date | None = None) -> dict:
    """Record that an action was done on the date ``on`` (not in the future, not before it was agreed)."""
    action = get_action(session, action_id)
    ref = f"{ACTION_PREFIX}{action.id}"
    if action.withdrawn_at is not None:
        raise BadInput(f"action {ref} was withdrawn by an amendment of its review; there is nothing to close")
    if action.closed_on is not None:
        raise BadInput(f"action {ref} is already closed (on {action.closed_on.isoformat()})")
    when = parse_date(on, "closing date")
    today = today or _now().date()
    if when > today:
        raise BadInput(f"the closing date {when.isoformat()} is in the future; close an action once it is done")
    agreed = action.created_at.date()
    if when < agreed:
        raise BadInput(f"the closing date {when.isoformat()} is before the action was agreed ({agreed.isoformat()})")
    action.closed_on, action.closed_at, action.closed_by = when, _now(), actor
    session.flush()
    provider = session.get(Provider, action.provider_id).name
    audit(session, actor, "review.action.close", f"{provider} {ref}", action_id=action.id, closed_on=when.isoformat(),
          due_on=action.due_on.isoformat())
    return action_dict(action, today)


def read_actions(engine: Engine, provider_id: int) -> pl.DataFrame:
    """A provider's improvement actions as the ``actions`` fact of ``pipelines.measures.governance``:
    ``provider, action_id, due_on, closed_on`` (withdrawn actions left out)."""
    q = (select(Provider.name, ReviewAction.id, ReviewAction.due_on, ReviewAction.closed_on)
         .join(Provider, Provider.id == ReviewAction.provider_id)
         .where(ReviewAction.provider_id == provider_id, ReviewAction.withdrawn_at.is_(None))
         .order_by(ReviewAction.id))
    with engine.connect() as conn:
        rows = [(name, f"{ACTION_PREFIX}{i}", due, closed) for name, i, due, closed in conn.execute(q)]
    return pl.DataFrame(rows, schema=ACTION_SCHEMA, orient="row") if rows else pl.DataFrame(schema=ACTION_SCHEMA)


# ---------------------------------------------------------------------- who may read

def provider_may_read(session: Session, provider_id: int) -> bool:
    row = session.scalar(select(ReviewSetting).where(ReviewSetting.provider_id == provider_id))
    return bool(row and row.provider_may_read)


def reading_settings(session: Session) -> dict[int, bool]:
    return {pid: bool(v) for pid, v in session.execute(select(ReviewSetting.provider_id,
                                                              ReviewSetting.provider_may_read))}


def set_provider_access(session: Session, provider: Provider, allowed: bool, *, actor: str) -> bool:
    """Allow or stop ``provider``'s users reading its signed reviews; returns whether it changed."""
    row = session.scalar(select(ReviewSetting).where(ReviewSetting.provider_id == provider.id))
    if row is None:
        row = ReviewSetting(provider_id=provider.id, provider_may_read=False, updated_by=actor)
        session.add(row)
    changed = bool(row.provider_may_read) != bool(allowed)
    row.provider_may_read, row.updated_at, row.updated_by = bool(allowed), _now(), actor
    session.flush()
    if changed:
        audit(session, actor, "review.access", provider.name, provider_may_read=bool(allowed))
    return changed
