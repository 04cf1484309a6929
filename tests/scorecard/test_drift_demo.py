"""The drift engine on the demo (docs/demo.md): it finds the documented events, when they
start, which way they go, and stays quiet on the in-control stretches before them.

The demo's measures are computed the way the product does: ``generate_demo`` →
``pipelines.measures.compute_all`` with the example scorecards' context, judged against the
scorecards' baseline (2023-11 … 2024-10, the demo's first year).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import polars as pl
import pytest

from pipelines.demo import generate_demo
from pipelines.measures import compute_all
from scorecard.definition import load_scorecard
from scorecard.drift import SIGNAL_SCHEMA, detect_drift, latest_signals
from scorecard.months import month_range

NORTHWIND, LEXINGTON = "Northwind IT Services", "Lexington Legal Process"
EXAMPLES = {NORTHWIND: "it_managed_services.toml", LEXINGTON: "legal_outsourcing.toml"}
AS_OF = dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC)  # after local midnight in both zones


@pytest.fixture(scope="module")
def demo_results() -> tuple[pl.DataFrame, tuple[str, str] | None]:
    demo = generate_demo()
    frames, baselines = [], set()
    for name, example in EXAMPLES.items():
        text = resources.files("scorecard.examples").joinpath(example).read_text(encoding="utf-8")
        card = load_scorecard(text, source=example)
        baselines.add(card.baseline)
        ctx = card.context(month_range(demo.start, demo.end), AS_OF)
        facts = {k: v.lazy() for k, v in demo.provider(name).facts.items()}
        frames.append(compute_all(ctx, facts).collect())
    (baseline,) = baselines
    return pl.concat(frames), baseline


@pytest.fixture(scope="module")
def signals(demo_results) -> pl.DataFrame:
    results, baseline = demo_results
    return detect_drift(results, baseline=baseline)


def series(signals: pl.DataFrame, provider: str, measure: str, params: str = "{}") -> pl.DataFrame:
    return signals.filter(pl.col("provider") == provider, pl.col("measure") == measure,
                          pl.col("params") == params).sort("month")


def test_the_baseline_is_the_demos_first_year(demo_results):
    _, baseline = demo_results
    assert baseline == ("2023-11", "2024-10")


def test_signals_have_the_schema(signals):
    assert signals.schema == SIGNAL_SCHEMA
    assert signals["sentence"].null_count() == 0


def test_reopen_rate_rise_since_2025_07_is_worse_and_sustained(signals):
    s = series(signals, NORTHWIND, "quality.reopen_rate")
    assert s["month"].min() == "2025-07"        # nothing before the event
    assert set(s["direction"]) == {"worse"}
    assert "2025-07" in set(s.filter(pl.col("rule").is_in(["CUSUM", "EWMA"]))["since"])
    # raised in every month from 2025-07 on; the last month (2026-10) is provisional
    assert set(s["month"]) == set(month_range("2025-07", "2026-09"))
    assert s.filter(pl.col("month") == "2026-10").height == 0


def test_p2_resolution_time_worse_since_2026_01(signals):
    for measure, params in (("time.resolution", '{"priority":"P2","stat":"median"}'),
                            ("sla.resolution_met", '{"priority":"P2"}')):
        s = series(signals, NORTHWIND, measure, params)
        assert s["month"].min() == "2026-01", measure
        assert set(s["direction"]) == {"worse"}
        assert set(s.filter(pl.col("rule").is_in(["CUSUM", "EWMA"]))["since"]) == {"2026-01"}


def test_backup_bad_spell_is_one_month_far_below(signals):
    s = series(signals, NORTHWIND, "checks.pass_rate", '{"check_type":"backup"}')
    assert set(s["month"]) == {"2025-04"}
    row = s.filter(pl.col("rule").is_in(["N1", "WE1"])).row(0, named=True)
    assert row["direction"] == "worse" and row["since"] == "2025-04"
    assert row["value"] < row["lcl"]


def test_lexington_qc_error_rise_since_2025_11(signals):
    s = series(signals, LEXINGTON, "checks.pass_rate", '{"check_type":"qc_review"}')
    assert s["month"].min() == "2025-11"
    assert set(s["direction"]) == {"worse"}
    assert set(s.filter(pl.col("rule").is_in(["CUSUM", "EWMA"]))["since"]) == {"2025-11"}


def test_nda_crunch_from_2025_05(signals):
    s = series(signals, LEXINGTON, "sla.resolution_met", '{"category":"NDA"}')
    assert s["month"].min() == "2025-05"
    assert set(s["direction"]) == {"worse"}


def test_no_signals_on_in_control_stretches(signals):
    # Northwind's ticket quality and SLA measures before the reopen rise (2025-07)
    quiet = signals.filter(
        pl.col("provider") == NORTHWIND, pl.col("params") == "{}",
        pl.col("measure").is_in(["quality.reopen_rate", "quality.first_assignment_resolution",
                                 "sla.response_met", "sla.resolution_met"]),
        pl.col("month") < "2025-07")
    assert quiet.height == 0
    for params in ('{"priority":"P2"}', '{"priority":"P3"}', '{"priority":"P4"}'):
        assert series(signals, NORTHWIND, "quality.reopen_rate", params)["month"].min() >= "2025-07"
    # Lexington's SLA and quality before the NDA crunch (2025-05)
    early = signals.filter(pl.col("provider") == LEXINGTON, pl.col("params") == "{}",
                           pl.col("measure").str.starts_with("sla.")
                           | pl.col("measure").str.starts_with("quality.")
                           | pl.col("measure").str.starts_with("checks."),
                           pl.col("month") < "2025-05")
    assert early.height == 0


def test_latest_signals_for_a_month_show_what_is_going_on(signals):
    latest = latest_signals(signals, "2026-02")
    ongoing = set(latest.select("provider", "measure", "params").unique().rows())
    assert (NORTHWIND, "quality.reopen_rate", "{}") in ongoing
    assert (NORTHWIND, "time.resolution", '{"priority":"P2","stat":"median"}') in ongoing
    assert (LEXINGTON, "checks.pass_rate", '{"check_type":"qc_review"}') in ongoing
    assert (NORTHWIND, "checks.pass_rate", '{"check_type":"backup"}') not in ongoing
