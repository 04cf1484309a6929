"""A review's evidence from storage, and everything a page, the CLI or the report shows of it.

:func:`year_evidence` reads a provider's stored results, drift signals and scorecard
versions for one calendar year and summarises them by the rubric's areas
(:func:`scorecard.review.summarise_year`). Months on target are judged by the version in
force each month, as the monthly scorecard is; service credits are those versions' rules
applied to the stored results. Nothing is recomputed from facts.

:func:`review_view` assembles one review: its stored content, its evidence — live for a
draft, frozen for a submitted or signed review — and the comparison with the signed review
of the year before.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Engine

from pipelines.scoring import load_versions
from scorecard.credits import compute_credits
from scorecard.review import AreaRating, AreaSide, Rubric, Target, compare_areas, missing_for_submission, summarise_year
from scorecard.review.evidence import year_months
from scorecard.scoring import results_from_rows
from sql.engine import session_scope
from sql.models import Provider
from sql.results import read_results
from sql.reviews import (
    action_rows,
    area_ratings,
    document_rows,
    get_review,
    latest_signed,
    newer_version,
    recommendation_rows,
    rubric_of,
)
from sql.signals import read_signals


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def year_evidence(engine: Engine, provider: tuple[int, str], year: int, rubric: Rubric, *,
                  documents: list[dict] | None = None, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> dict:
    """The evidence of ``year`` for ``provider`` (id, name), by the areas of ``rubric``."""
    pid, name = provider
    months = year_months(year)
    versions = load_versions(engine, pid)
    in_force = {m: versions.in_force(m, backdate_first=True) for m in months}
    measures = {link.measure for area in rubric.areas for link in area.measures}
    for version in {id(v): v for v in in_force.values() if v is not None}.values():
        measures |= {rule.measure for rule in version.scorecard.credits.rules}
    results = read_results(engine, provider, first=months[0], last=months[-1], measures=sorted(measures))
    targets: dict[str, dict[tuple[str, str], Target]] = {}
    statements = []
    stored_months = set(results["month"].unique().to_list())
    for month, version in in_force.items():
        if version is None:
            continue
        card = version.scorecard
        targets[month] = {spec.key: Target(spec.goal, spec.red_flag, spec.direction, spec.label)
                          for _p, _o, spec in card.measures()}
        if month in stored_months and card.credits.rules:
            rows = results.filter(results["month"] == month).to_dicts()
            statement = compute_credits(card.credits, results_from_rows(rows), monthly_fee=card.provider.monthly_fee,
                                        currency=card.provider.currency, month=month)
            statements.append(statement.to_dict())
    latest = next((v for m, v in sorted(in_force.items(), reverse=True) if v is not None), None)
    currency = latest.scorecard.provider.currency if latest is not None else None
    used = sorted({(v.effective_month, v.scorecard.fingerprint) for m, v in in_force.items()
                   if v is not None and m in stored_months})
    signals = read_signals(engine, provider_ids=[pid], first=months[0], last=months[-1])
    now = now or dt.datetime.now(dt.timezone.utc)
    return summarise_year(rubric, provider=name, year=year, results=results, targets=targets, signals=signals,
                          statements=statements, documents=documents or [], currency=currency,
                          today=today or now.date(), computed_at=now.isoformat(timespec="seconds"),
                          versions=[{"effective_month": e, "sha256": s} for e, s in used])


def review_evidence(engine: Engine, review_id: int, *, today: dt.date | None = None) -> dict:
    """The live evidence of a stored review (what submitting it would freeze)."""
    with session_scope(engine) as session:
        review = get_review(session, review_id)
        provider = session.get(Provider, review.provider_id)
        ref, year, rubric = (provider.id, provider.name), review.year, rubric_of(review)
        docs = document_rows(session, review)
    return year_evidence(engine, ref, year, rubric, documents=docs, today=today)


def submit_with_evidence(engine: Engine, review_id: int, *, actor: str, today: dt.date | None = None) -> dict:
    """Submit a draft for sign-off with its evidence frozen as it stands now; returns the evidence."""
    from sql.reviews import submit_review

    evidence = review_evidence(engine, review_id, today=today)
    with session_scope(engine) as session:
        submit_review(session, get_review(session, review_id), evidence, actor=actor)
    return evidence


@dataclass
class ReviewView:
    """One review as pages, the CLI and the report show it."""

    id: int
    provider_id: int
    provider: str
    kind: str
    year: int
    version: int
    status: str
    rubric: Rubric
    summary: str
    evidence: dict
    live: bool                       # evidence computed now (a draft), not frozen
    areas: list[dict]
    documents: list[dict]
    recommendations: list[dict]
    comparison: list[dict]
    previous: dict | None            # the signed review of the year before
    amends: dict | None
    newer: dict | None
    amendment_reason: str
    created_at: dt.datetime
    created_by: str
    submitted_at: dt.datetime | None
    submitted_by: str | None
    signed_at: dt.datetime | None
    signed_by: str | None
    declaration: dict | None
    missing: list[str] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return sum(1 for a in self.areas if a["rating"].done)

    @property
    def mean_rating(self) -> float | None:
        values = [a["rating"].rating for a in self.areas if a["rating"].rating is not None]
        return sum(values) / len(values) if values else None

    @property
    def title(self) -> str:
        return f"{self.provider} — {self.year} competence review"

    def area(self, key: str) -> dict:
        return next(a for a in self.areas if a["key"] == key)

    def to_dict(self) -> dict:
        """The JSON shape of ``steerco review show --format json``."""
        return {
            "id": self.id, "provider": self.provider, "year": self.year, "version": self.version,
            "status": self.status, "rubric": {"key": self.rubric.key, "version": self.rubric.version},
            "summary": self.summary, "amends": self.amends, "amendment_reason": self.amendment_reason or None,
            "newer_version": self.newer, "created_by": self.created_by,
            "submitted_at": _iso(self.submitted_at), "submitted_by": self.submitted_by,
            "signed_at": _iso(self.signed_at), "signed_by": self.signed_by, "declaration": self.declaration,
            "areas": [{"key": a["key"], "name": a["name"], "rating": a["rating"].rating,
                       "not_assessed": a["rating"].not_assessed, "rationale": a["rating"].rationale,
                       "findings": a["rating"].findings, "notes": a["rating"].notes} for a in self.areas],
            "recommendations": self.recommendations, "documents": self.documents,
            "comparison": self.comparison, "missing": self.missing, "evidence": self.evidence,
        }


def _iso(x: dt.datetime | None) -> str | None:
    return None if x is None else x.isoformat(timespec="seconds")


def _sides(rubric: Rubric, ratings: dict[str, AreaRating], evidence: dict | None) -> list[tuple[str, AreaSide]]:
    by_key = {a["key"]: a for a in (evidence or {}).get("areas", [])}
    return [(a.key, AreaSide(a.name, ratings.get(a.key, AreaRating()), by_key.get(a.key))) for a in rubric.areas]


def review_view(engine: Engine, review_id: int, *, today: dt.date | None = None) -> ReviewView:
    """Everything about review ``review_id``; a draft's evidence is computed now."""
    today = today or _today()
    with session_scope(engine) as session:
        review = get_review(session, review_id)
        provider = session.get(Provider, review.provider_id)
        rubric = rubric_of(review)
        ratings = area_ratings(session, review)
        docs = document_rows(session, review)
        recs = recommendation_rows(session, review)
        previous = latest_signed(session, review.provider_id, review.year - 1)
        prev_sides = None
        prev_info = None
        if previous is not None:
            prev_rubric = rubric_of(previous)
            prev_evidence = json.loads(previous.evidence) if previous.evidence else None
            prev_sides = dict(_sides(prev_rubric, area_ratings(session, previous), prev_evidence))
            prev_info = {"id": previous.id, "year": previous.year, "version": previous.version}
        amends = None
        if review.amends_id is not None:
            old = get_review(session, review.amends_id)
            amends = {"id": old.id, "version": old.version, "status": old.status}
        newer = newer_version(session, review)
        newer_info = None if newer is None else {"id": newer.id, "version": newer.version, "status": newer.status}
        frozen = json.loads(review.evidence) if review.evidence else None
        actions = {a["id"]: a for a in action_rows(session, [review.provider_id], today=today)}
        fields = {k: getattr(review, k) for k in ("id", "provider_id", "year", "version", "status", "summary",
                                                  "amendment_reason", "created_at", "created_by", "submitted_at",
                                                  "submitted_by", "signed_at", "signed_by")}
        declaration = json.loads(review.declaration) if review.declaration else None
    evidence = frozen if frozen is not None else year_evidence(engine, (provider.id, provider.name), review.year,
                                                               rubric, documents=docs, today=today)
    for rec in recs:
        if rec["action"] is not None and rec["action"]["id"] in actions:
            rec["action"] = actions[rec["action"]["id"]]
    by_key = {a["key"]: a for a in evidence["areas"]}
    areas = []
    for area in rubric.areas:
        areas.append({"key": area.key, "name": area.name, "question": area.question, "look_for": area.look_for,
                      "asks_for": area.documents,
                      "levels": [(lv.level, lv.name, area.level_meaning(rubric, lv.level)) for lv in rubric.levels],
                      "rating": ratings.get(area.key, AreaRating()), "evidence": by_key.get(area.key),
                      "documents": [d for d in docs if d["area_key"] == area.key],
                      "recommendations": [r for r in recs if r["area_key"] == area.key]})
    comparison = compare_areas(_sides(rubric, ratings, evidence), prev_sides)
    missing = missing_for_submission(fields["summary"], ratings, {a.key: a.name for a in rubric.areas}) \
        if fields["status"] == "draft" else []
    return ReviewView(provider=provider.name, kind=provider.kind, rubric=rubric, evidence=evidence,
                      live=frozen is None, areas=areas, documents=docs, recommendations=recs, comparison=comparison,
                      previous=prev_info, amends=amends, newer=newer_info, declaration=declaration, missing=missing,
                      **fields)
