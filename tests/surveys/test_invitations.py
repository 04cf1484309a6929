"""Invitations and their rules, on both databases: delay, sampling, fatigue, exclusions,
expiry, reopen, once per ticket, and the batch after an import."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import func, select

from pipelines.ingest import pseudonymise
from scorecard.errors import BadInput
from sql.keys import PSEUDONYM_KEY, get_meta_value
from sql.survey_models import SurveyInvitation, SurveyLink
from surveys.invitations import expire_due, invite_resolved, provider_ref, void_reopened, void_ticket
from surveys.rules import SurveySettings, TicketFacts, decide, read_settings, sample_draw, write_settings
from surveys.tokens import pseudonym, token_hash
from tests.surveys.conftest import NOW, import_tickets, invite, ts


def _settings(engine, provider="Acme IT", **changes):
    with engine.begin() as conn:
        p = provider_ref(conn, provider)
        return write_settings(conn, p.id, p.kind, actor="test", target=p.name, **changes)


def _invitations(engine, provider="Acme IT"):
    with engine.connect() as conn:
        p = provider_ref(conn, provider)
        return conn.execute(select(SurveyInvitation).where(SurveyInvitation.provider_id == p.id)
                            .order_by(SurveyInvitation.id)).all()


# --- pure rules -----------------------------------------------------------------------------

def test_decide_applies_the_ticket_rules_in_order():
    s = SurveySettings(staff_groups=("IT Staff",), exclude_categories=("Duplicate", "Spam"), max_age_days=7)
    t = TicketFacts("T1", status="resolved", resolved_at=NOW - dt.timedelta(days=1), category="Email",
                    requester_group="Sales")
    assert decide(t, s, provider="A", cycle=0, now=NOW) is None
    assert decide(TicketFacts("T1", status="open"), s, provider="A", cycle=0, now=NOW) == "not_resolved"
    assert decide(TicketFacts("T1", status="cancelled"), s, provider="A", cycle=0, now=NOW) == "cancelled"
    assert decide(TicketFacts("T1", category="duplicate"), s, provider="A", cycle=0, now=NOW) == "excluded_category"
    assert decide(TicketFacts("T1", requester_group="it staff"), s, provider="A", cycle=0, now=NOW) == "staff"
    old = TicketFacts("T1", resolved_at=NOW - dt.timedelta(days=8))
    assert decide(old, s, provider="A", cycle=0, now=NOW) == "too_old"


def test_sampling_is_fixed_per_ticket_and_has_the_asked_rate():
    draws = [sample_draw("Acme IT", f"INC{i}", 0) for i in range(20_000)]
    assert draws[:3] == [sample_draw("Acme IT", f"INC{i}", 0) for i in range(3)]
    assert all(0 <= d < 1 for d in draws)
    share = sum(d < 0.3 for d in draws) / len(draws)
    assert abs(share - 0.3) < 0.015  # 3.5 standard errors
    s = SurveySettings(sample_rate=0.3)
    kept = sum(decide(TicketFacts(f"INC{i}"), s, provider="Acme IT", cycle=0, now=NOW) is None for i in range(20_000))
    assert kept == sum(d < 0.3 for d in draws)


@pytest.mark.parametrize("changes, says", [
    ({"sample_rate": 0}, "sample_rate must be above 0"),
    ({"sample_rate": 1.5}, "sample_rate must be above 0"),
    ({"reminder_days": 14}, "reminder_days must be"),
    ({"expiry_days": 0}, "expiry_days must be from 1 to 90"),
    ({"language": "it"}, "language must be one of en, fr, de, es"),
])
def test_bad_settings_are_refused(changes, says):
    with pytest.raises(BadInput, match=says):
        SurveySettings(**changes).checked()


def test_pseudonyms_agree_with_the_import_path():
    ids = pl.Series(["Ann@Example.com ", "bob@example.com"])
    assert pseudonymise(ids, "k3y").to_list() == [pseudonym(v, "k3y") for v in ids]


# --- on the database ------------------------------------------------------------------------

def test_settings_default_per_kind_and_are_audited(engine, providers):
    with engine.connect() as conn:
        acme, lex = provider_ref(conn, "Acme IT"), provider_ref(conn, "Lex Legal")
        assert read_settings(conn, acme.id, acme.kind).questionnaire == "helpdesk"
        assert read_settings(conn, lex.id, lex.kind).questionnaire == "legal"
    new = _settings(engine, sample_rate=0.5, staff_groups=["IT Staff", " "], auto_invite=True)
    assert new.sample_rate == 0.5 and new.staff_groups == ("IT Staff",) and new.auto_invite
    with engine.connect() as conn:
        assert read_settings(conn, acme.id, acme.kind) == new


def test_invitation_stores_only_the_token_hash_and_follows_the_delay(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", "resolved_at": ts(2026, 3, 10, 11)})
    out = invite(engine, "Acme IT", "INC1", email="Ann@Example.com", language="de")
    assert out.invited and out.delivery == "email" and out.language == "de"
    assert len(out.token) == 43  # 32 random bytes, URL-safe
    assert out.send_after == ts(2026, 3, 10, 13) and out.expires_at == ts(2026, 3, 24, 13)
    [row] = _invitations(engine)
    assert row.email == "ann@example.com" and row.sent_at is None and row.status == "pending"
    with engine.connect() as conn:
        key = get_meta_value(conn, PSEUDONYM_KEY)
        stored = conn.execute(select(SurveyLink.token_hash, SurveyLink.channel)).all()
    assert row.requester_key == pseudonym("ann@example.com", key)
    assert stored == [(token_hash(out.token), "cli")]


def test_link_delivery_counts_as_sent_now(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"})
    out = invite(engine, "Acme IT", "INC1")
    [row] = _invitations(engine)
    assert out.delivery == "link" and row.sent_at == NOW and row.sent_month == "2026-03" and row.email is None
    assert out.expires_at == NOW + dt.timedelta(days=14)


def test_a_ticket_is_invited_once_and_reopen_voids_then_allows_a_new_cycle(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"})
    assert invite(engine, "Acme IT", "INC1").invited
    again = invite(engine, "Acme IT", "INC1", email="ann@example.com")
    assert (again.invited, again.reason) == (False, "already_invited")
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", "status": "open", "resolved_at": None, "reopen_count": 1})
    with engine.begin() as conn:
        assert void_reopened(conn, provider_ref(conn, "Acme IT").id, now=NOW) == 1
    [row] = _invitations(engine)
    assert row.status == "void"
    assert invite(engine, "Acme IT", "INC1").reason == "not_resolved"
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", "resolved_at": ts(2026, 3, 12, 9), "reopen_count": 1})
    later = ts(2026, 3, 12, 10)
    assert invite(engine, "Acme IT", "INC1", now=later).invited
    assert [(r.cycle, r.status) for r in _invitations(engine)] == [(0, "void"), (1, "pending")]


def test_resolved_again_later_means_reopened(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"})
    invite(engine, "Acme IT", "INC1")
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", "resolved_at": ts(2026, 3, 10, 9, 30)})
    with engine.begin() as conn:
        assert void_reopened(conn, provider_ref(conn, "Acme IT").id, now=NOW) == 0  # same resolution, within the hour
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", "resolved_at": ts(2026, 3, 11, 9)})
    with engine.begin() as conn:
        assert void_reopened(conn, provider_ref(conn, "Acme IT").id, now=NOW) == 1


@pytest.mark.parametrize("ticket, reason", [
    ({"status": "cancelled", "resolved_at": None}, "cancelled"),
    ({"category": "Duplicate"}, "excluded_category"),
    ({"requester_group": "IT Staff"}, "staff"),
    ({"status": "open", "resolved_at": None}, "not_resolved"),
    ({"opened_at": ts(2026, 2, 27), "resolved_at": ts(2026, 3, 1)}, "too_old"),
])
def test_exclusions(engine, providers, ticket, reason):
    _settings(engine, staff_groups=["IT Staff"])
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", **ticket})
    out = invite(engine, "Acme IT", "INC1", email="ann@example.com")
    assert (out.invited, out.reason) == (False, reason)
    assert _invitations(engine) == []


def test_fatigue_one_invitation_per_person_in_n_days(engine, providers):
    _settings(engine, fatigue_days=30)
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"}, {"ticket_id": "INC2"},
                   {"ticket_id": "INC3", "requester": "bob@example.com"})
    assert invite(engine, "Acme IT", "INC1").invited
    assert invite(engine, "Acme IT", "INC2").reason == "fatigue"
    assert invite(engine, "Acme IT", "INC3").invited  # another person
    # the same person named by email through the API is the same pseudonym
    assert invite(engine, "Acme IT", "INC9", email="ANN@example.com", resolved_at=NOW).reason == "fatigue"
    later = NOW + dt.timedelta(days=31)
    import_tickets(engine, "Acme IT", {"ticket_id": "INC4", "resolved_at": later - dt.timedelta(hours=1)})
    assert invite(engine, "Acme IT", "INC4", now=later).invited


def test_language_must_be_offered(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"})
    with pytest.raises(BadInput, match="not offered by questionnaire helpdesk@1"):
        invite(engine, "Acme IT", "INC1", language="it")


def test_expiry_and_void_drop_the_email(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"}, {"ticket_id": "INC2", "requester": "bob@example.com"})
    invite(engine, "Acme IT", "INC1", email="ann@example.com")
    invite(engine, "Acme IT", "INC2", email="bob@example.com")
    with engine.begin() as conn:
        p = provider_ref(conn, "Acme IT")
        assert void_ticket(conn, p.id, "INC2", now=NOW) == 1
        assert expire_due(conn, now=NOW + dt.timedelta(days=13)) == 0
        assert expire_due(conn, now=NOW + dt.timedelta(days=15)) == 1
    assert [(r.ticket_id, r.status, r.email) for r in _invitations(engine)] == [
        ("INC1", "expired", None), ("INC2", "void", None)]


def test_invite_resolved_after_an_import(engine, providers):
    rows = [{"ticket_id": f"INC{i}", "requester": f"user{i % 7}@example.com",
             "resolved_at": ts(2026, 3, 9, 8) + dt.timedelta(hours=i)} for i in range(20)]
    rows += [{"ticket_id": "DUP1", "category": "Duplicate", "requester": "z@example.com"},
             {"ticket_id": "OLD1", "opened_at": ts(2026, 1, 30), "resolved_at": ts(2026, 2, 1), "requester": "y@example.com"},
             {"ticket_id": "OPEN1", "status": "open", "resolved_at": None, "requester": "x@example.com"}]
    import_tickets(engine, "Acme IT", *rows)
    off = invite_resolved(engine, "Acme IT", now=NOW)
    assert (off.auto_invite, off.created) == (False, 0) and "off" in off.summary()
    _settings(engine, auto_invite=True, fatigue_days=30, delay_hours=3)
    summary = invite_resolved(engine, "Acme IT", now=NOW)
    assert summary.created == 7  # seven people, one invitation each
    assert summary.skipped == {"fatigue": 13, "excluded_category": 1}
    invs = _invitations(engine)
    assert {r.delivery for r in invs} == {"link"} and all(r.sent_at is None for r in invs)
    first = next(r for r in invs if r.ticket_id == "INC0")
    assert first.send_after == NOW  # resolved more than three hours ago: due now
    last = next(r for r in invs if r.ticket_id == "INC6")
    assert last.send_after == max(NOW, ts(2026, 3, 9, 14) + dt.timedelta(hours=3))
    assert invite_resolved(engine, "Acme IT", now=NOW).created == 0  # nothing twice
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SurveyLink)) == 0  # links come with the CSV export


def test_invite_resolved_in_the_callers_transaction(engine, providers):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1"})
    _settings(engine, auto_invite=True)
    with engine.begin() as conn:
        assert invite_resolved(conn, "Acme IT", now=NOW).created == 1
        conn.rollback()
    assert _invitations(engine) == []
