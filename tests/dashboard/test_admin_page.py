"""The Administration hub (``/admin``): ``hub`` drawn from literal data, and the page through the
router for each role (administrators only; the others get a refusal and no data)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from plotly.io.json import to_json_plotly

from dashboard import ids
from dashboard.api import create_token
from dashboard.pages.admin import hub
from sql.engine import session_scope
from sql.models import AuditEntry
from sql.repo import get_provider
from sql.scorecards import add_version
from tests.dashboard.conftest import USERS, login
from tests.dashboard.dash_client import by_id, find, open_page, text_of

AT = dt.datetime(2026, 10, 3, 9, 15, tzinfo=dt.timezone.utc)
COUNTS = {"admin": {"active": 2, "inactive": 0}, "executive": {"active": 3, "inactive": 1},
          "reviewer": {"active": 1, "inactive": 0}, "provider": {"active": 0, "inactive": 2}}
IMPORT = {"id": 7, "at": AT, "actor": "ann@example.com", "action": "import", "target": "Acme IT/tickets",
          "details": {"fact": "tickets", "provider": "Acme IT", "source": "tickets-oct.csv", "rows": 1200, "new": 1000,
                      "updated": 150, "unchanged": 50, "skipped": {"cancelled": 3}, "dry_run": False}}
VERSIONS = [{"effective_month": m, "loaded_at": AT, "loaded_by": "ann@example.com", "sha256": "ab" * 32}
            for m in ("2025-01", "2026-07", "2027-01")]


def tree(component) -> dict:
    return json.loads(to_json_plotly(component))


def data(**changes) -> dict:
    base = {"users": COUNTS, "tokens": {"active": 2, "revoked": 1}, "imports": [IMPORT],
            "scorecards": [{"provider": "Acme IT", "versions": VERSIONS}, {"provider": "Lex Legal", "versions": []}],
            "audit": [{"id": 9, "at": AT, "actor": "ann@example.com", "action": "user.add", "target": "bob@example.com",
                       "details": "{}"}]}
    return {**base, **changes}


def links(page) -> dict[str, str]:
    return {c["props"]["id"]: c["props"]["href"] for c in find(page, lambda c: c.get("type") == "A")
            if c["props"].get("id")}


def test_the_hub_has_a_panel_and_a_link_for_each_task():
    page = tree(hub(data(), today=dt.date(2026, 10, 15)))
    assert text_of(by_id(page, ids.PAGE_TITLE)) == "Administration"
    assert links(page) == {
        ids.ADMIN_USERS_LINK: "/admin/users", ids.ADMIN_TOKENS_LINK: "/admin/tokens",
        ids.ADMIN_IMPORTS_LINK: "/admin/imports", ids.ADMIN_SCORECARDS_LINK: "/admin/scorecards",
        ids.ADMIN_QUESTIONNAIRES_LINK: "/admin/questionnaires", ids.ADMIN_AUDIT_LINK: "/admin/audit"}
    users = text_of(by_id(page, ids.ADMIN_USERS))
    assert "6 active users , 3 deactivated" in users
    assert "Executive 3 1" in users and "Provider 0 2" in users
    assert "2 active tokens , 1 revoked" in text_of(by_id(page, ids.ADMIN_TOKENS))
    imports = text_of(by_id(page, ids.ADMIN_IMPORTS))
    assert ("2026-10-03 09:15 UTC ann@example.com tickets Acme IT 1,200 rows, 1,000 new, 150 updated, 50 unchanged, "
            "skipped 3 cancelled tickets-oct.csv") in imports
    scorecards = text_of(by_id(page, ids.ADMIN_SCORECARDS))
    assert "from January 2025 — superseded" in scorecards
    assert "from July 2026 — in force" in scorecards
    assert "from January 2027 — from a later month" in scorecards
    assert "Lex Legal No scorecard loaded yet: upload the agreed version" in scorecards
    assert "2026-10-03 09:15 UTC ann@example.com user.add bob@example.com" in text_of(by_id(page, ids.ADMIN_AUDIT))


def test_the_version_in_force_follows_the_month():
    before = text_of(by_id(tree(hub(data(), today=dt.date(2026, 6, 30))), ids.ADMIN_SCORECARDS))
    assert "from January 2025 — in force" in before and "from July 2026 — from a later month" in before
    later = text_of(by_id(tree(hub(data(), today=dt.date(2027, 1, 1))), ids.ADMIN_SCORECARDS))
    assert "from January 2027 — in force" in later and "from July 2026 — superseded" in later


def test_empty_panels_say_what_to_do_next():
    empty = {role: {"active": 0, "inactive": 0} for role in COUNTS}
    page = tree(hub(data(users=empty, tokens={"active": 0, "revoked": 0}, imports=[], scorecards=[], audit=[]),
                    today=dt.date(2026, 10, 15)))
    assert "No users yet" in text_of(by_id(page, ids.ADMIN_USERS))
    assert "No API tokens yet. Create one when a tool" in text_of(by_id(page, ids.ADMIN_TOKENS))
    assert "No imports yet: upload a file on the imports page, or run steerco import tickets" in text_of(
        by_id(page, ids.ADMIN_IMPORTS))
    assert "No providers yet: add one with steerco provider add" in text_of(by_id(page, ids.ADMIN_SCORECARDS))
    assert "The audit log is empty" in text_of(by_id(page, ids.ADMIN_AUDIT))
    assert len(links(page)) == 6  # every task stays reachable


def _client(app, role: str):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    return client


def test_the_page_shows_what_is_stored(app, engine):
    with session_scope(engine) as s:
        acme = get_provider(s, "Acme IT")
        add_version(s, acme.id, acme.name, "2026-01", "[scorecard]\n", actor=USERS["admin"])
        s.add(AuditEntry(actor=USERS["admin"], action="import", target="Acme IT/outages", at=AT,
                         details=json.dumps({"fact": "outages", "provider": "Acme IT", "source": "outages.csv",
                                             "rows": 12, "new": 12, "updated": 0, "unchanged": 0})))
    with engine.begin() as conn:
        create_token(conn, "ServiceNow", "survey-invitations", provider_id=None, actor=USERS["admin"])
    page = open_page(_client(app, "admin"), "/admin")
    assert by_id(page, ids.ADMIN_PAGE) is not None
    assert "4 active users" in text_of(by_id(page, ids.ADMIN_USERS))
    assert "1 active token" in text_of(by_id(page, ids.ADMIN_TOKENS))
    assert "admin@example.com outages Acme IT 12 rows, 12 new, 0 updated, 0 unchanged" in text_of(
        by_id(page, ids.ADMIN_IMPORTS))
    scorecards = text_of(by_id(page, ids.ADMIN_SCORECARDS))
    assert "Acme IT from January 2026 — in force" in scorecards and "Lex Legal No scorecard loaded yet" in scorecards
    audit = text_of(by_id(page, ids.ADMIN_AUDIT))
    assert "token.create ServiceNow" in audit and "scorecard.load Acme IT" in audit


@pytest.mark.parametrize("role", ["executive", "reviewer", "provider"])
def test_other_roles_get_a_refusal_and_no_data(app, role):
    client = _client(app, role)
    page = open_page(client, "/admin")
    text = text_of(page)
    assert "Not available to you" in text and "only admin users may use the administration pages" in text
    assert by_id(page, ids.ADMIN_USERS) is None and USERS["admin"] not in json.dumps(page)
    assert "/admin" not in json.dumps(client.get("/_dash-layout").get_json())  # nor is it in their menu
    admin_menu = json.dumps(_client(app, "admin").get("/_dash-layout").get_json())
    assert '"href":"/admin"' in admin_menu.replace(" ", "").replace("\\u002f", "/")
