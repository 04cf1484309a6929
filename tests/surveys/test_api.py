"""POST /api/v1/survey-invitations: bearer tokens, the one error shape, invitations made."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from dashboard.api import create_token, revoke_token
from sql.models import ApiToken
from sql.survey_models import SurveyInvitation
from surveys.invitations import provider_ref
from tests.surveys.conftest import import_tickets

URL = "/api/v1/survey-invitations"


def _token(engine, name="servicenow", *, provider=None, scope="survey-invitations"):
    with engine.begin() as conn:
        pid = provider_ref(conn, provider).id if provider else None
        if scope != "survey-invitations":  # a token of some other (future) scope, written directly
            from sqlalchemy import insert

            conn.execute(insert(ApiToken).values(name=name, token_hash=hashlib.sha256(b"other").hexdigest(),
                                                 scope=scope, created_by="test"))
            return "other"
        return create_token(conn, name, scope, provider_id=pid, actor="test")


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _body(**changes):
    now = dt.datetime.now(dt.timezone.utc)
    body = {"provider": "Acme IT", "ticket_id": "INC77", "email": "Zoe@Example.com", "language": "fr",
            "resolved_at": (now - dt.timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
            "priority": "P2", "category": "Email", "requester": "zoe@example.com"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_the_error_shape_is_locked(engine, web):
    token = _token(engine)
    response = web.post(URL, json={"provider": "Acme IT", "email": "nope", "language": "it", "colour": "red",
                                   "resolved_at": "yesterday", "reopen_count": -1}, headers=_auth(token))
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "status": 400,
        "message": "the request has invalid fields",
        "fields": {
            "colour": "unknown field",
            "email": "not an email address",
            "language": "must be one of en, fr, de, es",
            "reopen_count": "must be a whole number, 0 or more",
            "resolved_at": "must be an ISO 8601 time with a zone, e.g. 2026-05-04T09:30:00Z",
            "ticket_id": "required",
        },
    }}
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "},
                                     {"Authorization": "Bearer stc_not-a-real-token"}])
def test_no_valid_token_is_401_everywhere_under_api(engine, web, headers):
    for method, path in (("POST", URL), ("GET", URL), ("POST", "/api/v1/nothing"), ("GET", "/api/"),
                         ("POST", URL + "/void")):
        response = web.open(path, method=method, json=_body(), headers=headers)
        assert response.status_code == 401, (method, path)
        body = response.get_json()["error"]
        assert body["status"] == 401 and body["fields"] == {} and "token" in body["message"]
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="steerco"'


def test_tokens_are_stored_as_hashes_and_can_be_revoked(engine, web):
    token = _token(engine)
    assert token.startswith("stc_") and len(token) > 40
    with engine.connect() as conn:
        row = conn.execute(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in repr(tuple(row))
    assert web.post(URL, json=_body(), headers=_auth(token)).status_code == 201
    with engine.begin() as conn:
        assert revoke_token(conn, "servicenow", actor="test") == 1
    refused = web.post(URL, json=_body(ticket_id="INC78"), headers=_auth(token))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["message"]


def test_an_invitation_is_made_and_its_link_opens_the_form(engine, web):
    token = _token(engine)
    response = web.post(URL, json=_body(), headers=_auth(token))
    assert response.status_code == 201
    data = response.get_json()
    inv = data["invitation"]
    assert data["invited"] is True and inv["ticket_id"] == "INC77" and inv["delivery"] == "email"
    assert inv["language"] == "fr" and inv["provider"] == "Acme IT"
    assert inv["link"].startswith("http://localhost/s/") and inv["expires_at"].endswith("Z")
    form = web.get(inv["link"].removeprefix("http://localhost"))
    assert form.status_code == 200 and '<html lang="fr">' in form.get_data(as_text=True)
    with engine.connect() as conn:
        row = conn.execute(select(SurveyInvitation)).one()
    assert (row.email, row.priority, row.category, row.created_by) == ("zoe@example.com", "P2", "Email",
                                                                        "api:servicenow")
    again = web.post(URL, json=_body(), headers=_auth(token))
    assert again.status_code == 200
    assert again.get_json() == {"invited": False, "ticket_id": "INC77", "reason": "already_invited",
                                "message": "not invited: this ticket already has an invitation (a ticket is "
                                           "surveyed once)"}


def test_the_rules_apply_to_api_invitations(engine, web):
    token = _token(engine)
    import_tickets(engine, "Acme IT", {"ticket_id": "DUP9", "category": "Duplicate"})
    dup = web.post(URL, json=_body(ticket_id="DUP9", category=None), headers=_auth(token))
    assert dup.get_json()["reason"] == "excluded_category"  # the imported ticket's category
    cancelled = web.post(URL, json=_body(ticket_id="C1", status="cancelled"), headers=_auth(token))
    assert cancelled.get_json()["reason"] == "cancelled"


def test_tokens_bound_to_a_provider_and_scopes(engine, web):
    bound = _token(engine, "lex-tool", provider="Lex Legal")
    ok = web.post(URL, json=_body(provider=None, language="de"), headers=_auth(bound))
    assert ok.status_code == 201 and ok.get_json()["invitation"]["provider"] == "Lex Legal"
    other = web.post(URL, json=_body(ticket_id="X2"), headers=_auth(bound))
    assert other.status_code == 403 and other.get_json()["error"]["fields"] == {"provider": "not allowed"}
    free = _token(engine, "any")
    missing = web.post(URL, json=_body(provider=None), headers=_auth(free))
    assert missing.status_code == 400 and missing.get_json()["error"]["fields"] == {"provider": "required"}
    unknown = web.post(URL, json=_body(provider="Nobody Ltd"), headers=_auth(free))
    assert unknown.status_code == 404 and unknown.get_json()["error"]["fields"] == {"provider": "unknown provider"}
    scoped = _token(engine, "reports", scope="reports")
    wrong = web.post(URL, json=_body(), headers=_auth(scoped))
    assert wrong.status_code == 403 and "scope 'reports'" in wrong.get_json()["error"]["message"]


@pytest.mark.parametrize("kwargs, status, says", [
    ({"data": "ticket_id=1", "content_type": "application/x-www-form-urlencoded"}, 415, "as JSON"),
    ({"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
    ({"json": ["a", "list"]}, 400, "must be a JSON object"),
    ({"json": {"ticket_id": "x" * 70_000}}, 413, "larger than 64 KiB"),
    ({"json": {"provider": "Acme IT", "ticket_id": "T1", "language": "es", "email": "a@b.co"}, "method": "PUT"},
     405, "use POST"),
])
def test_malformed_requests(engine, web, kwargs, status, says):
    token = _token(engine)
    kwargs = dict(kwargs)
    method = kwargs.pop("method", "POST")
    response = web.open(URL, method=method, headers=_auth(token), **kwargs)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["status"] == status and says in error["message"] and set(error) == {"status", "message", "fields"}


def test_language_not_offered_is_a_field_error(engine, web):
    token = _token(engine)
    from surveys.library import store_questionnaire
    from surveys.rules import write_settings
    from tests.surveys.test_questionnaire import MINIMAL

    with engine.begin() as conn:
        store_questionnaire(conn, MINIMAL, source="mini.toml", actor="test")
        p = provider_ref(conn, "Acme IT")
        write_settings(conn, p.id, p.kind, actor="test", target=p.name, questionnaire="mini")
    response = web.post(URL, json=_body(language="de"), headers=_auth(token))
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"language"}


def test_void_through_the_api(engine, web):
    token = _token(engine)
    link = web.post(URL, json=_body(), headers=_auth(token)).get_json()["invitation"]["link"]
    voided = web.post(URL + "/void", json={"provider": "Acme IT", "ticket_id": "INC77"}, headers=_auth(token))
    assert voided.status_code == 200 and voided.get_json() == {"ticket_id": "INC77", "provider": "Acme IT",
                                                               "voided": 1}
    assert web.get(link.removeprefix("http://localhost")).status_code == 410
    bad = web.post(URL + "/void", json={"ticket": "INC77"}, headers=_auth(token))
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"] == {"ticket": "unknown field",
                                                                             "ticket_id": "required"}
