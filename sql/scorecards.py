"""Stored scorecard versions: each agreed TOML text, the month it takes effect, who loaded it."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput
from sql.models import ScorecardVersion
from sql.repo import audit


def add_version(session: Session, provider_id: int, provider_name: str, effective_month: str, source: str, *,
                actor: str) -> tuple[ScorecardVersion, bool]:
    """Store ``source`` as the version effective from ``effective_month``; (version, created).

    Loading the same text for the same month again changes nothing; a different text for a
    month that already has a version is refused (versions are agreed and kept, not edited).
    """
    digest = hashlib.sha256(source.encode()).hexdigest()
    existing = session.scalar(select(ScorecardVersion).where(
        ScorecardVersion.provider_id == provider_id, ScorecardVersion.effective_month == effective_month))
    if existing is not None:
        if existing.sha256 == digest:
            return existing, False
        raise BadInput(f"{provider_name} already has a scorecard version effective {effective_month}: "
                       "load the change as a new version effective from a later month")
    version = ScorecardVersion(provider_id=provider_id, effective_month=effective_month, source=source,
                               sha256=digest, loaded_by=actor)
    session.add(version)
    session.flush()
    audit(session, actor, "scorecard.load", provider_name, effective=effective_month, sha256=digest)
    return version, True


def list_versions(session: Session, provider_id: int) -> list[ScorecardVersion]:
    return list(session.scalars(select(ScorecardVersion).where(ScorecardVersion.provider_id == provider_id)
                                .order_by(ScorecardVersion.effective_month)))
