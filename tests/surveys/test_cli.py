"""steerco survey … and steerco token …, through the CLI's entry point on both databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import select

from sql.models import ApiToken, AuditEntry
from sql.survey_models import SurveyInvitation
from surveys.invitations import invite_resolved
from tests.surveys.conftest import import_tickets
from tests.surveys.test_questionnaire import MINIMAL

NOW = dt.datetime.now(dt.timezone.utc)
RECENT = {"opened_at": NOW - dt.timedelta(days=2), "resolved_at": NOW - dt.timedelta(hours=4)}


@pytest.fixture(autouse=True)
def _providers(providers):
    return providers


def test_every_survey_command_has_help_with_db(run_cli):
    for args in (["survey", "questionnaire", "load"], ["survey", "questionnaire", "list"], ["survey", "settings"],
                 ["survey", "invite"], ["survey", "void"], ["survey", "send"], ["survey", "links"],
                 ["survey", "responses"], ["survey", "report"], ["token", "create"], ["token", "list"],
                 ["token", "revoke"]):
        result = run_cli(*args, "--help", db=False)
        assert result.exit_code == 0 and "--db URL" in result.output, args


def test_questionnaire_load_and_list(run_cli, tmp_path):
    empty = run_cli("survey", "questionnaire", "list")
    assert empty.exit_code == 0 and "no questionnaires loaded yet" in empty.output
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL)
    loaded = run_cli("survey", "questionnaire", "load", str(path))
    assert loaded.exit_code == 0 and loaded.output.strip() == "loaded mini@1 (1 questions, confidential, languages en, fr)"
    assert "already loaded, unchanged: mini@1" in run_cli("survey", "questionnaire", "load", str(path)).output
    path.write_text(MINIMAL.replace("Quick question", "A quick question"))
    changed = run_cli("survey", "questionnaire", "load", str(path))
    assert changed.exit_code == 2 and "versions never change: give this one version 2" in changed.output
    path.write_text(MINIMAL.replace('type = "rating"', 'type = "stars"'))
    bad = run_cli("survey", "questionnaire", "load", str(path))
    assert bad.exit_code == 2 and "questions.overall.type" in bad.output and "Traceback" not in bad.output
    listed = json.loads(run_cli("survey", "questionnaire", "list", "--format", "json").output)
    assert [(q["key"], q["version"], q["questions"]) for q in listed] == [("mini", 1, 1)]


def test_settings_show_and_change(run_cli, engine):
    shown = json.loads(run_cli("survey", "settings", "--provider", "Acme IT", "--format", "json").output)
    assert shown["questionnaire"] == "helpdesk" and shown["auto_invite"] is False
    changed = run_cli("survey", "settings", "--provider", "Acme IT", "--auto-invite", "--sample-rate", "0.25",
                      "--staff-groups", "IT Staff, Service Desk", "--exclude-categories", "", "--format", "json")
    data = json.loads(changed.output)
    assert data["auto_invite"] is True and data["sample_rate"] == 0.25
    assert data["staff_groups"] == ["IT Staff", "Service Desk"] and data["exclude_categories"] == []
    bad = run_cli("survey", "settings", "--provider", "Acme IT", "--sample-rate", "2")
    assert bad.exit_code == 2 and "sample_rate must be above 0 and at most 1" in bad.output
    unknown = run_cli("survey", "settings", "--provider", "Acme IT", "--questionnaire", "nope")
    assert unknown.exit_code == 2 and "no questionnaire 'nope'" in unknown.output
    with engine.connect() as conn:
        audit = conn.execute(select(AuditEntry.details).where(AuditEntry.action == "survey.settings")).scalars().all()
    assert any('"sample_rate": {"from": 1.0, "to": 0.25}' in d for d in audit)


def test_invite_prints_the_link(run_cli, engine):
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", **RECENT},
                   {"ticket_id": "INC2", "status": "cancelled", "resolved_at": None, "opened_at": RECENT["opened_at"]})
    made = run_cli("survey", "invite", "--provider", "Acme IT", "--ticket", "INC1", "--email", "ann@example.com",
                   "--language", "es")
    assert made.exit_code == 0, made.output
    assert re.search(r"^http://127\.0\.0\.1:8050/s/[A-Za-z0-9_-]{43}$", made.stdout, re.M)
    assert "will be emailed" in made.stderr and "STEERCO_PUBLIC_URL is not set" in made.stderr
    twice = run_cli("survey", "invite", "--provider", "Acme IT", "--ticket", "INC1")
    assert twice.exit_code == 1 and "not invited: this ticket already has an invitation" in twice.stderr
    cancelled = run_cli("survey", "invite", "--provider", "Acme IT", "--ticket", "INC2")
    assert cancelled.exit_code == 1 and "the ticket was cancelled" in cancelled.stderr
    missing = run_cli("survey", "invite", "--provider", "Acme IT", "--ticket", "NOPE")
    assert missing.exit_code == 2 and "no ticket 'NOPE' has been imported for Acme IT" in missing.stderr
    voided = run_cli("survey", "void", "--provider", "Acme IT", "--ticket", "INC1")
    assert voided.output.strip() == "INC1: voided its unanswered invitation"


def test_links_csv_for_the_ticketing_tool(run_cli, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("STEERCO_PUBLIC_URL", "https://surveys.example.com/")
    import_tickets(engine, "Acme IT", *[{"ticket_id": f"=INC{i}", "requester": f"u{i}@example.com", **RECENT}
                                        for i in range(3)])
    run_cli("survey", "settings", "--provider", "Acme IT", "--auto-invite", "--delay-hours", "1")
    assert invite_resolved(engine, "Acme IT").created == 3
    out = tmp_path / "links.csv"
    result = run_cli("survey", "links", "--provider", "Acme IT", "--out", str(out))
    assert result.exit_code == 0 and "3 links for Acme IT" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["ticket_id"] for r in rows] == ["'=INC0", "'=INC1", "'=INC2"]  # neutralised
    assert all(re.fullmatch(r"https://surveys\.example\.com/s/[A-Za-z0-9_-]{43}", r["link"]) for r in rows)
    assert {r["message"] for r in rows} == {"invitation"} and {r["language"] for r in rows} == {"en"}
    again = run_cli("survey", "links", "--provider", "Acme IT")
    assert again.stdout == "ticket_id,message,language,link,expires_at\n"  # each link is handed out once
    with engine.connect() as conn:
        assert {r.sent_month for r in conn.execute(select(SurveyInvitation))} != {None}


def test_responses_and_report_commands(run_cli, engine, tmp_path):
    empty = run_cli("survey", "report", "--provider", "Acme IT")
    assert "no survey invitations or responses for Acme IT yet" in empty.output
    assert run_cli("survey", "responses", "--provider", "Acme IT").stdout.startswith("provider,questionnaire,")
    xlsx = run_cli("survey", "responses", "--provider", "Acme IT", "--format", "xlsx")
    assert xlsx.exit_code == 2 and "--format xlsx needs --out FILE" in xlsx.output
    out = tmp_path / "r.xlsx"
    assert run_cli("survey", "responses", "--provider", "Acme IT", "--format", "xlsx", "--out", str(out)).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    import_tickets(engine, "Acme IT", {"ticket_id": "INC1", **RECENT})
    run_cli("survey", "invite", "--provider", "Acme IT", "--ticket", "INC1")
    table = run_cli("survey", "report", "--provider", "Acme IT")
    assert table.exit_code == 0 and "<5" in table.output
    data = json.loads(run_cli("survey", "report", "--provider", "Acme IT", "--format", "json").output)
    assert data[0]["sent"] == 1 and data[0]["answered"] is None and data[0]["csat"] is None


def test_token_create_list_revoke(run_cli, engine):
    made = run_cli("token", "create", "servicenow", "--scope", "survey-invitations", "--provider", "Acme IT")
    assert made.exit_code == 0
    token = made.stdout.strip()
    assert token.startswith("stc_") and "shown only now" in made.stderr
    with engine.connect() as conn:
        stored = conn.execute(select(ApiToken.token_hash, ApiToken.provider_id)).one()
    assert token not in stored.token_hash and stored.provider_id is not None
    dup = run_cli("token", "create", "servicenow", "--scope", "survey-invitations")
    assert dup.exit_code == 2 and "an active token named 'servicenow' exists" in dup.output
    listed = json.loads(run_cli("token", "list", "--format", "json").output)
    assert [(t["name"], t["scope"], t["provider"], t["revoked_at"]) for t in listed] == [
        ("servicenow", "survey-invitations", "Acme IT", None)]
    assert token not in run_cli("token", "list").output
    assert run_cli("token", "revoke", "servicenow").output.strip() == "revoked API token 'servicenow'"
    gone = run_cli("token", "revoke", "servicenow")
    assert gone.exit_code == 2 and "no active API token named 'servicenow'" in gone.output
    bad_scope = run_cli("token", "create", "x", "--scope", "admin")
    assert bad_scope.exit_code == 2 and "Invalid value for '--scope'" in bad_scope.output
