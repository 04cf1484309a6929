"""scorecard.drift: chart choice, baselines, rules, since, direction, sentences, guards.

Series are literal and deterministic; the expected numbers are derived by hand in the
comments next to them (p̄, sigma, z, CUSUM sums, EWMA limits).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecard import catalogue
from scorecard.drift import (
    SIGNAL_SCHEMA,
    TEXTBOOK_ATTRIBUTE,
    TEXTBOOK_INDIVIDUALS,
    ChartRules,
    DriftSettings,
    chart_for_series,
    detect_drift,
    latest_signals,
    signal_records,
)
from scorecard.drift.charts import month_name, month_number
from scorecard.errors import BadInput, NotFound

TEXTBOOK = DriftSettings(attribute=ChartRules(limit=3.0, rules=("N1", "N2"), cusum_h=5.0),
                         individuals=TEXTBOOK_INDIVIDUALS)


def months(start: str, n: int) -> list[str]:
    k = month_number(start)
    return [month_name(k + i) for i in range(n)]


def frame(measure: str, values, *, num=None, den=None, provisional=None, start="2024-01",
          provider="Acme", params="{}") -> pl.DataFrame:
    n = len(values)
    return pl.DataFrame({
        "provider": provider, "measure": measure, "params": params,
        "month": months(start, n), "value": [None if v is None else float(v) for v in values],
        "numerator": num if num is not None else [None] * n,
        "denominator": den if den is not None else [None] * n,
        "n": [None] * n, "ci_low": [None] * n, "ci_high": [None] * n,
        "provisional": provisional if provisional is not None else [False] * n,
    }, schema=catalogue.RESULT_SCHEMA)


def proportions(measure: str, defects: list[int], size: int = 1000, **kw) -> pl.DataFrame:
    return frame(measure, [d / size for d in defects], num=[float(d) for d in defects],
                 den=[float(size)] * len(defects), **kw)


# A p series (1,000 a month): twelve baseline months alternating 45 and 55 (p̄ = 0.05,
# σ = sqrt(0.05·0.95/1000) = 0.0068920, z = ±0.7255: binomial, plain p chart), three months
# at 50 (z = 0), then from 2025-04 (index 15) 62 a month: z = 0.012/0.0068920 = 1.7412,
# a sustained shift of 1.74 sigma.
SHIFT_START = 15
SHIFTED = [45, 55] * 6 + [50, 50, 50] + [62] * 21
COUNTS = [50, 52, 48, 51, 49, 50, 53, 47, 50, 50, 49, 51]  # c̄ = 50, σ = 7.0711


# ----------------------------------------------------------------- chart choice per kind

@pytest.mark.parametrize(("data", "chart"), [
    (proportions("quality.reopen_rate", SHIFTED), "p"),
    # 40 and 60 of 1,000 alternating: z = ±1.4510, σz = 2.9019/1.128 = 2.573, chi2 = 25.3 on
    # 11 df (p = 0.008): overdispersed, Laney p′
    (proportions("quality.reopen_rate", [40, 60] * 12), "p_laney"),
    (frame("quality.reopen_rate", [0.05, 0.06] * 12), "xmr"),  # no denominators
    (frame("tickets.backlog", COUNTS * 2), "c"),
    (frame("tickets.backlog", [20, 80] * 12), "xmr"),  # far more variable than Poisson
    (frame("tickets.backlog", [20.5, 30.0] * 12), "xmr"),  # not whole: not a count of events
    (frame("time.resolution", [4.0, 4.5] * 12), "xmr"),
    (frame("survey.nps", [30, 35] * 12), "xmr"),
])
def test_the_chart_fits_the_measure_kind(data, chart):
    assert chart_for_series(data).chart == chart


def test_p_chart_levels_come_from_the_baseline_only():
    c = chart_for_series(proportions("quality.reopen_rate", SHIFTED))
    assert c.center[0] == pytest.approx(0.05)
    assert c.sigma[0] == pytest.approx(math.sqrt(0.05 * 0.95 / 1000))
    # default attribute limit: 4 sigma
    assert c.ucl[0] == pytest.approx(0.05 + 4 * 0.0068920, abs=1e-7)
    assert c.z[SHIFT_START] == pytest.approx(1.7412, abs=1e-4)


# ----------------------------------------------------------------- baselines

def test_default_baseline_is_the_first_twelve_months_from_the_first_value():
    values = [None, None] + [10.0, 12.0] * 6 + [11.0] * 10
    c = chart_for_series(frame("time.resolution", values, start="2024-03"))
    assert c.baseline_period == ("2024-05", "2025-04")
    assert c.baseline.sum() == 12
    assert c.center[0] == pytest.approx(11.0)
    # σ = mean moving range / 1.128 = 2 / 1.128
    assert c.sigma[0] == pytest.approx(2 / 1.128)
    assert not c.monitored[:14].any() and c.monitored[14:].all()


def test_a_named_baseline_is_used_and_only_later_months_are_judged():
    values = [10.0, 12.0] * 18
    values[5] = 40.0   # 2024-06, before the named baseline: shown, not judged
    values[20] = 40.0  # 2025-09, after it
    data = frame("time.resolution", values)
    c = chart_for_series(data, baseline=("2024-07", "2025-06"))
    assert c.baseline_period == ("2024-07", "2025-06")
    assert c.center[0] == pytest.approx(11.0)
    signals = detect_drift(data, baseline=("2024-07", "2025-06"))
    assert set(signals["month"]) == {"2025-09"}
    # the default baseline (2024-01..2024-12) includes the 2024-06 spike, widening sigma
    assert chart_for_series(data).sigma[0] > c.sigma[0]


def test_later_months_never_move_the_baseline():
    a = chart_for_series(proportions("quality.reopen_rate", SHIFTED))
    b = chart_for_series(proportions("quality.reopen_rate", SHIFTED[:12] + [90] * 24))
    np.testing.assert_array_equal(a.center, b.center)
    np.testing.assert_array_equal(a.ucl, b.ucl)


# ----------------------------------------------------------------- sustained shifts

def test_sustained_p_shift_raises_n2_and_cusum_since_its_first_month():
    signals = detect_drift(proportions("quality.reopen_rate", SHIFTED), settings=TEXTBOOK)
    since = months("2024-01", 36)[SHIFT_START]
    n2 = signals.filter(pl.col("rule") == "N2")
    # nine in a row above the centre: months 15..23, first completed at 23 (2025-12)
    assert n2["month"][0] == months("2024-01", 36)[SHIFT_START + 8] == "2025-12"
    assert set(n2["since"]) == {since} == {"2025-04"}
    assert n2.height == 36 - (SHIFT_START + 8)  # raised again every month it goes on
    cusum = signals.filter(pl.col("rule") == "CUSUM")
    # C+ grows by 1.7412 − 0.5 = 1.2412 a month: 4.96 after four, 6.21 after five > h = 5
    assert cusum["month"][0] == "2025-08"
    assert set(cusum["since"]) == {"2025-04"}
    assert set(signals["direction"]) == {"worse"}  # a higher reopen rate is worse
    assert set(signals["chart"]) == {"p"}


def test_sustained_p_shift_with_the_default_rules():
    signals = detect_drift(proportions("quality.reopen_rate", SHIFTED))
    first = signals.group_by("rule").agg(pl.col("month").min(), pl.col("since").unique())
    first = {r: (m, s) for r, m, s in first.rows()}
    # CUSUM h = 10: 8·1.2412 = 9.93, 9·1.2412 = 11.17 → the ninth shifted month
    assert first["CUSUM"] == ("2025-12", ["2025-04"])
    # EWMA λ = 0.2: z_j = 1.7412·(1 − 0.8^(j+1)) for the j-th shifted month; its limit
    # 3.8·sqrt(0.2/1.8·(1 − 0.8^(2t))) with t counting months since monitoring began (three
    # before the shift): j = 4: 1.1705 < 1.2487; j = 5: 1.2850 > 1.2553 → 2025-09
    assert first["EWMA"] == ("2025-09", ["2025-04"])
    assert "N1" not in first  # 1.74 sigma never crosses a 4-sigma limit


def test_overdispersed_proportions_are_judged_on_laney_p_prime():
    # p′ sigma = 0.0068920 · 2.573 = 0.017733: 150 of 1,000 lies 0.1/0.017733 = 5.64 sigma out
    data = proportions("quality.reopen_rate", [40, 60] * 6 + [150] * 6)
    c = chart_for_series(data)
    assert c.chart == "p_laney"
    assert c.sigma_z == pytest.approx(2 * 1.4510 / 1.128, abs=1e-3)
    signals = detect_drift(data)
    assert set(signals["chart"]) == {"p_laney"}
    assert "WE1" in set(signals["rule"])  # p′ is judged with the individuals rules
    assert set(signals.filter(pl.col("rule") != "WE1")["since"]) == {"2025-01"}


# ----------------------------------------------------------------- counts and spikes

def test_a_count_spike_raises_the_limit_rule_on_a_c_chart_in_that_month_only():
    values = COUNTS + [50] * 24
    values[20] = 85  # z = 35 / 7.0711 = 4.95 > 4
    signals = detect_drift(frame("tickets.backlog", values))
    limit = signals.filter(pl.col("rule") == "N1")
    assert limit.select("month", "since", "chart", "direction").rows() == [
        ("2025-09", "2025-09", "c", "worse")]
    row = limit.row(0, named=True)
    assert row["value"] == 85 and row["center"] == 50
    assert row["ucl"] == pytest.approx(50 + 4 * math.sqrt(50))
    assert row["severity"] == pytest.approx(35 / math.sqrt(50))  # |z|
    assert row["sentence"] == ("Backlog jumped well above its usual range in 2025-09 (85 tickets "
                               "against a usual 21.7–78.3 tickets) — a change for the worse.")
    # the clipped excess does not keep CUSUM or EWMA signalling after the spike
    assert signals.filter(pl.col("month") > "2025-09").height == 0
    textbook = detect_drift(frame("tickets.backlog", values),
                            settings=DriftSettings(attribute=ChartRules(limit=3, rules=("WE1",))))
    assert "WE1" in set(textbook["rule"])


@pytest.mark.parametrize(("measure", "up", "direction"), [
    ("quality.reopen_rate", True, "worse"),    # lower is better
    ("sla.response_met", True, "better"),      # higher is better
    ("sla.response_met", False, "worse"),
    ("quality.reopen_rate", False, "better"),
])
def test_direction_follows_the_measures_better_direction(measure, up, direction):
    base = [445, 455] * 6 if measure == "sla.response_met" else [45, 55] * 6
    centre = base[0] + 5
    moved = centre + (40 if up else -40) * (3 if measure == "sla.response_met" else 1)
    signals = detect_drift(proportions(measure, base + [moved] * 12))
    assert signals.height > 0
    assert set(signals["direction"]) == {direction}


# ----------------------------------------------------------------- runs, gaps, provisional

def test_a_month_without_data_breaks_a_run():
    data = proportions("quality.reopen_rate", SHIFTED)
    gap = data.filter(pl.col("month") != "2025-08")  # index 19, inside the run
    n2 = detect_drift(gap, settings=TEXTBOOK).filter(pl.col("rule") == "N2")
    # the run restarts at index 20 (2025-09); nine in a row complete at 28 (2026-05)
    assert n2["month"][0] == "2026-05"
    assert set(n2["since"]) == {"2025-09"}


def test_provisional_points_are_shown_but_never_signal():
    values = COUNTS + [50] * 11 + [95]
    flags = [False] * 23 + [True]
    data = frame("tickets.backlog", values, provisional=flags)
    assert detect_drift(data).height == 0
    assert detect_drift(data.with_columns(pl.lit(False).alias("provisional"))).height > 0
    c = chart_for_series(data)
    assert c.values[-1] == 95 and c.provisional[-1] and not c.monitored[-1]


def test_provisional_points_do_not_enter_the_baseline():
    values = [10.0, 12.0] * 18
    values[3] = 500.0
    flags = [i == 3 for i in range(36)]
    c = chart_for_series(frame("time.resolution", values, provisional=flags))
    # 11 usable months in the first twelve; the baseline then runs to the twelfth month
    assert c.baseline.sum() == 11
    assert c.center[0] == pytest.approx((10 * 6 + 12 * 5) / 11)


def test_series_with_too_little_baseline_are_skipped():
    # the first twelve months from the first value (2024-06..2025-05) hold only 7 values
    values = [None] * 5 + [10.0, 12.0, 10.5, 11.5, 11.0, 12.5, 9.5] + [None] * 5 + [40.0] * 6
    data = frame("time.resolution", values)
    c = chart_for_series(data)
    assert c.chart is None
    assert c.skip_reason == "the baseline has 7 usable months; at least 8 are needed"
    assert detect_drift(data).height == 0
    assert detect_drift(data, settings=DriftSettings(min_baseline_points=7)).height > 0


def test_a_baseline_without_variation_is_skipped():
    c = chart_for_series(frame("time.resolution", [5.0] * 12 + [6.0] * 6))
    assert c.chart is None and "does not vary" in c.skip_reason


def test_a_mostly_constant_baseline_is_skipped():
    # availability: exactly 100% in 9 of 12 baseline months; later blips would all signal
    values = [1.0, 1.0, 0.998, 1.0, 1.0, 1.0, 0.999, 1.0, 1.0, 1.0, 0.9985, 1.0] + [0.999] * 12
    c = chart_for_series(frame("availability.service", values, params='{"service":"Email"}'))
    assert c.chart is None
    assert c.skip_reason.startswith("9 of 12 baseline months have exactly the same value")


def test_rare_events_are_skipped():
    # 2 events in 12 months of about 6: p̄·n ≈ 0.17 events a month
    data = proportions("quality.reopen_rate", [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0] + [2] * 6,
                       size=6)
    c = chart_for_series(data)
    assert c.chart is None and c.skip_reason.startswith("about 0.2 events a month")
    assert detect_drift(data).height == 0
    assert detect_drift(data, settings=DriftSettings(min_events=0.0)).height > 0


# ----------------------------------------------------------------- sentences

def test_sentences_for_runs_cusum_and_ewma():
    signals = detect_drift(proportions("quality.reopen_rate", SHIFTED), settings=TEXTBOOK)
    n2 = signals.filter(pl.col("rule") == "N2", pl.col("month") == "2025-12")["sentence"][0]
    assert n2 == ("Reopen rate has been above its usual level for 9 months in a row, since "
                  "2025-04 (6.2% in 2025-12 against a usual 5.0%) — a change for the worse, "
                  "unlikely to be chance.")
    cusum = signals.filter(pl.col("rule") == "CUSUM", pl.col("month") == "2025-08")["sentence"][0]
    assert cusum == ("Reopen rate has been running above its usual level since 2025-04; month "
                     "after month the differences add up to more than chance (6.2% in 2025-08 "
                     "against a usual 5.0%) — a change for the worse.")
    ewma = detect_drift(proportions("quality.reopen_rate", SHIFTED)).filter(
        pl.col("rule") == "EWMA")["sentence"][0]
    assert ewma == ("The recent average of Reopen rate has moved above its usual level, since "
                    "2025-04 (6.2% in 2025-09 against a usual 5.0%) — a change for the worse, "
                    "unlikely to be chance.")


def test_sentences_name_the_parameters_and_the_unit():
    values = [4.0, 4.6] * 6 + [9.1] + [4.3] * 5
    data = frame("time.resolution", values, params='{"priority":"P2","stat":"median"}')
    row = detect_drift(data).filter(pl.col("rule") == "WE1").row(0, named=True)
    # x̄ = 4.3, σ = 0.6/1.128 = 0.5319, limits 4.3 ± 5σ = 1.64..6.96
    assert row["sentence"] == ("Time to resolution (P2, median) jumped well above its usual "
                               "range in 2025-01 (9.1 h against a usual 1.6–7.0 h) — a change "
                               "for the worse.")


def test_sentences_for_zone_rules_and_trends():
    settings = DriftSettings(individuals=ChartRules(limit=3, rules=("WE2", "WE3", "N3")))
    # baseline 10/12 alternating (x̄ 11, σ 1.773); then 15.0 and 15.5 (z 2.26, 2.54): WE2
    values = [10.0, 12.0] * 6 + [15.0, 11.0, 15.5] + [11.0] * 3
    we2 = detect_drift(frame("time.resolution", values), settings=settings).filter(
        pl.col("rule") == "WE2")
    assert we2.select("month", "since").rows() == [("2025-03", "2025-01")]
    assert we2["sentence"][0] == ("Time to resolution was far above its usual level in 2 of the "
                                  "last 3 months, since 2025-01 (15.5 h in 2025-03 against a usual "
                                  "11.0 h) — a change for the worse, unlikely to be chance.")
    trend = [10.0, 12.0] * 6 + [11.0, 11.5, 12.0, 12.5, 13.0, 13.5]
    n3 = detect_drift(frame("time.resolution", trend), settings=settings).filter(
        pl.col("rule") == "N3")
    assert n3.select("month", "since").rows() == [("2025-06", "2025-01")]
    assert n3["sentence"][0].startswith("Time to resolution has risen every month for 6 months, "
                                        "since 2025-01")


# ----------------------------------------------------------------- many series, months

def test_every_series_is_judged_on_its_own():
    a = proportions("quality.reopen_rate", SHIFTED, provider="A")
    b = proportions("quality.reopen_rate", SHIFTED[:15] + [50] * 21, provider="B")
    c = frame("tickets.backlog", COUNTS + [50] * 8 + [90], provider="A",
              params='{"priority":"P1"}')
    signals = detect_drift(pl.concat([c, b, a]))
    assert set(signals.select("provider", "measure").unique().rows()) == {
        ("A", "quality.reopen_rate"), ("A", "tickets.backlog")}
    assert signals.schema == SIGNAL_SCHEMA


def test_month_evaluates_up_to_that_month_only():
    data = proportions("quality.reopen_rate", SHIFTED)
    upto = detect_drift(data, month="2025-10")
    assert upto["month"].max() == "2025-10"
    assert_frame_equal(upto, detect_drift(data.filter(pl.col("month") <= "2025-10")))
    assert_frame_equal(upto, detect_drift(data).filter(pl.col("month") <= "2025-10"))


def test_latest_signals_are_those_raised_in_the_month_worst_first():
    signals = detect_drift(proportions("quality.reopen_rate", SHIFTED), settings=TEXTBOOK)
    latest = latest_signals(signals, "2026-01")
    assert set(latest["month"]) == {"2026-01"}
    assert set(latest["rule"]) == {"N2", "CUSUM"}
    assert latest["severity"].is_sorted(descending=True)
    assert latest_signals(signals, "2024-05").height == 0


def test_signal_records_are_the_json_shape():
    import json

    values = COUNTS + [50] * 8 + [85]
    signals = detect_drift(frame("tickets.backlog", values, params='{"priority":"P1"}'))
    (record,) = [r for r in signal_records(signals) if r["rule"] == "N1"]
    assert set(record) == set(SIGNAL_SCHEMA) | {"measure_name", "unit", "rule_description"}
    assert record["params"] == {"priority": "P1"}
    assert record["measure_name"] == "Backlog" and record["unit"] == "tickets"
    assert record["p_value"] is None and record["value"] == 85.0
    assert json.loads(json.dumps(record, allow_nan=False)) == record


def test_no_signals_is_an_empty_frame_in_the_schema():
    out = detect_drift(frame("time.resolution", [10.0, 12.0] * 18))
    assert out.height == 0 and out.schema == SIGNAL_SCHEMA
    assert detect_drift(frame("time.resolution", [])).schema == SIGNAL_SCHEMA


def test_textbook_presets_are_valid_settings():
    assert TEXTBOOK_ATTRIBUTE.rules == ("N1", "N2") and TEXTBOOK_ATTRIBUTE.limit == 3
    assert TEXTBOOK_INDIVIDUALS.rules == ("WE1", "WE2", "WE3", "WE4")


# ----------------------------------------------------------------- bad input

def test_bad_input_is_refused_with_a_clear_message():
    good = frame("time.resolution", [10.0, 12.0] * 12)
    with pytest.raises(BadInput, match="lack column"):
        detect_drift(good.drop("numerator"))
    with pytest.raises(BadInput, match="two rows"):
        detect_drift(pl.concat([good, good.head(1)]))
    with pytest.raises(BadInput, match="not a month"):
        detect_drift(good.with_columns(pl.lit("2024-13").alias("month")))
    with pytest.raises(BadInput, match="unknown measure"):
        detect_drift(good.with_columns(pl.lit("made.up").alias("measure")))
    with pytest.raises(BadInput, match="starts after it ends"):
        detect_drift(good, baseline=("2025-01", "2024-01"))
    with pytest.raises(BadInput, match="month"):
        detect_drift(good, month="March")
    with pytest.raises(NotFound):
        chart_for_series(good, provider="Nobody")
    with pytest.raises(BadInput, match="2 series match"):
        chart_for_series(pl.concat([good, good.with_columns(pl.lit("B").alias("provider"))]))


@pytest.mark.parametrize("make", [
    lambda: ChartRules(rules=("N4",)),          # no direction: not a drift rule
    lambda: ChartRules(limit=0),
    lambda: ChartRules(ewma_L=-1.0),
    lambda: DriftSettings(min_baseline_points=1),
    lambda: DriftSettings(ewma_lambda=1.5),
    lambda: DriftSettings(fdr_q=0),
    lambda: DriftSettings(laney="sometimes"),
    lambda: DriftSettings(survey_tests=("T",)),
])
def test_bad_settings_are_refused(make):
    with pytest.raises(BadInput, match="drift setting"):
        make()
