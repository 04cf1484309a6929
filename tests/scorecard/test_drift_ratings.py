"""Survey rating distributions against their baseline, and Benjamini–Hochberg control.

The p-values are checked against scipy called directly; the false-discovery procedure
against the worked example of Benjamini & Hochberg (1995), §4.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from scorecard import catalogue
from scorecard.drift import (
    SIGNAL_SCHEMA,
    SURVEY_RATING_SCHEMA,
    benjamini_hochberg,
    bh_adjusted,
    detect_drift,
    rating_tests,
)
from scorecard.drift.ratings import discoveries
from scorecard.errors import BadInput

# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), 289–300, §4: fifteen p-values
# from a study of myocardial infarction treatments; at q = 0.05 the procedure rejects the
# four smallest (p(4) = 0.0095 ≤ 4·0.05/15 = 0.0133, and no larger k has p(k) ≤ k·0.05/15).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
           0.4262, 0.5719, 0.6528, 0.7590, 1.0000]


def test_benjamini_hochberg_reproduces_the_1995_example():
    reject = benjamini_hochberg(BH_1995, 0.05)
    assert reject.tolist() == [True] * 4 + [False] * 11


def test_benjamini_hochberg_is_order_free_and_step_up():
    shuffled = np.array(BH_1995)[::-1]
    assert benjamini_hochberg(shuffled, 0.05).tolist() == [False] * 11 + [True] * 4
    # step-up: p(1) = 0.03 > 1·0.05/2, but p(2) = 0.04 ≤ 2·0.05/2, so both are rejected
    assert benjamini_hochberg([0.04, 0.03], 0.05).tolist() == [True, True]
    assert benjamini_hochberg([], 0.05).tolist() == []
    with pytest.raises(BadInput):
        benjamini_hochberg([0.5, 1.5])


def test_bh_adjusted_p_values():
    adjusted = bh_adjusted(BH_1995)
    # p(4)·15/4 = 0.035625; p(5): min over k ≥ 5 of p(k)·15/k = 0.0201·3 = 0.0603
    assert adjusted[3] == pytest.approx(0.035625)
    assert adjusted[4] == pytest.approx(0.0603)
    assert ((adjusted <= 0.05) == benjamini_hochberg(BH_1995, 0.05)).all()


def test_the_false_discovery_family_is_one_provider_in_one_month():
    def cand(provider, month, p):
        return {"provider": provider, "month": month, "p_value": p}
    family = [cand("A", "2025-01", p) for p in BH_1995]
    kept = discoveries(family + [cand("A", "2025-02", 0.04), cand("B", "2025-01", 0.04)], 0.05)
    # the four smallest of A's January; a p of 0.04 alone passes in its own family
    assert [c["p_value"] for c in kept if c["month"] == "2025-01" and c["provider"] == "A"] == \
        BH_1995[:4]
    assert cand("A", "2025-02", 0.04) in kept and cand("B", "2025-01", 0.04) in kept
    # …but the same 0.04 among A's fifteen January tests is not a discovery
    assert cand("A", "2025-01", 0.0459) not in kept


USUAL = [5] * 20 + [4] * 15 + [3] * 5          # forty responses, mean 4.375
WORSE = [5] * 5 + [4] * 10 + [3] * 15 + [2] * 10  # mean 130/40 = 3.25


def test_rating_tests_match_scipy():
    got = rating_tests(WORSE, USUAL * 12)
    mwu = stats.mannwhitneyu(WORSE, USUAL * 12, alternative="two-sided", method="asymptotic")
    levels = [2, 3, 4, 5]
    table = [[WORSE.count(v) for v in levels], [(USUAL * 12).count(v) for v in levels]]
    chi2 = stats.chi2_contingency(table, correction=False)
    assert got["MWU"] == pytest.approx(mwu.pvalue, rel=1e-12)
    assert got["CHI2"] == pytest.approx(chi2.pvalue, rel=1e-12)
    assert got["MWU"] < 1e-6 and got["CHI2"] < 1e-6
    assert rating_tests([5, 5], [5, 5, 5]) == {}  # one rating between them: nothing to test


def ratings(per_month: dict[str, list[int]], provider="Acme", measure="survey.csat",
            params='{"question":"satisfaction"}') -> pl.DataFrame:
    rows = [(provider, measure, params, m, r) for m, rs in per_month.items() for r in rs]
    return pl.DataFrame(rows, schema=SURVEY_RATING_SCHEMA, orient="row")


def baseline_year(start_year=2024) -> dict[str, list[int]]:
    return {f"{start_year}-{m:02d}": USUAL for m in range(1, 13)}


def no_results() -> pl.DataFrame:
    return catalogue.RESULT_SCHEMA.to_frame()


def test_a_shifted_rating_distribution_is_flagged_worse():
    survey = ratings({**baseline_year(), "2025-01": USUAL, "2025-02": WORSE})
    signals = detect_drift(no_results(), survey_ratings=survey)
    assert signals.schema == SIGNAL_SCHEMA
    assert signals.select("month", "rule", "chart", "direction", "since").sort("rule").rows() == [
        ("2025-02", "CHI2", "ratings", "worse", "2025-02"),
        ("2025-02", "MWU", "ratings", "worse", "2025-02")]
    mwu = signals.filter(pl.col("rule") == "MWU").row(0, named=True)
    expected = stats.mannwhitneyu(WORSE, USUAL * 12, alternative="two-sided",
                                  method="asymptotic").pvalue
    assert mwu["p_value"] == pytest.approx(expected, rel=1e-12)
    assert mwu["value"] == pytest.approx(3.25) and mwu["center"] == pytest.approx(4.375)
    assert mwu["lcl"] is None and mwu["ucl"] is None
    assert mwu["severity"] == pytest.approx(stats.norm.isf(expected / 2))
    assert mwu["sentence"] == (
        "Ratings for Satisfaction (CSAT) (satisfaction) in 2025-02 were lower than usual "
        "(average rating 3.25 from 40 responses against a usual 4.38; Mann–Whitney test, "
        "p < 0.001) — a change for the worse, unlikely to be chance.")


def test_better_ratings_are_better():
    survey = ratings({**baseline_year(), "2025-01": [5] * 38 + [4] * 2})
    signals = detect_drift(no_results(), survey_ratings=survey)
    assert set(signals["direction"]) == {"better"}


def test_rating_tests_skip_small_months_small_baselines_and_provisional_months():
    survey = ratings({**baseline_year(), "2025-01": WORSE[:9], "2025-02": WORSE})
    # nine responses are too few for a month (survey_min_month = 10)
    assert set(detect_drift(no_results(), survey_ratings=survey)["month"]) == {"2025-02"}
    # a baseline of 24 ratings is too small (survey_min_baseline = 30)
    small = ratings({"2024-01": USUAL[:12], "2024-02": USUAL[:12], "2025-02": WORSE})
    assert detect_drift(no_results(), survey_ratings=small).height == 0
    # a month whose result is provisional is not tested
    provisional = pl.DataFrame({
        "provider": ["Acme"], "measure": ["survey.csat"], "params": ['{"question":"satisfaction"}'],
        "month": ["2025-02"], "value": [0.4], "numerator": [16.0], "denominator": [40.0],
        "n": [40], "ci_low": [None], "ci_high": [None], "provisional": [True]},
        schema=catalogue.RESULT_SCHEMA)
    assert detect_drift(provisional, survey_ratings=survey).height == 0


def test_no_rating_rows_means_no_rating_tests():
    empty = SURVEY_RATING_SCHEMA.to_frame()
    assert detect_drift(no_results(), survey_ratings=empty).height == 0


def test_a_named_baseline_applies_to_ratings():
    survey = ratings({"2023-12": WORSE, **baseline_year(), "2025-01": WORSE})
    # default: the baseline starts at 2023-12 and includes one worse month
    default = detect_drift(no_results(), survey_ratings=survey)
    named = detect_drift(no_results(), survey_ratings=survey, baseline=("2024-01", "2024-12"))
    assert set(named["month"]) == {"2025-01"}
    p_default = default.filter(pl.col("rule") == "MWU")["p_value"][0]
    p_named = named.filter(pl.col("rule") == "MWU")["p_value"][0]
    assert p_named < p_default


def test_bad_rating_frames_are_refused():
    survey = ratings({**baseline_year()})
    with pytest.raises(BadInput, match="lacks column"):
        detect_drift(no_results(), survey_ratings=survey.drop("rating"))
    with pytest.raises(BadInput, match="whole numbers"):
        detect_drift(no_results(), survey_ratings=survey.with_columns(pl.col("rating") * 1.5))
    with pytest.raises(BadInput, match="empty values"):
        detect_drift(no_results(), survey_ratings=survey.with_columns(
            pl.when(pl.col("month") == "2024-03").then(None).otherwise(pl.col("month"))
            .alias("month")))
