"""Drift, Service and Providers in a browser, and the board pack download."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.dashboard_helpers import IT, LEGAL, MONTH, WAIT, login, screenshot, served_db, with_signals

pytestmark = pytest.mark.browser
__all__ = ["served_db", "with_signals"]


def test_drift_lists_signals_worst_first_and_links_to_the_chart(page, demo_server, with_signals):
    login(page, demo_server, "executive", then=f"/drift?month={MONTH}")
    table = page.locator("#drift-table")
    table.wait_for(timeout=WAIT)
    rows = page.locator("#drift-table tbody tr")
    assert rows.count() >= 3
    assert "P2 resolved within 8 hours" in table.inner_text() and "has been running" in table.inner_text()
    screenshot(page, "drift")
    rows.filter(has_text="P2 resolved within 8 hours").get_by_role("link").click()
    page.locator("#measure-control-chart .main-svg").first.wait_for(timeout=WAIT)


def test_service_shows_availability_outages_and_capacity(page, demo_server):
    login(page, demo_server, "executive", then=f"/service?provider={quote(IT)}")
    page.locator("#service-heatmap .main-svg").first.wait_for(timeout=WAIT)
    heat = page.locator("#service-heatmap").inner_text()
    assert "Email" in heat and "■ 98.99 %" in heat  # the demo's major Email outage in 2026-05
    assert page.locator("#service-outages tbody tr").count() == 25
    capacity = page.locator("#service-capacity-table").inner_text()
    assert "SAN-01 storage" in capacity and "2027-" in capacity
    screenshot(page, "service")


def test_providers_side_by_side(page, demo_server):
    login(page, demo_server, "reviewer", then=f"/providers?month={MONTH}")
    table = page.locator("#providers-table")
    table.wait_for(timeout=WAIT)
    text = table.inner_text()
    assert IT in text and LEGAL in text and "Overall" in text and "Service credits" in text
    screenshot(page, "providers")


def test_the_board_pack_downloads_as_a_pdf(page, demo_server, tmp_path):
    login(page, demo_server, "executive", then=f"/?provider={quote(IT)}&month={MONTH}")
    link = page.get_by_role("link", name="Board pack (PDF)")
    link.wait_for(timeout=WAIT)
    with page.expect_download(timeout=180_000) as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "steerco-northwind-it-services-2026-10.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) > 60_000


def test_every_page_is_served_by_steerco_itself(page, demo_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    login(page, demo_server, "executive")
    page.locator("#sc-table").wait_for(timeout=WAIT)
    for path, ready in ((f"/measure?provider={quote(IT)}&measure=sla.resolution_met&params=%7B%7D",
                         "#measure-trend .main-svg"), (f"/drift?month={MONTH}", "#drift-body"),
                        (f"/service?provider={quote(IT)}", "#service-heatmap .main-svg"),
                        (f"/providers?month={MONTH}", "#providers-table")):
        page.goto(f"{demo_server}{path}")
        page.locator(ready).first.wait_for(timeout=WAIT)
    outside = [u for u in requested if not u.startswith((demo_server, "data:"))]
    assert requested and outside == []
