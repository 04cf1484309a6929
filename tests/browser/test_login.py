"""People log in to the served demo in a real browser and see what their role allows."""

from __future__ import annotations

import pytest

from dashboard.demo import DEMO_USERS

pytestmark = pytest.mark.browser


def _login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("email, role, provider, password", DEMO_USERS, ids=[u[1] for u in DEMO_USERS])
def test_each_role_logs_in_and_sees_the_scorecard(page, demo_server, email, role, provider, password):
    _login(page, demo_server, email, password)
    page.locator("#sc-table").wait_for(timeout=60_000)
    assert email in page.locator("#who").inner_text()
    shown = page.locator("#sc-provider").inner_text()
    if provider:
        assert provider in shown  # a provider sees only itself (tests/browser/test_dashboard_access.py)
    else:
        assert "Lexington Legal Process" in shown  # the first provider by name


def test_wrong_password_stays_on_the_login_page(page, demo_server):
    page.goto(f"{demo_server}/login")
    page.get_by_label("Email").fill("exec@demo.steerco")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST"):
        page.get_by_role("button", name="Log in").click()
    assert page.locator("#login-error").inner_text() == "Wrong email or password."


def test_logout_returns_to_the_login_page(page, demo_server):
    _login(page, demo_server, "admin@demo.steerco", "demo-admin-password")
    page.locator("#sc-table").wait_for(timeout=60_000)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{demo_server}/login")
    page.goto(f"{demo_server}/")
    assert page.url.startswith(f"{demo_server}/login")
