"""Email delivery against a real SMTP server on loopback (aiosmtpd), including servers that
refuse or are not there: nothing is marked sent that was not, and it is retried."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from scorecard.months import month_of
from sql.survey_models import SurveyInvitation, SurveyLink
from surveys.delivery import SmtpConfig, send_due
from surveys.invitations import provider_ref
from surveys.rules import write_settings
from tests.surveys.conftest import HELPDESK_OK, csrf_from, import_tickets, invite
from tests.web import free_port

BASE = "https://steerco.example"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


class Refusing:
    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        return "550 5.1.1 mailbox unavailable"


@contextmanager
def smtp_server(handler):
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpConfig(host="127.0.0.1", port=port, security="none", sender="Service Desk <desk@example.com>",
                         timeout=5)
    finally:
        controller.stop()


def _text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def _link(msg) -> str:
    return re.search(rf"{re.escape(BASE)}(/s/[A-Za-z0-9_-]{{43}})\b", _text(msg)).group(1)


def _rows(engine):
    with engine.connect() as conn:
        return {r.ticket_id: r for r in conn.execute(select(SurveyInvitation))}


def _setup(engine):
    import_tickets(engine, "Acme IT",
                   {"ticket_id": "INC1", "opened_at": NOW - dt.timedelta(days=1), "resolved_at": NOW - dt.timedelta(hours=3)},
                   {"ticket_id": "INC2", "requester": "bob@example.com", "opened_at": NOW - dt.timedelta(days=1),
                    "resolved_at": NOW - dt.timedelta(hours=1)},
                   {"ticket_id": "INC3", "requester": "cy@example.com", "opened_at": NOW - dt.timedelta(days=1),
                    "resolved_at": NOW - dt.timedelta(hours=3)})
    invite(engine, "Acme IT", "INC1", now=NOW, email="ann@example.com", language="de")
    invite(engine, "Acme IT", "INC2", now=NOW, email="bob@example.com")
    invite(engine, "Acme IT", "INC3", now=NOW)  # a link for the ticketing tool: never emailed


def test_invitations_then_one_reminder_only_to_those_who_did_not_answer(engine, web):
    _setup(engine)
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        first = send_due(engine, smtp, base_url=BASE, now=NOW)
        assert (first.sent, first.reminded, first.failed) == (1, 0, 0)  # INC2 still within its two-hour delay
        second = send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(hours=2))
        assert (second.sent, second.failed) == (1, 0)
        [ann, bob] = inbox.messages
        assert ann["To"] == "ann@example.com" and ann["Subject"] == "Wie waren wir? Ihre Anfrage INC1"
        assert ann["Content-Language"] == "de" and ann["Auto-Submitted"] == "auto-generated"
        assert "Die Umfrage dauert etwa eine Minute." in _text(ann)
        assert bob["Subject"] == "How did we do? Your request INC2" and bob["From"] == "Service Desk <desk@example.com>"
        html = ann.get_body(preferencelist=("html",)).get_content()
        assert '<html lang="de">' in html and f'{_link(ann)}?r=5">5</a>' in html
        rows = _rows(engine)
        assert rows["INC1"].sent_at == NOW and rows["INC1"].sent_month == month_of(NOW, "Europe/London")
        assert rows["INC1"].email == "ann@example.com"  # kept for the reminder
        assert rows["INC3"].sent_at is not None and rows["INC3"].email is None
        # Ann answers from her email's link, in German
        form = web.get(_link(ann), headers={"Accept-Language": "en"})
        assert form.status_code == 200 and '<html lang="de">' in form.get_data(as_text=True)
        done = web.post(_link(ann), data={**HELPDESK_OK, "csrf_token": csrf_from(form.get_data(as_text=True))})
        assert done.status_code == 200
        assert _rows(engine)["INC1"].email is None  # answered: the address is gone
        nothing = send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(days=4))
        assert (nothing.sent, nothing.reminded) == (0, 0)
        later = send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(days=5, hours=3))
        assert (later.sent, later.reminded) == (0, 1)
        reminder = inbox.messages[-1]
        assert reminder["To"] == "bob@example.com" and reminder["Subject"].startswith("Reminder:")
        assert "This is the only reminder we send." in _text(reminder)
        assert web.get(_link(reminder)).status_code == 200 and web.get(_link(bob)).status_code == 200  # both work
        bob_row = _rows(engine)["INC2"]
        assert bob_row.reminded_at is not None and bob_row.email is None  # the last message: address dropped
        assert send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(days=9)).reminded == 0
    assert len(inbox.messages) == 3


def test_without_reminders_the_address_goes_after_the_first_message(engine, web):
    _setup(engine)
    with engine.begin() as conn:
        p = provider_ref(conn, "Acme IT")
        write_settings(conn, p.id, p.kind, actor="test", target=p.name, reminder_days=0)
    with smtp_server(Inbox()) as smtp:
        assert send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(hours=3)).sent == 2
    assert {r.email for r in _rows(engine).values()} == {None}


def test_a_refusing_server_leaves_invitations_pending_and_they_are_retried(engine, web):
    _setup(engine)
    later = NOW + dt.timedelta(hours=3)
    with smtp_server(Refusing()) as smtp:
        report = send_due(engine, smtp, base_url=BASE, now=later)
    assert (report.sent, report.failed) == (0, 2) and "550" in report.summary()
    rows = _rows(engine)
    for ticket in ("INC1", "INC2"):
        assert rows[ticket].sent_at is None and rows[ticket].status == "pending"
        assert rows[ticket].send_attempts == 1 and "550 5.1.1 mailbox unavailable" in rows[ticket].last_error
        assert rows[ticket].email is not None
    with engine.connect() as conn:
        assert conn.execute(select(SurveyLink.channel).where(SurveyLink.channel == "email")).all() == []
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        retry = send_due(engine, smtp, base_url=BASE, now=later + dt.timedelta(minutes=10))
    assert (retry.sent, retry.failed) == (2, 0) and len(inbox.messages) == 2
    rows = _rows(engine)
    assert rows["INC1"].send_attempts == 2 and rows["INC1"].last_error is None and rows["INC1"].sent_at is not None


def test_an_unreachable_server_marks_nothing_sent(engine, web):
    _setup(engine)
    nobody = SmtpConfig(host="127.0.0.1", port=free_port(), security="none", sender="desk@example.com", timeout=2)
    report = send_due(engine, nobody, base_url=BASE, now=NOW + dt.timedelta(hours=3))
    assert (report.sent, report.failed) == (0, 2)
    assert "cannot use the SMTP server" in report.errors[0]
    assert all(r.sent_at is None for t, r in _rows(engine).items() if t != "INC3")


def test_expired_invitations_are_not_sent_and_lose_their_address(engine, web):
    _setup(engine)
    with smtp_server(Inbox()) as smtp:
        report = send_due(engine, smtp, base_url=BASE, now=NOW + dt.timedelta(days=20))
    assert report.sent == 0 and report.expired == 3
    assert {(r.status, r.email) for r in _rows(engine).values()} == {("expired", None)}


def test_the_send_command(engine, web, run_cli, monkeypatch):
    _setup(engine)
    missing = run_cli("survey", "send")
    assert missing.exit_code == 2 and "STEERCO_SMTP_HOST and STEERCO_SMTP_FROM are not set" in missing.output
    monkeypatch.setenv("STEERCO_SMTP_FROM", "desk@example.com")
    monkeypatch.setenv("STEERCO_SMTP_SECURITY", "none")
    monkeypatch.setenv("STEERCO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STEERCO_SMTP_PORT", str(free_port()))
    no_url = run_cli("survey", "send")
    assert no_url.exit_code == 2 and "STEERCO_PUBLIC_URL is not set" in no_url.output
    monkeypatch.setenv("STEERCO_PUBLIC_URL", BASE)
    dry = run_cli("survey", "send", "--dry-run")
    assert dry.exit_code == 0 and "1 messages are due (dry run: nothing sent)" in dry.output
    refused = run_cli("survey", "send")
    assert refused.exit_code == 1 and "failed and stay pending" in refused.output
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        monkeypatch.setenv("STEERCO_SMTP_PORT", str(smtp.port))
        ok = run_cli("survey", "send", "--provider", "Acme IT")
    assert ok.exit_code == 0, ok.output
    assert "sent 1 invitations and 0 reminders" in ok.output and len(inbox.messages) == 1


@pytest.fixture(autouse=True)
def _providers(providers):
    return providers
