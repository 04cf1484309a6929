"""Questionnaire management (/admin/questionnaires): uploads checked as the CLI checks them,
nothing stored on error, versions never changed, settings audited, administrators only."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sql.models import AuditEntry, Provider
from sql.survey_models import SurveyQuestion, SurveyQuestionnaire, SurveySettings
from tests.dashboard.conftest import USERS, csrf_from, login
from tests.surveys.test_questionnaire import MINIMAL

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
PATH = "/admin/questionnaires"


def admin(client):
    assert login(client, USERS["admin"]).status_code == 302
    return client


def token(client) -> str:
    """A CSRF token of the logged-in session (from any of its forms)."""
    page = client.get(PATH)
    if page.status_code == 200:
        return csrf_from(page.get_data(as_text=True))
    layout = client.get("/_dash-layout").get_json()  # the shell's logout form

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("name") == "csrf_token":
                yield props["value"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    found = next(walk(layout), None)
    assert found, "no CSRF token in the Dash layout"
    return found


def upload(client, content: bytes | str, name: str = "mine.toml", *, csrf: str | None = None):
    data = content.encode() if isinstance(content, str) else content
    return client.post(PATH, data={"csrf_token": csrf or token(client), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(SurveyQuestionnaire)),
                conn.scalar(select(func.count()).select_from(SurveyQuestion)),
                conn.scalar(select(func.count()).select_from(AuditEntry)))


def audits(engine, action: str) -> list[AuditEntry]:
    with engine.connect() as conn:
        return conn.execute(select(AuditEntry.actor, AuditEntry.target, AuditEntry.details)
                            .where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def provider_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(Provider.id).where(Provider.name == name))


# ---------------------------------------------------------------------- listing and viewing

def test_the_list_shows_shipped_questionnaires_and_each_providers_settings(app, client):
    page = admin(client).get(PATH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "No questionnaire is loaded yet" in html
    assert "not loaded yet: helpdesk, legal" in html
    assert re.search(r'data-provider="Acme IT">.*?<td>helpdesk</td>\s*<td>off</td>', html, re.DOTALL)
    assert re.search(r'data-provider="Lex Legal">.*?<td>legal</td>', html, re.DOTALL)
    assert 'href="/assets/surveys.css"' in html and 'aria-current="page">Administration' in html


def test_a_good_file_loads_a_version_that_the_page_shows_with_translations_side_by_side(app, client, engine):
    admin(client)
    before = counts(engine)
    response = upload(client, MINIMAL, "mini.toml")
    assert response.status_code == 303 and response.headers["Location"] == f"{PATH}/mini/1"
    assert counts(engine)[:2] == (before[0] + 1, before[1] + 1)
    [entry] = audits(engine, "survey.questionnaire.load")
    assert entry.actor == USERS["admin"] and entry.target == "mini@1"
    assert json.loads(entry.details)["source"] == "mini.toml"
    page = client.get(f"{PATH}/mini/1").get_data(as_text=True)
    assert "Loaded mini@1: 1 questions, confidential, in en, fr." in page
    row = re.search(r'<tr data-question="overall">(.*?)</tr>', page, re.DOTALL).group(1)
    cells = re.findall(r'<td lang="(\w+)">(.*?)</td>', row, re.DOTALL)
    assert [lang for lang, _ in cells] == ["en", "fr"]
    assert "How was it?" in cells[0][1] and "1: Bad · 5: Good" in cells[0][1]
    assert "C&#39;était comment ?" in cells[1][1] and "1: Mauvais · 5: Bon" in cells[1][1]
    assert "survey.csat" in row and "rating 1–5" in row
    source = client.get(f"{PATH}/mini/1/source")
    assert source.get_data(as_text=True) == MINIMAL and "mini-v1.toml" in source.headers["Content-Disposition"]
    listed = client.get(PATH).get_data(as_text=True)
    assert re.search(r'data-ref="mini@1">.*?confidential.*?en, fr.*?<td class="num">1</td>', listed, re.DOTALL)
    again = upload(client, MINIMAL, "mini.toml")
    assert again.status_code == 303 and counts(engine)[:2] == (before[0] + 1, before[1] + 1)
    assert "already loaded with exactly this text: nothing changed" in client.get(f"{PATH}/mini/1").get_data(
        as_text=True)
    assert len(audits(engine, "survey.questionnaire.load")) == 1


@pytest.mark.parametrize("content, says", [
    (MINIMAL.replace('high = {en = "Good", fr = "Bon"}', 'high = {en = "Good"}'),
     ["line 13, <code>questions.overall.high</code>: the &#39;fr&#39; translation is missing"]),
    (MINIMAL.replace("version = 1", "version = 0").replace('type = "rating"', 'type = "stars"'),
     ["2 problems in the questionnaire, nothing was loaded",
      "line 3, <code>version</code>: must be a whole number from 1 up (value &#39;0&#39;)",
      "line 9, <code>questions.overall.type</code>: must be one of rating, nps"]),
    ('colour = "blue"' + MINIMAL, ["line 1, <code>colour</code>: unknown field"]),
    (MINIMAL + 'colour = "blue"\n', ["line 14, <code>questions.overall.colour</code>: unknown field"]),
    (MINIMAL.replace('key = "mini"', 'key = "mini'), ["not valid TOML", "line 2"]),
    (b"key = \"\xff\"", ["not a UTF-8 text file"]),
    (None, ["choose the questionnaire&#39;s TOML file to load"]),
])
def test_a_bad_file_is_refused_with_each_problem_located_and_nothing_stored(app, client, engine, content, says):
    admin(client)
    before = counts(engine)
    if content is None:
        response = client.post(PATH, data={"csrf_token": token(client)}, content_type="multipart/form-data")
    else:
        response = upload(client, content, "broken.toml")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was loaded." in html
    for said in says:
        assert said in html
    assert "Traceback" not in html
    assert counts(engine) == before


def test_a_loaded_version_never_changes(app, client, engine):
    admin(client)
    assert upload(client, MINIMAL).status_code == 303
    before = counts(engine)
    changed = upload(client, MINIMAL.replace("How was it?", "How did it go?"))
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "versions never change: give this one version 2" in html
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.scalar(select(SurveyQuestionnaire.source).where(SurveyQuestionnaire.key == "mini")) == MINIMAL
    bumped = upload(client, MINIMAL.replace("How was it?", "How did it go?").replace("version = 1", "version = 2"))
    assert bumped.headers["Location"] == f"{PATH}/mini/2"
    listed = client.get(PATH).get_data(as_text=True)
    assert re.search(r'data-ref="mini@1">.*?a newer version is used', listed, re.DOTALL)


# ---------------------------------------------------------------------- a provider's settings

def test_settings_changes_are_audited_and_bad_ones_change_nothing(app, client, engine):
    admin(client)
    pid = provider_id(engine, "Acme IT")
    form = client.get(f"{PATH}/providers/{pid}").get_data(as_text=True)
    assert 'value="2"' in form and 'value="Duplicate"' in form  # the defaults, as numbers people write
    values = {"csrf_token": csrf_from(form), "questionnaire": "helpdesk", "delay_hours": "4", "sample_rate": "0.5",
              "fatigue_days": "60", "expiry_days": "14", "reminder_days": "5", "max_age_days": "7", "language": "fr",
              "exclude_categories": "Duplicate, Spam", "staff_groups": "IT staff", "auto_invite": "on"}
    before = counts(engine)
    bad = client.post(f"{PATH}/providers/{pid}", data={**values, "sample_rate": "lots", "expiry_days": "200"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Nothing was changed." in html
    assert "sample_rate: a number is needed, not &#39;lots&#39;" in html
    assert 'value="lots"' in html  # the form keeps what was typed
    out_of_range = client.post(f"{PATH}/providers/{pid}", data={**values, "expiry_days": "200"})
    assert "expiry_days must be from 1 to 90, not 200" in out_of_range.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SurveySettings)) == 0
    assert counts(engine) == before
    saved = client.post(f"{PATH}/providers/{pid}", data=values)
    assert saved.status_code == 303 and saved.headers["Location"] == f"{PATH}#providers"
    with engine.connect() as conn:
        row = conn.execute(select(SurveySettings).where(SurveySettings.provider_id == pid)).one()
    assert (row.delay_hours, row.sample_rate, row.fatigue_days, row.language, row.auto_invite) == (4, 0.5, 60, "fr", True)
    assert json.loads(row.exclude_categories) == ["Duplicate", "Spam"] and json.loads(row.staff_groups) == ["IT staff"]
    [entry] = audits(engine, "survey.settings")
    assert entry.actor == USERS["admin"] and entry.target == "Acme IT"
    assert json.loads(entry.details) == {
        "auto_invite": {"from": False, "to": True}, "delay_hours": {"from": 2.0, "to": 4.0},
        "exclude_categories": {"from": ["Duplicate"], "to": ["Duplicate", "Spam"]},
        "fatigue_days": {"from": 30, "to": 60}, "language": {"from": "en", "to": "fr"},
        "sample_rate": {"from": 1.0, "to": 0.5}, "staff_groups": {"from": [], "to": ["IT staff"]}}
    assert "Saved the survey settings of Acme IT" in client.get(PATH).get_data(as_text=True)
    unchanged = client.post(f"{PATH}/providers/{pid}", data=values)
    assert unchanged.status_code == 303 and len(audits(engine, "survey.settings")) == 1
    legal = client.post(f"{PATH}/providers/{pid}", data={**values, "questionnaire": "legal"})
    assert legal.status_code == 303
    assert [a.target for a in audits(engine, "survey.questionnaire.load")] == ["legal@1"]  # loaded when chosen
    listed = client.get(PATH).get_data(as_text=True)
    assert re.search(r'data-ref="legal@1">.*?anonymous.*?Acme IT', listed, re.DOTALL)
    unknown = client.post(f"{PATH}/providers/{pid}", data={**values, "questionnaire": "nope"})
    assert "questionnaire: choose one of helpdesk, legal" in unknown.get_data(as_text=True)
    assert client.get(f"{PATH}/providers/999").status_code == 404


# ---------------------------------------------------------------------- who may

@pytest.mark.parametrize("role", ["executive", "reviewer", "provider"])
def test_everyone_but_administrators_is_refused_on_every_route(app, client, engine, role):
    admin(client)
    assert upload(client, MINIMAL).status_code == 303
    client.post("/logout", data={"csrf_token": token(client)})
    assert login(client, USERS[role]).status_code == 302
    pid = provider_id(engine, "Acme IT")
    csrf = token(client)
    before = counts(engine)
    for path in (PATH, f"{PATH}/mini/1", f"{PATH}/mini/1/source", f"{PATH}/providers/{pid}"):
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert "only admin users may" in response.get_data(as_text=True) and MINIMAL not in response.get_data(
            as_text=True)
    posted = upload(client, MINIMAL.replace("version = 1", "version = 5"), csrf=csrf)
    assert posted.status_code == 403
    settings = client.post(f"{PATH}/providers/{pid}", data={"csrf_token": csrf, "questionnaire": "legal"})
    assert settings.status_code == 403
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SurveySettings)) == 0


def test_posts_without_the_csrf_token_change_nothing(app, client, engine):
    admin(client)
    before = counts(engine)
    response = client.post(PATH, data={"file": (io.BytesIO(MINIMAL.encode()), "mini.toml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    pid = provider_id(engine, "Acme IT")
    assert client.post(f"{PATH}/providers/{pid}", data={"questionnaire": "legal"}).status_code == 400
    assert counts(engine) == before


def test_an_unknown_version_is_not_found(app, client):
    admin(client)
    response = client.get(f"{PATH}/helpdesk/7")
    assert response.status_code == 404 and "no version 7 of questionnaire &#39;helpdesk&#39;" in response.get_data(
        as_text=True)


# ---------------------------------------------------------------------- one loader for the CLI and the page

def steerco(*args: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    return subprocess.run([STEERCO, *args], check=False, capture_output=True, text=True, env=env, timeout=120)


def test_the_command_line_and_the_page_load_through_one_function(app, client, engine, db_url, tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    loaded = steerco("survey", "questionnaire", "load", str(path), "--db", db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded mini@1 (1 questions, confidential, languages en, fr)" in loaded.stdout
    admin(client)
    assert re.search(r'data-ref="mini@1">', client.get(PATH).get_data(as_text=True))
    changed = MINIMAL.replace("How was it?", "How did it go?")
    page = upload(client, changed).get_data(as_text=True)
    assert "versions never change: give this one version 2" in page
    path.write_text(changed, encoding="utf-8")
    cli = steerco("survey", "questionnaire", "load", str(path), "--db", db_url)
    assert cli.returncode == 2 and "versions never change: give this one version 2" in cli.stderr
    assert upload(client, changed.replace("version = 1", "version = 2")).status_code == 303
    listed = steerco("survey", "questionnaire", "list", "--format", "json", "--db", db_url)
    assert [(r["key"], r["version"]) for r in json.loads(listed.stdout)] == [("mini", 1), ("mini", 2)]
    assert [a.actor for a in audits(engine, "survey.questionnaire.load")][1] == USERS["admin"]
