"""The review workspace through the Flask test client: the workflow, bad input, immutability,
who reads and signs what, documents served safely, actions, the provider setting, the audit log."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from dashboard.auth import CurrentUser
from sql.engine import session_scope
from sql.models import AuditEntry
from sql.repo import find_user
from sql.review_models import Review, ReviewAction, ReviewArea, ReviewDocument, ReviewRecommendation, ReviewSetting
from tests.dashboard.conftest import USERS, csrf_from, login

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
IT_AREAS = ("service_desk", "problem_management", "availability", "capacity", "security", "licences_purchasing",
            "projects", "vendors", "reporting", "strategic_advice")
DECLARE = ["no_financial_interest", "no_referral_fees", "no_other_relationship"]


@pytest.fixture(autouse=True)
def _no_chart_browser(monkeypatch):
    """Reports in these tests are drawn without starting Chromium (the browser test draws one)."""
    monkeypatch.setattr("dashboard.review_report.figures_to_svg", lambda figures, **kw: {})


def upload(client, path: str, fields: dict, content: bytes, name: str):
    """POST a multipart form built in memory (the test client would spool a large one to an unclosed file)."""
    part = FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
    boundary, body = encode_multipart({**fields, "document": part})
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def as_user(app, role: str):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    return client


def token(client, path: str = "/review/new") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def message(response) -> str:
    found = re.search(r'id="error-message">([^<]+)<', response.get_data(as_text=True))
    return found.group(1).replace("&#34;", '"').replace("&#39;", "'") if found else ""


def open_review(client, provider: str = "Acme IT", year: str = "2025") -> int:
    r = client.post("/review/new", data={"csrf_token": token(client), "provider": provider, "year": year})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    return int(re.search(r"/review/(\d+)", r.headers["Location"]).group(1))


def complete(client, rid: int) -> str:
    t = token(client, f"/review/{rid}")
    for i, area in enumerate(IT_AREAS):
        r = client.post(f"/review/{rid}/areas/{area}", data={"csrf_token": t, "rating": str(2 + i % 3),
                                                            "rationale": f"because {area}"})
        assert r.status_code == 303, message(r)
    assert client.post(f"/review/{rid}/summary", data={"csrf_token": t, "summary": "A fair year."}).status_code == 303
    return t


def signed_review(client) -> int:
    rid = open_review(client)
    t = complete(client, rid)
    client.post(f"/review/{rid}/documents", data={"csrf_token": t, "area": "security", "description": "ISO",
                                                  "document": (io.BytesIO(PDF), "iso.pdf")},
                content_type="multipart/form-data")
    client.post(f"/review/{rid}/recommendations", data={"csrf_token": t, "area": "security", "text": "Patch faster",
                                                        "owner": "Ops lead", "due_on": "2026-03-31"})
    assert client.post(f"/review/{rid}/submit", data={"csrf_token": t}).status_code == 303
    r = client.post(f"/review/{rid}/sign", data={"csrf_token": t, "declare": DECLARE})
    assert r.status_code == 303, message(r)
    return rid


def snapshot(engine) -> dict:
    """Everything stored about reviews (document contents by hash), and the size of the audit log."""
    def rows(model, *skip):
        cols = [c for c in model.__table__.columns.keys() if c not in skip]
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(select(*[model.__table__.c[c] for c in cols])))
    out = {m.__tablename__: rows(m, "content") for m in (Review, ReviewArea, ReviewDocument, ReviewRecommendation,
                                                        ReviewAction, ReviewSetting)}
    with engine.connect() as conn:
        out["audit"] = conn.scalar(select(func.count()).select_from(AuditEntry))
    return out


def status_of(engine, rid: int) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(Review.status).where(Review.id == rid))


def test_a_reviewer_works_a_review_from_draft_to_signed(app, engine):
    cio = as_user(app, "reviewer")
    page = cio.get("/review/new")
    assert page.status_code == 200 and "Acme IT" in page.get_data(as_text=True)
    rid = open_review(cio)
    html = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert "Service desk and incident management" in html and "Submit for sign-off" in html
    assert 'name="csrf_token"' in html and html.count('<form method="post"') >= 12
    t = complete(cio, rid)
    r = cio.post(f"/review/{rid}/documents", data={"csrf_token": t, "area": "security", "expires_on": "2027-03-31",
                                                   "document": (io.BytesIO(PDF), "../ISO cert.PDF")},
                 content_type="multipart/form-data")
    assert r.status_code == 303
    r = cio.post(f"/review/{rid}/recommendations", data={"csrf_token": t, "area": "security",
                                                         "text": "Patch within 14 days", "owner": "Ops lead",
                                                         "due_on": "2026-03-31"})
    assert r.status_code == 303
    followed = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert "ISO cert.pdf" in followed and "Patch within 14 days" in followed and "when signed" in followed
    assert cio.post(f"/review/{rid}/submit", data={"csrf_token": t}).status_code == 303
    assert status_of(engine, rid) == "submitted"
    page = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert "Independence declaration" in page and "no referral fees" in page
    r = cio.post(f"/review/{rid}/sign", data={"csrf_token": t, "declare": DECLARE, "disclosures": "None."})
    assert r.status_code == 303 and status_of(engine, rid) == "signed"
    page = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert "Signed by <strong>cio@example.com</strong>" in page and "RA-" in page
    with session_scope(engine) as s:
        review = s.get(Review, rid)
        assert review.signed_by == "cio@example.com" and review.signed_at is not None and review.evidence
        audited = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.action.like("review.%")))]
    for action in ("review.open", "review.rate", "review.summary", "review.attach", "review.recommend",
                   "review.submit", "review.sign"):
        assert action in audited, action
    assert audited.count("review.rate") == len(IT_AREAS)


BAD_FORMS = [
    ("areas/security", {"rating": "7", "rationale": "x"}, "a capability rating is a whole number from 0 to 5, got 7"),
    ("areas/security", {"rating": "-1"}, "a capability rating is a whole number from 0 to 5"),
    ("areas/security", {"rating": "5", "rationale": " "}, "a rating of 5 for Security needs a rationale"),
    ("areas/security", {"rating": "0"}, "a rating of 0 for Security needs a rationale"),
    ("areas/security", {"rating": "1"}, "a rating of 1 for Security needs a rationale"),
    ("areas/security", {"rating": "na"}, "say why Security is not assessed"),
    ("recommendations", {"area": "security", "text": "Do it", "owner": "Ops", "due_on": "best effort"},
     "must be a date (YYYY-MM-DD), not 'best effort'"),
    ("recommendations", {"area": "security", "text": "Do it", "owner": "", "due_on": "2026-01-31"}, "needs an owner"),
    ("submit", {}, "cannot be submitted yet: it needs a summary for the board"),
    ("sign", {"declare": DECLARE}, "cannot sign it (submit it first)"),
]
BAD_FILES = [
    ("huge.pdf", PDF + b"0" * (10 * 1024 * 1024), "the file is 10.0 MB; documents are at most 10 MB"),
    ("tool.exe", b"MZ\x90\x00 an executable" + bytes(range(20)), "is not a PDF, PNG, JPEG, DOCX, XLSX or plain text"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "named .pdf but its content is PNG"),
    ("", b"", "choose the document to attach"),
    ("big.pdf", PDF + b"0" * (12 << 20), "larger than 10 MB"),  # refused before the upload is even read
]


def test_bad_input_gets_a_clear_message_and_changes_nothing(app, engine):
    cio = as_user(app, "reviewer")
    rid = open_review(cio)
    t = token(cio, f"/review/{rid}")
    before = snapshot(engine)
    for path, data, expected in BAD_FORMS:
        r = cio.post(f"/review/{rid}/{path}", data={"csrf_token": t, **data})
        assert r.status_code == 200 and expected in message(r), (path, data, message(r))
        assert "Nothing was changed" in r.get_data(as_text=True)
    for name, content, expected in BAD_FILES:
        r = upload(cio, f"/review/{rid}/documents", {"csrf_token": t}, content, name)
        assert r.status_code == 200 and expected in message(r), (name, message(r))
    assert snapshot(engine) == before
    page = cio.post(f"/review/{rid}/areas/security", data={"csrf_token": t, "rating": "5",
                                                          "findings": "kept as typed"}).get_data(as_text=True)
    assert "kept as typed" in page and 'value="5" checked' in page  # what was typed comes back to be fixed
    new = cio.post("/review/new", data={"csrf_token": t, "provider": "Acme IT", "year": "1999"})
    assert new.status_code == 200 and "a review year lies between 2000 and" in new.get_data(as_text=True)
    again = cio.post("/review/new", data={"csrf_token": t, "provider": "Acme IT", "year": "2025"})
    assert "already has a 2025 review" in again.get_data(as_text=True)
    assert snapshot(engine) == before


def test_signing_needs_every_statement_of_the_declaration(app, engine):
    cio = as_user(app, "reviewer")
    rid = open_review(cio)
    t = complete(cio, rid)
    assert cio.post(f"/review/{rid}/submit", data={"csrf_token": t}).status_code == 303
    before = snapshot(engine)
    for declared in ([], DECLARE[:2]):
        r = cio.post(f"/review/{rid}/sign", data={"csrf_token": t, "declare": declared})
        assert r.status_code == 200 and "declare your independence before signing" in message(r)
    assert snapshot(engine) == before and status_of(engine, rid) == "submitted"


def test_a_signed_review_cannot_be_changed_through_any_route(app, engine):
    cio = as_user(app, "reviewer")
    rid = signed_review(cio)
    with engine.connect() as conn:
        doc = conn.scalar(select(ReviewDocument.id).where(ReviewDocument.review_id == rid))
        rec = conn.scalar(select(ReviewRecommendation.id).where(ReviewRecommendation.review_id == rid))
    t = token(cio, f"/review/{rid}")
    before = snapshot(engine)
    attempts = [
        ("summary", {"summary": "rewritten"}), ("areas/security", {"rating": "1", "rationale": "changed my mind"}),
        ("areas/vendors", {"rating": ""}), ("documents", {"document": (io.BytesIO(PDF), "more.pdf")}),
        (f"documents/{doc}/delete", {}), ("recommendations", {"area": "security", "text": "t", "owner": "o",
                                                              "due_on": "2026-01-01"}),
        (f"recommendations/{rec}/delete", {}), ("submit", {}), ("return", {}), ("sign", {"declare": DECLARE}),
    ]
    for path, data in attempts:
        r = cio.post(f"/review/{rid}/{path}", data={"csrf_token": t, **data}, content_type="multipart/form-data")
        assert r.status_code == 409, (path, r.status_code)
        assert "is signed and cannot be changed" in message(r), path
    assert snapshot(engine) == before
    page = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert 'action="/review/%d/areas/' % rid not in page and "Amend this review" in page


def test_an_amendment_is_a_new_version_that_refers_to_the_signed_one(app, engine):
    cio = as_user(app, "reviewer")
    rid = signed_review(cio)
    t = token(cio, f"/review/{rid}")
    r = cio.post(f"/review/{rid}/amend", data={"csrf_token": t, "reason": ""})
    assert r.status_code == 200 and "say why the review is amended" in message(r)
    r = cio.post(f"/review/{rid}/amend", data={"csrf_token": t, "reason": "A certificate was missing."})
    assert r.status_code == 303
    new = int(re.search(r"/review/(\d+)", r.headers["Location"]).group(1))
    with session_scope(engine) as s:
        v2 = s.get(Review, new)
        assert (v2.version, v2.amends_id, v2.status) == (2, rid, "draft")
        assert s.scalar(select(func.count()).select_from(ReviewArea).where(ReviewArea.review_id == new)) == 10
    old = cio.get(f"/review/{rid}").get_data(as_text=True)
    assert "An amendment is in progress" in old and "Amend this review" not in old
    assert "amends" in cio.get(f"/review/{new}").get_data(as_text=True)
    r = cio.post(f"/review/{rid}/amend", data={"csrf_token": t, "reason": "again"})
    assert r.status_code == 200 and "already has a newer version" in message(r)


@pytest.mark.parametrize("role", ["executive", "admin", "provider"])
def test_only_reviewers_sign_or_edit(app, engine, role):
    cio = as_user(app, "reviewer")
    rid = open_review(cio)
    t = complete(cio, rid)
    assert cio.post(f"/review/{rid}/submit", data={"csrf_token": t}).status_code == 303
    other = as_user(app, role)
    tok = _session_token(app, other)  # a valid token of the other user's own session
    before = snapshot(engine)
    for path, data in (("sign", {"declare": DECLARE}), ("areas/security", {"rating": "3"}), ("return", {})):
        r = other.post(f"/review/{rid}/{path}", data={"csrf_token": tok, **data})
        assert r.status_code in (403, 404), (role, path, r.status_code)
    assert other.post("/review/new", data={"csrf_token": tok, "provider": "Acme IT", "year": "2024"}).status_code == 403
    assert snapshot(engine) == before and status_of(engine, rid) == "submitted"


def _session_token(app, client) -> str:
    """A CSRF token valid for ``client``'s session (as the logout form of every page carries)."""
    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = re.search(r'"value":"([^"]+)"(?:,"[a-z]+":"[^"]*")*,"name":"csrf_token"', layout)
    assert found, "the page shell carries a CSRF token"
    return found.group(1)


def test_who_reads_what(app, engine):
    cio = as_user(app, "reviewer")
    signed = signed_review(cio)
    draft = open_review(cio, "Acme IT", "2026")
    lex = open_review(cio, "Lex Legal", "2025")
    with engine.connect() as conn:
        doc = conn.scalar(select(ReviewDocument.id).where(ReviewDocument.review_id == signed))
    provider = as_user(app, "provider")  # a user of Acme IT
    for path in (f"/review/{draft}", f"/review/{signed}", f"/review/{signed}/documents/{doc}",
                 f"/review/{signed}/report.html", f"/review/{lex}", f"/review/{draft}/report.pdf", "/review/999"):
        assert provider.get(path).status_code == 404, path  # not shared yet: as if nothing were there
    admin = as_user(app, "admin")
    page = admin.get("/review/access")
    assert page.status_code == 200
    with session_scope(engine) as s:
        acme = s.execute(select(Review.provider_id).where(Review.id == signed)).scalar()
    r = admin.post("/review/access", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                           "allowed": [str(acme)]})
    assert r.status_code == 303
    assert provider.get(f"/review/{signed}").status_code == 200
    assert provider.get(f"/review/{signed}/documents/{doc}").status_code == 200
    assert provider.get(f"/review/{signed}/report.html").status_code == 200
    for path in (f"/review/{draft}", f"/review/{lex}", f"/review/{draft}/report.pdf"):
        assert provider.get(path).status_code == 404, path  # never a draft, never another provider
    executive = as_user(app, "executive")
    assert executive.get(f"/review/{signed}").status_code == 200
    refused = executive.get(f"/review/{draft}")
    assert refused.status_code == 403 and "working papers" in refused.get_data(as_text=True)
    assert admin.get(f"/review/{draft}").status_code == 403 and admin.get(f"/review/{signed}").status_code == 200
    assert as_user(app, "executive").get("/review/access").status_code == 403
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review.access")) == 1


def test_documents_and_reports_are_served_as_attachments(app, engine):
    cio = as_user(app, "reviewer")
    rid = signed_review(cio)
    with engine.connect() as conn:
        doc = conn.scalar(select(ReviewDocument.id).where(ReviewDocument.review_id == rid))
    r = cio.get(f"/review/{rid}/documents/{doc}")
    assert r.status_code == 200 and r.data == PDF and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="iso.pdf"')
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in r.headers["Content-Security-Policy"]
    report = cio.get(f"/review/{rid}/report.html")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]
    body = report.get_data(as_text=True)
    assert "Independence declaration" in body and "Signed by <strong>cio@example.com</strong>" in body
    assert cio.get(f"/review/{rid}/report.docx").status_code == 404
    assert cio.get(f"/review/{rid}/documents/9999").status_code == 404


def test_forms_need_their_csrf_token(app, engine):
    cio = as_user(app, "reviewer")
    rid = open_review(cio)
    before = snapshot(engine)
    r = cio.post(f"/review/{rid}/areas/security", data={"rating": "3"})
    assert r.status_code == 400 and "This form has expired" in r.get_data(as_text=True)
    assert snapshot(engine) == before


def test_improvement_actions_are_closed_from_the_page(app, engine):
    cio = as_user(app, "reviewer")
    rid = signed_review(cio)
    with engine.connect() as conn:
        action = conn.scalar(select(ReviewAction.id))
    t = token(cio, f"/review/{rid}")
    r = cio.post(f"/review/actions/{action}/close", data={"csrf_token": t, "closed_on": "2999-01-01",
                                                          "review": str(rid)})
    assert r.status_code == 200 and "is in the future" in message(r)
    executive = as_user(app, "executive")
    r = executive.post(f"/review/actions/{action}/close", data={"csrf_token": _session_token(app, executive),
                                                                "closed_on": "2026-01-01"})
    assert r.status_code == 403
    today = dt.date.today().isoformat()
    r = cio.post(f"/review/actions/{action}/close", data={"csrf_token": t, "closed_on": today, "review": str(rid)})
    assert r.status_code == 303
    assert f"({today})" in cio.get(f"/review/{rid}").get_data(as_text=True)
    r = cio.post(f"/review/actions/{action}/close", data={"csrf_token": t, "closed_on": today, "review": str(rid)})
    assert "already closed" in message(r)


@pytest.mark.parametrize("role", sorted(USERS))
def test_the_reviews_page_lists_what_each_role_may_read(app, engine, role):
    from flask_login import login_user

    from dashboard.pages import reviews

    cio = as_user(app, "reviewer")
    signed = signed_review(cio)
    draft = open_review(cio, "Lex Legal", "2025")
    with session_scope(engine) as s:
        u = find_user(s, USERS[role])
        who = CurrentUser.of(u)
    with app.test_request_context("/reviews"):
        login_user(who)
        text = str(reviews.layout())
    assert "Traceback" not in text
    if role == "reviewer":
        assert f"/review/{signed}" in text and f"/review/{draft}" in text and "Open a review" in text
    elif role == "provider":
        assert "No reviews shared with you" in text and f"/review/{draft}" not in text
    else:
        assert f"/review/{signed}" in text and f"/review/{draft}" not in text
        assert ("Who reads reviews" in text) == (role == "admin")
