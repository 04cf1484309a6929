"""What the administration pages read and change: users and their roles, API tokens, the audit log.

The rules are those of ``steerco user add`` (``sql.repo.add_user``): an email address, one of
``ROLES``, a provider for the provider role and only then. On top of them, for changes made
through the pages: an administrator cannot demote or deactivate themselves, and the last
active administrator cannot be demoted or deactivated, so steerco always has someone who can
manage it. Every change writes an audit entry. The caller owns the session and commits.

Form input that breaks a rule raises :class:`FieldErrors` (a ``BadInput``) naming each field.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput, NotFound
from sql import repo
from sql.models import ROLES, ApiToken, AuditEntry, Provider, ScorecardVersion, User

ROLE_NAMES = {"admin": "Administrator", "executive": "Executive", "reviewer": "Reviewer", "provider": "Provider"}
AUDIT_PAGE_SIZE = 100
_LIKE_ESCAPE = "\\"


class FieldErrors(BadInput):
    """Bad form input: ``fields`` maps each wrong field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(self.fields.values()))


# ---------------------------------------------------------------------- users

def list_users(session: Session) -> list[dict]:
    """Every user by email: id, email, role, provider name, active, created_at."""
    rows = session.execute(select(User.id, User.email, User.role, Provider.name, User.active, User.created_at)
                           .outerjoin(Provider, Provider.id == User.provider_id).order_by(User.email))
    return [dict(zip(("id", "email", "role", "provider", "active", "created_at"), r)) for r in rows]


def user_counts(session: Session) -> dict[str, dict[str, int]]:
    """Per role (every role, in ``ROLES`` order): how many users are active and deactivated."""
    counts = {role: {"active": 0, "inactive": 0} for role in ROLES}
    for role, active, n in session.execute(select(User.role, User.active, func.count()).group_by(User.role,
                                                                                                  User.active)):
        counts.setdefault(role, {"active": 0, "inactive": 0})["active" if active else "inactive"] += n
    return counts


def get_user(session: Session, user_id: int) -> User:
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound(f"there is no user {user_id}")
    return user


def provider_names(session: Session) -> list[str]:
    return list(session.scalars(select(Provider.name).order_by(Provider.name)))


def _role_errors(session: Session, role: str, provider: str | None, errors: dict[str, str]) -> int | None:
    """Check a role and its provider (the CLI's rules); the provider's id, or None."""
    if role not in ROLES:
        errors["role"] = f"choose a role: {', '.join(ROLE_NAMES[r].lower() for r in ROLES)}"
        return None
    if role == "provider" and not provider:
        errors["provider"] = "a provider user needs a provider: the one whose data it may see"
        return None
    if role != "provider" and provider:
        errors["provider"] = (f"only provider users belong to a provider: choose “no provider” for "
                              f"the {ROLE_NAMES[role].lower()} role")
        return None
    if provider:
        found = session.scalar(select(Provider.id).where(Provider.name == provider))
        if found is None:
            errors["provider"] = f"there is no provider named {provider[:200]!r}"
        return found
    return None


def check_new_user(session: Session, email: str, role: str, provider: str | None) -> dict[str, str]:
    """What is wrong with adding this user, by field (empty: nothing); the rules of ``repo.add_user``."""
    errors: dict[str, str] = {}
    email = (email or "").strip()
    if not email:
        errors["email"] = "enter the email address the person logs in with"
    elif len(email) > 320:
        errors["email"] = "the email address is longer than 320 characters"
    else:
        try:
            email = repo.normalise_email(email)
        except BadInput:
            errors["email"] = f"not an email address: {email[:100]!r} (it should look like name@example.com)"
        else:
            if repo.find_user(session, email) is not None:
                errors["email"] = f"a user {email!r} already exists: change it from the list of users"
    _role_errors(session, role, provider, errors)
    return errors


def add_user(session: Session, email: str, role: str, password_hash: str, provider: str | None, *,
             actor: str, errors: dict[str, str] | None = None) -> User:
    """Add a user with ``repo.add_user`` (which writes ``user.add``); ``errors`` found by the
    caller (the password, checked where it is hashed) are reported with the others."""
    found = {**check_new_user(session, email, role, provider), **(errors or {})}
    if found:
        raise FieldErrors(found)
    return repo.add_user(session, email, role, password_hash, provider=provider or None, actor=actor)


def _active_admin_ids(session: Session) -> list[int]:
    """The active administrators, locked until the transaction ends (PostgreSQL) so that two
    administrators demoting each other at once cannot leave none."""
    return list(session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True))
                                .order_by(User.id).with_for_update()))


def _check_keeps_an_admin(session: Session, user: User, actor_id: int | None, doing: str, field: str) -> None:
    if user.role != "admin" or not user.active:
        return
    if actor_id is not None and user.id == actor_id:
        raise FieldErrors({field: f"you cannot {doing} yourself: ask another administrator"})
    if [i for i in _active_admin_ids(session) if i != user.id] == []:
        raise FieldErrors({field: f"{user.email} is the last active administrator: make someone else an "
                                  f"administrator first, so that steerco can still be managed"})


def change_role(session: Session, user: User, role: str, provider: str | None, *, actor: str,
                actor_id: int | None) -> bool:
    """Give ``user`` a role (and provider); False when both are already so. Writes ``user.role``."""
    errors: dict[str, str] = {}
    provider_id = _role_errors(session, role, provider or None, errors)
    if errors:
        raise FieldErrors(errors)
    if user.role == role and user.provider_id == provider_id:
        return False
    if role != "admin":
        _check_keeps_an_admin(session, user, actor_id, "remove the administrator role from", "role")
    before = {"role_from": user.role, "provider_from": user.provider.name if user.provider else None}
    user.role, user.provider_id = role, provider_id
    session.flush()
    repo.audit(session, actor, "user.role", user.email, role=role, provider=provider or None, **before)
    return True


def set_active(session: Session, user: User, active: bool, *, actor: str, actor_id: int | None) -> bool:
    """Deactivate or reactivate ``user``; False when it already is. Writes ``user.deactivate`` or
    ``user.reactivate``. A deactivated user cannot log in and its open sessions stop working."""
    if user.active == active:
        return False
    if not active:
        _check_keeps_an_admin(session, user, actor_id, "deactivate", "active")
    user.active = active
    session.flush()
    repo.audit(session, actor, "user.reactivate" if active else "user.deactivate", user.email, role=user.role)
    return True


def set_password(session: Session, user: User, password_hash: str, *, actor: str) -> None:
    """Replace ``user``'s password (the caller checked and hashed it). Writes ``user.password``."""
    user.password_hash = password_hash
    session.flush()
    repo.audit(session, actor, "user.password", user.email)


# ---------------------------------------------------------------------- API tokens

def list_tokens(session: Session) -> list[dict]:
    """Every API token, newest first, never its value: id, name, scope, provider, created_at,
    created_by, last_used_at, revoked_at."""
    rows = session.execute(select(ApiToken.id, ApiToken.name, ApiToken.scope, Provider.name, ApiToken.created_at,
                                  ApiToken.created_by, ApiToken.last_used_at, ApiToken.revoked_at)
                           .outerjoin(Provider, Provider.id == ApiToken.provider_id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    keys = ("id", "name", "scope", "provider", "created_at", "created_by", "last_used_at", "revoked_at")
    return [dict(zip(keys, r)) for r in rows]


def token_counts(session: Session) -> dict[str, int]:
    rows = dict(session.execute(select(ApiToken.revoked_at.is_(None), func.count()).group_by(
        ApiToken.revoked_at.is_(None))).all())
    return {"active": rows.get(True, 0), "revoked": rows.get(False, 0)}


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"there is no API token {token_id}")
    return token


def provider_id(session: Session, name: str) -> int:
    """The id of provider ``name``; FieldErrors on ``provider`` if there is none."""
    found = session.scalar(select(Provider.id).where(Provider.name == name))
    if found is None:
        raise FieldErrors({"provider": f"there is no provider named {name[:200]!r}"})
    return found


# ---------------------------------------------------------------------- the audit log

@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries to show: actor and target contain the text (any case), the action
    starts with ``action``, ``since``/``until`` are inclusive calendar days in UTC."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def query(self) -> dict[str, str]:
        """The filter as the query of an address (empty parts left out)."""
        given = {"actor": self.actor, "action": self.action, "target": self.target,
                 "from": self.since.isoformat() if self.since else "",
                 "to": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in given.items() if v}


def _day(text: str, field: str, errors: dict[str, str]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = f"not a date: {text[:40]!r} (use YYYY-MM-DD, e.g. 2026-10-31)"
        return None


def audit_filter(actor: str = "", action: str = "", target: str = "", since: str = "",
                 until: str = "") -> AuditFilter:
    """A filter from form text; FieldErrors on ``from``/``to`` for a bad date or range."""
    errors: dict[str, str] = {}
    first, last = _day(since, "from", errors), _day(until, "to", errors)
    if first and last and first > last:
        errors["to"] = f"the range ends ({last.isoformat()}) before it starts ({first.isoformat()})"
    for name, value in (("actor", actor), ("action", action), ("target", target)):
        if len(value or "") > 400:
            errors[name] = "at most 400 characters"
    if errors:
        raise FieldErrors(errors)
    return AuditFilter((actor or "").strip(), (action or "").strip(), (target or "").strip(), first, last)


def _like(text: str) -> str:
    return text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace(
        "_", _LIKE_ESCAPE + "_")


def _where(query, flt: AuditFilter):
    if flt.actor:
        query = query.where(AuditEntry.actor.ilike(f"%{_like(flt.actor)}%", escape=_LIKE_ESCAPE))
    if flt.action:
        query = query.where(AuditEntry.action.like(f"{_like(flt.action)}%", escape=_LIKE_ESCAPE))
    if flt.target:
        query = query.where(AuditEntry.target.ilike(f"%{_like(flt.target)}%", escape=_LIKE_ESCAPE))
    if flt.since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(flt.since, dt.time(), dt.timezone.utc))
    if flt.until:
        query = query.where(AuditEntry.at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time(),
                                                                dt.timezone.utc))
    return query


def _entries(session: Session, query) -> list[dict]:
    keys = ("id", "at", "actor", "action", "target", "details")
    return [dict(zip(keys, r)) for r in session.execute(query)]


def _entry_query():
    return select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.target,
                  AuditEntry.details).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def audit_page(session: Session, flt: AuditFilter, page: int = 1,
               size: int = AUDIT_PAGE_SIZE) -> tuple[list[dict], int]:
    """One page of matching entries, newest first, and how many match in all."""
    if page < 1:
        raise BadInput("pages are numbered from 1")
    total = session.scalar(_where(select(func.count()).select_from(AuditEntry), flt))
    rows = _entries(session, _where(_entry_query(), flt).limit(size).offset((page - 1) * size))
    return rows, total


def audit_entries(session: Session, flt: AuditFilter) -> list[dict]:
    """Every matching entry, newest first (for the CSV download)."""
    return _entries(session, _where(_entry_query(), flt))


def audit_actions(session: Session) -> list[str]:
    """The actions in the log and their dotted prefixes (``user``, ``user.add`` …), for suggestions."""
    found: set[str] = set()
    for action in session.scalars(select(AuditEntry.action).distinct()):
        parts = action.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(found)


def details(entry: dict) -> dict:
    """An entry's details as a dict (an unreadable text as ``{"text": …}``)."""
    try:
        value = json.loads(entry.get("details") or "{}")
    except json.JSONDecodeError:
        return {"text": entry.get("details")}
    return value if isinstance(value, dict) else {"value": value}


def latest_audit(session: Session, limit: int = 10) -> list[dict]:
    return _entries(session, _entry_query().limit(limit))


def recent_imports(session: Session, limit: int = 5) -> list[dict]:
    """The last imports (action ``import`` or ``import.…``), newest first, with their details."""
    query = _entry_query().where(or_(AuditEntry.action == "import", AuditEntry.action.like("import.%")))
    return [{**e, "details": details(e)} for e in _entries(session, query.limit(limit))]


# ---------------------------------------------------------------------- scorecard versions

def scorecard_versions(session: Session) -> list[dict]:
    """Per provider (by name): its scorecard versions, oldest first, as effective month, when and
    by whom loaded. Providers without a version are listed with none."""
    rows = session.execute(select(Provider.name, ScorecardVersion.effective_month, ScorecardVersion.loaded_at,
                                  ScorecardVersion.loaded_by, ScorecardVersion.sha256)
                           .outerjoin(ScorecardVersion, ScorecardVersion.provider_id == Provider.id)
                           .order_by(Provider.name, ScorecardVersion.effective_month))
    out: dict[str, list[dict]] = {}
    for name, month, loaded_at, loaded_by, sha in rows:
        versions = out.setdefault(name, [])
        if month is not None:
            versions.append({"effective_month": month, "loaded_at": loaded_at, "loaded_by": loaded_by,
                             "sha256": sha})
    return [{"provider": name, "versions": versions} for name, versions in out.items()]
