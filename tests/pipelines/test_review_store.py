"""Stored reviews: a signed one is immutable whatever path a change takes; amendments, actions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scorecard.errors import BadInput, Forbidden
from scorecard.review import ReviewLocked, load_rubric
from scorecard.rubrics import shipped_text
from sql import repo
from sql import reviews as store
from sql.engine import session_scope
from sql.review_models import Review, ReviewAction, ReviewArea, ReviewDocument

PDF = b"%PDF-1.4\n%%EOF\n"
AREAS = ("turnaround", "accuracy", "responsiveness", "confidentiality", "supervision", "cost")
SIGNED_AT = dt.datetime(2026, 1, 20, 10, tzinfo=dt.timezone.utc)
ALL = ["no_financial_interest", "no_referral_fees", "no_other_relationship"]


def _signed(engine, recommendations=(("cost", "2026-03-31"), ("accuracy", "2026-06-30"))) -> int:
    with session_scope(engine) as s:
        p = repo.add_provider(s, "Lex", "legal", "America/New_York", actor="t")
        rubric = load_rubric(shipped_text("legal")[1], source="legal.toml")
        with pytest.raises(BadInput, match="is for it providers"):
            store.open_review(s, p, 2025, load_rubric(shipped_text("it")[1], source="it.toml"), actor="t")
        r = store.open_review(s, p, 2025, rubric, actor="cio")
        for area in AREAS:
            store.rate_area(s, r, area, rating="3", actor="cio")
        store.set_summary(s, r, "Sound.", actor="cio")
        store.add_document(s, r, filename="soc2.pdf", content=PDF, area_key="confidentiality", actor="cio")
        for area, due in recommendations:
            store.add_recommendation(s, r, area_key=area, text=f"Improve {area}", owner="Partner", due=due,
                                     actor="cio")
        store.submit_review(s, r, {"sha256": "x", "areas": []}, actor="cio")
        with pytest.raises(Forbidden, match="only a reviewer may sign"):
            store.sign_review(s, r, signer="boss@x", signer_role="executive", accepted=ALL)
        store.sign_review(s, r, signer="cio@x", signer_role="reviewer", accepted=ALL, now=SIGNED_AT)
        return r.id


def test_the_orm_refuses_any_change_to_a_signed_review(engine):
    rid = _signed(engine)
    changes = [
        lambda s: setattr(s.get(Review, rid), "summary", "rewritten"),
        lambda s: setattr(s.get(Review, rid), "status", "draft"),
        lambda s: setattr(s.scalar(select(ReviewArea).where(ReviewArea.review_id == rid)), "rating", 5),
        lambda s: s.delete(s.scalar(select(ReviewDocument).where(ReviewDocument.review_id == rid))),
        lambda s: s.add(ReviewArea(review_id=rid, area_key="extra", rating=1, updated_by="x")),
        lambda s: s.delete(s.get(Review, rid)),
    ]
    for change in changes:
        with pytest.raises(ReviewLocked, match="is signed and cannot be changed"):
            with session_scope(engine) as s:
                change(s)
                s.flush()
    with session_scope(engine) as s:
        r = s.get(Review, rid)
        assert (r.status, r.summary, r.signed_by) == ("signed", "Sound.", "cio@x")
        for fn, kwargs in ((store.rate_area, {"area_key": "cost", "rating": "1", "rationale": "x"}),
                           (store.set_summary, {"text": "x"}), (store.return_to_draft, {}),
                           (store.add_document, {"filename": "a.pdf", "content": PDF, "area_key": None})):
            args = [kwargs.pop("area_key")] if fn is store.rate_area else []
            with pytest.raises(ReviewLocked):
                fn(s, r, *args, **kwargs, actor="t")


def test_an_amendment_keeps_changed_actions_and_withdraws_dropped_ones(engine):
    rid = _signed(engine)
    with session_scope(engine) as s:
        old = s.get(Review, rid)
        first = {a.area_key: a.id for a in s.scalars(select(ReviewAction))}
        with pytest.raises(BadInput, match="a reason is required"):
            store.amend_review(s, old, reason=" ", actor="cio")
        new = store.amend_review(s, old, reason="The cost recommendation was wrong.", actor="cio")
        assert (new.version, new.amends_id, new.status, new.summary) == (2, rid, "draft", "Sound.")
        recs = {r["area_key"]: r["id"] for r in store.recommendation_rows(s, new)}
        store.remove_recommendation(s, new, recs["cost"], actor="cio")
        store.add_recommendation(s, new, area_key="turnaround", text="Faster NDAs", owner="Partner",
                                 due="2026-09-30", actor="cio")
        store.submit_review(s, new, {"sha256": "y", "areas": []}, actor="cio")
        store.sign_review(s, new, signer="cio@x", signer_role="reviewer", accepted=ALL)
        with pytest.raises(BadInput, match="already has a newer version"):
            store.amend_review(s, old, reason="again", actor="cio")
        actions = {a.area_key: a for a in s.scalars(select(ReviewAction))}
        assert actions["accuracy"].id == first["accuracy"] and actions["accuracy"].withdrawn_at is None
        assert actions["cost"].withdrawn_at is not None and actions["turnaround"].review_id == new.id
        pid = new.provider_id
        assert store.latest_signed(s, pid, 2025).id == new.id
    frame = store.read_actions(engine, pid)
    assert sorted(frame["action_id"].to_list()) == sorted(f"RA-{actions[k].id}" for k in ("accuracy", "turnaround"))


def test_closing_an_action(engine):
    _signed(engine)
    with session_scope(engine) as s:
        action = s.scalar(select(ReviewAction).order_by(ReviewAction.id))
        aid = action.id
        assert store.parse_action_id(f"ra-{aid}") == aid
        for on, expected in (("2026-01-19", "before the action was agreed"), ("2026-13-01", "not a real date"),
                             ("soon", "must be a date"), ("2027-01-01", "is in the future")):
            with pytest.raises(BadInput, match=expected):
                store.close_action(s, aid, on=on, actor="cio", today=dt.date(2026, 6, 1))
        row = store.close_action(s, aid, on="2026-04-02", actor="cio", today=dt.date(2026, 6, 1))
        assert row["state"] == "closed late" and row["closed_on"] == "2026-04-02"
        with pytest.raises(BadInput, match="already closed"):
            store.close_action(s, aid, on="2026-04-03", actor="cio", today=dt.date(2026, 6, 1))
        with pytest.raises(BadInput, match="is named by its number"):
            store.parse_action_id("A-1")
    frame = store.read_actions(engine, action.provider_id)
    assert frame.filter(frame["action_id"] == f"RA-{aid}")["closed_on"].to_list() == [dt.date(2026, 4, 2)]
