"""The retained CIO, in Chromium: open the draft review (or open one), see the evidence, rate the
areas, attach a document, declare independence, sign, download the PDF."""

from __future__ import annotations

import re

import pytest

from tests.browser.dashboard_helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REVIEWER = ("cio@demo.steerco", "demo-reviewer-password")
PROVIDER = "Northwind IT Services"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
LONG = 120_000


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", REVIEWER[0])
    page.fill("#password", REVIEWER[1])
    with page.expect_navigation():
        page.click("button[type=submit]")


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page the server answers with."""
    with page.expect_navigation(wait_until="load", timeout=LONG):
        page.click(selector)


def open_draft(page, base: str) -> None:
    """The demo's draft of the current year if there is one; otherwise open one through the page."""
    page.goto(f"{base}/reviews")
    page.wait_for_selector("#reviews-page", timeout=LONG)
    draft = page.locator("#reviews-table tbody tr", has_text="draft").filter(has_text=PROVIDER)
    if draft.count():
        with page.expect_navigation(timeout=LONG):
            draft.first.locator("a").first.click()
        return
    with page.expect_navigation(timeout=LONG):
        page.click("#open-review-link")
    page.select_option("#provider", PROVIDER)
    for year in ("2026", "2025", "2024"):
        page.fill("#year", year)
        submit(page, "#open-review")
        if page.locator("#review-title").count():
            return
    pytest.fail("no draft review could be opened: " + page.inner_text("main"))


def test_reviewer_rates_attaches_declares_signs_and_downloads(page, demo_server):
    page.set_default_timeout(LONG)
    log_in(page, demo_server)
    open_draft(page, demo_server)
    assert page.inner_text("#review-status") == "draft"
    assert "measured months on target" in page.inner_text("#evidence-service_desk")  # the year's evidence is there
    assert page.locator("#area-availability .evidence-table a[href^='/measure?provider=']").count() >= 4
    screenshot(page, "review")

    for _ in range(12):  # rate every area not rated yet
        unrated = [el.get_attribute("id").removeprefix("rating-")
                   for el in page.locator(".rating-badge.rating-none").all()]
        if not unrated:
            break
        key = unrated[0]
        page.check(f"#form-{key} input[name=rating][value='3']")
        page.fill(f"#rationale-{key}", "Rated in the browser test from the evidence shown.")
        submit(page, f"#save-{key}")
        assert "Saved" in page.inner_text(".review-flash")
    assert page.locator(".rating-badge.rating-none").count() == 0

    page.check("#form-security input[name=rating][value='5']")  # an extreme without a rationale: refused
    page.fill("#rationale-security", "")
    submit(page, "#save-security")
    assert "needs a rationale" in page.inner_text("#error-message")

    page.set_input_files("#document-file", files=[{"name": "ISO 27001 certificate.pdf", "mimeType": "application/pdf",
                                                   "buffer": PDF}])
    page.select_option("#document-area", "security")
    page.fill("#document-expires", "2027-03-31")
    submit(page, "#attach-document")
    assert "Attached ISO 27001 certificate.pdf" in page.inner_text(".review-flash")

    page.fill("#summary-text", "Capable overall; the areas below say where and why.")
    submit(page, "#save-summary")
    submit(page, "#submit-review")
    assert page.inner_text("#review-status") == "submitted"

    submit(page, "#sign-review")  # without the declaration: refused, nothing signed
    assert "declare your independence" in page.inner_text("#error-message")
    assert page.inner_text("#review-status") == "submitted"
    for box in page.locator("#sign-form input[name=declare]").all():
        box.check()
    submit(page, "#sign-review")
    assert page.inner_text("#review-status") == "signed"
    assert re.search(r"Signed by cio@demo\.steerco on \d{4}-\d{2}-\d{2}", page.inner_text("#workflow"))
    assert page.locator("form[action$='/summary']").count() == 0  # nothing left to edit

    with page.expect_download(timeout=300_000) as download:
        page.click("#download-pdf")
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("steerco-review-northwind-it-services-")
