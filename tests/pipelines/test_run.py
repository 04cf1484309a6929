"""The compute run: stored results equal the pipeline's, and only changed months recompute."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, select

from pipelines.ingest import import_frame
from pipelines.measures import compute_all
from pipelines.run import compute_provider, provider_facts
from scorecard import facts as F
from scorecard.definition import load_scorecard
from sql.engine import session_scope
from sql.facts import read_facts
from sql.models import ComputeRun, Provider
from sql.results import computed_months, read_results
from sql.scorecards import add_version

IT = "Northwind IT Services"

AS_OF = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


@pytest.fixture
def demo(demo_engine):
    engine = demo_engine
    with session_scope(engine) as s:
        pid = s.scalar(select(Provider.id).where(Provider.name == IT))
    return engine, (pid, IT)


def test_stored_results_equal_the_pipeline_on_the_same_facts(demo):
    engine, provider = demo
    stored = read_results(engine, provider)
    text = resources.files("scorecard.examples").joinpath("it_managed_services.toml").read_text()
    card = load_scorecard(text, source="it")
    months = tuple(sorted(stored["month"].unique()))
    facts = {name: frame.lazy() for name, frame in provider_facts(engine, provider).items()}
    expected = compute_all(card.context(months, AS_OF), facts).collect()
    key = ["measure", "params", "month"]
    assert stored.height == expected.height > 1000
    assert_frame_equal(stored.sort(key), expected.sort(key), check_exact=False, rel_tol=1e-12)
    assert months[0] == "2025-09" and months[-1] == "2026-10"


def test_a_second_run_recomputes_only_provisional_months(demo):
    engine, provider = demo
    with engine.connect() as conn:
        provisional = sorted(m for m, row in computed_months(conn, provider[0]).items() if row.provisional)
    assert len(provisional) <= 3 and all(m >= "2026-08" for m in provisional)
    again = compute_provider(engine, IT, as_of=AS_OF)
    assert again.computed == provisional and again.unchanged == 14 - len(provisional)


def test_a_changed_fact_recomputes_its_month_and_those_after(demo):
    engine, provider = demo
    tickets = read_facts(engine, F.TICKETS, provider)
    # reopen one ticket opened in 2026-03 (London) and import it as a newer export would
    target = tickets.filter(pl.col(F.OPENED_AT).dt.convert_time_zone("Europe/London").dt.strftime("%Y-%m") == "2026-03",
                            pl.col(F.STATUS) == "closed").head(1)
    changed = target.with_columns(pl.col(F.REOPEN_COUNT) + 1).drop(F.REQUESTER).with_columns(
        pl.lit(None, pl.String()).alias(F.REQUESTER)).select(F.TICKETS.names)
    with engine.begin() as conn:
        result = import_frame(conn, IT, "tickets", changed, source="update.csv", actor="test")
    assert result.written.updated == 1
    report = compute_provider(engine, IT, as_of=AS_OF)
    assert report.computed[0] == "2026-03" and report.computed[-1] == "2026-10"
    assert report.unchanged == 6  # 2025-09 … 2026-02 untouched


def test_a_new_scorecard_version_rescores_from_its_month(demo):
    engine, provider = demo
    text = resources.files("scorecard.examples").joinpath("it_managed_services.toml").read_text()
    stricter = text.replace("reopen_window_days", "reopen_window_days") + "\n# agreed 2026-06\n"
    with session_scope(engine) as s:
        add_version(s, provider[0], IT, "2026-06", stricter, actor="test")
    report = compute_provider(engine, IT, as_of=AS_OF)
    assert report.computed == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ComputeRun)) >= 2


def test_no_facts_means_nothing_to_compute(engine):
    from sql import repo

    with session_scope(engine) as s:
        repo.add_provider(s, "Empty", "it", actor="test")
    report = compute_provider(engine, "Empty", as_of=AS_OF)
    assert report.computed == [] and "0 months" in report.summary()
