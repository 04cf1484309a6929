"""Survey facts out of the database: the frames the measures and the drift engine read, and
the spreadsheet-safe exports and the report with small breakdowns withheld."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from openpyxl import load_workbook
from polars.testing import assert_frame_equal

from scorecard.drift.settings import SURVEY_RATING_SCHEMA
from pipelines.measures.survey import INVITATIONS, RESPONSES
from sql.survey_store import (ANSWER_SCHEMA, INVITATION_SCHEMA, INVITATIONS_FACT, RESPONSE_SCHEMA, RESPONSES_FACT,
                              read_survey_facts, read_survey_ratings, read_survey_tables)
from surveys.exports import neutralise, report, responses_table, write_table
from surveys.invitations import provider_ref
from surveys.responses import check_answers, find_link, store_response
from tests.surveys.conftest import HELPDESK_OK, LEGAL_OK, import_tickets, invite, ts

SENT = ts(2026, 3, 20, 12)


def _answer(engine, provider, ticket, form, *, at, **ticket_fields):
    import_tickets(engine, provider, {"ticket_id": ticket, "opened_at": ts(2026, 3, 1),
                                      "resolved_at": ts(2026, 3, 19, 9), **ticket_fields})
    out = invite(engine, provider, ticket, now=SENT)
    with engine.begin() as conn:
        found = find_link(conn, out.token, now=at)
        checked = check_answers(found.questionnaire, {k: [v] for k, v in form.items()})
        assert checked.ok, checked.errors
        assert store_response(conn, found.target, found.questionnaire, checked.answers, "en", now=at)
    return out


def _pid(engine, name):
    with engine.connect() as conn:
        return provider_ref(conn, name).id


def test_the_facts_are_the_frames_the_measures_declare():
    assert RESPONSES_FACT == RESPONSES.schema and INVITATIONS_FACT == INVITATIONS.schema


def test_read_survey_facts(engine, providers):
    _answer(engine, "Acme IT", "INC1", {**HELPDESK_OK, "speed": "2", "comment": "secret words"},
            at=ts(2026, 3, 31, 23, 30), priority="P2", category="Email")  # 1 April in London
    _answer(engine, "Acme IT", "INC3", {**HELPDESK_OK, "satisfaction": "2"}, at=ts(2026, 3, 21, 8),
            requester="bob@example.com")
    invite(engine, "Acme IT", "INC2", now=SENT, email="x@example.com", resolved_at=SENT)  # not sent yet
    facts = read_survey_facts(engine, _pid(engine, "Acme IT"))
    assert set(facts) == {"survey_responses", "survey_invitations"}
    expected = pl.DataFrame({
        "provider": ["Acme IT"] * 4, "questionnaire": ["helpdesk@1"] * 4,
        "question": ["satisfaction", "recommend"] * 2, "scale": ["1-5", "0-10"] * 2,
        "answered_at": [ts(2026, 3, 31, 23, 30)] * 2 + [ts(2026, 3, 21, 8)] * 2, "rating": [4, 9, 2, 9]},
        schema=RESPONSES_FACT)
    assert_frame_equal(facts["survey_responses"], expected)  # only the measure questions; no text
    assert_frame_equal(facts["survey_invitations"], pl.DataFrame({
        "provider": ["Acme IT"] * 2, "sent_at": [SENT, SENT],
        "responded_at": [ts(2026, 3, 31, 23, 30), ts(2026, 3, 21, 8)]}, schema=INVITATIONS_FACT))


def test_anonymous_facts_carry_only_the_month(engine, providers):
    _answer(engine, "Lex Legal", "MAT1", {**LEGAL_OK, "mattered_most": "speed"}, at=ts(2026, 3, 22, 10))
    facts = read_survey_facts(engine, _pid(engine, "Lex Legal"))
    month_start = ts(2026, 3, 1, 5)  # midnight in New York (EST)
    assert facts["survey_responses"].select("question", "answered_at", "rating").rows() == [
        ("satisfaction", month_start, 5), ("recommend", month_start, 10)]
    assert facts["survey_invitations"].select("sent_at", "responded_at").rows() == [(SENT, SENT)]
    tables = read_survey_tables(engine, _pid(engine, "Lex Legal"))
    assert tables["responses"].select("mode", "month", "submitted_at").rows() == [("anonymous", "2026-03", None)]
    choice = tables["answers"].filter(pl.col("type") == "choice")
    assert choice.select("value", "option").rows() == [(None, "speed")]


def test_read_survey_tables(engine, providers):
    _answer(engine, "Acme IT", "INC1", {**HELPDESK_OK, "speed": "2", "comment": "secret words"},
            at=ts(2026, 3, 31, 23, 30), priority="P2", category="Email")  # 1 April in London
    invite(engine, "Acme IT", "INC2", now=SENT, email="x@example.com", resolved_at=SENT)
    tables = read_survey_tables(engine, _pid(engine, "Acme IT"))
    inv, resp, ans = tables["invitations"], tables["responses"], tables["answers"]
    assert inv.schema == INVITATION_SCHEMA and resp.schema == RESPONSE_SCHEMA and ans.schema == ANSWER_SCHEMA
    assert inv.select("provider", "questionnaire", "version", "status", "delivery", "sent_at", "sent_month").rows() == [
        ("Acme IT", "helpdesk", 1, "answered", "link", SENT, "2026-03"),
        ("Acme IT", "helpdesk", 1, "pending", "email", None, None)]
    assert "email" not in inv.columns and "ticket_id" not in inv.columns and "requester_key" not in inv.columns
    assert resp.select("mode", "month", "submitted_at", "priority", "category").rows() == [
        ("confidential", "2026-04", ts(2026, 3, 31, 23, 30), "P2", "Email")]
    rid = resp["response_id"][0]
    expected = pl.DataFrame({
        "response_id": [rid] * 4, "question": ["satisfaction", "speed", "resolved", "recommend"],
        "type": ["rating", "rating", "yes_no", "nps"], "measure": ["survey.csat", None, None, "survey.nps"],
        "value": [4, 2, 1, 9], "option": [None, None, None, None]}, schema=ANSWER_SCHEMA)
    assert_frame_equal(ans, expected)  # free text stays out
    ratings = read_survey_ratings(engine, _pid(engine, "Acme IT"))
    assert ratings.schema == SURVEY_RATING_SCHEMA
    assert sorted(ratings.rows()) == [("Acme IT", "survey.csat", "{\"question\":\"speed\"}", "2026-04", 2),
                                      ("Acme IT", "survey.csat", "{}", "2026-04", 4),
                                      ("Acme IT", "survey.nps", "{}", "2026-04", 9)]


def test_empty_frames_keep_their_schemas(engine, providers):
    tables = read_survey_tables(engine, _pid(engine, "Acme IT"))
    assert [f.schema for f in tables.values()] == [INVITATION_SCHEMA, RESPONSE_SCHEMA, ANSWER_SCHEMA]
    facts = read_survey_facts(engine, _pid(engine, "Acme IT"))
    assert [f.schema for f in facts.values()] == [RESPONSES_FACT, INVITATIONS_FACT]
    assert all(f.is_empty() for f in [*tables.values(), *facts.values()])


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("fine", "fine"), ("", ""), (5, 5), (None, None),
])
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def test_exports_are_spreadsheet_safe(engine, providers, tmp_path):
    _answer(engine, "Acme IT", "INC1", {**HELPDESK_OK, "comment": "=cmd|' /C calc'!A0"}, at=ts(2026, 3, 21))
    _answer(engine, "Acme IT", "INC2", {**HELPDESK_OK, "satisfaction": "2", "resolved": "no", "comment": "<b>ok</b>"},
            at=ts(2026, 3, 22), requester="bob@example.com")
    table = responses_table(engine, _pid(engine, "Acme IT"))
    assert table.columns == ["provider", "questionnaire", "version", "mode", "month", "submitted_at", "language",
                             "priority", "category", "ticket_id", "satisfaction", "resolved", "recommend", "comment"]
    assert table.select("ticket_id", "satisfaction", "resolved").rows() == [("INC1", "4", "yes"), ("INC2", "2", "no")]
    buf = io.BytesIO()
    write_table(table, "csv", buf)
    text = buf.getvalue().decode()
    assert "'=cmd|' /C calc'!A0" in text and "<b>ok</b>" in text and "2026-03-21T00:00:00Z" in text
    write_table(table, "xlsx", tmp_path / "r.xlsx")
    sheet = load_workbook(tmp_path / "r.xlsx").active
    cells = [c.value for c in sheet[2]]
    assert "'=cmd|' /C calc'!A0" in cells and all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    buf = io.BytesIO()
    write_table(table, "json", buf)
    assert json.loads(buf.getvalue())[0]["comment"] == "=cmd|' /C calc'!A0"  # JSON is data, not a spreadsheet


def test_anonymous_exports_blank_small_groups(engine, providers):
    for i in range(6):
        _answer(engine, "Lex Legal", f"M{i}", LEGAL_OK, at=ts(2026, 3, 22), requester=f"u{i}@example.com",
                category="NDA" if i < 5 else "Correction")
    table = responses_table(engine, _pid(engine, "Lex Legal"))
    assert table["ticket_id"].null_count() == 6 and table["submitted_at"].null_count() == 6
    assert table.select("priority", "category").rows() == [("P3", "NDA")] * 5 + [(None, None)]


def test_report_withholds_breakdowns_of_fewer_than_five(engine, providers):
    for i in range(6):
        _answer(engine, "Acme IT", f"INC{i}", {**HELPDESK_OK, "satisfaction": "5" if i < 4 else "2",
                                               "recommend": "10" if i < 3 else "5"},
                at=ts(2026, 3, 22), requester=f"u{i}@example.com", priority="P2" if i < 4 else "P3")
    for i in range(4):
        import_tickets(engine, "Acme IT", {"ticket_id": f"NO{i}", "requester": f"n{i}@example.com",
                                           "opened_at": ts(2026, 3, 1), "resolved_at": ts(2026, 3, 19)})
        assert invite(engine, "Acme IT", f"NO{i}", now=SENT).invited
    whole = report(engine, _pid(engine, "Acme IT"))
    assert whole.rows() == [("2026-03", 10, 6, 0.6, 6, 4 / 6, (3 / 6 - 3 / 6) * 100)]
    by = report(engine, _pid(engine, "Acme IT"), by="priority")
    assert by.rows() == [("2026-03", "P2", 4, None, None, None, None, None),
                         ("2026-03", "P3", 6, None, None, None, None, None)]
