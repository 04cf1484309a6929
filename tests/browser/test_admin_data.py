"""The administrator, in Chromium: uploads a CSV export and reads the import report; reads a
scorecard version and checks a pasted one. Nothing here changes the shared demo database."""

from __future__ import annotations

import pytest

from tests.browser.dashboard_helpers import IT, WAIT, login, served_db
from tests.cli.test_import import fingerprint

pytestmark = pytest.mark.browser
__all__ = ["served_db"]

GOOD = b"ticket_id,opened_at,status,priority,category\nWEB-1,2026-10-05 09:00,open,P3,Email\nWEB-2,2026-10-06 10:30,open,P2,VPN\n"
BAD = (b"ticket_id,opened_at,status,priority\nWEB-1,2026-10-05 09:00,open,P3\nWEB-2,next Tuesday,open,P3\n"
       b"WEB-3,2026-10-07 11:00,parked,P7\n")


def choose(page, name: str, data: bytes) -> None:
    page.select_option("#provider", IT)
    page.select_option("#kind", "tickets")
    page.select_option("#format", "csv")
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def test_the_admin_uploads_a_csv_export_and_sees_the_report(page, demo_server, served_db):
    before = fingerprint(served_db)
    login(page, demo_server, "admin", then="/admin/imports")
    page.wait_for_selector("#import-form", timeout=WAIT)
    assert page.get_by_label("Kind of data").input_value() == "tickets"

    choose(page, "tickets.csv", GOOD)
    with page.expect_navigation(timeout=WAIT):
        page.click("#validate")
    assert "Valid" in page.inner_text("#report-title")
    assert page.inner_text("#report-headline") == (
        f"would import 2 tickets rows for {IT} from tickets.csv: 2 new, 0 updated, 0 unchanged "
        "(dry run: nothing was written)")
    assert page.locator("#report-counts tbody td").all_inner_texts()[:3] == ["2", "0", "0"]

    choose(page, "bad tickets.csv", BAD)
    with page.expect_navigation(timeout=WAIT):
        page.click("#import")
    assert "Refused: nothing was imported" in page.inner_text("#report-title")
    assert page.inner_text("#report-headline") == "bad tickets.csv: 3 problems in tickets, nothing was imported"
    rows = [r.locator("td").all_inner_texts() for r in page.locator("#report-problems tbody tr").all()]
    assert [r[1:4] for r in rows] == [["3", "opened_at", "next Tuesday"], ["4", "priority", "P7"],
                                      ["4", "status", "parked"]]
    assert page.get_by_label("File", exact=True).get_attribute("aria-describedby") == "file-hint report-headline"
    page.click(".ad-text summary")
    assert page.inner_text("#report-text").splitlines()[1].startswith(
        "  bad tickets.csv, row 3, column 'opened_at': not a date and time")
    assert fingerprint(served_db) == before


def test_the_admin_reads_a_scorecard_version_and_checks_a_pasted_one(page, demo_server, served_db):
    before = fingerprint(served_db)
    login(page, demo_server, "admin", then="/admin/scorecards")
    section = page.locator(".ad-provider", has_text=IT)
    section.wait_for(timeout=WAIT)
    assert "in force now" in section.inner_text()
    with page.expect_navigation(timeout=WAIT):
        section.locator("a", has_text="View").first.click()
    assert page.locator(".ad-tree tr.ad-row-measure").count() == 30
    assert "[provider]" in page.inner_text(".ad-source")

    page.goto(f"{demo_server}/admin/scorecards")
    page.select_option("#sc-provider", IT)
    page.fill("#sc-text", '[provider]\nname = "Northwind IT Services"\nkind = "it"\n')
    with page.expect_navigation(timeout=WAIT):
        page.click("#check")
    assert "pasted text: " in page.inner_text("#scorecard-error")
    assert page.locator("#scorecard-problems tbody tr").count() >= 1
    assert fingerprint(served_db) == before
