"""Administration through the Flask test client, on SQLite and PostgreSQL: users and roles, API
tokens, the audit log. Each form's success, each bad input changing nothing, every route and
form refused to the other roles, the audit entries, a revoked token refused by the API, a
deactivated user logged out."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from dashboard.passwords import hash_password, verify_password
from scorecard.errors import BadInput
from sql import admin as store
from sql.engine import session_scope
from sql.models import ApiToken, AuditEntry, User
from sql.repo import find_user
from surveys.tokens import token_hash
from tests.dashboard.conftest import PASSWORD, USERS, csrf_from, login

NEW_PASSWORD = "a brand new passphrase"
ADMIN_GETS = ("/admin/users", "/admin/users/1", "/admin/tokens", "/admin/audit", "/admin/audit.csv")


def as_role(app, role: str):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    return client


def token_of(client, path: str = "/admin/users") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def dash_token(client) -> str:
    """A valid CSRF token for any logged-in user: the one in the logout form of the Dash shell."""
    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = re.search(r'"value":"([^"]+)"(?:,"[a-z]+":"[^"]*")*,"name":"csrf_token"', layout)
    assert found, "no CSRF token in the Dash layout"
    return found.group(1)


def shell(client) -> str:
    """The Dash shell's layout as text (it names who is logged in, with role and provider)."""
    return json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, form: str, field: str) -> str:
    found = re.search(rf'id="{form}-{field}-error"><span class="visually-hidden">Error: </span>([^<]*)<',
                      response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else ""


def snapshot(engine) -> dict:
    """Everything the admin forms could change."""
    with session_scope(engine) as s:
        users = sorted((u.email, u.role, u.provider_id, u.active, u.password_hash) for u in s.scalars(select(User)))
        tokens = sorted((t.name, t.token_hash, t.revoked_at) for t in s.scalars(select(ApiToken)))
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    return {"users": users, "tokens": tokens, "audit": entries}


def entries(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def user_id(engine, email: str) -> int:
    with session_scope(engine) as s:
        return find_user(s, email).id


def add_form(token: str, **given) -> dict:
    form = {"csrf_token": token, "email": "new@example.com", "role": "executive", "provider": "",
            "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    form.update(given)
    return form


# ---------------------------------------------------------------------- who may use these pages

def _admin_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every route of the admin blueprint."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = re.sub(r"<int:[^>]+>", "1", rule.rule)
            found += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.parametrize("role", ["executive", "reviewer", "provider"])
def test_other_roles_are_refused_on_every_admin_route_and_form(app, engine, role):
    routes = _admin_routes(app)
    assert {p for _m, p in routes} >= {"/admin/users", "/admin/users/1", "/admin/users/1/role",
                                       "/admin/users/1/active", "/admin/users/1/password", "/admin/tokens",
                                       "/admin/tokens/1/revoke", "/admin/audit", "/admin/audit.csv"}
    admin = as_role(app, "admin")
    assert admin.post("/admin/tokens", data={"csrf_token": token_of(admin, "/admin/tokens"), "name": "tool",
                                             "scope": "survey-invitations"}).status_code == 200
    before = snapshot(engine)
    client = as_role(app, role)
    token = dash_token(client)
    form = {"csrf_token": token, **add_form(token, email="sneaky@example.com", role="admin"), "active": "0",
            "name": "sneaky", "scope": "survey-invitations"}
    for method, path in routes:
        response = client.open(path, method=method, data=form if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)
        body = text(response)
        assert "Not available to you" in body and "only admin users may" in body
        assert USERS["admin"] not in body and "sneaky" not in body
        response.close()
    assert snapshot(engine) == before
    assert client.get("/admin").status_code == 200  # the Dash shell; the hub itself refuses (test_admin_page.py)


def test_anonymous_requests_go_to_the_login(client):
    assert client.get("/admin/users").headers["Location"].startswith("/login?next=")
    assert client.post("/admin/users", data={}).status_code == 401


def test_a_form_without_its_csrf_token_is_refused(app, engine):
    admin = as_role(app, "admin")
    before = snapshot(engine)
    response = admin.post("/admin/users", data={k: v for k, v in add_form("").items() if k != "csrf_token"})
    assert response.status_code == 400 and "This form has expired" in text(response)
    wrong = admin.post("/admin/tokens", data={"csrf_token": "not-a-token", "name": "x", "scope": "survey-invitations"})
    assert wrong.status_code == 400
    assert snapshot(engine) == before


# ---------------------------------------------------------------------- users

def test_an_administrator_adds_a_user_who_can_log_in(app, engine):
    admin = as_role(app, "admin")
    response = admin.post("/admin/users", data=add_form(token_of(admin), email="  Dana@Example.com ",
                                                        role="provider", provider="Lex Legal"))
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    page = text(admin.get("/admin/users"))
    assert "Added dana@example.com as provider for Lex Legal. They can log in now." in page
    row = re.search(r'id="user-link-(\d+)">dana@example.com</a></th>\s*<td>Provider</td>\s*<td>Lex Legal</td>\s*'
                    r'<td><span class="admin-status admin-status-active">● active</span>', page)
    assert row, "the new user is listed with role, provider and status"
    [entry] = entries(engine, "user.add")[-1:]
    assert (entry.actor, entry.target) == (USERS["admin"], "dana@example.com")
    assert json.loads(entry.details) == {"provider": "Lex Legal", "role": "provider"}
    dana = app.test_client()
    assert login(dana, "dana@example.com", NEW_PASSWORD).status_code == 302
    assert "(provider · Lex Legal)" in shell(dana)


@pytest.mark.parametrize("given, field, message", [
    ({"email": ""}, "email", "enter the email address"),
    ({"email": "not-an-address"}, "email", "not an email address: 'not-an-address'"),
    ({"email": "EXEC@example.com"}, "email", "a user 'exec@example.com' already exists"),
    ({"role": ""}, "role", "choose a role: administrator, executive, reviewer, provider"),
    ({"role": "superuser"}, "role", "choose a role"),
    ({"role": "provider"}, "provider", "a provider user needs a provider"),
    ({"role": "executive", "provider": "Acme IT"}, "provider", "only provider users belong to a provider"),
    ({"role": "provider", "provider": "Nobody Inc"}, "provider", "there is no provider named 'Nobody Inc'"),
    ({"password": "too short", "password_confirm": "too short"}, "password", "the password is too short"),
    ({"password": " spaces around it ", "password_confirm": " spaces around it "}, "password", "white space"),
    ({"password_confirm": "something else entirely"}, "password_confirm", "the two passwords differ"),
])
def test_adding_a_user_with_bad_input_changes_nothing(app, engine, given, field, message):
    admin = as_role(app, "admin")
    before = snapshot(engine)
    response = admin.post("/admin/users", data=add_form(token_of(admin), **given))
    assert response.status_code == 200
    assert message in field_error(response, "add", field)
    body = response.get_data(as_text=True)
    assert f'aria-describedby="add-{field}-hint add-{field}-error"' in body or \
        f'aria-describedby="add-{field}-error"' in body  # the message is tied to its field
    assert "Nothing was changed" in body and f'href="#add-{field}"' in body
    assert snapshot(engine) == before
    if "email" in given:
        assert f'value="{html.escape(given["email"])}"' in body  # what was typed is kept …
    assert NEW_PASSWORD not in body  # … except passwords


def test_several_mistakes_are_named_at_once(app, engine):
    admin = as_role(app, "admin")
    response = admin.post("/admin/users", data=add_form(token_of(admin), email="x", role="provider",
                                                        password="short", password_confirm="short"))
    assert [f for f in ("email", "role", "provider", "password") if field_error(response, "add", f)] == [
        "email", "provider", "password"]


def test_changing_role_and_provider_applies_at_once_and_is_audited(app, engine):
    admin = as_role(app, "admin")
    executive = as_role(app, "executive")
    uid = user_id(engine, USERS["executive"])
    response = admin.post(f"/admin/users/{uid}/role", data={"csrf_token": token_of(admin), "role": "provider",
                                                           "provider": "Lex Legal"})
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/users/{uid}"
    page = text(admin.get(f"/admin/users/{uid}"))
    assert "exec@example.com is now provider for Lex Legal." in page
    assert '<span id="user-role">Provider</span> · Lex Legal' in page
    assert "(provider · Lex Legal)" in shell(executive)  # the open session
    [entry] = entries(engine, "user.role")
    assert (entry.actor, entry.target) == (USERS["admin"], USERS["executive"])
    assert json.loads(entry.details) == {"role": "provider", "provider": "Lex Legal", "role_from": "executive",
                                         "provider_from": None}
    same = admin.post(f"/admin/users/{uid}/role", data={"csrf_token": token_of(admin), "role": "provider",
                                                       "provider": "Lex Legal"})
    assert same.status_code == 303 and "Nothing changed" in text(admin.get(f"/admin/users/{uid}"))
    assert len(entries(engine, "user.role")) == 1
    back = admin.post(f"/admin/users/{uid}/role", data={"csrf_token": token_of(admin), "role": "admin",
                                                       "provider": ""})
    assert back.status_code == 303
    assert executive.get("/admin/users").status_code == 200  # now an administrator


@pytest.mark.parametrize("given, field, message", [
    ({"role": "provider", "provider": ""}, "provider", "a provider user needs a provider"),
    ({"role": "reviewer", "provider": "Acme IT"}, "provider", "only provider users belong to a provider"),
    ({"role": "root", "provider": ""}, "role", "choose a role"),
    ({"role": "provider", "provider": "Nobody Inc"}, "provider", "there is no provider named"),
])
def test_a_bad_role_change_changes_nothing(app, engine, given, field, message):
    admin = as_role(app, "admin")
    uid = user_id(engine, USERS["reviewer"])
    before = snapshot(engine)
    response = admin.post(f"/admin/users/{uid}/role", data={"csrf_token": token_of(admin), **given})
    assert response.status_code == 200 and message in field_error(response, "role", field)
    assert snapshot(engine) == before


def test_an_administrator_cannot_demote_or_deactivate_themselves(app, engine):
    admin = as_role(app, "admin")
    uid = user_id(engine, USERS["admin"])
    before = snapshot(engine)
    demote = admin.post(f"/admin/users/{uid}/role", data={"csrf_token": token_of(admin), "role": "executive"})
    assert demote.status_code == 200
    assert "you cannot remove the administrator role from yourself" in field_error(demote, "role", "role")
    leave = admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token_of(admin), "active": "0"})
    assert leave.status_code == 200 and "you cannot deactivate yourself" in field_error(leave, "active", "active")
    assert snapshot(engine) == before
    page = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert 'id="active-submit"' not in page and "You cannot deactivate yourself" in page


def test_the_last_active_administrator_stays(engine):
    """Through the pages the acting administrator is always another active one; the rule holds
    for any caller (e.g. a script), and counts only active administrators."""
    with session_scope(engine) as s:
        admin = store.add_user(s, "root@example.com", "admin", hash_password(PASSWORD), None, actor="test")
        spare = store.add_user(s, "spare@example.com", "admin", hash_password(PASSWORD), None, actor="test")
        store.set_active(s, spare, False, actor="test", actor_id=None)
    for change in (lambda s, u: store.change_role(s, u, "executive", None, actor="test", actor_id=None),
                   lambda s, u: store.set_active(s, u, False, actor="test", actor_id=None)):
        with pytest.raises(store.FieldErrors, match="root@example.com is the last active administrator"):
            with session_scope(engine) as s:
                change(s, store.get_user(s, admin.id))
    with session_scope(engine) as s:
        assert store.set_active(s, store.get_user(s, spare.id), True, actor="test", actor_id=None)
    with session_scope(engine) as s:  # with a second active administrator, the first may go
        assert store.change_role(s, store.get_user(s, admin.id), "executive", None, actor="test", actor_id=None)
    with session_scope(engine) as s:
        assert [u.email for u in s.scalars(select(User).where(User.role == "admin", User.active))] == [
            "spare@example.com"]


def test_a_deactivated_user_is_logged_out_and_cannot_log_in_until_reactivated(app, engine):
    admin = as_role(app, "admin")
    executive = as_role(app, "executive")
    assert executive.get("/").status_code == 200
    uid = user_id(engine, USERS["executive"])
    response = admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token_of(admin), "active": "0"})
    assert response.status_code == 303
    page = text(admin.get(f"/admin/users/{uid}"))
    assert "Deactivated exec@example.com" in page and "✖ deactivated" in page
    assert executive.get("/").headers["Location"].startswith("/login")  # the open session no longer works
    assert executive.get("/_dash-layout").status_code == 401
    again = login(app.test_client(), USERS["executive"])
    assert again.status_code == 200 and "Wrong email or password." in text(again)
    [entry] = entries(engine, "user.deactivate")
    assert (entry.actor, entry.target, json.loads(entry.details)) == (USERS["admin"], USERS["executive"],
                                                                      {"role": "executive"})
    assert admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token_of(admin),
                                                          "active": "1"}).status_code == 303
    assert "Reactivated exec@example.com" in text(admin.get(f"/admin/users/{uid}"))
    assert len(entries(engine, "user.reactivate")) == 1
    assert login(app.test_client(), USERS["executive"]).status_code == 302


def test_a_malformed_deactivation_changes_nothing(app, engine):
    admin = as_role(app, "admin")
    uid = user_id(engine, USERS["executive"])
    before = snapshot(engine)
    response = admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token_of(admin), "active": "maybe"})
    assert response.status_code == 200 and "say whether to deactivate or reactivate" in text(response)
    assert admin.post("/admin/users/9999/active", data={"csrf_token": token_of(admin),
                                                        "active": "0"}).status_code == 404
    assert admin.get("/admin/users/9999").status_code == 404
    assert snapshot(engine) == before


def test_resetting_a_password(app, engine):
    admin = as_role(app, "admin")
    uid = user_id(engine, USERS["reviewer"])
    reviewer = as_role(app, "reviewer")  # a session opened with the old password
    assert reviewer.get("/reviews").status_code == 200
    response = admin.post(f"/admin/users/{uid}/password", data={"csrf_token": token_of(admin),
                                                               "password": NEW_PASSWORD,
                                                               "password_confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Set a new password for cio@example.com" in text(admin.get(f"/admin/users/{uid}"))
    assert login(app.test_client(), USERS["reviewer"]).status_code == 200  # the old one no longer works
    assert login(app.test_client(), USERS["reviewer"], NEW_PASSWORD).status_code == 302
    ended = reviewer.get("/reviews")  # ... ends with the new one
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    assert admin.get("/admin/users").status_code == 200  # the administrator's own session goes on
    [entry] = entries(engine, "user.password")
    assert (entry.actor, entry.target, entry.details) == (USERS["admin"], USERS["reviewer"], "{}")


@pytest.mark.parametrize("password, again, field, message", [
    ("short", "short", "password", "the password is too short"),
    (NEW_PASSWORD, NEW_PASSWORD + "!", "password_confirm", "the two passwords differ"),
    ("", "", "password", "the password is too short"),
])
def test_a_bad_new_password_changes_nothing(app, engine, password, again, field, message):
    admin = as_role(app, "admin")
    uid = user_id(engine, USERS["reviewer"])
    before = snapshot(engine)
    response = admin.post(f"/admin/users/{uid}/password", data={"csrf_token": token_of(admin), "password": password,
                                                               "password_confirm": again})
    assert response.status_code == 200 and message in field_error(response, "password", field)
    assert snapshot(engine) == before
    with session_scope(engine) as s:
        assert verify_password(find_user(s, USERS["reviewer"]).password_hash, PASSWORD)


# ---------------------------------------------------------------------- API tokens

def call_api(client, secret: str):
    """Invite for a ticket resolved an hour ago, as the ticketing tool would."""
    resolved = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    invite = {"provider": "Acme IT", "ticket_id": "INC-1", "email": "someone@example.com", "resolved_at": resolved,
              "status": "resolved"}
    return client.post("/api/v1/survey-invitations", json=invite, headers={"Authorization": f"Bearer {secret}"})


def test_a_token_is_shown_once_stored_as_a_hash_works_and_stops_when_revoked(app, engine):
    admin = as_role(app, "admin")
    response = admin.post("/admin/tokens", data={"csrf_token": token_of(admin, "/admin/tokens"),
                                                 "name": "ServiceNow", "scope": "survey-invitations",
                                                 "provider": "Acme IT"})
    assert response.status_code == 200
    secret = re.search(r'id="token-secret"[^>]* value="(stc_[^"]+)"', response.get_data(as_text=True)).group(1)
    assert "It is shown only this once" in text(response)
    assert response.headers["Cache-Control"] == "private, no-store"
    with session_scope(engine) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "ServiceNow"))
        stored = (row.token_hash, row.scope, row.created_by, row.last_used_at, row.revoked_at, row.id)
    assert stored[:5] == (token_hash(secret), "survey-invitations", USERS["admin"], None, None)
    assert secret not in json.dumps([str(v) for v in stored])
    listing = text(admin.get("/admin/tokens"))
    assert secret not in listing and "ServiceNow" in listing and "● active" in listing and "never" in listing
    [entry] = entries(engine, "token.create")
    assert (entry.actor, entry.target) == (USERS["admin"], "ServiceNow")

    api = app.test_client()
    works = call_api(api, secret)
    assert works.status_code == 201 and works.get_json()["invited"] is True, works.get_json()
    assert "never" not in re.search(r'<tr id="token-\d+">.*?</tr>', text(admin.get("/admin/tokens")), re.S).group(0)

    revoked = admin.post(f"/admin/tokens/{stored[5]}/revoke", data={"csrf_token": token_of(admin, "/admin/tokens")})
    assert revoked.status_code == 303
    listing = text(admin.get("/admin/tokens"))
    assert "Revoked the token 'ServiceNow': the API refuses it from now on." in listing and "✖ revoked" in listing
    refused = call_api(api, secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "this API token is not valid: it is unknown or was revoked"
    [entry] = entries(engine, "token.revoke")
    assert (entry.actor, entry.target) == (USERS["admin"], "ServiceNow")
    before = snapshot(engine)
    again = admin.post(f"/admin/tokens/{stored[5]}/revoke", data={"csrf_token": token_of(admin, "/admin/tokens")})
    assert again.status_code == 303 and "Nothing changed" in text(admin.get("/admin/tokens"))
    assert snapshot(engine) == before
    assert admin.post("/admin/tokens/9999/revoke", data={"csrf_token": token_of(admin, "/admin/tokens")}
                      ).status_code == 404


def test_the_page_and_the_cli_agree_on_tokens(app, engine, run_cli):
    admin = as_role(app, "admin")
    admin.post("/admin/tokens", data={"csrf_token": token_of(admin, "/admin/tokens"), "name": "Jira",
                                      "scope": "survey-invitations"})
    listed = json.loads(run_cli("token", "list", "--format", "json").output)
    assert [(t["name"], t["scope"], t["provider"], t["created_by"]) for t in listed] == [
        ("Jira", "survey-invitations", None, USERS["admin"])]
    assert run_cli("token", "revoke", "Jira").exit_code == 0
    assert "✖ revoked" in text(admin.get("/admin/tokens"))


@pytest.mark.parametrize("given, field, message", [
    ({"name": ""}, "name", "a token needs a name of 1 to 200 characters"),
    ({"name": "x" * 201}, "name", "a token needs a name of 1 to 200 characters"),
    ({"name": "Existing"}, "name", "an active token named 'Existing' exists"),
    ({"scope": "everything"}, "scope", "choose what the token may do: survey-invitations"),
    ({"scope": ""}, "scope", "choose what the token may do"),
    ({"provider": "Nobody Inc"}, "provider", "there is no provider named 'Nobody Inc'"),
])
def test_creating_a_token_with_bad_input_changes_nothing(app, engine, given, field, message):
    admin = as_role(app, "admin")
    t = token_of(admin, "/admin/tokens")
    assert admin.post("/admin/tokens", data={"csrf_token": t, "name": "Existing",
                                             "scope": "survey-invitations"}).status_code == 200
    before = snapshot(engine)
    response = admin.post("/admin/tokens", data={"csrf_token": t, "name": "New tool", "scope": "survey-invitations",
                                                 "provider": "", **given})
    assert response.status_code == 200 and message in field_error(response, "create", field)
    assert 'id="token-secret"' not in response.get_data(as_text=True)
    assert snapshot(engine) == before


# ---------------------------------------------------------------------- the audit log

def _log(engine, rows: list[tuple[str, str, str, dict, dt.datetime]]) -> None:
    """Audit entries written in the past."""
    with session_scope(engine) as s:
        s.add_all(AuditEntry(actor=actor, action=action, target=target, details=json.dumps(details), at=at)
                  for actor, action, target, details, at in rows)


def audit_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    table = re.search(r'<tbody>(.*?)</tbody>', body[body.index('id="audit-table"'):], re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_the_audit_log_filters_by_actor_action_target_and_dates(app, engine):
    day = dt.datetime(2026, 3, 10, 12, tzinfo=dt.timezone.utc)
    _log(engine, [("ann@example.com", "user.add", "bob@example.com", {"role": "executive"}, day),
                  ("ann@example.com", "user.role", "bob@example.com", {"role": "reviewer"},
                   day + dt.timedelta(days=1)),
                  ("api:ServiceNow", "survey.invite", "Acme IT/INC-9", {}, day + dt.timedelta(days=2)),
                  ("carl@example.com", "users_100%", "odd_target", {}, day + dt.timedelta(days=3))])
    admin = as_role(app, "admin")
    everything = [r[0] for r in audit_rows(admin.get("/admin/audit"))]
    assert everything == sorted(everything, reverse=True) and everything[-1] == "2026-03-10 12:00 UTC"
    assert [r[2] for r in audit_rows(admin.get("/admin/audit?actor=ANN@"))] == ["user.role", "user.add"]
    assert audit_rows(admin.get("/admin/audit?actor=ann&action=user.role"))[0] == [
        "2026-03-11 12:00 UTC", "ann@example.com", "user.role", "bob@example.com", "role: reviewer"]
    assert [r[2] for r in audit_rows(admin.get("/admin/audit?action=user&target=bob"))] == ["user.role", "user.add"]
    assert [r[2] for r in audit_rows(admin.get("/admin/audit?from=2026-03-11&to=2026-03-12"))] == [
        "survey.invite", "user.role"]
    assert [r[2] for r in audit_rows(admin.get("/admin/audit?action=users_100%25"))] == ["users_100%"]
    none = admin.get("/admin/audit?action=user_")  # "_" is a character, not a wildcard
    assert "No entry matches this filter" in text(none)
    kept = admin.get("/admin/audit?actor=ann&action=user.role").get_data(as_text=True)
    assert 'id="filter-actor" name="actor" type="text" value="ann"' in kept  # the filter stays in the form


@pytest.mark.parametrize("query, field, message", [
    ("from=2026-13-01", "from", "not a date: '2026-13-01' (use YYYY-MM-DD"),
    ("to=yesterday", "to", "not a date: 'yesterday'"),
    ("from=2026-03-12&to=2026-03-11", "to", "the range ends (2026-03-11) before it starts (2026-03-12)"),
])
def test_a_bad_audit_filter_is_named_next_to_its_field(app, query, field, message):
    admin = as_role(app, "admin")
    response = admin.get(f"/admin/audit?{query}")
    assert response.status_code == 200 and message in field_error(response, "filter", field)
    assert "Correct the filter above" in text(response) and 'id="audit-table"' not in text(response)
    csv_response = admin.get(f"/admin/audit.csv?{query}")
    assert csv_response.status_code == 400 and message in text(csv_response)


def test_the_audit_log_is_paged_by_a_hundred(app, engine):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    _log(engine, [("bulk@example.com", "test.bulk", f"item {i:03d}", {"n": i}, start + dt.timedelta(minutes=i))
                  for i in range(230)])
    admin = as_role(app, "admin")
    first = admin.get("/admin/audit?action=test.bulk")
    assert "Entries 1–100 of 230 matching the filter, newest first." in text(first)
    assert [r[3] for r in audit_rows(first)][:2] == ["item 229", "item 228"] and len(audit_rows(first)) == 100
    assert 'href="/admin/audit?action=test.bulk&amp;page=2"' in first.get_data(as_text=True)
    third = admin.get("/admin/audit?action=test.bulk&page=3")
    assert [r[3] for r in audit_rows(third)] == [f"item {i:03d}" for i in range(29, -1, -1)]
    assert "Page 3 of 3" in text(third) and 'id="page-older"' not in third.get_data(as_text=True)
    beyond = admin.get("/admin/audit?action=test.bulk&page=9")
    assert "There is no page 9" in text(beyond)
    bad = admin.get("/admin/audit?page=-2")
    assert bad.status_code == 200 and "not a page number: '-2'" in text(bad)


def test_the_audit_log_downloads_as_csv_with_formulas_neutralised(app, engine):
    at = dt.datetime(2026, 4, 1, 8, 30, tzinfo=dt.timezone.utc)
    _log(engine, [("=cmd|' /C calc'!A0", "user.add", '=HYPERLINK("http://evil.example","x")',
                   {"note": "@SUM(A1)"}, at),
                  ("ann@example.com", "user.role", "+1-2", {}, at + dt.timedelta(hours=1))])
    admin = as_role(app, "admin")
    response = admin.get("/admin/audit.csv?action=user.&from=2026-04-01&to=2026-04-01")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="steerco-audit-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["at", "actor", "action", "target", "details"],
        ["2026-04-01T09:30:00Z", "ann@example.com", "user.role", "'+1-2", "{}"],
        ["2026-04-01T08:30:00Z", "'=cmd|' /C calc'!A0", "user.add", "'=HYPERLINK(\"http://evil.example\",\"x\")",
         '{"note": "@SUM(A1)"}'],
    ]
    page = admin.get("/admin/audit?action=user.&from=2026-04-01&to=2026-04-01").get_data(as_text=True)
    assert 'href="/admin/audit.csv?action=user.&amp;from=2026-04-01&amp;to=2026-04-01"' in page
    assert "<td>=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)</td>" in page  # shown as text


def test_audit_filter_parsing():
    assert store.audit_filter(" ann ", "user.", "", "2026-01-01", "2026-01-31").query() == {
        "actor": "ann", "action": "user.", "from": "2026-01-01", "to": "2026-01-31"}
    with pytest.raises(BadInput):
        store.audit_filter(actor="x" * 401)
