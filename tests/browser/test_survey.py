"""An end user answers a survey in Chromium: from the link the ticketing tool got from the API,
in French (the browser's language), on a phone-sized screen, partly with the keyboard. The
answer is stored once and counts in the month's survey facts and measures."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

import polars as pl
import pytest
from sqlalchemy import select

from dashboard.api import create_token
from pipelines.measures import compute_all
from scorecard.context import MeasureContext
from scorecard.months import month_of
from sql import repo
from sql.engine import make_engine, session_scope
from sql.schema import upgrade
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyResponse
from sql.survey_store import read_survey_facts
from tests.surveys.conftest import served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def survey_site(tmp_path_factory):
    """A served steerco (gunicorn, SQLite) with a provider and an API token for its ticketing tool."""
    folder = tmp_path_factory.mktemp("survey-site")
    url = f"sqlite:///{folder / 'steerco.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        repo.add_provider(s, "Acme IT", "it", "Europe/London", actor="test")
    with engine.begin() as conn:
        token = create_token(conn, "servicenow", "survey-invitations", provider_id=None, actor="test")
    with served(url, folder) as base:
        yield base, engine, token
    engine.dispose()


def _invite(base: str, token: str, ticket: str) -> str:
    body = json.dumps({"provider": "Acme IT", "ticket_id": ticket, "priority": "P2", "category": "Email",
                       "requester": f"{ticket.lower()}@example.com"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/survey-invitations", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["invitation"]["link"]


def test_an_end_user_answers_in_french_on_a_phone(survey_site, page):
    base, engine, token = survey_site
    link = _invite(base, token, "INC4242")
    page.set_viewport_size({"width": 375, "height": 740})
    page.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Comment s'est passée votre demande ?"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    assert page.locator("script").count() == 0

    # Sending nothing: a message per required question, nothing stored
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.get_by_role("alert").inner_text().startswith("Veuillez vérifier vos réponses")
    assert page.locator(".field-error").count() == 3
    group = page.get_by_role("group", name="Dans l'ensemble, êtes-vous satisfait du traitement de votre demande ?")
    assert group.count() == 1  # the fieldset's legend names the radio group for a screen reader

    # The keyboard: into the first group, arrows choose the rating
    page.locator("#q-satisfaction-1").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("#q-satisfaction-4").is_checked()
    page.get_by_label("Oui").check()
    page.locator("label[for=q-recommend-9]").click()
    page.get_by_label("Souhaitez-vous nous dire autre chose ?").fill("Très bien, merci <b>!</b>")
    page.get_by_label("Souhaitez-vous nous dire autre chose ?").press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"  # the next stop is the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Merci !"

    with engine.connect() as conn:
        [response] = conn.execute(select(SurveyResponse)).all()
        answers = dict(conn.execute(select(SurveyAnswer.question, SurveyAnswer.value)).all())
        comment = conn.scalar(select(SurveyAnswer.text).where(SurveyAnswer.question == "comment"))
        status = conn.scalar(select(SurveyInvitation.status).where(SurveyInvitation.ticket_id == "INC4242"))
    assert status == "answered" and response.language == "fr" and response.priority == "P2"
    assert {k: answers[k] for k in ("satisfaction", "resolved", "recommend")} == {
        "satisfaction": 4, "resolved": 1, "recommend": 9}
    assert comment == "Très bien, merci <b>!</b>"

    # the response counts in this month's survey facts and measures
    facts = read_survey_facts(engine, response.provider_id)
    month = response.month
    assert month == month_of(response.submitted_at, "Europe/London")
    assert facts["survey_responses"].select("question", "scale", "rating").rows() == [
        ("satisfaction", "1-5", 4), ("recommend", "0-10", 9)]
    assert facts["survey_invitations"]["responded_at"].is_not_null().all()
    ctx = MeasureContext(provider="Acme IT", timezone="Europe/London", months=(month,),
                         as_of=dt.datetime.now(dt.timezone.utc))
    results = compute_all(ctx, {k: v.lazy() for k, v in facts.items()}).collect()
    csat = results.filter((pl.col("measure") == "survey.csat") & (pl.col("params") == "{}"))
    assert csat.select("month", "value", "n").rows() == [(month, 1.0, 1)]
    rate = results.filter(pl.col("measure") == "survey.response_rate")
    assert rate.select("numerator", "denominator").rows() == [(1.0, 1.0)]

    # the link is single-use: opening it again says so, kindly (fetched outside the browser,
    # whose console would report the 410 as an error)
    request = urllib.request.Request(link, headers={"Accept-Language": "fr"})
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(request, timeout=10)
    assert gone.value.code == 410
    assert "Ce questionnaire a déjà reçu une réponse" in gone.value.read().decode()
