"""Small repository functions for entities. The caller owns the session and commits."""

from __future__ import annotations

import json
import zoneinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput, NotFound
from sql.models import PROVIDER_KINDS, ROLES, AuditEntry, Meta, Provider, User


def audit(session: Session, actor: str, action: str, target: str, **details: object) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target,
                           details=json.dumps(details, sort_keys=True, default=str)))


def check_timezone(zone: str) -> str:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"unknown time zone {zone!r}: use an IANA name such as Europe/London or America/New_York") from None
    return zone


def add_provider(session: Session, name: str, kind: str, timezone: str = "UTC", *, actor: str) -> Provider:
    name = name.strip()
    if not name:
        raise BadInput("a provider needs a name")
    if kind not in PROVIDER_KINDS:
        raise BadInput(f"unknown provider kind {kind!r}: use one of {', '.join(PROVIDER_KINDS)}")
    check_timezone(timezone)
    if session.scalar(select(Provider).where(Provider.name == name)) is not None:
        raise BadInput(f"provider {name!r} already exists")
    provider = Provider(name=name, kind=kind, timezone=timezone)
    session.add(provider)
    session.flush()
    audit(session, actor, "provider.add", name, kind=kind, timezone=timezone)
    return provider


def get_provider(session: Session, name: str) -> Provider:
    provider = session.scalar(select(Provider).where(Provider.name == name))
    if provider is None:
        known = session.scalars(select(Provider.name).order_by(Provider.name)).all()
        hint = f"; known providers: {', '.join(known)}" if known else "; there are no providers yet (steerco provider add)"
        raise NotFound(f"no provider named {name!r}{hint}")
    return provider


def list_providers(session: Session) -> list[Provider]:
    return list(session.scalars(select(Provider).order_by(Provider.name)))


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise BadInput(f"not an email address: {email!r}")
    return email


def add_user(session: Session, email: str, role: str, password_hash: str, *,
             provider: str | None = None, actor: str) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if role == "provider" and not provider:
        raise BadInput("a provider user needs --provider NAME (the provider whose data it may see)")
    if role != "provider" and provider:
        raise BadInput(f"--provider applies only to the provider role, not {role!r}")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise BadInput(f"user {email!r} already exists")
    provider_id = get_provider(session, provider).id if provider else None
    user = User(email=email, role=role, password_hash=password_hash, provider_id=provider_id)
    session.add(user)
    session.flush()
    audit(session, actor, "user.add", email, role=role, provider=provider)
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return None if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
