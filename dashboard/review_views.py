"""The review workspace: plain server-rendered pages and forms (Flask + Jinja, CSRF-protected).

``/reviews`` (a Dash page, ``dashboard.pages.reviews``) lists the reviews a user may read;
everything else lives here:

| route | who | what |
|---|---|---|
| ``GET /review/new``, ``POST /review/new`` | reviewer | open a draft |
| ``GET /review/<id>`` | see below | the workspace (a draft's evidence live) |
| ``POST /review/<id>/summary``, ``/areas/<key>``, ``/documents``, ``/documents/<d>/delete``, ``/recommendations``, ``/recommendations/<r>/delete``, ``/submit``, ``/return``, ``/sign``, ``/amend`` | reviewer | the workflow |
| ``GET /review/<id>/documents/<d>`` | readers | a document, as an attachment |
| ``GET /review/<id>/report.<pdf|html>`` | readers | the report |
| ``POST /review/actions/<a>/close`` | reviewer, admin | close an improvement action |
| ``GET/POST /review/access`` | admin | which providers may read their signed reviews |

Who reads what: reviewers every review; administrators and executives signed ones; a provider
user the signed reviews of its own provider, when the administrator allows it — anything else
is "not found" for them, so drafts cannot even be guessed at. Bad input re-renders the page
with one clear message next to the form (status 200, nothing stored); refusals get the error
page with 403 or 404; nothing shows a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import quote

from flask import Blueprint, Flask, Response, flash, redirect, request
from sqlalchemy import select

from dashboard import access, views
from dashboard.auth import csrf
from dashboard.review_report import FORMATS, area_headline, credit_text, evidence_rows, review_report, size_text
from pipelines.review_evidence import review_view, submit_with_evidence
from scorecard.errors import BadInput, Forbidden, NotFound, SteercoError
from scorecard.review import ACCEPTED, DECLARATION, MAX_BYTES, SIGNED, ReviewLocked, check_year, load_rubric
from scorecard.rubrics import shipped_text
from sql import reviews as store
from sql.engine import session_scope
from sql.models import Provider

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__)
EDIT_ROLES = frozenset({"reviewer"})
CLOSE_ROLES = frozenset({"reviewer", "admin"})
READ_SIGNED_ROLES = frozenset({"admin", "executive"})
HEADERS = views.HEADERS
HIDDEN = "there is no review here that you may read"


# ---------------------------------------------------------------------- who may do what

def may_read(who, status: str, provider_id: int, provider_may_read: bool) -> bool:
    if who.role in EDIT_ROLES:
        return True
    if status != SIGNED:
        return False
    if who.role in READ_SIGNED_ROLES:
        return True
    return who.role == "provider" and who.provider_id == provider_id and provider_may_read


def _readable(review_id: int):
    """(who, review row values) if the current user may read review ``review_id``."""
    who = access.user()
    with session_scope(access.engine()) as session:
        review = session.get(store.Review, review_id)
        if review is None:
            raise NotFound(HIDDEN if who.role == "provider" else f"there is no review {review_id}")
        allowed = may_read(who, review.status, review.provider_id, store.provider_may_read(session, review.provider_id))
        status = review.status
    if not allowed:
        if who.role == "provider":
            raise NotFound(HIDDEN)
        raise Forbidden("drafts are the reviewer's working papers: executives and administrators read a review "
                        f"once it is signed (this one is {status})")
    return who


_require = views.require
_page = views.render_page
_refuse = views.refuse


def _workspace(review_id: int, *, error: dict | None = None, values: dict | None = None):
    who = _readable(review_id)
    view = review_view(access.engine(), review_id)
    with session_scope(access.engine()) as session:
        actions = store.action_rows(session, [view.provider_id])
    currency = view.evidence.get("currency")
    rows = {a["key"]: evidence_rows(a["evidence"], currency) for a in view.areas}
    heads = {a["key"]: area_headline(a["evidence"]) for a in view.areas}
    credits = {a["key"]: credit_text(a["evidence"]) for a in view.areas}
    editable = view.status == "draft" and who.role in EDIT_ROLES
    return _page("review/workspace.html", view=view, rows=rows, heads=heads, credits=credits, editable=editable,
                 can_sign=view.status == "submitted" and who.role in EDIT_ROLES,
                 can_amend=view.status == SIGNED and who.role in EDIT_ROLES and view.newer is None,
                 can_close=who.role in CLOSE_ROLES and view.status == SIGNED,
                 actions=[a for a in actions if a["review_id"] == view.id or
                          a["id"] in {r["action"]["id"] for r in view.recommendations if r["action"]}],
                 declaration=[(k, t.format(provider=view.provider)) for k, t in DECLARATION],
                 accepted=ACCEPTED, max_mb=MAX_BYTES // 1024 // 1024, error=error or {}, values=values or {},
                 area_names={a["key"]: a["name"] for a in view.areas}, size=size_text,
                 today=dt.date.today().isoformat())


def _done(review_id: int, message: str, anchor: str = ""):
    flash(message)
    return redirect(f"/review/{review_id}" + (f"#{anchor}" if anchor else ""), code=303)


def _change(review_id: int, form: str, anchor: str, action, *, roles=EDIT_ROLES, doing="change reviews"):
    """Run ``action(session, review, who)`` for a POST; a bad input re-renders the workspace with
    its message next to ``form`` and the submitted values kept."""
    try:
        csrf.protect()
        who = _require(roles, doing)
        _readable(review_id)
        with session_scope(access.engine()) as session:
            review = store.get_review(session, review_id)
            message = action(session, review, who)
    except (Forbidden, NotFound) as exc:
        return _refuse(exc)
    except BadInput as exc:
        return _bad(review_id, form, exc)
    return _done(review_id, message, anchor)


def _bad(review_id: int, form: str, exc: BadInput):
    """The workspace again, the message next to ``form`` and the submitted values kept: 200 for a
    mistake in the form, 409 when the review's state (submitted, signed) does not allow the change."""
    log.info("review %s: %s refused: %s", review_id, form, exc)
    page, _status = _workspace(review_id, error={"form": form, "message": str(exc)}, values=request.form.to_dict())
    return page, 409 if isinstance(exc, ReviewLocked) else 200


# ---------------------------------------------------------------------- routes

@bp.route("/review/new", methods=["GET", "POST"])
def new():
    try:
        who = _require(EDIT_ROLES, "open reviews")
        providers = access.visible_providers()
        if request.method == "GET":
            return _page("review/new.html", providers=providers, error=None,
                         values={"year": str(dt.date.today().year - 1)})
        csrf.protect()
        try:
            year = check_year(request.form.get("year"), this_year=dt.date.today().year)
            ref = access.resolve_provider(request.form.get("provider") or None)
            with session_scope(access.engine()) as session:
                provider = session.get(Provider, ref.id)
                name, text = shipped_text(provider.kind)
                review = store.open_review(session, provider, year, load_rubric(text, source=name), actor=who.email)
                rid = review.id
        except BadInput as exc:
            return _page("review/new.html", providers=providers, error=str(exc), values=request.form.to_dict())
    except SteercoError as exc:
        return _refuse(exc)
    return _done(rid, f"Opened the {year} review of {ref.name} as a draft. The year's evidence is filled in below.")


@bp.route("/review/<int:review_id>")
def workspace(review_id: int):
    try:
        return _workspace(review_id)
    except SteercoError as exc:
        return _refuse(exc)


@bp.route("/review/<int:review_id>/summary", methods=["POST"])
def summary(review_id: int):
    def act(session, review, who):
        store.set_summary(session, review, request.form.get("summary", ""), actor=who.email)
        return "Saved the summary."
    return _change(review_id, "summary", "summary", act)


@bp.route("/review/<int:review_id>/areas/<area_key>", methods=["POST"])
def rate(review_id: int, area_key: str):
    def act(session, review, who):
        checked = store.rate_area(session, review, area_key, rating=request.form.get("rating", ""),
                                  rationale=request.form.get("rationale", ""),
                                  findings=request.form.get("findings", ""), notes=request.form.get("notes", ""),
                                  actor=who.email)
        name = store.rubric_of(review).area(area_key).name
        return f"Saved {name}: {checked.shown}."
    return _change(review_id, f"area-{area_key}", f"area-{area_key}", act)


@bp.route("/review/<int:review_id>/documents", methods=["POST"])
def attach(review_id: int):
    def act(session, review, who):
        if request.content_length is not None and request.content_length > MAX_BYTES + 1024 * 1024:
            raise BadInput(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB, the most a document may be")
        upload = request.files.get("document")
        if upload is None or not upload.filename:
            raise BadInput("choose the document to attach")
        content = upload.stream.read(MAX_BYTES + 1)
        doc = store.add_document(session, review, filename=upload.filename, content=content,
                                 area_key=request.form.get("area") or None,
                                 description=request.form.get("description", ""),
                                 expires_on=request.form.get("expires_on") or None, actor=who.email)
        return f"Attached {doc.filename} ({size_text(doc.size)})."
    return _change(review_id, "documents", "documents", act)


@bp.route("/review/<int:review_id>/documents/<int:document_id>")
def document(review_id: int, document_id: int):
    try:
        _readable(review_id)
        with session_scope(access.engine()) as session:
            doc = store.get_document(session, store.get_review(session, review_id), document_id)
            content, name, media_type = doc.content, doc.filename, doc.media_type
    except SteercoError as exc:
        return _refuse(exc)
    response = Response(content, mimetype=media_type.split(";")[0])
    if media_type.startswith("text/"):
        response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/review/<int:review_id>/documents/<int:document_id>/delete", methods=["POST"])
def detach(review_id: int, document_id: int):
    def act(session, review, who):
        store.remove_document(session, review, document_id, actor=who.email)
        return "Removed the document."
    return _change(review_id, "documents", "documents", act)


@bp.route("/review/<int:review_id>/recommendations", methods=["POST"])
def recommend(review_id: int):
    def act(session, review, who):
        rec = store.add_recommendation(session, review, area_key=request.form.get("area", ""),
                                       text=request.form.get("text", ""), owner=request.form.get("owner", ""),
                                       due=request.form.get("due_on", ""), actor=who.email)
        return f"Added the recommendation, due {rec.due_on.isoformat()}."
    return _change(review_id, "recommendations", "recommendations", act)


@bp.route("/review/<int:review_id>/recommendations/<int:rec_id>/delete", methods=["POST"])
def unrecommend(review_id: int, rec_id: int):
    def act(session, review, who):
        store.remove_recommendation(session, review, rec_id, actor=who.email)
        return "Removed the recommendation."
    return _change(review_id, "recommendations", "recommendations", act)


@bp.route("/review/<int:review_id>/submit", methods=["POST"])
def submit(review_id: int):
    try:
        csrf.protect()
        who = _require(EDIT_ROLES, "submit reviews")
        _readable(review_id)
        submit_with_evidence(access.engine(), review_id, actor=who.email)
    except (Forbidden, NotFound) as exc:
        return _refuse(exc)
    except BadInput as exc:
        return _bad(review_id, "workflow", exc)
    return _done(review_id, "Submitted for sign-off. The evidence is frozen as it stood now.", "workflow")


@bp.route("/review/<int:review_id>/return", methods=["POST"])
def back_to_draft(review_id: int):
    def act(session, review, who):
        store.return_to_draft(session, review, actor=who.email)
        return "Returned to draft: the evidence is live again and the review can be edited."
    return _change(review_id, "workflow", "workflow", act)


@bp.route("/review/<int:review_id>/sign", methods=["POST"])
def sign(review_id: int):
    def act(session, review, who):
        store.sign_review(session, review, signer=who.email, signer_role=who.role,
                          accepted=request.form.getlist("declare"), disclosures=request.form.get("disclosures", ""))
        return "Signed. The review can no longer change; an amendment would be a new version."
    return _change(review_id, "sign", "workflow", act, doing="sign reviews")


@bp.route("/review/<int:review_id>/amend", methods=["POST"])
def amend(review_id: int):
    try:
        csrf.protect()
        who = _require(EDIT_ROLES, "amend reviews")
        _readable(review_id)
        with session_scope(access.engine()) as session:
            new_id = store.amend_review(session, store.get_review(session, review_id),
                                        reason=request.form.get("reason", ""), actor=who.email).id
    except (Forbidden, NotFound) as exc:
        return _refuse(exc)
    except BadInput as exc:
        return _bad(review_id, "amend", exc)
    return _done(new_id, "Opened an amendment: a new draft version that refers to the signed one.")


@bp.route("/review/<int:review_id>/report.<fmt>")
def report(review_id: int, fmt: str):
    try:
        if fmt not in FORMATS:
            raise NotFound(f"no report as .{fmt[:10]}: use .pdf or .html")
        who = _readable(review_id)
        made = review_report(access.engine(), review_id, fmt, base_url=request.host_url)
    except SteercoError as exc:
        return _refuse(exc)
    log.info("review report %s of review %s by %s", fmt, review_id, who.email)
    response = Response(made.content, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@bp.route("/review/actions/<int:action_id>/close", methods=["POST"])
def close(action_id: int):
    try:
        with session_scope(access.engine()) as session:
            origin = store.get_action(session, action_id).review_id
    except SteercoError as exc:
        return _refuse(exc)
    shown = request.form.get("review", "")
    back = int(shown) if shown.isdigit() else origin  # the page the form was on (a later version shows it too)

    def act(session, _review, who):
        row = store.close_action(session, action_id, on=request.form.get("closed_on", ""), actor=who.email)
        return f"Closed {row['ref']} on {row['closed_on']}: {row['state']}."
    return _change(back, f"action-{action_id}", "actions", act, roles=CLOSE_ROLES, doing="close improvement actions")


@bp.route("/review/access", methods=["GET", "POST"])
def provider_access():
    try:
        who = _require(frozenset({"admin"}), "decide who reads reviews")
        if request.method == "POST":
            csrf.protect()
            allowed = set(request.form.getlist("allowed"))
            with session_scope(access.engine()) as session:
                for p in session.scalars(select(Provider).order_by(Provider.name)):
                    store.set_provider_access(session, p, str(p.id) in allowed, actor=who.email)
            flash("Saved who may read their signed reviews.")
            return redirect("/review/access", code=303)
        with session_scope(access.engine()) as session:
            settings = store.reading_settings(session)
            providers = [(p.id, p.name, settings.get(p.id, False))
                         for p in session.scalars(select(Provider).order_by(Provider.name))]
        return _page("review/access.html", providers=providers)
    except SteercoError as exc:
        return _refuse(exc)


@bp.after_request
def _headers(response):
    if request.path.startswith("/review"):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_reviews(app: Flask) -> None:
    app.register_blueprint(bp)

