"""Survey fixtures: providers with imported tickets, invitations, the app, a served app."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest import import_frame
from scorecard import facts as F
from sql import repo
from sql.engine import session_scope
from surveys.invitations import InviteRequest, invite_ticket, provider_ref
from tests.conftest import SECRET
from tests.web import csrf_from, served as web_served

__all__ = ["csrf_from"]

UTC = dt.timezone.utc


def ts(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


NOW = ts(2026, 3, 10, 12, 0)


def ticket_rows(*rows: dict) -> pl.DataFrame:
    """Canonical tickets: each row needs ticket_id; the rest defaults to a resolved P3 ticket."""
    base = {"kind": "incident", "opened_at": ts(2026, 3, 2, 9), "first_response_at": None,
            "resolved_at": ts(2026, 3, 10, 9), "closed_at": None, "status": "resolved", "priority": "P3",
            "category": "Software", "channel": "portal", "requester": "ann@example.com",
            "requester_group": "Sales", "assignee_group": "Service Desk", "reassignment_count": 0,
            "reopen_count": 0, "hours_spent": 1.0}
    full = [{**base, **r} for r in rows]
    return pl.DataFrame(full, schema={k: v for k, v in F.TICKETS.schema.items() if k != F.PROVIDER})


def import_tickets(engine, provider: str, *rows: dict) -> None:
    with engine.begin() as conn:
        import_frame(conn, provider, "tickets", ticket_rows(*rows), source="test", actor="test")


def invite(engine, provider: str, ticket_id: str, *, now: dt.datetime = NOW, channel: str = "cli", **fields):
    with engine.begin() as conn:
        return invite_ticket(conn, provider_ref(conn, provider), InviteRequest(ticket_id, **fields),
                             actor="test", channel=channel, now=now)


@pytest.fixture
def providers(engine):
    """Acme IT (helpdesk questionnaire, London) and Lex Legal (anonymous legal one, New York)."""
    with session_scope(engine) as s:
        repo.add_provider(s, "Acme IT", "it", "Europe/London", actor="test")
        repo.add_provider(s, "Lex Legal", "legal", "America/New_York", actor="test")
    return ("Acme IT", "Lex Legal")


@pytest.fixture
def survey_app(engine, providers):
    from dashboard import settings
    from dashboard.app import create_app

    flask_app = create_app(settings.load({}, secret_key=SECRET), engine)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def web(survey_app):
    return survey_app.test_client()


HELPDESK_OK = {"questionnaire": "helpdesk@1", "satisfaction": "4", "resolved": "yes", "recommend": "9"}
LEGAL_OK = {"questionnaire": "legal@1", "satisfaction": "5", "met_needs": "yes", "recommend": "10"}


@contextmanager
def served(db_url: str, folder: Path, *, workers: int = 2):
    """A real `steerco serve` (gunicorn, threaded workers) on ``db_url``, with the tests' secret."""
    with web_served(db_url, folder, workers=workers, secret=SECRET) as base:
        yield base
