"""The Surveys page and questionnaire management in a browser, on the served demo."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import insert, select

from tests.browser.dashboard_helpers import IT, LEGAL, MONTH, WAIT, login, screenshot, served_db

pytestmark = pytest.mark.browser
__all__ = ["served_db"]


def test_surveys_page_shows_rates_trends_distributions_and_comments(page, demo_server):
    login(page, demo_server, "executive")
    page.locator("#sc-body").wait_for(timeout=WAIT)
    page.goto(f"{demo_server}/surveys?provider={quote(IT)}&month={MONTH}")
    for graph in ("#surveys-rates", "#surveys-csat", "#surveys-nps", "#surveys-response-rate",
                  "#surveys-distribution", "#surveys-nps-groups"):
        page.locator(f"{graph} .main-svg").first.wait_for(timeout=WAIT)
    assert page.locator("#surveys-rates-table tbody tr").count() == 12
    comments = page.locator("#surveys-comments-table tbody tr")
    assert comments.count() > 20
    assert "INC" in page.locator("#surveys-comments-table").inner_text()  # confidential: the ticket
    assert "goal 85 %, red flag 75 %" in page.locator("#surveys-trends").inner_text()
    assert "fewer than 5 responses — not shown" in page.locator("#surveys-breakdown").inner_text()
    assert page.url.endswith(f"/surveys?provider={quote(IT)}&from=2025-11&month={MONTH}")
    screenshot(page, "surveys")


def test_the_anonymous_provider_shows_comments_without_tickets(page, demo_server):
    login(page, demo_server, "reviewer")
    page.locator("#sc-body").wait_for(timeout=WAIT)
    page.goto(f"{demo_server}/surveys?provider={quote(LEGAL)}")
    page.locator("#surveys-comments-table").wait_for(timeout=WAIT)
    head = page.locator("#surveys-comments-table thead").inner_text()
    assert "Comment" in head and "Ticket" not in head
    assert "Anonymous questionnaire" in page.locator("#surveys-comments").inner_text()


def test_a_comment_written_as_markup_shows_literally(page, demo_server, served_db):
    from sql.engine import make_engine
    from sql.models import Provider
    from sql.survey_models import SurveyAnswer, SurveyQuestionnaire, SurveyResponse

    hostile = ["<b>bold?</b>", '=HYPERLINK("http://example.com","click")']
    engine = make_engine(served_db)
    try:
        with engine.begin() as conn:
            pid = conn.scalar(select(Provider.id).where(Provider.name == IT))
            qid = conn.scalar(select(SurveyQuestionnaire.id).where(SurveyQuestionnaire.key == "helpdesk"))
            for comment in hostile:
                rid = conn.execute(insert(SurveyResponse).values(
                    provider_id=pid, questionnaire_id=qid, invitation_id=None, month="2026-09", submitted_at=None,
                    language="en", priority="P3", category="Email")).inserted_primary_key[0]
                conn.execute(insert(SurveyAnswer), [
                    {"response_id": rid, "question": "satisfaction", "value": 1, "text": None},
                    {"response_id": rid, "question": "comment", "value": None, "text": comment}])
    finally:
        engine.dispose()
    login(page, demo_server, "executive")
    page.locator("#sc-body").wait_for(timeout=WAIT)
    page.goto(f"{demo_server}/surveys?provider={quote(IT)}&month=2026-09")
    table = page.locator("#surveys-comments-table")
    table.wait_for(timeout=WAIT)
    cells = table.locator("td.surveys-comment-text")
    texts = cells.all_inner_texts()
    for comment in hostile:
        assert comment in texts
    assert table.locator("b").count() == 0 and table.locator("a").count() == 0


def test_an_administrator_goes_from_the_page_to_questionnaire_management(page, demo_server):
    login(page, demo_server, "admin")
    page.locator("#sc-body").wait_for(timeout=WAIT)
    page.goto(f"{demo_server}/surveys?provider={quote(IT)}")
    page.locator("#surveys-admin-link").click()
    page.locator("#qa-versions").wait_for(timeout=WAIT)
    assert "helpdesk v1" in page.locator("#qa-versions").inner_text()
    assert "Northwind IT Services" in page.locator("#qa-providers").inner_text()
    page.get_by_role("link", name="helpdesk v1").click()
    page.locator("#qa-questions").wait_for(timeout=WAIT)
    assert "Français (fr)" in page.locator("#qa-questions thead").inner_text()
