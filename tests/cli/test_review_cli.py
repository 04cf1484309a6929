"""steerco review …: the workflow from the command line, its one-line refusals, and a signed
review that no command can change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from sql.engine import make_engine, session_scope
from sql.models import AuditEntry
from tests.conftest import Cli

PROVIDER = "Acme IT"
AREAS = ("service_desk", "problem_management", "availability", "capacity", "security", "licences_purchasing",
         "projects", "vendors", "reporting", "strategic_advice")
PDF = b"%PDF-1.4\n%%EOF\n"
YEAR = dt.date.today().year - 1  # last year: a review year is never in the future
R = ("--provider", PROVIDER, "--year", str(YEAR))
DUE = (dt.date.today() + dt.timedelta(days=60)).isoformat()
DECLARE = ("--no-financial-interest", "--no-referral-fees", "--no-other-relationship")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def refused(result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("steerco: ") and text in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.fixture
def cli(run_cli):
    ok(run_cli("provider", "add", PROVIDER, "--kind", "it"))
    ok(run_cli("user", "add", "cio@example.com", "--role", "reviewer", "--password-stdin",
               input="correct horse battery staple\n"))
    ok(run_cli("user", "add", "boss@example.com", "--role", "executive", "--password-stdin",
               input="correct horse battery staple\n"))
    return run_cli


def test_help_and_rubrics(cli):
    out = ok(cli("review", "--help", db=False))
    for command in ("open", "rate", "attach", "recommend", "submit", "sign", "amend", "show", "export", "access",
                    "action"):
        assert f"\n  {command} " in out
    assert "10 areas" in ok(cli("review", "rubric", db=False))
    assert "Confidentiality, privilege and data security" in ok(cli("review", "rubric", "legal", db=False))
    refused(cli("review", "rubric", "nope.toml", db=False), "nope.toml: no such file")


def test_the_workflow_and_its_refusals(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("dashboard.review_report.figures_to_svg", lambda figures, **kw: {})  # no Chromium here
    assert "opened review 1" in ok(cli("review", "open", *R))
    refused(cli("review", "open", *R), f"already has a {YEAR} review")
    refused(cli("review", "open", "--provider", PROVIDER, "--year", "2999"), "a review year lies between")
    refused(cli("review", "rate", *R, "--area", "security", "--rating", "7"),
            "a capability rating is a whole number from 0 to 5, got 7")
    refused(cli("review", "rate", *R, "--area", "security", "--rating", "5"), "needs a rationale")
    refused(cli("review", "rate", *R, "--area", "nowhere", "--rating", "3"), "has no area 'nowhere'")
    for area in AREAS:
        ok(cli("review", "rate", *R, "--area", area, "--rating", "3"))
    ok(cli("review", "rate", *R, "--area", "vendors", "--rating", "1", "--rationale", "Fees disclosed late."))
    refused(cli("review", "submit", *R), "needs a summary for the board")
    ok(cli("review", "summary", *R, "Capable, with two weak spots."))
    refused(cli("review", "recommend", *R, "--area", "vendors", "--text", "Disclose fees", "--owner", "Account lead",
                "--due", "best effort"), "must be a date (YYYY-MM-DD), not 'best effort'")
    ok(cli("review", "recommend", *R, "--area", "vendors", "--text", "Disclose fees yearly", "--owner", "Account lead",
           "--due", DUE))
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (10 * 1024 * 1024))
    refused(cli("review", "attach", *R, str(big)), "documents are at most 10 MB")
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ\x90\x00\x03" + bytes(range(30)))
    refused(cli("review", "attach", *R, str(exe)), "is not a PDF, PNG, JPEG, DOCX, XLSX or plain text file")
    cert = tmp_path / "ISO 27001.pdf"
    cert.write_bytes(PDF)
    assert "attached ISO 27001.pdf" in ok(cli("review", "attach", *R, str(cert), "--area", "security",
                                             "--expires", "2027-03-31"))
    ok(cli("review", "submit", *R))
    refused(cli("review", "rate", *R, "--area", "vendors", "--rating", "2"), "return it to draft")
    refused(cli("review", "sign", *R, "--reviewer", "cio@example.com"), "declare your independence before signing")
    refused(cli("review", "sign", *R, "--reviewer", "boss@example.com", *DECLARE),
            "only a reviewer may sign a review; boss@example.com is a executive")
    assert "signed review 1" in ok(cli("review", "sign", *R, "--reviewer", "cio@example.com", *DECLARE))
    shown = ok(cli("review", "show", *R))
    assert "signed by cio@example.com" in shown and "Third-party vendors" in shown and "RA-1 open" in shown
    data = json.loads(ok(cli("review", "show", *R, "--format", "json")))
    assert data["status"] == "signed" and data["declaration"]["disclosures"] == ""
    assert [a["rating"] for a in data["areas"]].count(3) == 9 and data["evidence"]["sha256"]
    listed = json.loads(ok(cli("review", "action", "list", "--format", "json")))
    assert [(a["ref"], a["state"]) for a in listed] == [("RA-1", "open")]
    refused(cli("review", "action", "close", "RA-1", "--on", "2999-01-01"), "is in the future")
    refused(cli("review", "action", "close", "RA-9", "--on", "2026-01-01"), "there is no improvement action RA-9")
    assert "closed RA-1" in ok(cli("review", "action", "close", "RA-1", "--on", dt.date.today().isoformat()))
    ok(cli("review", "access", "--provider", PROVIDER, "--allow"))
    out = tmp_path / "review.html"
    assert "wrote" in ok(cli("review", "export", *R, "--out", str(out)))
    html = out.read_text(encoding="utf-8")
    assert "Acme IT" in html and "Independence declaration" in html and "Signed by" in html
    refused(cli("review", "export", *R, "--out", str(tmp_path / "review.docx")), "--out must end in .pdf or .html")


def test_no_command_changes_a_signed_review(cli, tmp_path):
    ok(cli("review", "open", *R))
    for area in AREAS:
        ok(cli("review", "rate", *R, "--area", area, "--rating", "4"))
    ok(cli("review", "summary", *R, "Good."))
    ok(cli("review", "submit", *R))
    ok(cli("review", "sign", *R, "--reviewer", "cio@example.com", *DECLARE))
    before = json.loads(ok(cli("review", "show", *R, "--format", "json")))
    doc = tmp_path / "late.txt"
    doc.write_text("a late note\n")
    attempts = [
        ("rate", "--area", "security", "--rating", "1", "--rationale", "changed my mind"),
        ("summary", "rewritten"), ("attach", str(doc)),
        ("recommend", "--area", "security", "--text", "t", "--owner", "o", "--due", DUE),
        ("submit",), ("return",), ("sign", "--reviewer", "cio@example.com", *DECLARE),
    ]
    for command, *args in attempts:
        refused(cli("review", command, *R, "--version", "1", *args), "is signed and cannot be changed")
        refused(cli("review", command, *R, *args), "is signed and cannot be changed")
    assert json.loads(ok(cli("review", "show", *R, "--format", "json"))) == before
    assert "opened version 2" in ok(cli("review", "amend", *R, "--reason", "Security rating to revisit."))
    refused(cli("review", "amend", *R, "--version", "1", "--reason", "x"), "already has a newer version")
    ok(cli("review", "rate", *R, "--area", "security", "--rating", "3"))  # the amendment is a draft
    after = json.loads(ok(cli("review", "show", *R, "--version", "1", "--format", "json")))
    assert after.pop("newer_version") == {"id": 2, "version": 2, "status": "draft"}
    assert before.pop("newer_version") is None and after == before
    v2 = json.loads(ok(cli("review", "show", *R, "--format", "json")))
    assert v2["version"] == 2 and v2["amends"]["version"] == 1 and v2["status"] == "draft"
    engine = make_engine(cli.db_url)
    with session_scope(engine) as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("review.%"))))
    engine.dispose()
    assert actions.count("review.rate") == len(AREAS) + 1 and "review.amend" in actions


def test_export_pdf_with_its_chart(sqlite_url, tmp_path):
    """One PDF, its chart drawn by Chromium, is enough: the HTML is checked on both databases."""
    cli = Cli(sqlite_url)
    ok(cli("provider", "add", PROVIDER, "--kind", "it"))
    ok(cli("review", "open", *R))
    out = tmp_path / "review.pdf"
    ok(cli("review", "export", *R, "--out", str(out)))
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > 10_000
