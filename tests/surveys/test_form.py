"""The public form at /s/<token>, through the real app on both databases: what it shows, what
it stores, and every way a submission is refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from scorecard.months import month_of
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyResponse, SurveyThrottle
from surveys import throttle
from surveys.invitations import provider_ref, void_ticket
from tests.surveys.conftest import HELPDESK_OK, LEGAL_OK, csrf_from, import_tickets, invite, ts

NOW_REAL = dt.datetime.now(dt.timezone.utc)


def _invite(engine, provider="Acme IT", ticket="INC1", **fields):
    import_tickets(engine, provider, {"ticket_id": ticket, "opened_at": NOW_REAL - dt.timedelta(days=2),
                                      "resolved_at": NOW_REAL - dt.timedelta(hours=3)})
    out = invite(engine, provider, ticket, now=NOW_REAL, **fields)
    assert out.invited, out.reason
    return out.token


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def _open(web, token, **headers):
    page = web.get(f"/s/{token}", headers=headers)
    return page, page.get_data(as_text=True)


def _post(web, token, data, csrf=True, **kwargs):
    if csrf:
        data = {"csrf_token": csrf_from(web.get(f"/s/{token}").get_data(as_text=True)), **data}
    return web.post(f"/s/{token}", data=data, **kwargs)


def test_the_form_is_plain_accessible_html(engine, web):
    token = _invite(engine)
    page, html = _open(web, token)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "<script" not in html and 'novalidate' in html
    assert '<html lang="en">' in html
    assert html.count("<fieldset") == 6 and html.count("<legend>") == 6  # every choice group has a legend
    legend = re.search(r"<legend>(.*?)</legend>", html, re.S).group(1)
    assert "Overall, how satisfied" in legend and "(required)" in legend
    assert 'aria-describedby="q-satisfaction-hint"' in html
    assert '<p class="hint" id="q-satisfaction-hint">1 = Very dissatisfied, 5 = Very satisfied</p>' in html
    for v in range(1, 6):
        assert f'<label class="option" for="q-satisfaction-{v}"><input type="radio" id="q-satisfaction-{v}"' in html
    assert '<label for="q-comment">' in html and 'maxlength="2000"' in html
    assert 'name="questionnaire" value="helpdesk@1"' in html
    for header, value in {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                          "X-Frame-Options": "DENY"}.items():
        assert page.headers[header] == value
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "Set-Cookie" in page.headers  # the CSRF token's session


@pytest.mark.parametrize("how, expected", [
    ({"headers": {"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"}}, "de"),
    ({"headers": {"Accept-Language": "it,es;q=0.4"}}, "es"),
    ({"query": "?lang=fr", "headers": {"Accept-Language": "de"}}, "fr"),
])
def test_the_language_follows_the_browser_or_the_choice(engine, web, how, expected):
    token = _invite(engine)
    html = web.get(f"/s/{token}{how.get('query', '')}", headers=how["headers"]).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html
    assert f'<a href="?lang={expected}" hreflang="{expected}" lang="{expected}" aria-current="page">' in html


def test_the_invitations_language_wins_over_the_browser(engine, web):
    token = _invite(engine, language="es")
    html = web.get(f"/s/{token}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="es">' in html and "¿Se resolvió su problema?" in html


def test_one_click_rating_prefills_the_first_question(engine, web):
    token = _invite(engine)
    html = web.get(f"/s/{token}?r=5").get_data(as_text=True)
    assert re.search(r'id="q-satisfaction-5" name="satisfaction" value="5" checked', html)
    for bad in ("9", "x", "-1", "５"):
        assert " checked" not in web.get(f"/s/{token}?r={bad}").get_data(as_text=True)
    assert _count(engine, SurveyResponse) == 0  # opening the link never answers


def test_a_complete_answer_is_stored_once_and_thanked(engine, web):
    token = _invite(engine)
    answer = {**HELPDESK_OK, "speed": "2", "comment": "  <b>Quick</b>\r\nthanks =1+1  ", "lang": "fr",
              "csrf_token": csrf_from(web.get(f"/s/{token}").get_data(as_text=True))}
    done = web.post(f"/s/{token}", data=answer)
    assert done.status_code == 200 and "Merci !" in done.get_data(as_text=True)
    with engine.connect() as conn:
        inv = conn.execute(select(SurveyInvitation)).one()
        response = conn.execute(select(SurveyResponse)).one()
        answers = {q: (v, t) for q, v, t in conn.execute(
            select(SurveyAnswer.question, SurveyAnswer.value, SurveyAnswer.text)).all()}
    assert inv.status == "answered" and inv.answered_at is not None and inv.email is None
    assert response.invitation_id == inv.id and response.language == "fr" and response.priority == "P3"
    assert response.month == month_of(response.submitted_at, "Europe/London")
    assert answers == {"satisfaction": (4, None), "speed": (2, None), "resolved": (1, None),
                       "recommend": (9, None), "comment": (None, "<b>Quick</b>\nthanks =1+1")}
    replay = web.post(f"/s/{token}", data=answer)  # the same form, sent again
    assert replay.status_code == 410
    assert "Ce questionnaire a déjà reçu une réponse" in replay.get_data(as_text=True)
    assert _count(engine, SurveyResponse) == 1
    again, html = _open(web, token)
    assert again.status_code == 410 and "This survey has already been answered" in html


def test_anonymous_responses_keep_no_link_to_the_ticket(engine, web):
    token = _invite(engine, provider="Lex Legal", ticket="MAT1")
    assert _post(web, token, {**LEGAL_OK, "mattered_most": "accuracy"}).status_code == 200
    with engine.connect() as conn:
        response = conn.execute(select(SurveyResponse)).one()
        inv = conn.execute(select(SurveyInvitation)).one()
        choice = conn.scalar(select(SurveyAnswer.text).where(SurveyAnswer.question == "mattered_most"))
    assert response.invitation_id is None and response.submitted_at is None
    assert inv.status == "answered" and inv.answered_at is None
    assert response.month and response.priority == "P3" and choice == "accuracy"


def test_missing_required_answers_get_a_message_each_and_keep_the_rest(engine, web):
    token = _invite(engine)
    page = _post(web, token, {"questionnaire": "helpdesk@1", "speed": "3", "comment": "Slow <i>reply</i>"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200  # the form again, for a person to finish
    assert "<title>Please check your answers · How did we do?</title>" in html
    assert 'role="alert"' in html and "3 answers need your attention:" in html
    for key in ("satisfaction", "resolved", "recommend"):
        assert f'<p class="field-error" id="q-{key}-error">Please answer this question.</p>' in html
        assert f'href="#q-{key}-' in html
    assert 'aria-describedby="q-satisfaction-hint q-satisfaction-error"' in html
    assert re.search(r'id="q-speed-3" name="speed" value="3" checked', html)
    assert "Slow &lt;i&gt;reply&lt;/i&gt;</textarea>" in html  # kept, and shown as text
    assert _count(engine, SurveyResponse) == 0 and _count(engine, SurveyAnswer) == 0
    with engine.connect() as conn:
        assert conn.scalar(select(SurveyInvitation.status)) == "pending"


@pytest.mark.parametrize("change, status, says", [
    ({"satisfaction": "6"}, 400, "Choose a value from 1 to 5."),
    ({"recommend": "11"}, 400, "Choose a value from 0 to 10."),
    ({"recommend": "9.5"}, 400, "Choose a value from 0 to 10."),
    ({"resolved": "maybe"}, 400, "Choose yes or no."),
    ({"comment": "x" * 2001}, 400, "Please shorten your answer to 2,000 characters (it has 2,001)."),
    ({"is_admin": "1"}, 400, "The form sent answers this survey does not ask for."),
    ({"questionnaire": "legal@1"}, 400, "These answers were given on the form of another survey."),
    ({"questionnaire": None}, 400, "These answers were given on the form of another survey."),
])
def test_bad_values_are_refused_with_a_clear_message_and_nothing_stored(engine, web, change, status, says):
    token = _invite(engine)
    data = {k: v for k, v in {**HELPDESK_OK, **change}.items() if v is not None}
    page = _post(web, token, data)
    assert page.status_code == status
    assert says in page.get_data(as_text=True)
    assert _count(engine, SurveyResponse) == 0


def test_a_repeated_field_is_refused(engine, web):
    token = _invite(engine)
    csrf = csrf_from(web.get(f"/s/{token}").get_data(as_text=True))
    body = "&".join(f"{k}={v}" for k, v in {**HELPDESK_OK, "csrf_token": csrf}.items()) + "&satisfaction=1"
    page = web.post(f"/s/{token}", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and "Give one answer to this question." in page.get_data(as_text=True)
    assert _count(engine, SurveyResponse) == 0


def test_a_form_without_its_csrf_token_is_refused_but_kept(engine, web):
    token = _invite(engine)
    page = _post(web, token, {**HELPDESK_OK, "comment": "keep me"}, csrf=False)
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "This form has expired. Your answers are kept below" in html
    assert "keep me</textarea>" in html and csrf_from(html)
    assert _count(engine, SurveyResponse) == 0
    assert _post(web, token, HELPDESK_OK).status_code == 200  # with the fresh token it goes through


@pytest.mark.parametrize("kwargs, status, says", [
    ({"json": HELPDESK_OK}, 415, "We could not read your answers"),
    ({"data": b"a=1", "content_type": "text/plain"}, 415, "We could not read your answers"),
    ({"data": {"comment": "x" * 70_000}}, 413, "too long to be received"),
])
def test_wrong_content_type_and_oversized_bodies(engine, web, kwargs, status, says):
    token = _invite(engine)
    page = web.post(f"/s/{token}", **kwargs)
    assert page.status_code == status and says in page.get_data(as_text=True)
    assert _count(engine, SurveyResponse) == 0


def test_unknown_forged_expired_and_void_links(engine, web):
    token = _invite(engine)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (forged, "not-a-token", "x" * 43):
        page, html = _open(web, bad)
        assert page.status_code == 404 and "We could not find this survey" in html
        assert web.post(f"/s/{bad}", data=HELPDESK_OK).status_code == 404
    assert _count(engine, SurveyResponse) == 0
    with engine.begin() as conn:
        void_ticket(conn, provider_ref(conn, "Acme IT").id, "INC1")
    page, html = _open(web, token, **{"Accept-Language": "de"})
    assert page.status_code == 410 and "Diese Umfrage wird nicht mehr benötigt" in html
    late = _invite(engine, ticket="INC2")
    with engine.begin() as conn:
        conn.execute(SurveyInvitation.__table__.update().where(SurveyInvitation.ticket_id == "INC2")
                     .values(expires_at=ts(2020, 1, 1)))
    page, html = _open(web, late)
    assert page.status_code == 410 and "This survey has closed" in html
    assert _post(web, late, HELPDESK_OK, csrf=False).status_code == 410


def test_guessing_from_one_address_is_stopped_without_stopping_real_answers(engine, web):
    tokens = [_invite(engine, ticket=f"INC{i}", email=f"u{i}@example.com") for i in range(3)]
    assert web.get(f"/s/{tokens[0]}").status_code == 200  # valid links never count
    for i in range(throttle.UNKNOWN_PER_ADDRESS):
        assert web.get(f"/s/{'g' * 40}{i:03d}").status_code == 404
    assert web.get(f"/s/{'g' * 43}").status_code == 429
    page, html = _open(web, tokens[1])  # even a real link, so guessing learns nothing
    assert page.status_code == 429 and "Too many attempts" in html
    other = web.get(f"/s/{tokens[1]}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # other addresses are unaffected
    with engine.begin() as conn:
        assert throttle.prune(conn, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)) > 0
    assert web.get(f"/s/{tokens[1]}").status_code == 200


def test_repeated_rejected_submissions_on_one_link_are_slowed_down(engine, web):
    token = _invite(engine)
    for _ in range(throttle.FAILED_PER_INVITATION):
        assert _post(web, token, {"questionnaire": "helpdesk@1"}).status_code == 200
    assert _post(web, token, HELPDESK_OK).status_code == 429
    assert web.get(f"/s/{token}").status_code == 200  # reading is still fine
    assert _count(engine, SurveyThrottle) == throttle.FAILED_PER_INVITATION
    assert _count(engine, SurveyResponse) == 0
