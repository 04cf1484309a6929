"""steerco demo: deterministic for a seed, through the import path, with its events in the facts."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, select

from dashboard.demo import DEMO_USERS, build_demo
from scorecard import facts as F
from scorecard.errors import BadInput
from sql import repo
from sql.engine import make_engine, session_scope
from sql.facts import read_facts
from sql.models import AuditEntry, Provider, User
from sql.schema import upgrade

END = "2026-10"
IT = "Northwind IT Services"
LEGAL = "Lexington Legal Process"


def _build(url: str, seed: int = 7):
    engine = make_engine(url)
    build_demo(engine, seed=seed, months=36, end=END, actor="test")
    return engine


def _facts(engine) -> dict[str, pl.DataFrame]:
    with session_scope(engine) as s:
        providers = [(p.id, p.name) for p in s.scalars(select(Provider).order_by(Provider.name))]
    out = {}
    for pid, name in providers:
        for fact in F.FACTS.values():
            frame = read_facts(engine, fact, (pid, name))
            out[f"{name}/{fact.name}"] = frame.sort(list(fact.key)[1:])
    return out


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory):
    engine = _build(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    yield engine
    engine.dispose()


def _month(col: str, tz: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(tz).dt.strftime("%Y-%m")


def test_same_seed_gives_the_same_database_and_another_seed_does_not(tmp_path, demo_engine):
    again = _build(f"sqlite:///{tmp_path / 'again.db'}")
    first, second = _facts(demo_engine), _facts(again)
    assert first.keys() == second.keys()
    for key in first:
        assert_frame_equal(first[key], second[key])
    other = _build(f"sqlite:///{tmp_path / 'other.db'}", seed=8)
    assert not _facts(other)[f"{IT}/tickets"].equals(first[f"{IT}/tickets"])
    again.dispose()
    other.dispose()


def test_demo_goes_through_the_import_path_and_creates_one_user_per_role(demo_engine):
    with session_scope(demo_engine) as s:
        imports = s.scalars(select(AuditEntry.target).where(AuditEntry.action == "import")).all()
        roles = sorted(s.scalars(select(User.role)))
    assert f"{IT}/tickets" in imports and f"{LEGAL}/checks" in imports
    assert roles == sorted(role for _e, role, _p, _pw in DEMO_USERS)
    tickets = _facts(demo_engine)[f"{IT}/tickets"]
    assert tickets["requester"].drop_nulls().str.starts_with("p_").all()  # pseudonymised on import
    per_year = tickets.height / 3
    assert 22_000 < per_year < 28_000


def test_reopen_rate_rises_from_2025_07(demo_engine):
    t = _facts(demo_engine)[f"{IT}/tickets"].filter(pl.col("resolved_at").is_not_null())
    t = t.with_columns(_month("resolved_at", "Europe/London").alias("m"))
    share = lambda frame: (frame["reopen_count"] > 0).mean()  # noqa: E731
    baseline = share(t.filter(pl.col("m").is_between(pl.lit("2023-11"), pl.lit("2024-10"))))
    after = share(t.filter(pl.col("m").is_between(pl.lit("2025-08"), pl.lit("2026-09"))))
    assert baseline < 0.055 and after > 0.075


def test_p2_resolution_slows_after_2026_01(demo_engine):
    t = _facts(demo_engine)[f"{IT}/tickets"].filter((pl.col("priority") == "P2") & pl.col("resolved_at").is_not_null())
    t = t.with_columns(((pl.col("resolved_at") - pl.col("opened_at")).dt.total_seconds() / 3600).alias("h"),
                       _month("opened_at", "Europe/London").alias("m"))
    before = t.filter(pl.col("m").is_between(pl.lit("2024-01"), pl.lit("2025-12")))["h"].median()
    after = t.filter(pl.col("m").is_between(pl.lit("2026-02"), pl.lit("2026-09")))["h"].median()
    assert after > 1.6 * before


def test_backup_bad_spell_capacity_trend_and_project_slip(demo_engine):
    facts = _facts(demo_engine)
    backups = facts[f"{IT}/checks"].filter(pl.col("check_type") == "backup").with_columns(
        _month("at", "Europe/London").alias("m"))
    by_month = backups.group_by("m").agg(pl.col("passed").mean().alias("rate")).sort("m")
    rates = dict(by_month.iter_rows())
    assert rates["2025-04"] < 0.9 and min(v for m, v in rates.items() if m != "2025-04") > 0.96
    cap = facts[f"{IT}/capacity"].filter(pl.col("resource").str.contains("SAN-01"))
    cap = cap.with_columns((pl.col("used") / pl.col("capacity")).alias("u"), _month("at", "UTC").alias("m"))
    monthly = cap.group_by("m").agg(pl.col("u").quantile(0.95)).sort("m")["u"]
    assert monthly[-1] > 0.85 and monthly[-1] > monthly[-7] > monthly[0]
    projects = facts[f"{IT}/projects"]
    erp = projects.filter(pl.col("project") == "ERP upgrade").sort("as_of")
    late = erp.filter(pl.col("forecast_end") > pl.col("baseline_end"))
    assert late["as_of"].min().strftime("%Y-%m") == "2025-09" and late.height >= 12
    assert late["forecast_end"].is_sorted() and late["forecast_end"][-1] > late["forecast_end"][0]
    assert erp["forecast_cost"][-1] > 1.3 * erp["baseline_cost"][-1]


def test_legal_qc_errors_rise_from_2025_11(demo_engine):
    qc = _facts(demo_engine)[f"{LEGAL}/checks"].filter(pl.col("check_type") == "qc_review")
    qc = qc.with_columns(_month("at", "America/New_York").alias("m"))
    err = lambda f: 1 - f["passed"].mean()  # noqa: E731
    assert err(qc.filter(pl.col("m") < "2025-11")) < 0.008
    assert err(qc.filter(pl.col("m") >= "2025-11")) > 0.013


def test_demo_refuses_a_database_with_real_data_and_rebuilds_a_demo(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'real.db'}")
    upgrade(engine)
    with session_scope(engine) as s:
        repo.add_provider(s, "Real Provider", "it", actor="test")
    with pytest.raises(BadInput, match="already holds providers or users"):
        build_demo(engine, seed=7, months=36, end=END, actor="test")
    demo = _build(f"sqlite:///{tmp_path / 'demo.db'}")
    build_demo(demo, seed=7, months=36, end=END, actor="test")  # a demo may be rebuilt
    with session_scope(demo) as s:
        assert s.scalar(select(func.count()).select_from(Provider)) == 2
    engine.dispose()
    demo.dispose()


@pytest.mark.postgres
def test_demo_on_postgresql_matches_sqlite(pg_server, demo_engine, request):
    from tests.conftest import _fresh_pg

    gen = _fresh_pg(pg_server, migrated=False)
    url = next(gen)
    try:
        pg = _build(url)
        lite, post = _facts(demo_engine), _facts(pg)
        for key in lite:
            assert_frame_equal(lite[key], post[key])
        pg.dispose()
    finally:
        gen.close()
