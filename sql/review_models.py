"""Competence-review tables (DESIGN.md §7, docs/review.md).

- ``reviews``: one row per provider, year and version. Version 1 is opened as a draft; an
  amendment of a signed review is the next version, with ``amends_id`` naming the one it
  amends. The rubric's text is copied in when the review is opened, so a later rubric
  change never alters an old review. ``evidence`` holds the year's evidence frozen (JSON)
  when the review is submitted; the signature (who, when, the declaration) is kept with it.
- ``review_areas``: the rating (0–5 or not assessed), rationale, findings and notes per area.
- ``review_documents``: attached files, checked by content and stored in the database.
- ``review_recommendations``: recommendations with an owner and a due date; signing turns
  each into an improvement action (``review_actions``), tracked until it is closed and
  read by the compute run for ``governance.actions_on_time``.
- ``review_settings``: per provider, whether its users may read its signed reviews.

A signed review is immutable. Besides the checks of ``sql.reviews``, a ``before_flush``
hook refuses any ORM change to a signed review or to anything that belongs to one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from scorecard.review.workflow import SIGNED, ReviewLocked
from sql.models import Base
from sql.types import CalendarDate, UTCTimestamp


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("provider_id", "year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    rubric_key: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[int] = mapped_column(Integer)
    rubric_source: Mapped[str] = mapped_column(Text)
    rubric_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    created_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    updated_by: Mapped[str] = mapped_column(String(320))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    submitted_by: Mapped[str | None] = mapped_column(String(320))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    signed_by: Mapped[str | None] = mapped_column(String(320))
    declaration: Mapped[str | None] = mapped_column(Text)


class ReviewArea(Base):
    __tablename__ = "review_areas"
    __table_args__ = (UniqueConstraint("review_id", "area_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    area_key: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int | None] = mapped_column(Integer)
    not_assessed: Mapped[bool] = mapped_column(Boolean, default=False)
    rationale: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    updated_by: Mapped[str] = mapped_column(String(320))


class ReviewDocument(Base):
    __tablename__ = "review_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    area_key: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    description: Mapped[str] = mapped_column(Text, default="")
    expires_on: Mapped[dt.date | None] = mapped_column(CalendarDate)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    uploaded_by: Mapped[str] = mapped_column(String(320))


class ReviewAction(Base):
    """An improvement action agreed in a signed review, tracked until closed."""

    __tablename__ = "review_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    area_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(CalendarDate)
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    closed_on: Mapped[dt.date | None] = mapped_column(CalendarDate)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    closed_by: Mapped[str | None] = mapped_column(String(320))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)


class ReviewRecommendation(Base):
    __tablename__ = "review_recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    area_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(CalendarDate)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("review_actions.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    created_by: Mapped[str] = mapped_column(String(320))


class ReviewSetting(Base):
    """Per provider: may its users read the signed reviews of it? (Off until an administrator allows it.)"""

    __tablename__ = "review_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), unique=True)
    provider_may_read: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    updated_by: Mapped[str] = mapped_column(String(320))


# ---------------------------------------------------------------------- immutability

_CHILDREN = (ReviewArea, ReviewDocument, ReviewRecommendation)


def _was_signed(review: Review) -> bool:
    history = inspect(review).attrs.status.history
    before = list(history.unchanged) + list(history.deleted)
    return (before[0] if before else review.status) == SIGNED


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_reviews(session: Session, _context, _instances) -> None:
    """Whatever path a change takes through the ORM, a signed review and its parts stay as signed."""
    changed = [(o, "change") for o in session.dirty if session.is_modified(o)] + \
              [(o, "delete") for o in session.deleted] + [(o, "add") for o in session.new]
    for obj, what in changed:
        if isinstance(obj, Review) and what != "add" and _was_signed(obj):
            raise ReviewLocked(f"review {obj.id} is signed and cannot be changed; amend it instead")
        if isinstance(obj, _CHILDREN) and obj.review_id is not None:
            with session.no_autoflush:
                status = session.scalar(select(Review.status).where(Review.id == obj.review_id))
            if status == SIGNED:
                raise ReviewLocked(f"review {obj.review_id} is signed and cannot be changed; amend it instead")
