"""The database schema: entities as SQLAlchemy 2 ORM models, facts as tables derived from
the canonical schemas of ``scorecard.facts`` so the two can never disagree.

A naming convention makes constraint names identical on SQLite and PostgreSQL, which keeps
Alembic's batch migrations portable.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scorecard import facts as F
from sql.types import CalendarDate, UTCTimestamp

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PROVIDER_KINDS = ("it", "legal")
ROLES = ("admin", "executive", "reviewer", "provider")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Key/value facts about this database (schema owner, demo marker)."""

    __tablename__ = "steerco_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Provider(Base):
    __tablename__ = "providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)

    services: Mapped[list[Service]] = relationship(back_populates="provider", cascade="all, delete-orphan")
    resources: Mapped[list[Resource]] = relationship(back_populates="provider", cascade="all, delete-orphan")


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[Provider] = relationship(back_populates="services")


class Resource(Base):
    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[Provider] = relationship(back_populates="resources")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    provider: Mapped[Provider | None] = relationship()


class AuditEntry(Base):
    """Who changed what, when: imports, definitions, targets, users."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(400))
    details: Mapped[str] = mapped_column(Text, default="{}")


class LoginAttempt(Base):
    """Recent login attempts, shared by every worker, to rate-limit password guessing."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now, index=True)
    address: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class ScorecardVersion(Base):
    __tablename__ = "scorecard_versions"
    __table_args__ = (UniqueConstraint("provider_id", "effective_month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    effective_month: Mapped[str] = mapped_column(String(7))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    loaded_by: Mapped[str] = mapped_column(String(320))


class ComputeRun(Base):
    """Provenance of stored results: which scorecard, which code, which facts."""

    __tablename__ = "compute_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    code_version: Mapped[str] = mapped_column(String(64))
    facts_fingerprint: Mapped[str] = mapped_column(String(64))
    months: Mapped[str] = mapped_column(Text, default="")


class ComputedMonth(Base):
    """What each stored month was computed from, so a recompute can skip unchanged months."""

    __tablename__ = "computed_months"
    __table_args__ = (UniqueConstraint("provider_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    facts_fingerprint: Mapped[str] = mapped_column(String(64))
    scorecard_version_id: Mapped[int | None] = mapped_column(ForeignKey("scorecard_versions.id", ondelete="SET NULL"))
    code_version: Mapped[str] = mapped_column(String(64))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("compute_runs.id", ondelete="SET NULL"))


class MeasureResult(Base):
    __tablename__ = "measure_results"
    __table_args__ = (UniqueConstraint("provider_id", "measure", "params", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(String(400), default="{}")
    month: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    scorecard_version_id: Mapped[int | None] = mapped_column(ForeignKey("scorecard_versions.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("compute_runs.id", ondelete="SET NULL"))


class DriftSignal(Base):
    """A drift signal raised for a measure series in a month (see docs/drift.md)."""

    __tablename__ = "drift_signals"
    __table_args__ = (Index("ix_drift_signals_provider_month", "provider_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(String(400), default="{}")
    month: Mapped[str] = mapped_column(String(7))
    rule: Mapped[str] = mapped_column(String(16))
    chart: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    since: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float)
    center: Mapped[float | None] = mapped_column(Float)
    lcl: Mapped[float | None] = mapped_column(Float)
    ucl: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[float] = mapped_column(Float, default=0.0)
    p_value: Mapped[float | None] = mapped_column(Float)
    sentence: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("compute_runs.id", ondelete="SET NULL"))


class ApiToken(Base):
    """A bearer token for the JSON API (e.g. the ticketing tool creating survey invitations).

    Only a hash is stored; the token itself is shown once, when an administrator creates it.
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(64))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    created_by: Mapped[str] = mapped_column(String(320))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCTimestamp)


class Comment(Base):
    """Commentary on a measure in a month, by an executive, a reviewer or the provider."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_provider_month", "provider_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(String(400), default="{}")
    month: Mapped[str] = mapped_column(String(7))
    author: Mapped[str] = mapped_column(String(320))
    author_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)
    text: Mapped[str] = mapped_column(Text)


class ReportedValue(Base):
    """A provider's own figure for a measure in a month, kept beside the measured one
    (DESIGN.md §4); the scorecard reconciles the two against a tolerance. Recording a month
    again replaces the figure (the audit log keeps the earlier one)."""

    __tablename__ = "reported_values"
    __table_args__ = (UniqueConstraint("provider_id", "measure", "params", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(String(400), default="{}")
    month: Mapped[str] = mapped_column(String(7))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(400), default="")
    reported_by: Mapped[str] = mapped_column(String(320))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCTimestamp, default=_now)


# --- facts -------------------------------------------------------------------------------

def _sql_type(dtype: pl.DataType):
    if dtype == F.UTC_TS:
        return UTCTimestamp()
    if dtype == pl.Date():
        return CalendarDate()
    if dtype == pl.Boolean():
        return Boolean()
    if dtype in (pl.Int32(), pl.Int64()):
        return Integer()
    if dtype == pl.Float64():
        return Float()
    if dtype == pl.String():
        return Text()
    raise TypeError(f"no SQL type for {dtype}")


def _fact_table(fact: F.Fact) -> Table:
    cols = [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("provider_id", Integer, ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    ]
    for c in fact.columns:
        if c.name == F.PROVIDER:
            continue
        in_key = c.name in fact.key
        cols.append(Column(
            c.name, _sql_type(c.dtype),
            nullable=not (c.required or in_key),
            server_default="" if in_key and not c.required else None,
        ))
    key = ["provider_id", *[k for k in fact.key if k != F.PROVIDER]]
    table = Table(fact.table, Base.metadata, *cols,
                  UniqueConstraint(*key, name=f"uq_{fact.table}_source_key"))
    return table


FACT_TABLES: dict[str, Table] = {name: _fact_table(f) for name, f in F.FACTS.items()}
Index("ix_tickets_provider_opened", FACT_TABLES["tickets"].c.provider_id, FACT_TABLES["tickets"].c.opened_at)

__all__ = [
    "ApiToken", "AuditEntry", "Base", "Comment", "ComputeRun", "ComputedMonth", "DriftSignal", "FACT_TABLES", "LoginAttempt", "MeasureResult", "Meta", "Provider",
    "PROVIDER_KINDS", "ROLES", "Resource", "ScorecardVersion", "Service", "User", "func",
]
from sql import survey_models  # noqa: E402,F401  (survey tables on the shared metadata)
from sql import review_models  # noqa: E402,F401  (review tables on the shared metadata)
