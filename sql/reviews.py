"""Storing competence reviews: open, rate, attach, recommend, submit, sign, amend; actions.

The caller owns the session and the transaction (``session_scope``); nothing here commits.
Improvement actions and the provider setting are ``sql.review_actions`` (re-exported here).
Every change writes an audit entry (``review.*``). The rules themselves — what a rating,
a recommendation or a declaration must be, which status allows what — are
``scorecard.review``'s; this module applies them to stored rows.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput, Forbidden, NotFound
from scorecard.review import (
    DRAFT,
    SIGNED,
    SUBMITTED,
    AreaRating,
    Rubric,
    check_area_rating,
    check_declaration,
    check_document,
    check_recommendation,
    check_summary,
    load_rubric,
    missing_for_submission,
    parse_date,
    require_status,
)
from sql.models import Provider
from sql.repo import audit
from sql.review_actions import (  # noqa: F401  (re-exported: sql.reviews is the one place to look)
    ACTION_PREFIX,
    ACTION_SCHEMA,
    action_dict,
    action_rows,
    close_action,
    get_action,
    parse_action_id,
    provider_may_read,
    read_actions,
    reading_settings,
    set_provider_access,
)
from sql.review_models import (
    Review,
    ReviewAction,
    ReviewArea,
    ReviewDocument,
    ReviewRecommendation,
)

SIGNER_ROLE = "reviewer"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def label(review: Review, provider: str) -> str:
    return f"the {review.year} review of {provider} (version {review.version})"


def _target(session: Session, review: Review) -> tuple[str, str]:
    name = session.get(Provider, review.provider_id).name
    return name, f"{name} {review.year} v{review.version}"


def rubric_of(review: Review) -> Rubric:
    """The rubric the review was opened with (its text is kept with the review)."""
    return load_rubric(review.rubric_source, source=f"rubric {review.rubric_key} v{review.rubric_version}")


# ---------------------------------------------------------------------- finding reviews

def get_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"there is no review {review_id}")
    return review


def find_review(session: Session, provider: Provider, year: int, version: int | None = None) -> Review:
    """The review of ``provider`` for ``year``: ``version``, or the newest one."""
    q = select(Review).where(Review.provider_id == provider.id, Review.year == year)
    q = q.where(Review.version == version) if version is not None else q.order_by(Review.version.desc()).limit(1)
    review = session.scalar(q)
    if review is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"there is no {year} review{which} of {provider.name}: open one with "
                       f"`steerco review open --provider NAME --year {year}`")
    return review


def latest_signed(session: Session, provider_id: int, year: int) -> Review | None:
    """The signed review that stands for ``year``: its newest signed version."""
    return session.scalar(select(Review).where(Review.provider_id == provider_id, Review.year == year,
                                               Review.status == SIGNED).order_by(Review.version.desc()).limit(1))


def newer_version(session: Session, review: Review) -> Review | None:
    return session.scalar(select(Review).where(Review.provider_id == review.provider_id, Review.year == review.year,
                                               Review.version > review.version).order_by(Review.version).limit(1))


def list_reviews(session: Session, provider_ids: list[int] | None = None, *,
                 statuses: tuple[str, ...] | None = None) -> list[dict]:
    """Reviews, newest year first: provider, year, version, status, progress, sign-off."""
    q = select(Review, Provider.name, Provider.kind).join(Provider, Provider.id == Review.provider_id)
    if provider_ids is not None:
        q = q.where(Review.provider_id.in_(provider_ids))
    if statuses is not None:
        q = q.where(Review.status.in_(statuses))
    q = q.order_by(Review.year.desc(), Provider.name, Review.version.desc())
    done = dict(session.execute(
        select(ReviewArea.review_id, func.count()).where((ReviewArea.rating.is_not(None)) | ReviewArea.not_assessed)
        .group_by(ReviewArea.review_id)).all())
    newest = {(pid, year): v for pid, year, v in session.execute(
        select(Review.provider_id, Review.year, func.max(Review.version)).group_by(Review.provider_id, Review.year))}
    newest_signed = {(pid, year): v for pid, year, v in session.execute(
        select(Review.provider_id, Review.year, func.max(Review.version)).where(Review.status == SIGNED)
        .group_by(Review.provider_id, Review.year))}
    rows = []
    for review, name, kind in session.execute(q).all():
        rubric = rubric_of(review)
        rows.append({"id": review.id, "provider_id": review.provider_id, "provider": name, "kind": kind,
                     "year": review.year, "version": review.version, "status": review.status,
                     "amends_id": review.amends_id, "areas": len(rubric.areas), "rated": done.get(review.id, 0),
                     "created_by": review.created_by, "signed_by": review.signed_by, "signed_at": review.signed_at,
                     "latest": newest.get((review.provider_id, review.year)) == review.version,
                     "superseded": newest_signed.get((review.provider_id, review.year), 0) > review.version})
    return rows


# ---------------------------------------------------------------------- drafts

def open_review(session: Session, provider: Provider, year: int, rubric: Rubric, *, actor: str,
                now: dt.datetime | None = None) -> Review:
    """A new draft (version 1) of ``provider``'s review of ``year`` under ``rubric``."""
    if rubric.kind != provider.kind:
        raise BadInput(f"the rubric {rubric.key!r} is for {rubric.kind} providers, and {provider.name} is "
                       f"a {provider.kind} provider")
    existing = session.scalar(select(Review).where(Review.provider_id == provider.id, Review.year == year)
                              .order_by(Review.version.desc()).limit(1))
    if existing is not None:
        raise BadInput(f"{provider.name} already has a {year} review (version {existing.version}, "
                       f"{existing.status}): open it instead (review {existing.id})")
    review = Review(provider_id=provider.id, year=year, version=1, status=DRAFT, rubric_key=rubric.key,
                    rubric_version=rubric.version, rubric_source=rubric.text, rubric_sha256=rubric.fingerprint,
                    summary="", created_by=actor, updated_by=actor, created_at=now or _now(),
                    updated_at=now or _now())
    session.add(review)
    session.flush()
    audit(session, actor, "review.open", f"{provider.name} {year} v1", review=review.id, rubric=rubric.key,
          rubric_version=rubric.version)
    return review


def _touch(review: Review, actor: str) -> None:
    review.updated_at, review.updated_by = _now(), actor


def _editable(session: Session, review: Review, doing: str) -> tuple[str, str]:
    name, target = _target(session, review)
    require_status(review.status, (DRAFT,), doing, label(review, name))
    return name, target


def area_ratings(session: Session, review: Review) -> dict[str, AreaRating]:
    rows = session.scalars(select(ReviewArea).where(ReviewArea.review_id == review.id))
    return {a.area_key: AreaRating(a.rating, a.not_assessed, a.rationale, a.findings, a.notes) for a in rows}


def rate_area(session: Session, review: Review, area_key: str, *, rating: object, rationale: object = "",
              findings: object = "", notes: object = "", actor: str) -> AreaRating:
    """Store the reviewer's rating, rationale, findings and notes for one area of a draft."""
    _name, target = _editable(session, review, "change its ratings")
    area = rubric_of(review).area(area_key)
    checked = check_area_rating(rating, rationale=rationale, findings=findings, notes=notes, area_name=area.name)
    row = session.scalar(select(ReviewArea).where(ReviewArea.review_id == review.id,
                                                  ReviewArea.area_key == area_key))
    before = None if row is None else AreaRating(row.rating, row.not_assessed, row.rationale, row.findings, row.notes)
    if row is None:
        row = ReviewArea(review_id=review.id, area_key=area_key, updated_by=actor)
        session.add(row)
    row.rating, row.not_assessed = checked.rating, checked.not_assessed
    row.rationale, row.findings, row.notes = checked.rationale, checked.findings, checked.notes
    row.updated_at, row.updated_by = _now(), actor
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.rate", target, review=review.id, area=area_key, rating=checked.shown,
          previous=None if before is None else before.shown, rationale=checked.rationale,
          findings=checked.findings, notes=checked.notes)
    return checked


def set_summary(session: Session, review: Review, text: object, *, actor: str) -> None:
    _name, target = _editable(session, review, "change its summary")
    review.summary = check_summary(text)
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.summary", target, review=review.id, summary=review.summary)


# ---------------------------------------------------------------------- documents

def add_document(session: Session, review: Review, *, filename: str | None, content: bytes, area_key: str | None,
                 description: object = "", expires_on: object = None, actor: str) -> ReviewDocument:
    _name, target = _editable(session, review, "attach documents")
    if area_key:
        rubric_of(review).area(area_key)
    checked = check_document(filename, content)
    expires = parse_date(expires_on, "expiry date") if expires_on not in (None, "") else None
    text = check_summary(description)
    doc = ReviewDocument(review_id=review.id, area_key=area_key or None, filename=checked.filename,
                         media_type=checked.media_type, size=checked.size, sha256=checked.sha256,
                         content=bytes(content), description=text, expires_on=expires, uploaded_by=actor)
    session.add(doc)
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.attach", target, review=review.id, document=doc.id, filename=doc.filename,
          media_type=doc.media_type, size=doc.size, sha256=doc.sha256, area=doc.area_key,
          expires_on=expires.isoformat() if expires else None)
    return doc


def get_document(session: Session, review: Review, document_id: int) -> ReviewDocument:
    doc = session.get(ReviewDocument, document_id)
    if doc is None or doc.review_id != review.id:
        raise NotFound(f"review {review.id} has no document {document_id}")
    return doc


def remove_document(session: Session, review: Review, document_id: int, *, actor: str) -> None:
    _name, target = _editable(session, review, "remove documents")
    doc = get_document(session, review, document_id)
    session.delete(doc)
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.detach", target, review=review.id, document=document_id, filename=doc.filename)


def document_rows(session: Session, review: Review) -> list[dict]:
    """The review's documents without their content."""
    q = select(ReviewDocument.id, ReviewDocument.area_key, ReviewDocument.filename, ReviewDocument.media_type,
               ReviewDocument.size, ReviewDocument.sha256, ReviewDocument.description, ReviewDocument.expires_on,
               ReviewDocument.uploaded_at, ReviewDocument.uploaded_by).where(
        ReviewDocument.review_id == review.id).order_by(ReviewDocument.id)
    return [{"id": r.id, "area_key": r.area_key, "filename": r.filename, "media_type": r.media_type, "size": r.size,
             "sha256": r.sha256, "description": r.description,
             "expires_on": r.expires_on.isoformat() if r.expires_on else None,
             "uploaded_at": r.uploaded_at.isoformat(timespec="seconds"), "uploaded_by": r.uploaded_by}
            for r in session.execute(q)]


# ---------------------------------------------------------------------- recommendations

def add_recommendation(session: Session, review: Review, *, area_key: str, text: object, owner: object,
                       due: object, actor: str) -> ReviewRecommendation:
    _name, target = _editable(session, review, "change its recommendations")
    rubric = rubric_of(review)
    rec = check_recommendation(area_key=area_key, text=text, owner=owner, due=due, year=review.year,
                               area_keys=[a.key for a in rubric.areas])
    row = ReviewRecommendation(review_id=review.id, area_key=rec.area_key, text=rec.text, owner=rec.owner,
                               due_on=rec.due_on, created_by=actor)
    session.add(row)
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.recommend", target, review=review.id, recommendation=row.id, area=rec.area_key,
          text=rec.text, owner=rec.owner, due_on=rec.due_on.isoformat())
    return row


def remove_recommendation(session: Session, review: Review, recommendation_id: int, *, actor: str) -> None:
    _name, target = _editable(session, review, "change its recommendations")
    row = session.get(ReviewRecommendation, recommendation_id)
    if row is None or row.review_id != review.id:
        raise NotFound(f"review {review.id} has no recommendation {recommendation_id}")
    session.delete(row)
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.recommendation.remove", target, review=review.id, recommendation=recommendation_id,
          text=row.text)


def recommendation_rows(session: Session, review: Review) -> list[dict]:
    q = (select(ReviewRecommendation, ReviewAction)
         .outerjoin(ReviewAction, ReviewAction.id == ReviewRecommendation.action_id)
         .where(ReviewRecommendation.review_id == review.id)
         .order_by(ReviewRecommendation.due_on, ReviewRecommendation.id))
    return [{"id": r.id, "area_key": r.area_key, "text": r.text, "owner": r.owner, "due_on": r.due_on.isoformat(),
             "action": None if a is None else action_dict(a)} for r, a in session.execute(q).all()]


# ---------------------------------------------------------------------- workflow

def submit_review(session: Session, review: Review, evidence: dict, *, actor: str,
                  now: dt.datetime | None = None) -> None:
    """Freeze a complete draft and its evidence for sign-off."""
    name, target = _editable(session, review, "submit it")
    rubric = rubric_of(review)
    missing = missing_for_submission(review.summary, area_ratings(session, review),
                                     {a.key: a.name for a in rubric.areas})
    if missing:
        raise BadInput(f"{label(review, name)} cannot be submitted yet: it needs " + "; and ".join(missing))
    review.evidence = json.dumps(evidence, sort_keys=True, separators=(",", ":"), allow_nan=False)
    review.evidence_sha256 = evidence.get("sha256")
    review.status, review.submitted_at, review.submitted_by = SUBMITTED, now or _now(), actor
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.submit", target, review=review.id, evidence_sha256=review.evidence_sha256)


def return_to_draft(session: Session, review: Review, *, actor: str) -> None:
    name, target = _target(session, review)
    require_status(review.status, (SUBMITTED,), "return it to draft", label(review, name))
    review.status, review.evidence, review.evidence_sha256 = DRAFT, None, None
    review.submitted_at = review.submitted_by = None
    _touch(review, actor)
    session.flush()
    audit(session, actor, "review.return", target, review=review.id)


def sign_review(session: Session, review: Review, *, signer: str, signer_role: str, accepted: list[str],
                disclosures: object = "", now: dt.datetime | None = None) -> None:
    """Sign a submitted review: a reviewer, with the independence declaration affirmed.

    Its recommendations become improvement actions (an amendment's keep the actions of the
    review it amends, updated; actions it dropped are withdrawn). Afterwards nothing of the
    review can change."""
    name, target = _target(session, review)
    if signer_role != SIGNER_ROLE:
        raise Forbidden(f"only a reviewer may sign a review; {signer} is {'an' if signer_role[:1] in 'aeiou' else 'a'} "
                        f"{signer_role}")
    require_status(review.status, (SUBMITTED,), "sign it (submit it first)", label(review, name))
    declaration = check_declaration(name, accepted, disclosures)
    now = now or _now()
    recs = list(session.scalars(select(ReviewRecommendation).where(ReviewRecommendation.review_id == review.id)))
    kept: set[int] = set()
    for rec in recs:
        action = session.get(ReviewAction, rec.action_id) if rec.action_id else None
        if action is None:
            action = ReviewAction(provider_id=review.provider_id, review_id=review.id, area_key=rec.area_key,
                                  text=rec.text, owner=rec.owner, due_on=rec.due_on, created_at=now)
            session.add(action)
            session.flush()
            rec.action_id = action.id
        else:
            action.text, action.owner, action.due_on, action.area_key = rec.text, rec.owner, rec.due_on, rec.area_key
        kept.add(action.id)
    withdrawn = []
    if review.amends_id is not None:
        chain = _chain_ids(session, review)
        for action in session.scalars(select(ReviewAction).where(ReviewAction.review_id.in_(chain),
                                                                 ReviewAction.withdrawn_at.is_(None))):
            if action.id not in kept:
                action.withdrawn_at = now
                withdrawn.append(action.id)
    session.flush()
    review.status, review.signed_at, review.signed_by = SIGNED, now, signer
    review.declaration = json.dumps(declaration.to_dict(), ensure_ascii=False)
    review.updated_at, review.updated_by = now, signer
    session.flush()
    audit(session, signer, "review.sign", target, review=review.id, evidence_sha256=review.evidence_sha256,
          declaration=declaration.to_dict(), actions=sorted(kept), withdrawn=withdrawn)


def _chain_ids(session: Session, review: Review) -> list[int]:
    ids, current = [], review.amends_id
    while current is not None:
        ids.append(current)
        current = session.scalar(select(Review.amends_id).where(Review.id == current))
    return ids


def amend_review(session: Session, review: Review, *, reason: object, actor: str) -> Review:
    """A new draft version of a signed review, referring to it, with its content copied."""
    name, target = _target(session, review)
    if review.status != SIGNED:
        raise BadInput(f"only a signed review is amended; {label(review, name)} is a {review.status}: edit it instead")
    newer = newer_version(session, review)
    if newer is not None:
        raise BadInput(f"{label(review, name)} already has a newer version ({newer.version}, {newer.status}): "
                       "amend the newest signed version")
    why = check_summary(reason)
    if not why:
        raise BadInput("say why the review is amended (a reason is required)")
    new = Review(provider_id=review.provider_id, year=review.year, version=review.version + 1, amends_id=review.id,
                 amendment_reason=why, status=DRAFT, rubric_key=review.rubric_key,
                 rubric_version=review.rubric_version, rubric_source=review.rubric_source,
                 rubric_sha256=review.rubric_sha256, summary=review.summary, created_by=actor, updated_by=actor)
    session.add(new)
    session.flush()
    for a in session.scalars(select(ReviewArea).where(ReviewArea.review_id == review.id)):
        session.add(ReviewArea(review_id=new.id, area_key=a.area_key, rating=a.rating, not_assessed=a.not_assessed,
                               rationale=a.rationale, findings=a.findings, notes=a.notes, updated_by=actor))
    for d in session.scalars(select(ReviewDocument).where(ReviewDocument.review_id == review.id)):
        session.add(ReviewDocument(review_id=new.id, area_key=d.area_key, filename=d.filename, media_type=d.media_type,
                                   size=d.size, sha256=d.sha256, content=d.content, description=d.description,
                                   expires_on=d.expires_on, uploaded_at=d.uploaded_at, uploaded_by=d.uploaded_by))
    for r in session.scalars(select(ReviewRecommendation).where(ReviewRecommendation.review_id == review.id)):
        session.add(ReviewRecommendation(review_id=new.id, area_key=r.area_key, text=r.text, owner=r.owner,
                                         due_on=r.due_on, action_id=r.action_id, created_by=r.created_by,
                                         created_at=r.created_at))
    session.flush()
    audit(session, actor, "review.amend", target, review=review.id, amendment=new.id, version=new.version,
          reason=why)
    return new
