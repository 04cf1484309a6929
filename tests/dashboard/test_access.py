"""Every route needs a login except the login page, health and static assets."""

from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import USERS, login

PUBLIC = {"/login", "/health"}
STATIC_PREFIXES = ("/assets/",)
SURVEY_PREFIX = "/s/"  # the public survey form: its link is the credential, an unknown one is 404
API_PREFIX = "/api/"   # the JSON API: bearer tokens instead of logins, 401 in the API's error shape


def _sample_path(rule) -> str:
    """A concrete URL for a rule, filling each variable part with a plausible value."""
    path = rule.rule
    for conv in re.findall(r"<([^>]+)>", path):
        name = conv.split(":")[-1]
        value = "steerco.css" if "assets" in path else ("x" if "path" not in conv else "a/b.js")
        if conv.startswith("int:"):
            value = "1"
        path = path.replace(f"<{conv}>", value)
        del name
    return path


def test_every_route_refuses_anonymous_requests(app, client):
    rules = list(app.url_map.iter_rules())
    assert len(rules) >= 8, "the route table looks too small to be the real app"
    checked = 0
    for rule in rules:
        path = _sample_path(rule)
        methods = sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))
        for method in methods:
            response = client.open(path, method=method)
            response.close()
            if path.startswith(SURVEY_PREFIX):
                assert response.status_code == 404, (method, path, response.status_code)
                continue
            if path.startswith(API_PREFIX):
                checked += 1
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.get_json()["error"]["status"] == 401, (method, path)
                continue
            public = path in PUBLIC or path.startswith(STATIC_PREFIXES)
            if public:
                assert response.status_code not in (302, 401), (method, path, response.status_code)
                continue
            checked += 1
            if method == "GET" and not path.startswith("/_dash-"):
                assert response.status_code == 302, (method, path, response.status_code)
                assert response.headers["Location"].startswith("/login?next="), (path, response.headers["Location"])
            else:
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.get_json() == {"error": {"status": 401, "message": "log in first"}}
    assert checked >= 6


def test_dash_update_and_layout_refused_without_login(client):
    assert client.post("/_dash-update-component", json={"output": "x", "inputs": []}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    assert client.get("/some/unknown/page").status_code == 302


def test_health_and_assets_are_public(client):
    assert client.get("/health").get_json() == {"status": "ok", "database": "ok"}
    css = client.get("/assets/steerco.css")
    assert css.status_code == 200 and b"--green" in css.data
    css.close()


def test_login_page_works_without_javascript(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'method="post"' in html and "<script" not in html


@pytest.mark.parametrize("role", sorted(USERS))
def test_each_role_logs_in_and_sees_the_dashboard(client, role):
    response = login(client, USERS[role])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and USERS[role] in layout.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_without_saying_which_part(client):
    wrong = login(client, USERS["admin"], "not the password at all")
    nobody = login(client, "nobody@example.com")
    for response in (wrong, nobody):
        assert response.status_code == 200  # the form again, with its message (no console error)
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": USERS["admin"], "password": "correct horse battery"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(client):
    for _ in range(5):
        assert "Wrong email or password." in login(client, USERS["executive"], "guess-guess-guess").get_data(as_text=True)
    locked = login(client, USERS["executive"])  # even the right password, for now
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert login(client, USERS["admin"]).status_code == 302  # other accounts unaffected


def test_next_parameter_cannot_send_users_elsewhere(app, client):
    for evil in ("https://evil.example/steal", "//evil.example/x", "javascript:alert(1)"):
        response = login(app.test_client(), USERS["admin"], next=evil)
        assert response.headers["Location"] == "/"
    response = login(client, USERS["admin"], next="/?provider=Acme")
    assert response.headers["Location"] == "/?provider=Acme"


def test_logout_ends_the_session(client):
    login(client, USERS["admin"])
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(r'"value":"([^"]+)"(?:,"[a-z]+":"[^"]*")*,"name":"csrf_token"', layout)
    assert token, "the logout form carries a CSRF token"
    assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 302
    assert client.get("/").status_code == 302
