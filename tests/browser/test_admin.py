"""The administrator, in Chromium: open the Administration hub, go to Users, add a user (a
mistake first, then right), log out; the new user logs in and sees the scorecard."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.dashboard_helpers import screenshot

pytestmark = pytest.mark.browser

ADMIN = ("admin@demo.steerco", "demo-admin-password")
LONG = 120_000


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def submit(page, selector: str) -> None:
    with page.expect_navigation(wait_until="load", timeout=LONG):
        page.click(selector)


def test_an_administrator_adds_a_user_who_then_logs_in(page, demo_server):
    page.set_default_timeout(LONG)
    log_in(page, demo_server, *ADMIN)
    page.goto(f"{demo_server}/admin")
    page.wait_for_selector("#admin-page")
    assert "4 active users" in page.inner_text("#admin-users")  # the demo's four
    assert page.locator("#admin-audit tbody tr").count() == 10
    screenshot(page, "admin")
    with page.expect_navigation():
        page.click("#admin-users-link")
    assert page.url == f"{demo_server}/admin/users"
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "Administration"

    email = f"dana-{uuid.uuid4().hex[:8]}@demo.steerco"
    password = "a long enough passphrase"
    page.get_by_label("Email").fill(email)
    page.check("#add-role-provider")  # a provider user without its provider: refused, nothing stored
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)
    submit(page, "#add-user-submit")
    assert "a provider user needs a provider" in page.inner_text("#add-provider-error")
    assert page.locator("#add-provider").get_attribute("aria-invalid") == "true"
    assert email not in page.inner_text("#users-table")

    page.select_option("#add-provider", "Northwind IT Services")
    page.get_by_label("Password", exact=True).fill(password)  # passwords are never sent back to the page
    page.get_by_label("Repeat the password").fill(password)
    submit(page, "#add-user-submit")
    assert f"Added {email} as provider for Northwind IT Services" in page.inner_text(".flash")
    row = page.locator("#users-table tbody tr", has_text=email)
    assert "Provider" in row.inner_text() and "● active" in row.inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, demo_server, email, password)
    page.locator("#sc-table").wait_for(timeout=LONG)
    assert f"{email} (provider · Northwind IT Services)" in page.inner_text("#who")
    assert "Administration" not in page.inner_text("nav.nav")
