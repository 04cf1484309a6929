"""A provider user sees its own provider only, even with a crafted address."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from dashboard.access import REFUSAL
from tests.browser.dashboard_helpers import IT, LEGAL, MONTH, WAIT, login

pytestmark = pytest.mark.browser


def test_a_provider_user_sees_only_its_own_provider(page, demo_server):
    login(page, demo_server, "provider")
    page.locator("#sc-table").wait_for(timeout=WAIT)
    assert IT in page.locator("#sc-headline").inner_text()
    page.locator("#sc-provider").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=WAIT)
    assert [o.strip() for o in options.all_inner_texts()] == [IT]
    page.keyboard.press("Escape")
    page.goto(f"{demo_server}/providers?month={MONTH}")
    page.locator("#providers-table").wait_for(timeout=WAIT)
    table = page.locator("#providers-table").inner_text()
    assert IT in table and LEGAL not in table


@pytest.mark.parametrize("path", [f"/?provider={quote(LEGAL)}&month={MONTH}", f"/service?provider={quote(LEGAL)}",
                                  f"/measure?provider={quote(LEGAL)}&measure=checks.pass_rate&params=%7B%7D"])
def test_a_crafted_address_for_the_other_provider_shows_a_refusal(page, demo_server, path):
    login(page, demo_server, "provider", then=path)
    refusal = page.locator(".notice-refused")
    refusal.wait_for(timeout=WAIT)
    assert REFUSAL in refusal.inner_text()
    assert page.locator("#sc-table").count() == 0 and LEGAL not in page.locator("#content").inner_text()
    download = page.request.get(f"{demo_server}/export/monthly.xlsx?provider={quote(LEGAL)}&month={MONTH}")
    assert download.status == 403 and REFUSAL in download.text()
    download.dispose()
