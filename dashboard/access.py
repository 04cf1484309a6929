"""Who may see which provider: the one place where a requested provider is checked.

Administrators, executives and reviewers see every provider; a provider user sees only its
own. Every page, callback and export resolves the provider it was asked for through
:func:`resolve_provider`, which raises :class:`~scorecard.errors.Forbidden` for anything else
— the same answer whether the other provider exists or not, so names cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user
from sqlalchemy import Engine

from scorecard.errors import Forbidden, NotFound
from sql import browse

ALL_PROVIDER_ROLES = frozenset({"admin", "executive", "reviewer"})
COMMENT_ROLES = frozenset({"executive", "reviewer", "provider"})
REFUSAL = "Your account may not see the data of this provider."


@dataclass(frozen=True)
class ProviderRef:
    id: int
    name: str
    kind: str
    timezone: str


def engine() -> Engine:
    return current_app.extensions["steerco.engine"]


def user():
    """The logged-in user; anonymous requests never get this far (``dashboard.auth.guard``)."""
    if current_user is None or not current_user.is_authenticated:
        raise Forbidden("log in first")
    return current_user


def scoped_ids(who) -> list[int] | None:
    """The provider ids ``who`` is limited to, or None for every provider."""
    if who.role in ALL_PROVIDER_ROLES:
        return None
    if who.role == "provider" and who.provider_id is not None:
        return [who.provider_id]
    return []  # an unknown role, or a provider user without a provider, sees nothing


def visible_providers(eng: Engine | None = None, who=None) -> list[ProviderRef]:
    """The providers ``who`` (default: the current user) may see, by name."""
    who = who or user()
    rows = browse.providers(eng or engine(), scoped_ids(who))
    return [ProviderRef(r["id"], r["name"], r["kind"], r["timezone"]) for r in rows]


def resolve_provider(requested: str | None, eng: Engine | None = None, who=None) -> ProviderRef:
    """The provider named ``requested`` if ``who`` may see it; none named: the first one it may see.

    Raises Forbidden for a provider outside the user's scope (or one that does not exist, when
    the user is scoped), NotFound for an unknown name otherwise, or when nothing is visible.
    """
    who = who or user()
    visible = visible_providers(eng, who)
    if requested in (None, ""):
        if not visible:
            raise NotFound("there are no providers yet: add one with `steerco provider add NAME --kind it`, "
                           "or build the demo with `steerco demo`")
        return visible[0]
    for ref in visible:
        if ref.name == requested:
            return ref
    if scoped_ids(who) is not None:
        raise Forbidden(REFUSAL)
    raise NotFound(f"there is no provider named {str(requested)[:200]!r}")


def visible_ids(eng: Engine | None = None, who=None) -> list[int]:
    return [p.id for p in visible_providers(eng, who)]


def may_comment(who=None) -> bool:
    who = who or user()
    return who.role in COMMENT_ROLES
