"""Who is invited: a provider's survey settings and the rules that apply them.

Rules, in the order they are checked (the first that applies is the reason given):
already invited → not resolved → cancelled → excluded category (duplicates by default) →
requester in a staff group → resolved too long ago → not drawn in the sample → fatigue
(the same person was invited within ``fatigue_days``). ``decide`` applies the rules that
need only the ticket; the caller checks "already invited" and fatigue against the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import Connection, insert, select, update

from scorecard.errors import BadInput
from sql.models import AuditEntry
from sql.survey_models import SurveySettings as SettingsRow
from surveys.i18n import LANGUAGES
from surveys.questionnaire import DEFAULT_FOR_KIND

REASONS = {
    "already_invited": "this ticket already has an invitation (a ticket is surveyed once)",
    "not_resolved": "the ticket is not resolved",
    "cancelled": "the ticket was cancelled",
    "excluded_category": "tickets of this category are not surveyed",
    "staff": "the requester belongs to one of the provider's own staff groups",
    "too_old": "the ticket was resolved too long ago",
    "sampled_out": "the ticket was not drawn in the sample",
    "fatigue": "this person was invited recently (at most one invitation per person in the fatigue window)",
}


@dataclass(frozen=True)
class SurveySettings:
    """A provider's invitation rules. Defaults apply until an administrator changes them."""

    questionnaire: str = "helpdesk"
    auto_invite: bool = False          # invite after each ticket import (invite_resolved)
    delay_hours: float = 2.0           # wait this long after resolution before the first message
    sample_rate: float = 1.0           # share of eligible tickets invited (deterministic per ticket)
    fatigue_days: int = 30             # at most one invitation per person in this many days
    expiry_days: int = 14              # a link works this many days after the invitation goes out
    reminder_days: int = 5             # one reminder this many days after the first message; 0: none
    max_age_days: int = 7              # tickets resolved longer ago than this are not invited
    language: str = "en"               # the language of messages when the invitation names none
    exclude_categories: tuple[str, ...] = ("Duplicate",)
    staff_groups: tuple[str, ...] = field(default_factory=tuple)

    def checked(self) -> SurveySettings:
        problems = []
        if not 0 <= self.delay_hours <= 24 * 30:
            problems.append(f"delay_hours must be from 0 to 720, not {self.delay_hours}")
        if not 0 < self.sample_rate <= 1:
            problems.append(f"sample_rate must be above 0 and at most 1, not {self.sample_rate}")
        if not 0 <= self.fatigue_days <= 365:
            problems.append(f"fatigue_days must be from 0 to 365, not {self.fatigue_days}")
        if not 1 <= self.expiry_days <= 90:
            problems.append(f"expiry_days must be from 1 to 90, not {self.expiry_days}")
        if not 0 <= self.reminder_days < self.expiry_days:
            problems.append(f"reminder_days must be from 0 (no reminder) to less than expiry_days "
                            f"({self.expiry_days}), not {self.reminder_days}")
        if not 1 <= self.max_age_days <= 365:
            problems.append(f"max_age_days must be from 1 to 365, not {self.max_age_days}")
        if self.language not in LANGUAGES:
            problems.append(f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if problems:
            raise BadInput("survey settings: " + "; ".join(problems))
        return self

    def as_dict(self) -> dict:
        d = asdict(self)
        d["exclude_categories"], d["staff_groups"] = list(self.exclude_categories), list(self.staff_groups)
        return d


def defaults_for(kind: str) -> SurveySettings:
    return SurveySettings(questionnaire=DEFAULT_FOR_KIND.get(kind, "helpdesk"))


def read_settings(conn: Connection, provider_id: int, kind: str) -> SurveySettings:
    table = SettingsRow.__table__
    r = conn.execute(select(table).where(table.c.provider_id == provider_id)).first()
    if r is None:
        return defaults_for(kind)
    return SurveySettings(
        questionnaire=r.questionnaire, auto_invite=bool(r.auto_invite), delay_hours=r.delay_hours,
        sample_rate=r.sample_rate, fatigue_days=r.fatigue_days, expiry_days=r.expiry_days,
        reminder_days=r.reminder_days, max_age_days=r.max_age_days, language=r.language,
        exclude_categories=tuple(json.loads(r.exclude_categories)), staff_groups=tuple(json.loads(r.staff_groups)))


def write_settings(conn: Connection, provider_id: int, kind: str, *, actor: str, target: str,
                   **changes: object) -> SurveySettings:
    """Change some settings of a provider (validated together), audited; returns the result."""
    current = read_settings(conn, provider_id, kind)
    unknown = sorted(set(changes) - set(SurveySettings.__dataclass_fields__))
    if unknown:
        raise BadInput(f"unknown survey setting {unknown[0]!r}")
    for name in ("exclude_categories", "staff_groups"):
        if name in changes:
            changes[name] = tuple(str(v).strip() for v in changes[name] if str(v).strip())  # type: ignore[union-attr]
    new = replace(current, **changes).checked()  # type: ignore[arg-type]
    values = new.as_dict()
    values["exclude_categories"] = json.dumps(values["exclude_categories"], ensure_ascii=False)
    values["staff_groups"] = json.dumps(values["staff_groups"], ensure_ascii=False)
    values["updated_at"] = dt.datetime.now(dt.timezone.utc)
    values["updated_by"] = actor
    exists = conn.scalar(select(SettingsRow.id).where(SettingsRow.provider_id == provider_id))
    if exists is None:
        conn.execute(insert(SettingsRow).values(provider_id=provider_id, **values))
    else:
        conn.execute(update(SettingsRow).where(SettingsRow.id == exists).values(**values))
    before, after = current.as_dict(), new.as_dict()
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    conn.execute(insert(AuditEntry).values(actor=actor, action="survey.settings", target=target,
                                           details=json.dumps(changed, sort_keys=True, ensure_ascii=False)))
    return new


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need to know about a ticket (from the import, the CLI or the API)."""

    ticket_id: str
    status: str | None = None              # open | resolved | closed | cancelled; None: unknown (API)
    resolved_at: dt.datetime | None = None
    priority: str | None = None
    category: str | None = None
    requester_key: str | None = None       # the pseudonym
    requester_group: str | None = None
    reopen_count: int | None = None


def sample_draw(provider: str, ticket_id: str, cycle: int) -> float:
    """A uniform number in [0, 1) fixed for a ticket, so that asking twice gives the same answer."""
    digest = hashlib.sha256(f"{provider}\x1f{ticket_id}\x1f{cycle}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def decide(ticket: TicketFacts, settings: SurveySettings, *, provider: str, cycle: int,
           now: dt.datetime) -> str | None:
    """The reason ``ticket`` is not invited, from the rules that need only the ticket; None: eligible."""
    if ticket.status is not None and ticket.status not in ("resolved", "closed", "cancelled"):
        return "not_resolved"
    if ticket.status == "cancelled":
        return "cancelled"
    folded = {c.casefold() for c in settings.exclude_categories}
    if ticket.category is not None and ticket.category.casefold() in folded:
        return "excluded_category"
    staff = {g.casefold() for g in settings.staff_groups}
    if ticket.requester_group is not None and ticket.requester_group.casefold() in staff:
        return "staff"
    if ticket.resolved_at is not None and now - ticket.resolved_at > dt.timedelta(days=settings.max_age_days):
        return "too_old"
    if settings.sample_rate < 1 and sample_draw(provider, ticket.ticket_id, cycle) >= settings.sample_rate:
        return "sampled_out"
    return None
