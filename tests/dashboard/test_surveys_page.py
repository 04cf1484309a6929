"""The Surveys page on the demo: its numbers against independent counts of the survey tables and
the stored results, the five-response rule, anonymity, text never markup, and provider scoping."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import insert, select, text

from dashboard import ids
from dashboard.access import REFUSAL
from dashboard.pages.common import month_label
from scorecard.definition import load_scorecard
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyQuestionnaire, SurveyResponse
from surveys.readouts import withheld_groups
from tests.dashboard.conftest import USERS, login
from tests.dashboard.dash_client import IT, LEGAL, by_id, call, client_as, demo_app, find, open_page, text_of

__all__ = ["demo_app"]
MONTH = "2026-10"
FIRST = "2025-11"
NOT_SHOWN = "fewer than 5 responses — not shown"


# ---------------------------------------------------------------------- helpers

def body(client, provider: str, first: str | None = FIRST, month: str | None = MONTH):
    answer = call(client, [(ids.SURVEYS_BODY, "children"), (ids.SURVEYS_URL, "search")],
                  [(ids.SURVEYS_PROVIDER, "value", provider), (ids.SURVEYS_FROM, "value", first),
                   (ids.SURVEYS_MONTH, "value", month)])
    return answer[ids.SURVEYS_BODY]["children"], answer.get(ids.SURVEYS_URL, {}).get("search")


def rows(tree, table_id: str) -> list[list[str]]:
    """The cell texts of a table drawn as Dash components, header first."""
    found = by_id(tree, table_id)
    assert found is not None, f"no table {table_id}"
    return [[text_of(cell) for cell in tr["props"]["children"]]
            for tr in find(found, lambda c: c.get("type") == "Tr")]


def provider_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM providers WHERE name = :n"), {"n": name}).scalar_one()


def figure(tree, component_id: str) -> dict:
    graph = by_id(tree, component_id)
    assert graph is not None, f"no graph {component_id}"
    return graph["props"]["figure"]


def sql(engine, query: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


# ---------------------------------------------------------------------- the page's numbers

def test_layout_defaults_to_the_latest_month_with_survey_data_and_links_admins_to_questionnaires(demo_app,
                                                                                                demo_engine):
    latest = sql(demo_engine, "SELECT MAX(month) FROM survey_responses")[0][0]
    sent = sql(demo_engine, "SELECT MAX(sent_month) FROM survey_invitations WHERE status <> 'void'")[0][0]
    assert max(latest, sent) == MONTH
    layout = open_page(client_as(demo_app, "admin"), "/surveys", f"?provider={IT}")
    assert by_id(layout, ids.SURVEYS_PROVIDER)["props"]["value"] == IT
    assert by_id(layout, ids.SURVEYS_MONTH)["props"]["value"] == MONTH
    assert by_id(layout, ids.SURVEYS_FROM)["props"]["value"] == FIRST  # twelve months to the month shown
    assert by_id(layout, ids.SURVEYS_ADMIN_LINK)["props"]["href"] == "/admin/questionnaires"
    executive = open_page(client_as(demo_app, "executive"), "/surveys", f"?provider={IT}&from=2026-01&month=2026-05")
    assert by_id(executive, ids.SURVEYS_ADMIN_LINK) is None
    assert by_id(executive, ids.SURVEYS_FROM)["props"]["value"] == "2026-01"
    assert by_id(executive, ids.SURVEYS_MONTH)["props"]["value"] == "2026-05"


def test_response_rates_are_the_invitations_sent_and_answered_by_sending_month(demo_app, demo_engine):
    tree, url = body(client_as(demo_app, "executive"), IT)
    assert url == f"?provider={IT.replace(' ', '%20')}&from={FIRST}&month={MONTH}"
    pid = provider_id(demo_engine, IT)
    invited, answered, still_open = Counter(), Counter(), Counter()
    for sent_month, status in sql(demo_engine, "SELECT sent_month, status FROM survey_invitations "
                                               "WHERE provider_id = :p AND sent_month IS NOT NULL", p=pid):
        if status == "void" or not FIRST <= sent_month <= MONTH:
            continue
        invited[sent_month] += 1
        answered[sent_month] += status == "answered"
        still_open[sent_month] += status == "pending"
    table = rows(tree, ids.SURVEYS_RATES_TABLE)
    assert table[0] == ["Sent in", "Invited", "Answered", "Response rate", "Still open"]
    expected = [[month_label(m), f"{invited[m]:,}", f"{answered[m]:,}", f"{answered[m] / invited[m] * 100:.1f} %",
                 f"{still_open[m]:,}" if still_open[m] else ""] for m in sorted(invited, reverse=True)]
    assert table[1:] == expected and len(expected) == 12
    assert still_open[MONTH] > 0  # the demo's last month still has open invitations
    chart = figure(tree, ids.SURVEYS_RATES)["data"]
    assert chart[0]["y"] == [invited[m] for m in sorted(invited)]
    assert chart[1]["y"] == [answered[m] for m in sorted(invited)]
    responses = sql(demo_engine, "SELECT COUNT(*) FROM survey_responses WHERE provider_id = :p AND month = :m",
                    p=pid, m=MONTH)[0][0]
    assert f"{month_label(MONTH)}: {responses:,} responses; {invited[MONTH]:,} invitations sent" in text_of(tree)


def test_satisfaction_nps_and_response_rate_are_the_stored_results_with_intervals_and_goals(demo_app, demo_engine):
    tree, _url = body(client_as(demo_app, "executive"), IT)
    pid = provider_id(demo_engine, IT)
    source = sql(demo_engine, "SELECT source FROM scorecard_versions WHERE provider_id = :p "
                              "ORDER BY effective_month DESC", p=pid)[0][0]
    specs = {m.measure: m for _p, _o, m in load_scorecard(source, source="demo").measures() if m.params_key == "{}"}
    for measure, component, goal_text in (("survey.csat", ids.SURVEYS_CSAT, "goal 85 %"),
                                          ("survey.nps", ids.SURVEYS_NPS, "goal 20"),
                                          ("survey.response_rate", ids.SURVEYS_RESPONSE_RATE, None)):
        stored = sql(demo_engine, "SELECT month, value, ci_low, ci_high, n FROM measure_results WHERE provider_id = :p "
                                  "AND measure = :m AND params = '{}' AND month >= :a AND month <= :b ORDER BY month",
                     p=pid, m=measure, a=FIRST, b=MONTH)
        assert len(stored) == 12 and all(r.n >= 5 for r in stored)
        fig = figure(tree, component)
        names = [t.get("name") for t in fig["data"]]
        main = fig["data"][-1]
        assert main["name"] == (specs[measure].label if measure in specs else "Survey response rate")
        assert main["y"] == pytest.approx([r.value for r in stored])
        band = names.index("95 % interval")
        assert fig["data"][band - 1]["y"] == pytest.approx([r.ci_low for r in stored])
        assert fig["data"][band]["y"] == pytest.approx([r.ci_high for r in stored])
        annotations = [a["text"] for a in fig["layout"].get("annotations", [])]
        if goal_text:
            assert measure in specs and goal_text in annotations
        else:
            assert measure not in specs and not annotations
    assert "not on the scorecard: no goal" in text_of(by_id(tree, ids.SURVEYS_TRENDS))


def test_rating_distributions_count_every_answer_of_the_month(demo_app, demo_engine):
    tree, _url = body(client_as(demo_app, "reviewer"), IT)
    pid = provider_id(demo_engine, IT)
    answers = sql(demo_engine, "SELECT a.question, q.type, a.value FROM survey_answers a "
                               "JOIN survey_responses r ON r.id = a.response_id "
                               "JOIN survey_questions q ON q.questionnaire_id = r.questionnaire_id AND q.key = a.question "
                               "WHERE r.provider_id = :p AND r.month = :m AND a.value IS NOT NULL", p=pid, m=MONTH)
    counts = Counter((q, v) for q, t, v in answers if t in ("rating", "nps"))
    ratings = figure(tree, ids.SURVEYS_DISTRIBUTION)["data"]
    questions = {t["meta"]["question"] for t in ratings}
    assert questions == {q for q, t, _v in answers if t == "rating"} == {"satisfaction", "outcome", "speed", "staff"}
    for trace in ratings:
        q, value = trace["meta"]["question"], trace["meta"]["part"]
        baseline, month = trace["customdata"]
        assert month == counts[(q, value)]
        assert baseline is None  # the scorecard's baseline (2023-11 … 2024-10) is before this 14-month demo
    groups = {t["meta"]["part"]: t["customdata"][1] for t in figure(tree, ids.SURVEYS_NPS_GROUPS)["data"]}
    assert groups == {"detractors": sum(counts[("recommend", v)] for v in range(7)),
                      "passives": counts[("recommend", 7)] + counts[("recommend", 8)],
                      "promoters": counts[("recommend", 9)] + counts[("recommend", 10)]}
    assert "has no responses: only October 2026 is shown" in text_of(tree)


def test_comments_of_a_confidential_questionnaire_carry_their_ticket_and_never_a_person(demo_app, demo_engine):
    tree, _url = body(client_as(demo_app, "executive"), IT)
    pid = provider_id(demo_engine, IT)
    stored = sql(demo_engine, "SELECT a.text, i.ticket_id FROM survey_answers a "
                              "JOIN survey_responses r ON r.id = a.response_id "
                              "JOIN survey_questions q ON q.questionnaire_id = r.questionnaire_id AND q.key = a.question "
                              "LEFT JOIN survey_invitations i ON i.id = r.invitation_id "
                              "WHERE r.provider_id = :p AND r.month = :m AND q.type = 'text' AND a.text <> ''",
                 p=pid, m=MONTH)
    table = rows(tree, ids.SURVEYS_COMMENTS_TABLE)
    header = table[0]
    assert header == ["Rating", "Recommend", "Language", "Comment", "Ticket", "Priority", "Category", "Answered"]
    shown = Counter((r[header.index("Comment")], r[header.index("Ticket")]) for r in table[1:])
    assert shown == Counter((t, ticket) for t, ticket in stored) and len(stored) > 20
    ratings = [int(r[0].split(" / ")[0]) for r in table[1:]]
    assert ratings == sorted(ratings)  # lowest rating first
    requesters = {k for (k,) in sql(demo_engine, "SELECT requester_key FROM survey_invitations WHERE provider_id = :p "
                                                 "AND requester_key IS NOT NULL", p=pid)}
    assert not requesters & {cell for r in table for cell in r}
    assert "Confidential questionnaire" in text_of(by_id(tree, ids.SURVEYS_COMMENTS))


def test_anonymous_comments_carry_no_ticket_priority_category_or_time(demo_app, demo_engine):
    tree, _url = body(client_as(demo_app, "executive"), LEGAL)
    pid = provider_id(demo_engine, LEGAL)
    stored = sorted(t for (t,) in sql(
        demo_engine, "SELECT a.text FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id "
                     "JOIN survey_questions q ON q.questionnaire_id = r.questionnaire_id AND q.key = a.question "
                     "WHERE r.provider_id = :p AND r.month = :m AND q.type = 'text' AND a.text <> ''", p=pid, m=MONTH))
    table = rows(tree, ids.SURVEYS_COMMENTS_TABLE)
    assert table[0] == ["Rating", "Recommend", "Language", "Comment"]
    assert sorted(r[3] for r in table[1:]) == stored and stored
    tickets = {t for (t,) in sql(demo_engine, "SELECT ticket_id FROM survey_invitations WHERE provider_id = :p", p=pid)}
    section = by_id(tree, ids.SURVEYS_COMMENTS)
    words = set(text_of(section).split())
    assert tickets and not tickets & words
    assert not {"P1", "P2", "P3", "P4", "NDA", "MSA"} & words  # neither priority nor category
    assert "Anonymous questionnaire: its comments carry no ticket, person or time." in text_of(section)


# ---------------------------------------------------------------------- the five-response rule

def test_groups_are_withheld_under_five_and_their_complement_too():
    assert withheld_groups({"P1": 3, "P2": 40, "P3": 12, "P4": 90}) == {"P1", "P3"}
    assert withheld_groups({"P1": 3, "P2": 4, "P3": 12}) == {"P1", "P2"}
    assert withheld_groups({"P1": 5, "P2": 6}) == set()
    assert withheld_groups({"P1": 4}) == {"P1"}


def test_breakdowns_show_only_groups_of_five_or_more(demo_app, demo_engine):
    tree, _url = body(client_as(demo_app, "executive"), IT)
    pid = provider_id(demo_engine, IT)
    for by in ("priority", "category"):
        sizes = {g or "not recorded": n for g, n in sql(
            demo_engine, f"SELECT {by}, COUNT(*) FROM survey_responses WHERE provider_id = :p AND month = :m "
                         f"GROUP BY {by}", p=pid, m=MONTH)}
        table = {r[0]: r[1:] for r in rows(tree, f"surveys-by-{by}")[1:]}
        assert set(table) == set(sizes)
        small = {g for g, n in sizes.items() if n < 5}
        for group, n in sizes.items():
            if n < 5:
                assert table[group] == [NOT_SHOWN]
            elif table[group][0].startswith("not shown"):
                assert len(small) == 1 and n == min(v for g, v in sizes.items() if g not in small)
            else:
                assert table[group][0] == f"{n:,}"
    assert any(n < 5 for (n,) in sql(demo_engine, "SELECT COUNT(*) FROM survey_responses WHERE provider_id = :p AND "
                                                  "month = :m GROUP BY priority", p=pid, m=MONTH))


def test_a_month_under_five_responses_shows_no_comments_distribution_or_breakdown(demo_app, demo_engine):
    pid = provider_id(demo_engine, LEGAL)
    with demo_engine.begin() as conn:
        every = conn.execute(text("SELECT id FROM survey_responses WHERE provider_id = :p AND month = :m ORDER BY id"),
                             {"p": pid, "m": MONTH}).scalars().all()
        doomed = every[4:]
        conn.execute(SurveyAnswer.__table__.delete().where(SurveyAnswer.response_id.in_(doomed)))
        conn.execute(SurveyResponse.__table__.delete().where(SurveyResponse.id.in_(doomed)))
        # a sending month with four answers: its answered count and rate are withheld
        answered = conn.execute(text("SELECT id FROM survey_invitations WHERE provider_id = :p AND sent_month = "
                                     "'2026-09' AND status = 'answered' ORDER BY id"), {"p": pid}).scalars().all()
        conn.execute(SurveyInvitation.__table__.update().where(SurveyInvitation.id.in_(answered[4:]))
                     .values(status="expired"))
    tree, _url = body(client_as(demo_app, "executive"), LEGAL)
    comments = text_of(by_id(tree, ids.SURVEYS_COMMENTS))
    assert "October 2026 has 4 responses: comments are shown only for months with at least 5" in comments
    assert by_id(tree, ids.SURVEYS_COMMENTS_TABLE) is None
    for trace in figure(tree, ids.SURVEYS_DISTRIBUTION)["data"]:
        assert trace["customdata"][1] is None and trace["y"][1] == f"October 2026: {NOT_SHOWN}"
    assert f"October 2026: {NOT_SHOWN}." in text_of(by_id(tree, ids.SURVEYS_BREAKDOWN))
    september = next(r for r in rows(tree, ids.SURVEYS_RATES_TABLE) if r[0] == "September 2026")
    invited = sql(demo_engine, "SELECT COUNT(*) FROM survey_invitations WHERE provider_id = :p AND "
                               "sent_month = '2026-09' AND status <> 'void'", p=pid)[0][0]
    assert september == ["September 2026", f"{invited:,}", NOT_SHOWN, "—", ""]


# ---------------------------------------------------------------------- text, never markup

def test_comment_text_is_shown_as_text_never_markup(demo_app, demo_engine):
    pid = provider_id(demo_engine, IT)
    hostile = ["<b>x</b>", '=HYPERLINK("http://example.com/steal","click")', "<script>alert(1)</script>"]
    with demo_engine.begin() as conn:
        qid = conn.scalar(select(SurveyQuestionnaire.id).where(SurveyQuestionnaire.key == "helpdesk"))
        for i, comment in enumerate(hostile):
            rid = conn.execute(insert(SurveyResponse).values(
                provider_id=pid, questionnaire_id=qid, invitation_id=None, month=MONTH, submitted_at=None,
                language="en", priority="P3", category="Email")).inserted_primary_key[0]
            conn.execute(insert(SurveyAnswer), [{"response_id": rid, "question": "satisfaction", "value": 1 + i, "text": None},
                                                {"response_id": rid, "question": "comment", "value": None,
                                                 "text": comment}])
    client = client_as(demo_app, "executive")
    response = client.post("/_dash-update-component", json={
        "output": f"..{ids.SURVEYS_BODY}.children...{ids.SURVEYS_URL}.search..",
        "outputs": [{"id": ids.SURVEYS_BODY, "property": "children"}, {"id": ids.SURVEYS_URL, "property": "search"}],
        "inputs": [{"id": ids.SURVEYS_PROVIDER, "property": "value", "value": IT},
                   {"id": ids.SURVEYS_FROM, "property": "value", "value": FIRST},
                   {"id": ids.SURVEYS_MONTH, "property": "value", "value": MONTH}],
        "changedPropIds": [f"{ids.SURVEYS_PROVIDER}.value"]})
    tree = response.get_json()["response"][ids.SURVEYS_BODY]["children"]
    cells = [c for c in find(by_id(tree, ids.SURVEYS_COMMENTS_TABLE), lambda c: c.get("type") == "Td")
             if c["props"].get("children") in hostile]
    assert sorted(c["props"]["children"] for c in cells) == sorted(hostile)  # each a plain string child
    dangerous = [c for c in find(tree, lambda c: c["props"].get("dangerously_allow_html"))]
    assert not any(h in json.dumps(c) for c in dangerous for h in hostile)
    assert not any(c.get("type") == "Markdown" for c in find(by_id(tree, ids.SURVEYS_COMMENTS), lambda c: True))


# ---------------------------------------------------------------------- who sees what

def test_a_provider_user_is_refused_another_provider_at_the_callbacks(demo_app):
    client = client_as(demo_app, "provider")
    tree, url = body(client, LEGAL)
    said = text_of(tree)
    assert url is None
    assert "Not available to you" in said and REFUSAL in said
    assert "Lexington" not in said and "responses" not in said and by_id(tree, ids.SURVEYS_RATES) is None
    months = call(client, [(ids.SURVEYS_FROM, "options"), (ids.SURVEYS_FROM, "value"), (ids.SURVEYS_MONTH, "options"),
                           (ids.SURVEYS_MONTH, "value")],
                  [(ids.SURVEYS_PROVIDER, "value", LEGAL)],
                  [(ids.SURVEYS_FROM, "value", FIRST), (ids.SURVEYS_MONTH, "value", MONTH)])
    assert months[ids.SURVEYS_MONTH] == {"options": [], "value": None}
    layout = open_page(client, "/surveys", f"?provider={LEGAL}")
    assert REFUSAL in text_of(layout) and by_id(layout, ids.SURVEYS_BODY) is None
    own, _url = body(client, IT)
    assert by_id(own, ids.SURVEYS_COMMENTS_TABLE) is not None  # its own provider: the data
    options = call(client, [(ids.SURVEYS_FROM, "options"), (ids.SURVEYS_FROM, "value"),
                            (ids.SURVEYS_MONTH, "options"), (ids.SURVEYS_MONTH, "value")],
                   [(ids.SURVEYS_PROVIDER, "value", IT)],
                   [(ids.SURVEYS_FROM, "value", FIRST), (ids.SURVEYS_MONTH, "value", MONTH)])
    assert options[ids.SURVEYS_MONTH]["value"] == MONTH and options[ids.SURVEYS_FROM]["value"] == FIRST
    picker = by_id(open_page(client, "/surveys", ""), ids.SURVEYS_PROVIDER)
    assert [o["value"] for o in picker["props"]["options"]] == [IT]


def test_a_range_that_ends_before_it_starts_is_explained(demo_app):
    tree, _url = body(client_as(demo_app, "executive"), IT, first="2026-10", month="2026-05")
    said = text_of(tree)
    assert "That address is not quite right" in said and "choose an earlier From month" in said
    bad, _url = body(client_as(demo_app, "executive"), IT, first="2026-13", month=MONTH)
    assert "not a month" in text_of(bad) or "not quite right" in text_of(bad)


def test_a_provider_without_surveys_says_how_to_start(app, client):
    login(client, USERS["admin"])
    tree, url = body(client, "Acme IT", first=None, month=None)
    said = text_of(tree)
    assert "No surveys for Acme IT yet" in said
    assert 'steerco survey settings --provider "Acme IT" --auto-invite' in said
    assert by_id(tree, ids.SURVEYS_RATES) is None and url == "?provider=Acme%20IT"
    links = [c["props"]["href"] for c in find(tree, lambda c: c.get("type") == "A")]
    assert links == ["/admin/questionnaires"]
    layout = open_page(client, "/surveys", "?provider=Acme%20IT")
    assert by_id(layout, ids.SURVEYS_MONTH)["props"]["value"] is None and by_id(layout, ids.SURVEYS_BODY) is not None
