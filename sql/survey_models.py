"""Survey tables (DESIGN.md §6, docs/surveys.md): questionnaires and their questions,
per-provider survey settings, invitations, the links (tokens) issued for them, responses and
their answers, and the throttle that slows down guessing.

Privacy is part of the schema:
- a link's token is never stored, only its SHA-256 (``survey_links.token_hash``);
- an invitation's ``email`` is kept only while a message may still be sent, then set to NULL;
- a response to an *anonymous* questionnaire has no ``invitation_id`` and no ``submitted_at``:
  only the provider, the questionnaire version, the month and the ticket's priority and
  category. One response per invitation is guaranteed by consuming the invitation
  (``UPDATE … WHERE status = 'pending'``) in the transaction that inserts the response, and,
  for confidential questionnaires, also by the unique ``invitation_id``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sql.models import Base
from sql.types import UTCTimestamp

QUESTION_TYPES = ("rating", "nps", "yes_no", "choice", "text")
MODES = ("confidential", "anonymous")
INVITATION_STATUSES = ("pending", "answered", "void", "expired")
DELIVERIES = ("email", "link")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SurveyQuestionnaire(Base):
    """One version of a questionnaire; ``source`` is its TOML text, never edited."""

    __tablename__ = "survey_questionnaires"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    languages: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    loaded_by: Mapped[str] = mapped_column(String(320))


class SurveyQuestion(Base):
    """The questions of a questionnaire version, so that SQL reads can tell ratings apart."""

    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("survey_questionnaires.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(Boolean)
    measure: Mapped[str | None] = mapped_column(String(64))


class SurveySettings(Base):
    """A provider's invitation rules; a provider without a row uses the defaults."""

    __tablename__ = "survey_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), unique=True)
    questionnaire: Mapped[str] = mapped_column(String(64))
    auto_invite: Mapped[bool] = mapped_column(Boolean, default=False)
    delay_hours: Mapped[float] = mapped_column(Float)
    sample_rate: Mapped[float] = mapped_column(Float)
    fatigue_days: Mapped[int] = mapped_column(Integer)
    expiry_days: Mapped[int] = mapped_column(Integer)
    reminder_days: Mapped[int] = mapped_column(Integer)
    max_age_days: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    exclude_categories: Mapped[str] = mapped_column(Text, default="[]")
    staff_groups: Mapped[str] = mapped_column(Text, default="[]")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    updated_by: Mapped[str] = mapped_column(String(320))


class SurveyInvitation(Base):
    """An invitation to answer a questionnaire about one resolved ticket.

    ``cycle`` counts the ticket's earlier, voided invitations: a reopen voids an unanswered
    invitation, and the ticket may be invited again after it is resolved again; the unique
    (provider, ticket, cycle) makes concurrent invitations of one ticket impossible.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint("provider_id", "ticket_id", "cycle"),
        Index("ix_survey_invitations_provider_status", "provider_id", "status"),
        Index("ix_survey_invitations_requester", "provider_id", "requester_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("survey_questionnaires.id"))
    ticket_id: Mapped[str] = mapped_column(String(200))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    requester_key: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    ticket_reopens: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    delivery: Mapped[str] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    created_by: Mapped[str] = mapped_column(String(320))
    send_after: Mapped[dt.datetime] = mapped_column(UTCTimestamp)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    sent_month: Mapped[str | None] = mapped_column(String(7))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SurveyLink(Base):
    """A link issued for an invitation (API, CLI, CSV, email, reminder): its token's hash only."""

    __tablename__ = "survey_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)


class SurveyResponse(Base):
    """One submitted questionnaire. Anonymous: no invitation, no timestamp, only the month."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_provider_month", "provider_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("survey_questionnaires.id"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="SET NULL"), unique=True)
    month: Mapped[str] = mapped_column(String(7))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    language: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(200))


class SurveyAnswer(Base):
    """One answer: ``value`` for ratings, 0–10, yes (1) / no (0); ``text`` for choices and free text."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)


class SurveyThrottle(Base):
    """Recent failed survey requests, shared by every worker: unknown links guessed from an
    address, and rejected submissions on one invitation. Rows older than a day are pruned."""

    __tablename__ = "survey_throttle"
    __table_args__ = (Index("ix_survey_throttle_address_at", "address", "at"),
                      Index("ix_survey_throttle_invitation_at", "invitation_id", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id", ondelete="CASCADE"))


__all__ = [
    "DELIVERIES", "INVITATION_STATUSES", "MODES", "QUESTION_TYPES", "SurveyAnswer", "SurveyInvitation",
    "SurveyLink", "SurveyQuestion", "SurveyQuestionnaire", "SurveyResponse", "SurveySettings", "SurveyThrottle",
]
