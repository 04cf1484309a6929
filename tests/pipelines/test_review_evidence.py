"""A review's evidence is the stored results of its year, judged as the monthly scorecard judges them."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest
from sqlalchemy import select, update

from pipelines.measures.governance import ACTIONS
from pipelines.review_evidence import review_evidence, review_view, submit_with_evidence, year_evidence
from pipelines.scoring import scored_month
from scorecard.review import load_rubric
from scorecard.review.evidence import fingerprint
from scorecard.rubrics import shipped_text
from sql.engine import session_scope
from sql.models import MeasureResult
from sql.repo import add_provider, get_provider
from sql.review_models import Review
from sql.results import read_results
from sql.reviews import ACTION_SCHEMA, rate_area, read_actions, set_summary
from sql.signals import read_signals

IT = "Northwind IT Services"
TODAY = dt.date(2026, 11, 22)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and not math.isfinite(b))
    return a == b


def test_the_evidence_numbers_equal_the_stored_results_of_the_year(demo_engine):
    with session_scope(demo_engine) as s:
        p = get_provider(s, IT)
        ref = (p.id, p.name)
    rubric = load_rubric(shipped_text("it")[1], source="it.toml")
    ev = year_evidence(demo_engine, ref, 2026, rubric, today=TODAY)
    stored = {(r["measure"], r["params"], r["month"]): r
              for r in read_results(demo_engine, ref, first="2026-01", last="2026-12").to_dicts()}
    assert ev["months"] == [f"2026-{m:02d}" for m in range(1, 11)] and ev["currency"] == "GBP"
    status = {}  # what the monthly scorecard says, month by month
    for month in ev["months"]:
        for _p, _o, m in scored_month(demo_engine, IT, month).measures():
            status[(m.spec.measure, m.spec.params_key, month)] = m.status
    signals = read_signals(demo_engine, provider_ids=[ref[0]], first="2026-01", last="2026-12")
    checked = series_count = 0
    for area in ev["areas"]:
        for s in area["measures"]:
            series_count += 1
            key = (s["measure"], s["params"])
            assert [m["month"] for m in s["months"]] == sorted(k[2] for k in stored if k[:2] == key)
            for m in s["months"]:
                row = stored[key + (m["month"],)]
                assert _same(m["value"], row["value"]) and _same(m["numerator"], row["numerator"])
                assert _same(m["denominator"], row["denominator"]) and m["n"] == row["n"]
                assert m["status"] == status.get(key + (m["month"],))
                checked += 1
            judged = [st for (me, pa, _mo), st in status.items() if (me, pa) == key]
            assert s["on_target"] == judged.count("green") and s["red"] == judged.count("red")
            assert s["amber"] == judged.count("amber") and s["grey"] == judged.count("grey")
            rows = [stored[key + (m["month"],)] for m in s["months"]]
            if s["year_basis"] == "pooled":
                pooled = sum(r["numerator"] for r in rows) / sum(r["denominator"] for r in rows)
                assert s["year_value"] == pytest.approx(pooled, rel=1e-12)
            mine = signals.filter((pl.col("measure") == key[0]) & (pl.col("params") == key[1]))
            assert s["signals"]["worse"] == mine.filter(pl.col("direction") == "worse").height
            assert s["signals"]["better"] == mine.filter(pl.col("direction") == "better").height
    assert checked > 400 and series_count > 40
    # the demo's known events (docs/demo.md; a 14-month demo puts them all in 2026) are in the evidence
    series = {(s["measure"], s["params"]): s for a in ev["areas"] for s in a["measures"]}
    month_status = {k: {m["month"]: m["status"] for m in s["months"]} for k, s in series.items()}
    assert month_status[("checks.pass_rate", '{"check_type":"backup"}')]["2026-06"] == "red"
    assert month_status[("quality.reopen_rate", "{}")]["2026-09"] == "red"
    assert month_status[("sla.resolution_met", '{"priority":"P2"}')]["2026-10"] == "red"
    assert month_status[("availability.service", '{"service":"Email"}')]["2026-10"] == "red"
    assert ev["credits"]["total"] > 0 and ev["sha256"] == fingerprint(ev)


def test_submitting_freezes_the_evidence_and_a_draft_follows_the_results(demo_engine):
    with session_scope(demo_engine) as s:
        p = get_provider(s, IT)
        review = s.scalar(select(Review).where(Review.provider_id == p.id, Review.year == 2026))
        assert review.status == "draft"  # the demo's draft of the current year
        for area in ("service_desk", "problem_management", "availability", "capacity", "security",
                     "licences_purchasing", "projects", "vendors", "reporting", "strategic_advice"):
            rate_area(s, review, area, rating="3", actor="cio")
        set_summary(s, review, "A fair year.", actor="cio")
        rid, pid = review.id, p.id
    frozen = submit_with_evidence(demo_engine, rid, actor="cio", today=TODAY)
    with demo_engine.begin() as conn:  # the results are recomputed and come out different
        conn.execute(update(MeasureResult).where(MeasureResult.provider_id == pid, MeasureResult.month == "2026-06",
                                                 MeasureResult.measure == "checks.pass_rate").values(value=0.5))
    view = review_view(demo_engine, rid, today=TODAY)
    assert not view.live and view.evidence == json.loads(json.dumps(frozen)) and view.status == "submitted"
    backup = next(s for s in view.area("availability")["evidence"]["measures"] if s["measure"] == "checks.pass_rate")
    assert next(m for m in backup["months"] if m["month"] == "2026-06")["value"] != 0.5
    live = review_evidence(demo_engine, rid, today=TODAY)
    live_backup = next(s for a in live["areas"] for s in a["measures"] if s["measure"] == "checks.pass_rate"
                       and s["params"] == backup["params"])
    assert next(m for m in live_backup["months"] if m["month"] == "2026-06")["value"] == 0.5
    assert live["sha256"] != frozen["sha256"]


def test_read_actions_is_the_governance_actions_frame(demo_engine):
    with session_scope(demo_engine) as s:
        pid = get_provider(s, IT).id
        none_yet = add_provider(s, "New IT", "it", "UTC", actor="test").id
    empty = read_actions(demo_engine, none_yet)
    assert empty.is_empty() and empty.schema == ACTION_SCHEMA
    assert read_actions(demo_engine, pid).schema == ACTION_SCHEMA
    assert ACTION_SCHEMA == pl.Schema({c.name: c.dtype for c in ACTIONS.columns})
