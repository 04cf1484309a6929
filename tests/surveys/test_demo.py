"""The demo's surveys (surveys.demo, docs/demo.md "Surveys"): realistic response rates, several
languages, anonymity for the legal provider, and the documented dip in satisfaction, which the
drift engine finds."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import func, select

from dashboard.demo import build_demo
from scorecard import facts as F
from scorecard.catalogue import RESULT_SCHEMA
from scorecard.drift.engine import detect_drift
from sql.engine import make_engine
from sql.facts import read_facts
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyLink, SurveyResponse
from sql.survey_store import read_survey_facts, read_survey_ratings, read_survey_tables
from surveys.demo import build_survey_demo, dip_months, p2_change_month
from surveys.exports import report
from surveys.invitations import provider_ref

DIP = ["2026-01", "2026-02", "2026-03", "2026-04"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, seed=7, months=36, end="2026-10", actor="test")
    reports = build_survey_demo(engine, seed=7, end="2026-10", actor="test")
    yield engine, reports
    engine.dispose()


def _pid(engine, name):
    with engine.connect() as conn:
        return provider_ref(conn, name).id


def test_dip_months():
    assert dip_months("2026-10", "2023-11") == DIP
    assert dip_months("2026-10", "2024-11", p2_change="2026-06") == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert dip_months("2026-10", "2025-06") == []  # no baseline year before it


def test_the_dip_follows_the_p2_staffing_change(demo):
    engine, _ = demo
    tickets = read_facts(engine, F.TICKETS, (_pid(engine, "Northwind IT Services"), "Northwind IT Services"))
    assert p2_change_month(tickets, "Europe/London") == "2026-01"  # docs/demo.md, event 6
    legal = read_facts(engine, F.TICKETS, (_pid(engine, "Lexington Legal Process"), "Lexington Legal Process"))
    assert p2_change_month(legal, "America/New_York") is None


def test_response_rates_are_realistic(demo):
    engine, reports = demo
    assert [r.provider for r in reports] == ["Lexington Legal Process", "Northwind IT Services"]
    for r in reports:
        assert 0.22 <= r.responses / r.invitations <= 0.28, r.summary()
    monthly = report(engine, _pid(engine, "Northwind IT Services"))
    rates = monthly.filter(pl.col("month") < "2026-10")["response_rate"]
    assert rates.min() > 0.15 and rates.max() < 0.35
    assert monthly["sent"].min() > 700  # ~1,000 invitations a month


def test_the_dip_in_satisfaction_and_the_recovery(demo):
    engine, _ = demo
    monthly = report(engine, _pid(engine, "Northwind IT Services")).filter(pl.col("month") < "2026-11")
    baseline = monthly.filter(pl.col("month") < "2024-11")
    csat = dict(zip(monthly["month"], monthly["csat"]))
    nps = dict(zip(monthly["month"], monthly["nps"]))
    base_csat, base_nps = baseline["csat"].mean(), baseline["nps"].mean()
    assert 0.82 <= base_csat <= 0.90
    for month in DIP:
        assert csat[month] < base_csat - 0.10, month
        assert nps[month] < base_nps - 20, month
    for month in ("2025-12", "2026-05", "2026-06"):
        assert csat[month] > base_csat - 0.06, month
    legal = report(engine, _pid(engine, "Lexington Legal Process"))
    assert 0.80 <= legal["csat"].mean() <= 0.92 and legal["csat"].min() > 0.6  # steady, no event (~75 a month)


def test_the_drift_engine_finds_the_dip(demo):
    engine, _ = demo
    pid = _pid(engine, "Northwind IT Services")
    monthly = report(engine, pid).filter(pl.col("month") <= "2026-10")
    results = monthly.select(
        pl.lit("Northwind IT Services").alias("provider"), pl.lit("survey.csat").alias("measure"),
        pl.lit("{}").alias("params"), "month", pl.col("csat").alias("value"),
        (pl.col("csat") * pl.col("responses")).alias("numerator"), pl.col("responses").cast(pl.Float64).alias("denominator"),
        pl.col("responses").alias("n"), pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high"),
        pl.lit(False).alias("provisional")).cast(dict(RESULT_SCHEMA))
    ratings = read_survey_ratings(engine, pid).filter(pl.col("month") <= "2026-10")
    signals = detect_drift(results, survey_ratings=ratings)
    worse = signals.filter((pl.col("direction") == "worse") & (pl.col("measure") == "survey.csat")
                           & (pl.col("params") == "{}"))
    assert set(DIP) <= set(worse["month"])
    assert worse.filter(pl.col("month") < "2025-12").is_empty()  # nothing before the dip


def test_languages_comments_and_anonymity(demo):
    engine, _ = demo
    with engine.connect() as conn:
        langs = dict(conn.execute(select(SurveyResponse.language, func.count()).group_by(SurveyResponse.language)).all())
        comments = conn.scalars(select(SurveyAnswer.text).where(SurveyAnswer.question == "comment")).all()
        lex = provider_ref(conn, "Lexington Legal Process").id
        anonymous = conn.execute(select(func.count(), func.count(SurveyResponse.invitation_id),
                                        func.count(SurveyResponse.submitted_at))
                                 .where(SurveyResponse.provider_id == lex)).one()
        emails = conn.scalar(select(func.count(SurveyInvitation.email)))
        links = conn.scalar(select(func.count()).select_from(SurveyLink))
        invitations = conn.scalar(select(func.count()).select_from(SurveyInvitation))
    total = sum(langs.values())
    assert set(langs) == {"en", "fr", "de", "es"} and 0.5 < langs["en"] / total < 0.7
    assert 0.25 < len(comments) / total < 0.35
    assert any("merci" in c.lower() for c in comments) and any("danke" in c.lower() for c in comments)
    assert any("gracias" in c.lower() for c in comments)
    assert anonymous[0] > 2000 and anonymous[1:] == (0, 0)
    assert emails == 0 and links > invitations  # every invitation's link, plus the reminders'
    tables = read_survey_tables(engine, lex)
    assert tables["responses"]["submitted_at"].null_count() == tables["responses"].height
    facts = read_survey_facts(engine, lex)
    assert facts["survey_responses"].height == 2 * anonymous[0]  # the satisfaction and recommendation answers
    assert facts["survey_invitations"]["responded_at"].is_not_null().sum() == anonymous[0]


def _digest(engine) -> tuple:
    with engine.connect() as conn:
        links = conn.execute(select(func.count(), func.min(SurveyLink.token_hash), func.max(SurveyLink.token_hash))).one()
        answers = conn.execute(select(func.count(), func.sum(SurveyAnswer.value))).one()
        months = conn.execute(select(SurveyResponse.month, func.count()).group_by(SurveyResponse.month)
                              .order_by(SurveyResponse.month)).all()
    return tuple(links), tuple(answers), tuple(map(tuple, months))


def test_deterministic(demo):
    """Last in this module: it rebuilds the demo's surveys (the same seed replaces them exactly)."""
    engine, reports = demo
    before = _digest(engine)
    again = build_survey_demo(engine, seed=7, end="2026-10", actor="test")
    assert [(r.invitations, r.responses) for r in again] == [(r.invitations, r.responses) for r in reports]
    assert _digest(engine) == before
    build_survey_demo(engine, seed=8, end="2026-10", actor="test")
    assert _digest(engine) != before
