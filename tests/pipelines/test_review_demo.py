"""The demo's reviews: a signed one for the previous year, a draft for the current one, per provider,
rated by the documented rule from the stored evidence, with actions that feed governance."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from sqlalchemy import func, select

from pipelines.measures import compute_all
from pipelines.review_demo import build_review_demo, demo_rating
from pipelines.review_evidence import review_view
from scorecard.context import MeasureContext
from scorecard.review.evidence import fingerprint
from scorecard.errors import SteercoError
from sql.engine import session_scope
from sql.results import read_results
from sql.models import AuditEntry, Provider
from sql.review_models import Review
from sql.reviews import action_rows, provider_may_read, read_actions


def test_the_demo_reviews(demo_engine):
    """``steerco demo`` wrote them (dashboard/demo.py), after computing the months they draw on."""
    with session_scope(demo_engine) as s:
        rows = s.execute(select(Provider.name, Review.year, Review.version, Review.status, Review.id)
                         .join(Provider, Provider.id == Review.provider_id).order_by(Provider.name, Review.year)).all()
        assert [(n, y, v, st) for n, y, v, st, _ in rows] == [
            ("Lexington Legal Process", 2025, 1, "signed"), ("Lexington Legal Process", 2026, 1, "draft"),
            ("Northwind IT Services", 2025, 1, "signed"), ("Northwind IT Services", 2026, 1, "draft")]
        ids = {(n, y): i for n, y, _v, _s, i in rows}
        nw = s.scalar(select(Provider).where(Provider.name == "Northwind IT Services"))
        lex = s.scalar(select(Provider).where(Provider.name == "Lexington Legal Process"))
        assert provider_may_read(s, nw.id) and not provider_may_read(s, lex.id)
        actions = action_rows(s, [nw.id], today=dt.date(2026, 10, 31))
        audited = dict(s.execute(select(AuditEntry.action, func.count()).where(AuditEntry.action.like("review.%"))
                                 .group_by(AuditEntry.action)).all())
    assert {"review.open", "review.rate", "review.attach", "review.summary", "review.submit", "review.sign",
            "review.access"} <= set(audited)
    assert audited["review.open"] == 4 and audited["review.sign"] == 2

    signed = review_view(demo_engine, ids[("Northwind IT Services", 2025)])
    assert signed.status == "signed" and signed.signed_by == "cio@demo.steerco" and not signed.live
    assert signed.evidence["sha256"] == fingerprint(signed.evidence) and signed.rated == len(signed.areas)
    assert signed.declaration and len(signed.declaration["statements"]) == 3
    assert {d["filename"] for d in signed.documents} == {"iso27001-certificate.pdf", "vendor-commission-statement.txt"}
    for area in signed.areas:  # ratings follow the documented rule wherever there is measured evidence
        rule = demo_rating(area["evidence"])
        if rule is not None:
            assert area["rating"].rating == rule[0], area["key"]
            assert area["rating"].rationale == rule[1]
    weak = {a["key"] for a in signed.areas if a["rating"].rating <= 2}
    assert {r["area_key"] for r in signed.recommendations} <= weak and len(actions) == len(signed.recommendations)

    draft = review_view(demo_engine, ids[("Northwind IT Services", 2026)])
    assert draft.status == "draft" and draft.live and draft.rated == len(draft.areas) - 2
    assert draft.previous == {"id": signed.id, "year": 2025, "version": 1}
    assert all(row["direction"] in ("up", "down", "same", "incomparable") for row in draft.comparison)
    availability = draft.area("availability")  # the backup bad spell and the Email outage of 2026
    assert availability["evidence"]["red"] >= 2 and availability["rating"].rating <= 3
    assert "red in" in availability["rating"].findings

    frame = read_actions(demo_engine, nw.id)
    assert frame.columns == ["provider", "action_id", "due_on", "closed_on"] and frame.height == len(actions)
    assert frame["provider"].unique().to_list() == ["Northwind IT Services"]
    ctx = MeasureContext(provider="Northwind IT Services", timezone="Europe/London",
                         months=tuple(f"2026-{m:02d}" for m in range(1, 11)),
                         as_of=dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc))
    measured = compute_all(ctx, {"actions": frame}).collect()  # the measure accepts the frame as its fact
    due = measured.filter((pl.col("measure") == "governance.actions_on_time") & (pl.col("denominator") > 0))
    assert due["denominator"].sum() == len(actions)
    assert due["numerator"].sum() == sum(a["state"] == "closed on time" for a in actions)
    json.dumps(signed.to_dict(), default=str)

    # the demo computed again after signing: the stored results count the actions
    stored = read_results(demo_engine, (nw.id, nw.name), first="2026-01", last="2026-10").filter(
        (pl.col("measure") == "governance.actions_on_time") & (pl.col("denominator") > 0))
    assert stored.select("month", "numerator", "denominator").sort("month").to_dicts() == \
        due.select("month", "numerator", "denominator").sort("month").to_dicts()
    assert stored["denominator"].sum() >= 1


def test_a_second_review_demo_is_refused(demo_engine):
    with pytest.raises(SteercoError, match="already"):
        build_review_demo(demo_engine, end="2026-10", actor="test")


def test_the_report_of_a_demo_review(demo_engine):
    from dashboard.review_report import review_html

    with session_scope(demo_engine) as s:
        rid = s.scalar(select(Review.id).where(Review.year == 2025, Review.status == "signed").order_by(Review.id))
    view = review_view(demo_engine, rid)
    linked = review_html(view, charts=False, base_url="https://steerco.example.com/")
    assert 'href="https://steerco.example.com/measure?provider=' in linked
    plain = review_html(view, charts=False)
    assert "/measure?" not in plain and "Signed by <strong>cio@demo.steerco</strong>" in plain
    for area in view.areas:  # every area, its rating and its rationale are in the report
        assert area["name"] in plain and area["rating"].rationale.replace("'", "&#39;") in plain
