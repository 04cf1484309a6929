"""Delivery: invitations and one reminder by email through an SMTP server, or as a CSV of links
for the ticketing tool to send itself.

Nothing is marked sent that was not: an invitation's ``sent_at`` (or ``reminded_at``) is set
only after the SMTP server accepted the message. A refused or unreachable server leaves the
invitation pending with ``send_attempts`` and ``last_error``; the next ``steerco survey send``
tries again, until the invitation expires. The email address is dropped once the last message
(the reminder, or the invitation when no reminder is planned) has gone, or when the invitation
is answered, voided or expires.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import Connection, Engine, delete, select, update

from scorecard.months import month_of
from sql.models import Provider
from sql.survey_models import SurveyInvitation as Inv
from sql.survey_models import SurveyLink, SurveyQuestionnaire
from surveys import throttle
from surveys.i18n import message
from surveys.invitations import expire_due, issue_link, link_url, utcnow
from surveys.library import questionnaire_by_id
from surveys.questionnaire import Questionnaire
from surveys.rules import read_settings
from surveys.tokens import token_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    security: str = "starttls"    # starttls | tls | none
    user: str | None = None
    password: str | None = None
    sender: str = ""
    timeout: float = 30.0


@dataclass
class SendReport:
    due: int = 0
    sent: int = 0
    reminded: int = 0
    failed: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return f"{self.due} messages are due (dry run: nothing sent)"
        text = f"sent {self.sent} invitations and {self.reminded} reminders, {self.expired} invitations expired"
        if self.failed:
            text += f"; {self.failed} failed and stay pending (retried next time): {self.errors[0]}"
        return text


@dataclass(frozen=True)
class Due:
    invitation_id: int
    reminder: bool
    email: str
    ticket_id: str
    language: str
    timezone: str
    expires_at: dt.datetime
    reminder_days: int
    questionnaire_id: int
    attempts: int


def compose(q: Questionnaire, due: Due, *, url: str, sender: str) -> EmailMessage:
    """The invitation or reminder: plain text first, with a simple HTML alternative."""
    lang = due.language if due.language in q.languages else q.languages[0]
    t = lambda key, **kw: message(lang, key, **kw)  # noqa: E731
    ticket = due.ticket_id
    subject = t("email_reminder_subject" if due.reminder else "email_subject", ticket=ticket)
    body = t("email_reminder_body" if due.reminder else "email_body", ticket=ticket)
    expiry = t("email_expiry", date=due.expires_at.date().isoformat())
    notes = [expiry] + ([t("email_anonymous")] if q.anonymous else [])
    text = "\n\n".join([t("email_greeting"), body, f"{t('email_link')}\n{url}", *notes, "-- ", t("email_footer")])
    first = q.first_scale_question()
    quick = ""
    if first is not None and first.type == "rating":
        links = "".join(f'<li><a href="{html.escape(url)}?r={v}">{v}</a></li>' for v in first.values)
        quick = f"<p>{html.escape(t('email_quick'))}</p><ul class=\"quick\">{links}</ul>"
    html_body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>'
        f'<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; color: #1f2933">'
        f"<p>{html.escape(t('email_greeting'))}</p><p>{html.escape(body)}</p>"
        f'<p><a href="{html.escape(url)}" style="color: #1c4e80; font-weight: bold">{html.escape(t("email_link").rstrip(":").strip())}</a></p>'
        f"{quick}" + "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        + f'<p style="color: #52606d; font-size: 14px">{html.escape(t("email_footer"))}</p></body></html>')
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = due.email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=(parseaddr(sender)[1].rsplit("@", 1)[-1] or None))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    msg["Content-Language"] = lang  # after the content: set_content() replaces Content-* headers
    return msg


def due_messages(conn: Connection, *, now: dt.datetime, provider_id: int | None = None) -> list[Due]:
    """Invitations whose first message or reminder is due, oldest first."""
    q = (select(Inv.id, Inv.sent_at, Inv.email, Inv.ticket_id, Inv.language, Inv.expires_at, Inv.provider_id,
                Inv.questionnaire_id, Inv.send_after, Inv.send_attempts, Provider.timezone, Provider.kind)
         .join(Provider, Provider.id == Inv.provider_id)
         .where(Inv.status == "pending", Inv.delivery == "email", Inv.email.is_not(None), Inv.expires_at > now,
                Inv.reminded_at.is_(None))
         .order_by(Inv.send_after, Inv.id))
    if provider_id is not None:
        q = q.where(Inv.provider_id == provider_id)
    settings: dict[int, object] = {}
    out = []
    for r in conn.execute(q):
        s = settings.get(r.provider_id)
        if s is None:
            s = settings[r.provider_id] = read_settings(conn, r.provider_id, r.kind)
        if r.sent_at is None:
            if r.send_after > now:
                continue
            reminder = False
        else:
            if s.reminder_days <= 0 or r.sent_at + dt.timedelta(days=s.reminder_days) > now:
                continue
            reminder = True
        out.append(Due(r.id, reminder, r.email, r.ticket_id, r.language or s.language, r.timezone, r.expires_at,
                       s.reminder_days, r.questionnaire_id, r.send_attempts))
    return out


def _connect(cfg: SmtpConfig) -> smtplib.SMTP:
    if cfg.security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    try:
        if cfg.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if cfg.user:
            server.login(cfg.user, cfg.password or "")
    except BaseException:
        server.close()
        raise
    return server


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"recipient refused: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"SMTP server refused: {exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}".strip()


def _failed(engine: Engine, due: Due, reason: str, token: str | None) -> None:
    with engine.begin() as conn:
        if token is not None:
            conn.execute(delete(SurveyLink).where(SurveyLink.token_hash == token_hash(token)))
        conn.execute(update(Inv).where(Inv.id == due.invitation_id)
                     .values(send_attempts=Inv.send_attempts + 1, last_error=reason[:500]))


def _succeeded(engine: Engine, due: Due, now: dt.datetime) -> None:
    if due.reminder:
        values = dict(reminded_at=now, email=None)
    else:
        values = dict(sent_at=now, sent_month=month_of(now, due.timezone), send_attempts=Inv.send_attempts + 1,
                      last_error=None)
        if due.reminder_days <= 0:
            values["email"] = None
    with engine.begin() as conn:
        conn.execute(update(Inv).where(Inv.id == due.invitation_id).values(**values))


def send_due(engine: Engine, smtp: SmtpConfig, *, base_url: str, now: dt.datetime | None = None,
             provider_id: int | None = None, dry_run: bool = False) -> SendReport:
    """Send every invitation and reminder that is due; see the module docstring for the rules."""
    now = now or utcnow()
    report = SendReport(dry_run=dry_run)
    with engine.begin() as conn:
        if not dry_run:
            report.expired = expire_due(conn, now=now, provider_id=provider_id)
            throttle.prune(conn, now=now)
        due = due_messages(conn, now=now, provider_id=provider_id)
        shas = dict(conn.execute(select(SurveyQuestionnaire.id, SurveyQuestionnaire.sha256)).all())
        questionnaires = {qid: questionnaire_by_id(conn, qid, shas.get(qid)) for qid in {d.questionnaire_id for d in due}}
    report.due = len(due)
    if dry_run or not due:
        return report
    server: smtplib.SMTP | None = None
    try:
        for i, item in enumerate(due):
            if server is None:
                try:
                    server = _connect(smtp)
                except (smtplib.SMTPException, OSError) as exc:
                    reason = f"cannot use the SMTP server {smtp.host}:{smtp.port}: {_reason(exc)}"
                    log.warning("survey emails not sent: %s", reason)
                    _failed_all(engine, [d.invitation_id for d in due[i:]], reason)
                    report.failed += len(due) - i
                    report.errors.append(reason)
                    break
            token = None
            try:
                with engine.begin() as conn:
                    token = issue_link(conn, item.invitation_id, "reminder" if item.reminder else "email", now=now)
                msg = compose(questionnaires[item.questionnaire_id], item, url=link_url(base_url, token),
                              sender=smtp.sender)
                server.send_message(msg)
            except (smtplib.SMTPException, OSError) as exc:
                reason = _reason(exc)
                log.warning("survey email for invitation %s not sent: %s", item.invitation_id, reason)
                _failed(engine, item, reason, token)
                report.failed += 1
                report.errors.append(reason)
                if not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                                        smtplib.SMTPSenderRefused)):
                    _close(server)
                    server = None  # reconnect for the next message
                continue
            _succeeded(engine, item, now)
            if item.reminder:
                report.reminded += 1
            else:
                report.sent += 1
    finally:
        _close(server)
    return report


def _failed_all(engine: Engine, ids: list[int], reason: str) -> None:
    with engine.begin() as conn:
        for chunk in range(0, len(ids), 500):
            conn.execute(update(Inv).where(Inv.id.in_(ids[chunk:chunk + 500]))
                         .values(send_attempts=Inv.send_attempts + 1, last_error=reason[:500]))


def _close(server: smtplib.SMTP | None) -> None:
    if server is None:
        return
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


LINK_COLUMNS = ("ticket_id", "message", "language", "link", "expires_at")


def take_links(engine: Engine, provider_id: int, *, base_url: str, now: dt.datetime | None = None,
               reminders: bool = False) -> list[dict]:
    """Links for the ticketing tool to send itself: one new link per invitation delivered as a
    link whose time has come (and, with ``reminders``, per due reminder), marked sent now. Each
    link is returned here once; only its hash is kept."""
    now = now or utcnow()
    rows: list[dict] = []
    with engine.begin() as conn:
        expire_due(conn, now=now, provider_id=provider_id)
        provider = conn.execute(select(Provider.kind, Provider.timezone).where(Provider.id == provider_id)).one()
        settings = read_settings(conn, provider_id, provider.kind)
        q = (select(Inv.id, Inv.ticket_id, Inv.language, Inv.expires_at, Inv.sent_at, Inv.send_after)
             .where(Inv.provider_id == provider_id, Inv.status == "pending", Inv.delivery == "link",
                    Inv.expires_at > now, Inv.reminded_at.is_(None))
             .order_by(Inv.send_after, Inv.id))
        for r in conn.execute(q).all():
            if r.sent_at is None:
                kind = "invitation"
                if r.send_after > now:
                    continue
                values = dict(sent_at=now, sent_month=month_of(now, provider.timezone))
            elif reminders and settings.reminder_days > 0 and r.sent_at + dt.timedelta(days=settings.reminder_days) <= now:
                kind = "reminder"
                values = dict(reminded_at=now)
            else:
                continue
            token = issue_link(conn, r.id, "csv" if kind == "invitation" else "csv-reminder", now=now)
            conn.execute(update(Inv).where(Inv.id == r.id).values(**values))
            rows.append({"ticket_id": r.ticket_id, "message": kind, "language": r.language or settings.language,
                         "link": link_url(base_url, token),
                         "expires_at": r.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return rows
