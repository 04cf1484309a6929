"""Invitations: made for resolved tickets by the CLI, the API or after an import; voided when
a ticket is reopened; expired when their time is up; links issued for them one at a time.

An invitation is *sent* when its first message goes out (email) or its link is handed over
(API, CLI, CSV export); ``sent_month`` (the provider's time zone) is its response-rate cohort.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from scorecard.errors import BadInput, NotFound
from scorecard.months import month_of
from sql.keys import PSEUDONYM_KEY, ensure_meta_secret
from sql.models import FACT_TABLES, Provider
from sql.repo import normalise_email
from sql.survey_models import SurveyInvitation as Inv
from sql.survey_models import SurveyLink
from surveys.library import ensure_questionnaire, questionnaire_by_id
from surveys.rules import REASONS, SurveySettings, TicketFacts, decide, read_settings
from surveys.tokens import new_token, pseudonym, token_hash

log = logging.getLogger(__name__)
TICKETS = FACT_TABLES["tickets"]
# A ticket whose last resolution is this much later than the one invited for was reopened.
RESOLVED_AGAIN = dt.timedelta(hours=1)


class FieldProblem(BadInput):
    """Bad input in one named field of an invitation request (the API reports it under ``fields``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class ProviderRef:
    id: int
    name: str
    kind: str
    timezone: str


def provider_ref(conn: Connection, name: str) -> ProviderRef:
    row = conn.execute(select(Provider.id, Provider.name, Provider.kind, Provider.timezone)
                       .where(Provider.name == name)).first()
    if row is None:
        known = conn.scalars(select(Provider.name).order_by(Provider.name)).all()
        hint = f"; known providers: {', '.join(known)}" if known else ""
        raise NotFound(f"no provider named {name!r}{hint}")
    return ProviderRef(*row)


def provider_by_id(conn: Connection, provider_id: int) -> ProviderRef:
    row = conn.execute(select(Provider.id, Provider.name, Provider.kind, Provider.timezone)
                       .where(Provider.id == provider_id)).first()
    if row is None:
        raise NotFound(f"no provider with id {provider_id}")
    return ProviderRef(*row)


@dataclass
class InviteRequest:
    """A request to invite the requester of one ticket. Fields left None are taken from the
    imported ticket when there is one; ``requester`` is a raw identifier (pseudonymised here)."""

    ticket_id: str
    email: str | None = None
    language: str | None = None
    resolved_at: dt.datetime | None = None
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    requester: str | None = None
    requester_group: str | None = None
    reopen_count: int | None = None


@dataclass
class Invited:
    """The outcome of an invitation request: made (with its one-time link token) or not, and why."""

    ticket_id: str
    invited: bool
    reason: str | None = None
    invitation_id: int | None = None
    token: str | None = None
    delivery: str | None = None
    language: str | None = None
    send_after: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    @property
    def message(self) -> str:
        if self.invited:
            how = "will be emailed" if self.delivery == "email" else "is to be sent by you"
            return f"invited: the link {how}; it expires {self.expires_at:%Y-%m-%d %H:%M} UTC"
        return f"not invited: {REASONS.get(self.reason or '', self.reason)}"


def imported_ticket(conn: Connection, provider_id: int, ticket_id: str) -> TicketFacts | None:
    c = TICKETS.c
    row = conn.execute(select(c.ticket_id, c.status, c.resolved_at, c.priority, c.category, c.requester,
                              c.requester_group, c.reopen_count)
                       .where(c.provider_id == provider_id, c.ticket_id == ticket_id)).first()
    return None if row is None else TicketFacts(*row)


def _merge(req: InviteRequest, ticket: TicketFacts | None, key: str | None) -> TicketFacts:
    base = ticket or TicketFacts(req.ticket_id)
    who = req.requester or req.email
    return TicketFacts(
        ticket_id=req.ticket_id,
        status=req.status or base.status,
        resolved_at=req.resolved_at or base.resolved_at,
        priority=req.priority or base.priority,
        category=req.category or base.category,
        requester_key=pseudonym(who, key) if who and key else base.requester_key,
        requester_group=req.requester_group or base.requester_group,
        reopen_count=req.reopen_count if req.reopen_count is not None else base.reopen_count,
    )


def _cycle(conn: Connection, provider_id: int, ticket_id: str) -> tuple[bool, int]:
    """(whether a live or answered invitation exists, the next cycle number)."""
    rows = conn.execute(select(Inv.status).where(Inv.provider_id == provider_id, Inv.ticket_id == ticket_id)).all()
    live = any(r.status != "void" for r in rows)
    return live, len(rows)


def _fatigued(conn: Connection, provider_id: int, key: str | None, when: dt.datetime, days: int) -> bool:
    if not key or days <= 0:
        return False
    window = dt.timedelta(days=days)
    return conn.scalar(select(func.count()).select_from(Inv).where(
        Inv.provider_id == provider_id, Inv.requester_key == key, Inv.status != "void",
        Inv.send_after > when - window, Inv.send_after < when + window)) > 0


def invite_ticket(conn: Connection, provider: ProviderRef, req: InviteRequest, *, actor: str, channel: str,
                  now: dt.datetime | None = None) -> Invited:
    """Invite the requester of one ticket, if the provider's rules allow it.

    With an ``email`` the invitation is delivered by ``steerco survey send`` after the delay;
    without, the link returned here is for the caller to send (it counts as sent now). Either
    way a link is issued now and returned once (``Invited.token``).
    """
    now = now or utcnow()
    settings = read_settings(conn, provider.id, provider.kind)
    qid = ensure_questionnaire(conn, settings.questionnaire, actor=actor)
    questionnaire = questionnaire_by_id(conn, qid)
    try:
        email = normalise_email(req.email) if req.email else None
    except BadInput as exc:
        raise FieldProblem("email", str(exc)) from None
    language = req.language.strip().lower() if req.language else None
    if language is not None and language not in questionnaire.languages:
        raise FieldProblem("language", f"language {req.language!r} is not offered by questionnaire {questionnaire.ref} "
                       f"(offered: {', '.join(questionnaire.languages)})")
    key = ensure_meta_secret(conn, PSEUDONYM_KEY) if (req.requester or req.email) else None
    ticket = _merge(req, imported_ticket(conn, provider.id, req.ticket_id), key)
    live, cycle = _cycle(conn, provider.id, req.ticket_id)
    if live:
        return Invited(req.ticket_id, False, "already_invited")
    reason = decide(ticket, settings, provider=provider.name, cycle=cycle, now=now)
    resolved_at = ticket.resolved_at or now
    if email:
        send_after = max(now, resolved_at + dt.timedelta(hours=settings.delay_hours))
    else:
        send_after = now
    if reason is None and _fatigued(conn, provider.id, ticket.requester_key, send_after, settings.fatigue_days):
        reason = "fatigue"
    if reason is not None:
        return Invited(req.ticket_id, False, reason)
    expires_at = send_after + dt.timedelta(days=settings.expiry_days)
    values = dict(
        provider_id=provider.id, questionnaire_id=qid, ticket_id=req.ticket_id, cycle=cycle,
        requester_key=ticket.requester_key, priority=ticket.priority, category=ticket.category,
        resolved_at=resolved_at, ticket_reopens=ticket.reopen_count, status="pending",
        delivery="email" if email else "link", email=email, language=language, created_at=now,
        created_by=actor, send_after=send_after, expires_at=expires_at, send_attempts=0)
    if not email:
        values.update(sent_at=now, sent_month=month_of(now, provider.timezone))
    try:
        with conn.begin_nested():
            inv_id = conn.execute(insert(Inv).values(**values)).inserted_primary_key[0]
    except IntegrityError:  # invited concurrently: the unique (provider, ticket, cycle) decided
        return Invited(req.ticket_id, False, "already_invited")
    token = issue_link(conn, inv_id, channel, now=now)
    log.info("survey invitation %s for %s/%s (%s)", inv_id, provider.name, req.ticket_id, values["delivery"])
    return Invited(req.ticket_id, True, None, inv_id, token, values["delivery"], language, send_after, expires_at)


def issue_link(conn: Connection, invitation_id: int, channel: str, *, now: dt.datetime | None = None) -> str:
    """A new link for an invitation: the token is returned once and only its hash is stored."""
    token = new_token()
    conn.execute(insert(SurveyLink).values(invitation_id=invitation_id, token_hash=token_hash(token),
                                           channel=channel, issued_at=now or utcnow()))
    return token


def link_url(base_url: str, token: str, rating: int | None = None) -> str:
    url = f"{base_url.rstrip('/')}/s/{token}"
    return url if rating is None else f"{url}?r={rating}"


def _close(conn: Connection, ids: list[int], status: str, now: dt.datetime) -> int:
    done = 0
    for chunk in range(0, len(ids), 500):
        done += conn.execute(update(Inv).where(Inv.id.in_(ids[chunk:chunk + 500]), Inv.status == "pending")
                             .values(status=status, closed_at=now, email=None)).rowcount
    return done


def void_ticket(conn: Connection, provider_id: int, ticket_id: str, *, now: dt.datetime | None = None) -> int:
    """Void the unanswered invitation of a reopened ticket; returns how many were voided (0 or 1)."""
    ids = list(conn.scalars(select(Inv.id).where(Inv.provider_id == provider_id, Inv.ticket_id == ticket_id,
                                                 Inv.status == "pending")))
    return _close(conn, ids, "void", now or utcnow())


def void_reopened(conn: Connection, provider_id: int, *, now: dt.datetime | None = None) -> int:
    """Void unanswered invitations whose imported ticket was reopened or cancelled since."""
    t = TICKETS.c
    rows = conn.execute(select(Inv.id, Inv.resolved_at, Inv.ticket_reopens, t.status, t.resolved_at.label("t_resolved"),
                               t.reopen_count)
                        .join(TICKETS, and_(t.provider_id == Inv.provider_id, t.ticket_id == Inv.ticket_id))
                        .where(Inv.provider_id == provider_id, Inv.status == "pending")).all()
    ids = [r.id for r in rows
           if r.status in ("open", "cancelled")
           or (r.ticket_reopens is not None and (r.reopen_count or 0) > r.ticket_reopens)
           or (r.t_resolved is not None and r.resolved_at is not None and r.t_resolved > r.resolved_at + RESOLVED_AGAIN)]
    return _close(conn, ids, "void", now or utcnow())


def expire_due(conn: Connection, *, now: dt.datetime | None = None, provider_id: int | None = None) -> int:
    """Close unanswered invitations whose time is up (their email address is dropped)."""
    now = now or utcnow()
    q = update(Inv).where(Inv.status == "pending", Inv.expires_at <= now)
    if provider_id is not None:
        q = q.where(Inv.provider_id == provider_id)
    return conn.execute(q.values(status="expired", closed_at=now, email=None)).rowcount


@dataclass
class InviteSummary:
    provider: str
    created: int = 0
    voided: int = 0
    expired: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    auto_invite: bool = True

    def summary(self) -> str:
        if not self.auto_invite:
            return (f"{self.provider}: automatic survey invitations are off "
                    f"({self.voided} voided for reopened tickets, {self.expired} expired)")
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items())) or "none"
        return (f"{self.provider}: {self.created} survey invitations made, {self.voided} voided for reopened "
                f"tickets, {self.expired} expired; skipped: {skipped}")


def invite_resolved(target: Engine | Connection, provider: str, *, now: dt.datetime | None = None,
                    actor: str = "import") -> InviteSummary:
    """After an import: void invitations of reopened tickets, expire old ones and, when the
    provider's ``auto_invite`` is on, invite the requesters of recently resolved tickets under
    its rules. Invitations made here are delivered as links (``steerco survey links``): imported
    requesters are pseudonymised, so there is no address to email.

    Give an Engine (one transaction of its own) or a Connection (the caller's transaction).
    """
    if isinstance(target, Engine):
        with target.begin() as conn:
            return invite_resolved(conn, provider, now=now, actor=actor)
    conn = target
    now = now or utcnow()
    p = provider_ref(conn, provider)
    settings = read_settings(conn, p.id, p.kind)
    summary = InviteSummary(p.name, auto_invite=settings.auto_invite)
    summary.voided = void_reopened(conn, p.id, now=now)
    summary.expired = expire_due(conn, now=now, provider_id=p.id)
    if settings.auto_invite:
        summary.created = _invite_batch(conn, p, settings, now, actor, summary.skipped)
    log.info(summary.summary())
    return summary


def _invite_batch(conn: Connection, p: ProviderRef, settings: SurveySettings, now: dt.datetime, actor: str,
                  skipped: dict[str, int]) -> int:
    t = TICKETS.c
    since = now - dt.timedelta(days=settings.max_age_days)
    invited = select(Inv.id).where(Inv.provider_id == p.id, Inv.ticket_id == t.ticket_id, Inv.status != "void")
    rows = conn.execute(select(t.ticket_id, t.status, t.resolved_at, t.priority, t.category, t.requester,
                               t.requester_group, t.reopen_count)
                        .where(t.provider_id == p.id, t.status.in_(("resolved", "closed")),
                               t.resolved_at >= since, t.resolved_at <= now, ~invited.exists())
                        .order_by(t.resolved_at, t.ticket_id)).all()
    if not rows:
        return 0
    qid = ensure_questionnaire(conn, settings.questionnaire, actor=actor)
    cycles = dict(conn.execute(select(Inv.ticket_id, func.count()).where(Inv.provider_id == p.id, Inv.status == "void")
                               .group_by(Inv.ticket_id)).all())
    delay, window = dt.timedelta(hours=settings.delay_hours), dt.timedelta(days=settings.fatigue_days)
    recent: dict[str, list[dt.datetime]] = {}
    if settings.fatigue_days > 0:
        for key, when in conn.execute(select(Inv.requester_key, Inv.send_after).where(
                Inv.provider_id == p.id, Inv.status != "void", Inv.requester_key.is_not(None),
                Inv.send_after > since - window)):
            recent.setdefault(key, []).append(when)
    new = []
    for r in rows:
        ticket = TicketFacts(*r)
        cycle = cycles.get(r.ticket_id, 0)
        reason = decide(ticket, settings, provider=p.name, cycle=cycle, now=now)
        send_after = max(now, r.resolved_at + delay)
        if reason is None and ticket.requester_key and settings.fatigue_days > 0:
            if any(abs(send_after - other) < window for other in recent.get(ticket.requester_key, ())):
                reason = "fatigue"
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        if ticket.requester_key:
            recent.setdefault(ticket.requester_key, []).append(send_after)
        new.append(dict(provider_id=p.id, questionnaire_id=qid, ticket_id=r.ticket_id, cycle=cycle,
                        requester_key=ticket.requester_key, priority=r.priority, category=r.category,
                        resolved_at=r.resolved_at, ticket_reopens=r.reopen_count, status="pending",
                        delivery="link", email=None, language=None, created_at=now, created_by=actor,
                        send_after=send_after, expires_at=send_after + dt.timedelta(days=settings.expiry_days),
                        send_attempts=0))
    if new:
        conn.execute(insert(Inv), new)
    return len(new)
