"""scorecard.spc against published worked examples, hand arithmetic and properties.

Published examples are checked to the precision they are printed with. Where no published
example was at hand the expected numbers are derived by hand, with the arithmetic written
out next to them; those tests say so.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scorecard import spc
from scorecard.errors import BadInput

PROPERTY = settings(database=None, deadline=None, max_examples=150)


def assert_printed(actual, printed: str) -> None:
    """``actual`` rounds to ``printed`` at the number of decimals printed."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    assert abs(float(actual) - float(printed)) <= 0.5 * 10.0**-decimals + 1e-9, (actual, printed)


def assert_column(actual, printed: list[str]) -> None:
    assert len(actual) == len(printed)
    for i, (a, p) in enumerate(zip(actual, printed)):
        assert abs(float(a) - float(p)) <= 0.5 * 10.0 ** -len(p.split(".")[1]) + 1e-9, (i, a, p)


# --------------------------------------------------------------------------------------
# Tabular CUSUM

# Montgomery, Introduction to Statistical Quality Control, Example 9.1 (Table 9.1):
# target 10, sigma 1, k = 0.5, h = 5.
MONTGOMERY_9_1 = [9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
                  9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
                  10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52]


def test_cusum_reproduces_montgomery_example_9_1():
    chart = spc.cusum(MONTGOMERY_9_1, target=10, sigma=1, k=0.5, h=5)
    # The book prints e.g. C+ = 1.16 at period 4, 2.82 at 5 and 5.28 at 29; the full
    # column follows from C+_i = max(0, x_i - 10.5 + C+_{i-1}), e.g. period 6:
    # 2.82 + 10.18 - 10.5 = 2.50; period 7: 2.50 + 8.04 - 10.5 = 0.04.
    assert_column(chart.upper, [
        "0.00", "0.00", "0.00", "1.16", "2.82", "2.50", "0.04", "1.00", "0.00", "0.00",
        "0.00", "0.97", "0.98", "0.00", "0.00", "0.00", "0.12", "0.00", "0.00", "0.34",
        "0.74", "0.00", "1.79", "2.79", "2.89", "3.47", "3.35", "4.47", "5.28", "5.30"])
    assert chart.upper_run.tolist() == [0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 1, 2, 0, 0, 0, 1, 0,
                                        0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    # C-_i = max(0, 9.5 - x_i + C-_{i-1}): 0.05, 0.05 + 1.51 = 1.56, 1.56 + 0.21 = 1.77, ...
    assert_column(chart.lower, [
        "0.05", "1.56", "1.77", "0.00", "0.00", "0.00", "1.46", "0.00", "0.30", "0.00",
        "0.47", "0.00", "0.00", "0.10", "0.00", "0.13", "0.00", "0.00", "0.98", "0.00",
        "0.00", "0.17", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"])
    # First signal at period 29 (index 28); N+ = 7 there, so the shift began after
    # period 22: the run starts at period 23 (index 22).
    assert chart.signals == [28, 29]
    assert chart.signals_up == [28, 29] and chart.signals_down == []
    assert chart.upper_run[28] == 7
    assert chart.onset(28) == 22
    # The book's estimate of the new mean: 10 + 0.5 + 5.28 / 7 = 11.25.
    assert_printed(chart.shift_estimate(28), "11.25")
    assert chart.onset(27) is None and chart.shift_estimate(27) is None
    assert chart.decision_interval == 5.0 and chart.reference == 0.5
    assert (chart.center, chart.lcl, chart.ucl) == (0.0, -5.0, 5.0)


# NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2.3 (tabular CUSUM): target 325,
# k = 0.3175 and h = 4.1959 in the data's units, i.e. sigma 0.635, k = 0.5, h = 4.1959/0.635.
NIST_CUSUM = [324.93, 324.68, 324.73, 324.35, 325.35, 325.23, 324.13, 324.53, 325.23, 324.60,
              324.63, 325.15, 328.33, 327.25, 327.83, 328.50, 326.68, 327.78, 326.88, 328.35]


def test_cusum_reproduces_nist_first_signal_at_group_14():
    chart = spc.cusum(NIST_CUSUM, target=325, sigma=0.635, k=0.3175 / 0.635, h=4.1959 / 0.635)
    assert chart.reference == pytest.approx(0.3175)
    assert chart.decision_interval == pytest.approx(4.1959)
    # Derived by hand, x - 325.3175 accumulated: group 5: 325.35 - 325.3175 = 0.0325;
    # group 6: 0.0325 + (325.23 - 325.3175) < 0 -> 0; group 13: 328.33 - 325.3175 = 3.0125;
    # group 14: 3.0125 + 327.25 - 325.3175 = 4.945 > 4.1959, the first signal (NIST: 14).
    assert chart.upper[:14] == pytest.approx([0, 0, 0, 0, 0.0325, 0, 0, 0, 0, 0, 0, 0,
                                              3.0125, 4.945])
    # Lower side, 324.6825 - x accumulated: 0, 0.0025, 0, 0.3325, 0, 0, 0.5525,
    # 0.5525 + 0.1525 = 0.705, 0.705 - 0.5475 = 0.1575, 0.24, 0.2925, then 0 onwards.
    assert chart.lower[:12] == pytest.approx([0, 0.0025, 0, 0.3325, 0, 0, 0.5525, 0.705,
                                              0.1575, 0.24, 0.2925, 0])
    assert chart.signals[0] == 13
    assert chart.signals == list(range(13, 20)) and chart.signals_down == []
    assert chart.onset(13) == 12


def test_cusum_skips_a_missing_point_and_keeps_the_run():
    # Derived by hand (target 0, sigma 1, k 0.5, h 1): C+ = 0.5, (missing), 1.0, 1.5.
    chart = spc.cusum([1.0, None, 1.0, 1.0], target=0, sigma=1, k=0.5, h=1)
    assert chart.upper[[0, 2, 3]].tolist() == [0.5, 1.0, 1.5]
    assert np.isnan(chart.upper[1]) and np.isnan(chart.lower[1])
    assert chart.upper_run.tolist() == [1, 1, 2, 3]
    assert chart.signals == [3]
    assert chart.onset(3) == 0
    assert chart.shift_estimate(3) == pytest.approx(0 + 0.5 + 1.5 / 3)


def test_cusum_downward_shift():
    chart = spc.cusum([-2.0, -2.0, -2.0], target=0, sigma=1, k=0.5, h=2)
    # C- = 1.5, 3.0, 4.5: signals from index 1; estimate 0 - 0.5 - 3.0 / 2 = -2.
    assert chart.lower.tolist() == [1.5, 3.0, 4.5]
    assert chart.signals_down == [1, 2] and chart.signals_up == []
    assert chart.shift_estimate(1) == pytest.approx(-2.0)
    assert chart.onset(2) == 0


@PROPERTY
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=40),
       st.floats(0, 2), st.floats(0.5, 8))
def test_cusum_sums_are_never_negative_and_runs_follow_them(values, k, h):
    chart = spc.cusum(values, target=0.0, sigma=2.0, k=k, h=h)
    assert (chart.upper >= 0).all() and (chart.lower >= 0).all()
    assert ((chart.upper > 0) == (chart.upper_run > 0)).all()
    assert ((chart.lower > 0) == (chart.lower_run > 0)).all()
    assert chart.signals_up == [i for i, c in enumerate(chart.upper) if c > 2.0 * h]
    for i in chart.signals:
        assert 0 <= chart.onset(i) <= i


# --------------------------------------------------------------------------------------
# EWMA

# NIST/SEMATECH e-Handbook 6.3.2.4: lambda 0.3, target 50, s 2.0539, L 3.
NIST_EWMA = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5,
             49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def test_ewma_reproduces_nist_example():
    chart = spc.ewma(NIST_EWMA, target=50, sigma=2.0539, lam=0.3, L=3)
    # The handbook's EWMA column (after EWMA_0 = 50.00), to two decimals.
    assert_column(chart.z, [
        "50.60", "49.52", "50.56", "50.18", "50.16", "49.21", "49.75", "49.85", "50.26",
        "50.33", "50.11", "49.36", "49.52", "50.05", "49.38", "49.92", "50.73", "51.23",
        "51.94", "51.99"])
    # Printed limits: UCL = 52.5884, LCL = 47.4115 (the page truncates 47.41157).
    assert_printed(chart.asymptotic_ucl, "52.5884")
    assert abs(chart.asymptotic_lcl - 47.4115) < 1e-4
    assert chart.signals == []
    # The time-varying limits start narrower and converge to the asymptotic ones.
    assert chart.ucl[0] == pytest.approx(50 + 3 * 2.0539 * 0.3)  # sqrt(0.3/1.7 * 0.51) = 0.3
    assert np.all(np.diff(chart.ucl) > 0)
    assert chart.ucl[-1] == pytest.approx(chart.asymptotic_ucl, abs=1e-5)
    assert chart.lcl[-1] == pytest.approx(chart.asymptotic_lcl, abs=1e-5)


def test_ewma_asymptotic_flag_uses_constant_limits():
    chart = spc.ewma(NIST_EWMA, target=50, sigma=2.0539, lam=0.3, asymptotic=True)
    assert np.all(chart.ucl == chart.asymptotic_ucl) and np.all(chart.lcl == chart.asymptotic_lcl)
    assert chart.signals == [] and chart.asymptotic


def test_ewma_signals_strictly_beyond_and_skips_missing():
    # Derived by hand, lam = 0.5, target 0, sigma 1, L = 1: z = 2, (missing), 1, then 4.5.
    # Limits: sqrt(1/3 * (1 - 0.25^i)) for i = 1, 1, 2, 3 observations -> 0.5, 0.5, 0.5590, 0.5728.
    chart = spc.ewma([4.0, None, 0.0, 8.0], target=0, sigma=1, lam=0.5, L=1)
    assert chart.z[[0, 2, 3]].tolist() == [2.0, 1.0, 4.5]
    assert np.isnan(chart.z[1])
    assert chart.ucl == pytest.approx([0.5, 0.5, np.sqrt(0.3125), np.sqrt(21 / 64)])
    assert chart.signals == [0, 2, 3] and chart.signals_up == [0, 2, 3]


@PROPERTY
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=40), st.floats(0.05, 1.0))
def test_ewma_stays_between_target_and_data_and_limits_widen(values, lam):
    chart = spc.ewma(values, target=0.0, sigma=1.0, lam=lam)
    low, high = min(0.0, min(values)), max(0.0, max(values))
    assert ((chart.z >= low - 1e-9) & (chart.z <= high + 1e-9)).all()
    assert (np.diff(chart.ucl) >= -1e-12).all()
    assert (chart.ucl <= chart.asymptotic_ucl + 1e-12).all()


# --------------------------------------------------------------------------------------
# p chart and Laney p'

# Montgomery, Example 7.1: orange-juice cans, 30 samples of n = 50.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
                20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def test_p_chart_reproduces_montgomery_example_7_1():
    chart = spc.p_chart(ORANGE_JUICE, [50] * 30)
    assert_printed(chart.center, "0.2313")  # 347 / 1500
    assert_printed(chart.ucl[0], "0.4102")
    assert_printed(chart.lcl[0], "0.0524")
    assert chart.signals == [14, 22]  # samples 15 and 23
    assert chart.signals_up == [14, 22]
    assert not chart.laney and chart.sigma_z is None and chart.kind == "p"


def test_p_chart_revised_limits_exclude_the_assignable_causes():
    # Montgomery's revised limits, samples 15 and 23 dropped from the estimate:
    # p = 301/1400 = 0.2150, UCL 0.3893, LCL 0.0407; sample 21 (0.40) now plots above.
    baseline = np.ones(30, dtype=bool)
    baseline[[14, 22]] = False
    chart = spc.p_chart(ORANGE_JUICE, [50] * 30, baseline=baseline)
    assert_printed(chart.center, "0.2150")
    assert_printed(chart.ucl[0], "0.3893")
    assert_printed(chart.lcl[0], "0.0407")
    assert chart.signals == [14, 20, 22]


# Hand-made Laney example (no published one at hand): p = 0.2, sizes alternate 100 and 400,
# so binomial sigmas are sqrt(0.2*0.8/100) = 0.04 and sqrt(0.2*0.8/400) = 0.02.
LANEY_DEFECTIVES = [20, 96, 16, 88, 12, 68, 34, 130]
LANEY_SIZES = [100, 400, 100, 400, 100, 400, 100, 400]


def test_laney_p_prime_by_hand():
    chart = spc.p_chart(LANEY_DEFECTIVES, LANEY_SIZES, baseline=slice(0, 6), laney=True)
    # Baseline: 300 / 1500 = 0.2. z = (p - 0.2) / sigma_i:
    #   0.20 -> 0, 0.24 -> 2, 0.16 -> -1, 0.22 -> 1, 0.12 -> -2, 0.17 -> -1.5
    # moving ranges 2, 3, 2, 3, 0.5 -> mean 2.1 -> sigma_z = 2.1 / 1.128 = 1.861702...
    assert chart.center == pytest.approx(0.2)
    assert chart.sigma_z == pytest.approx(2.1 / 1.128)
    assert chart.laney
    # n = 100: 0.2 +- 3 * 0.04 * 1.861702 = 0.2 +- 0.223404 -> UCL 0.423404, LCL 0 (clipped)
    # n = 400: 0.2 +- 3 * 0.02 * 1.861702 = 0.2 +- 0.111702 -> UCL 0.311702, LCL 0.088298
    assert chart.ucl == pytest.approx([0.423404, 0.311702] * 4, abs=1e-6)
    assert chart.lcl == pytest.approx([0.0, 0.088298] * 4, abs=1e-6)
    assert chart.sigma == pytest.approx([0.04 * 2.1 / 1.128, 0.02 * 2.1 / 1.128] * 4)
    # Point 6 (0.34) is within p' limits; point 7 (130/400 = 0.325 > 0.311702) is not.
    assert chart.signals == [7]


def test_plain_p_chart_on_the_laney_data_signals_more():
    chart = spc.p_chart(LANEY_DEFECTIVES, LANEY_SIZES, baseline=slice(0, 6))
    # n = 100: 0.2 +- 0.12 -> (0.08, 0.32); n = 400: 0.2 +- 0.06 -> (0.14, 0.26).
    assert chart.ucl == pytest.approx([0.32, 0.26] * 4)
    assert chart.lcl == pytest.approx([0.08, 0.14] * 4)
    assert chart.signals == [6, 7]


def test_overdispersion_rule_by_hand():
    result = spc.overdispersion(LANEY_DEFECTIVES, LANEY_SIZES, baseline=slice(0, 6))
    # Pearson chi-square = sum z^2 = 0 + 4 + 1 + 1 + 4 + 2.25 = 12.25 on 5 degrees of freedom.
    assert result.chi2 == pytest.approx(12.25)
    assert result.dof == 5
    assert result.p_value == pytest.approx(stats.chi2.sf(12.25, 5))
    assert result.p_value == pytest.approx(0.0315, abs=5e-5)
    assert result.sigma_z == pytest.approx(2.1 / 1.128)
    assert result.overdispersed and result.use_laney
    auto = spc.p_chart(LANEY_DEFECTIVES, LANEY_SIZES, baseline=slice(0, 6), laney="auto")
    assert auto.laney and auto.signals == [7]


def test_binomial_looking_data_keep_the_plain_p_chart():
    # p = 0.2, z = 0, 0.5, -0.5, 0.25, -0.25, 0: chi-square 0.625 on 5 df (p ~ 0.99);
    # moving ranges 0.5, 1, 0.75, 0.5, 0.25 -> sigma_z = 0.6 / 1.128 = 0.532.
    result = spc.overdispersion([20, 22, 18, 21, 19, 20], [100] * 6)
    assert result.chi2 == pytest.approx(0.625)
    assert result.sigma_z == pytest.approx(0.6 / 1.128)
    assert not result.overdispersed and not result.use_laney
    assert not spc.p_chart([20, 22, 18, 21, 19, 20], [100] * 6, laney="auto").laney


def test_a_sustained_shift_is_not_overdispersion():
    # Six points at 0.1 then six at 0.3 (n = 100, p = 0.2, z = -2.5 / +2.5): chi-square 75
    # rejects, but the one jump gives sigma_z = (5 / 11) / 1.128 = 0.403 < 1: no p'.
    result = spc.overdispersion([10] * 6 + [30] * 6, [100] * 12)
    assert result.chi2 == pytest.approx(75.0)
    assert result.sigma_z == pytest.approx(5 / 11 / 1.128)
    assert result.overdispersed and not result.use_laney


def test_p_chart_skips_a_missing_month():
    chart = spc.p_chart([5, None, 5, 45], [50, 50, None, 50], baseline=slice(0, 3))
    # Only point 0 is observed in the baseline: p = 0.1; points 1 and 2 are missing.
    assert chart.center == pytest.approx(0.1)
    assert np.isnan(chart.values[1]) and np.isnan(chart.values[2])
    assert np.isnan(chart.ucl[2])
    assert chart.signals == [3]


def test_p_chart_with_no_defectives_in_the_baseline_has_zero_width_limits():
    chart = spc.p_chart([0, 0, 0, 1], [10] * 4, baseline=slice(0, 3))
    assert chart.center == 0.0 and (chart.ucl == 0).all() and (chart.lcl == 0).all()
    assert chart.signals == [3]


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 60)), min_size=2, max_size=30),
       st.booleans())
def test_p_chart_limits_stay_within_zero_and_one(points, laney):
    defectives = [min(d, n) for d, n in points]
    sizes = [n for _, n in points]
    pbar = sum(defectives) / sum(sizes)
    laney = laney and 0 < pbar < 1
    chart = spc.p_chart(defectives, sizes, laney=laney)
    assert (chart.lcl >= 0).all() and (chart.ucl <= 1).all()
    assert (chart.lcl <= chart.center + 1e-12).all() and (chart.ucl >= chart.center - 1e-12).all()


# --------------------------------------------------------------------------------------
# c and u charts

# Montgomery, Example 7.3: nonconformities in 26 samples of 100 printed circuit boards.
CIRCUIT_BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18,
                  39, 30, 24, 16, 19, 17, 15]


def test_c_chart_reproduces_montgomery_example_7_3():
    chart = spc.c_chart(CIRCUIT_BOARDS)
    assert_printed(chart.center, "19.85")  # 516 / 26 = 19.846
    # The book computes the limits from the rounded center: 19.85 + 3 * sqrt(19.85) = 33.22
    # (from 19.846 exactly: 33.211) and 19.85 - 13.37 = 6.48 (exactly: 6.481).
    assert chart.ucl == pytest.approx(33.22, abs=0.01)
    assert chart.ucl == pytest.approx(516 / 26 + 3 * np.sqrt(516 / 26))
    assert_printed(chart.lcl, "6.48")
    assert chart.signals == [5, 19]  # samples 6 (below) and 20 (above)
    assert chart.signals_down == [5] and chart.signals_up == [19]


def test_c_chart_revised_limits_exclude_samples_6_and_20():
    # Montgomery's revised chart: c = 472 / 24 = 19.67, UCL 32.97, LCL 6.36.
    baseline = np.ones(26, dtype=bool)
    baseline[[5, 19]] = False
    chart = spc.c_chart(CIRCUIT_BOARDS, baseline=baseline)
    assert_printed(chart.center, "19.67")
    assert_printed(chart.ucl, "32.97")
    assert_printed(chart.lcl, "6.36")


def test_c_chart_lower_limit_is_clipped_at_zero():
    # c = 2: 2 - 3 * sqrt(2) < 0 -> LCL 0; a zero count is on the limit, not beyond it.
    chart = spc.c_chart([2, 2, 2, 0], baseline=slice(0, 3))
    assert chart.lcl == 0.0 and chart.ucl == pytest.approx(2 + 3 * np.sqrt(2))
    assert chart.signals == []


# Montgomery's personal-computer example (u chart, 20 samples of n = 5 computers; the
# example number differs between editions): u = 193 / 100 = 1.93, UCL 3.79, LCL 0.07,
# no point out of control.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def test_u_chart_reproduces_montgomery_personal_computers():
    chart = spc.u_chart(COMPUTERS, [5] * 20)
    assert_printed(chart.center, "1.93")
    assert_printed(chart.ucl[0], "3.79")
    assert_printed(chart.lcl[0], "0.07")
    assert chart.signals == []
    assert chart.kind == "u"


def test_u_chart_with_varying_sizes_by_hand():
    # Baseline: counts 5 + 14 + 17 = 36 over sizes 1 + 4 + 4 = 9 -> u = 4.
    # sigma_i = sqrt(4 / n_i): n 1 -> 2, n 4 -> 1, n 16 -> 0.5.
    # Limits: n 1 -> (max(0, -2) = 0, 10); n 4 -> (1, 7); n 16 -> (2.5, 5.5).
    chart = spc.u_chart([5, 14, 17, 11, 40, 39], [1, 4, 4, 1, 16, 16], baseline=slice(0, 3))
    assert chart.center == 4.0
    assert chart.ucl.tolist() == [10.0, 7.0, 7.0, 10.0, 5.5, 5.5]
    assert chart.lcl.tolist() == [0.0, 1.0, 1.0, 0.0, 2.5, 2.5]
    # 11 / 1 = 11 > 10 signals; 40 / 16 = 2.5 sits on the LCL (not beyond);
    # 39 / 16 = 2.4375 < 2.5 signals.
    assert chart.signals == [3, 5]
    assert chart.signals_up == [3] and chart.signals_down == [5]


def test_u_chart_accepts_fractional_sizes():
    chart = spc.u_chart([3, 1], [1.5, 0.5])
    assert chart.center == pytest.approx(2.0)


# --------------------------------------------------------------------------------------
# Individuals (XmR)

# Montgomery, Example 6.5: weekly mortgage-loan processing costs, 20 weeks.
LOAN_COSTS = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306, 294, 299, 297, 299, 314, 295,
              293, 306, 301, 304]


def test_xmr_reproduces_montgomery_example_6_5():
    chart = spc.xmr_chart(LOAN_COSTS)
    assert_printed(chart.center, "300.5")
    assert_printed(chart.mr_center, "7.79")  # 148 / 19
    assert_printed(chart.ucl, "321.22")
    assert_printed(chart.lcl, "279.78")
    assert_printed(chart.mr_ucl, "25.45")
    assert chart.mr_lcl == 0.0
    assert chart.signals == [] and chart.mr_signals == []
    assert chart.sigma == pytest.approx(148 / 19 / 1.128)


def test_xmr_with_a_gap_and_a_baseline_by_hand():
    # Baseline points 0-4, point 3 missing: mean (10 + 12 + 11 + 13) / 4 = 11.5; moving
    # ranges only between adjacent observed baseline points: |12-10| = 2, |11-12| = 1 ->
    # MR = 1.5, sigma = 1.5 / 1.128, limits 11.5 +- 3 * 1.329787 = 11.5 +- 3.989362.
    chart = spc.xmr_chart([10, 12, 11, None, 13, 30], baseline=slice(0, 5))
    assert chart.center == 11.5 and chart.mr_center == 1.5
    assert chart.ucl == pytest.approx(15.489362, abs=1e-6)
    assert chart.lcl == pytest.approx(7.510638, abs=1e-6)
    assert np.isnan(chart.moving_ranges[[0, 3, 4]]).all()
    assert chart.moving_ranges[5] == 17.0
    assert chart.signals == [5]
    assert chart.mr_ucl == pytest.approx(3.267 * 1.5)
    assert chart.mr_signals == [5]  # 17 > 4.9005


def test_xmr_needs_two_consecutive_baseline_points():
    with pytest.raises(BadInput, match="at least two observed baseline points"):
        spc.xmr_chart([1.0, 2.0, 3.0], baseline=slice(0, 1))
    with pytest.raises(BadInput, match="consecutive"):
        spc.xmr_chart([1.0, 2.0, 3.0], baseline=np.array([True, False, True]))


# --------------------------------------------------------------------------------------
# The baseline fixes the limits

def _changed_after(values, start, replacement):
    return list(values[:start]) + list(replacement)


@PROPERTY
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=15),
       st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=10),
       st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=10))
def test_xmr_limits_depend_on_the_baseline_only(base, after_a, after_b):
    a = spc.xmr_chart(base + after_a, baseline=slice(0, len(base)))
    b = spc.xmr_chart(base + after_b, baseline=slice(0, len(base)))
    assert (a.center, a.lcl, a.ucl, a.mr_ucl) == (b.center, b.lcl, b.ucl, b.mr_ucl)


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(40, 80)), min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(0, 40), st.integers(40, 80)), min_size=1, max_size=8),
       st.lists(st.integers(0, 40), min_size=8, max_size=8))
def test_attribute_limits_depend_on_the_baseline_only(base, after, other_counts):
    defectives = [d for d, _ in base + after]
    sizes = [n for _, n in base + after]
    changed = defectives[: len(base)] + other_counts[: len(after)]
    keep = slice(0, len(base))
    for make in (lambda d: spc.p_chart(d, sizes, baseline=keep),
                 lambda d: spc.u_chart(d, sizes, baseline=keep),
                 lambda d: spc.c_chart(d, baseline=keep)):
        a, b = make(defectives), make(changed)
        assert a.center == b.center
        assert np.array_equal(a.lcl, b.lcl) and np.array_equal(a.ucl, b.ucl)


# --------------------------------------------------------------------------------------
# Bad input

@pytest.mark.parametrize(("call", "message"), [
    (lambda: spc.p_chart([1, 2], [10]), "one value per point"),
    (lambda: spc.p_chart([-1, 2], [10, 10]), r"defectives\[0\] is -1"),
    (lambda: spc.p_chart([11, 2], [10, 10]), r"defectives\[0\] is 11, more than sizes\[0\] = 10"),
    (lambda: spc.p_chart([1, 2], [10, 0]), r"sizes\[1\] is 0"),
    (lambda: spc.p_chart([1.5, 2], [10, 10]), "whole number"),
    (lambda: spc.p_chart([1, 2], [10.5, 10]), "whole number"),
    (lambda: spc.p_chart([1, 2], [10, 10], laney="yes"), "laney must be"),
    (lambda: spc.p_chart([0, 0, 0], [10, 10, 10], laney=True), "strictly between 0 and 1"),
    (lambda: spc.p_chart([None, None], [10, 10]), "no observed points"),
    (lambda: spc.overdispersion([1, 2, 3], [10, 10, 10], np.array([True, False, True])),
     "consecutive"),
    (lambda: spc.c_chart([]), "empty"),
    (lambda: spc.c_chart([1, float("inf")]), r"counts\[1\] is inf"),
    (lambda: spc.c_chart(["1", "2"]), "numbers"),
    (lambda: spc.c_chart([1, None, "2"]), r"counts\[2\] is '2'"),
    (lambda: spc.c_chart([True, False]), "numbers"),
    (lambda: spc.c_chart([[1, 2], [3, 4]]), "one-dimensional"),
    (lambda: spc.c_chart([1, 2], baseline=[0, 1]), "boolean mask"),
    (lambda: spc.c_chart([1, 2], baseline=[True]), "1 entries for 2 points"),
    (lambda: spc.u_chart([1, 2], [1, -1]), r"sizes\[1\] is -1"),
    (lambda: spc.cusum([1.0], target=0, sigma=0), "sigma must be greater than zero"),
    (lambda: spc.cusum([1.0], target=0, sigma=1, h=0), "h must be greater than zero"),
    (lambda: spc.cusum([1.0], target=0, sigma=1, k=-1), "k cannot be negative"),
    (lambda: spc.cusum([1.0], target=float("nan"), sigma=1), "target must be finite"),
    (lambda: spc.ewma([1.0], target=0, sigma=1, lam=0), "lam must be greater than zero"),
    (lambda: spc.ewma([1.0], target=0, sigma=1, lam=1.5), "lam must be at most 1"),
    (lambda: spc.ewma([1.0], target=0, sigma=1, asymptotic="yes"), "asymptotic must be"),
    (lambda: spc.run_rules([1.0, 2.0], center=0, sigma=-1), "sigma cannot be negative"),
    (lambda: spc.run_rules([1.0, 2.0], center=[0.0], sigma=1), "center has 1 values for 2"),
    (lambda: spc.run_rules([1.0], center=0, sigma=1, rules=["WE9"]), "unknown run rule 'WE9'"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(BadInput, match=message):
        call()


def test_results_are_frozen():
    chart = spc.c_chart([1, 2, 3])
    with pytest.raises(dataclasses.FrozenInstanceError):
        chart.center = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        chart.values[0] = 5.0


def test_inputs_are_not_changed():
    values = np.array([1.0, 2.0, np.nan, 3.0])
    spc.xmr_chart(values)
    spc.cusum(values, target=0, sigma=1)
    spc.ewma(values, target=0, sigma=1)
    assert np.array_equal(values, [1.0, 2.0, np.nan, 3.0], equal_nan=True)


# --------------------------------------------------------------------------------------
# Run rules: each one just triggered and just not, on center 0 and sigma 1

def fired(values, rule, *, center=0.0, sigma=1.0):
    return spc.run_rules(values, center=center, sigma=sigma, rules=[rule])[rule]


@pytest.mark.parametrize("rule", ["WE1", "N1"])
def test_one_point_beyond_three_sigma(rule):
    assert fired([0.0, 3.01, -3.01], rule) == [1, 2]
    assert fired([0.0, 3.0, -3.0], rule) == []


@pytest.mark.parametrize("rule", ["WE2", "N5"])
def test_two_of_three_beyond_two_sigma_same_side(rule):
    assert fired([2.1, 0.0, 2.1], rule) == [2]
    assert fired([-2.1, -2.1], rule) == [1]
    assert fired([2.1, 0.0, 0.0, 2.1], rule) == []  # two of four
    assert fired([2.1, 0.0, -2.1], rule) == []  # opposite sides
    assert fired([2.1, 0.0, 2.0], rule) == []  # exactly 2 sigma is not beyond


@pytest.mark.parametrize("rule", ["WE3", "N6"])
def test_four_of_five_beyond_one_sigma_same_side(rule):
    assert fired([1.1, 1.1, 0.0, 1.1, 1.1], rule) == [4]
    assert fired([1.1, 1.1, 0.0, 0.0, 1.1, 1.1], rule) == []  # three of five
    assert fired([-1.1, -1.1, -1.1, 0.0, -1.1], rule) == [4]
    assert fired([1.1, 1.1, -1.1, 1.1], rule) == []


def test_we4_eight_in_a_row_on_one_side():
    assert fired([0.5] * 8, "WE4") == [7]
    assert fired([0.5] * 7, "WE4") == []
    assert fired([-0.5] * 10, "WE4") == [7, 8, 9]
    assert fired([0.5] * 4 + [0.0] + [0.5] * 4, "WE4") == []  # on the center line breaks it


def test_n2_nine_in_a_row_on_one_side():
    assert fired([-0.5] * 9, "N2") == [8]
    assert fired([-0.5] * 8, "N2") == []


def test_n3_six_in_a_row_steadily_increasing_or_decreasing():
    assert fired([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], "N3") == [5]
    assert fired([0.5, 0.4, 0.3, 0.2, 0.1, 0.0], "N3") == [5]
    assert fired([0.0, 0.1, 0.2, 0.3, 0.4], "N3") == []
    assert fired([0.0, 0.1, 0.2, 0.2, 0.3, 0.4], "N3") == []  # a tie breaks the trend


def test_n4_fourteen_in_a_row_alternating():
    assert fired([0.1, -0.1] * 7, "N4") == [13]
    assert fired([0.1, -0.1] * 6 + [0.1], "N4") == []
    assert fired([0.1, -0.1] * 3 + [-0.2] + [0.1, -0.1] * 4, "N4") == []


def test_n7_fifteen_in_a_row_within_one_sigma():
    assert fired([0.5, -0.5, 0.2] * 5, "N7") == [14]
    assert fired([0.5, -0.5, 0.2] * 4 + [0.5, -0.5], "N7") == []
    assert fired([1.0] * 15, "N7") == [14]  # exactly one sigma counts as within


def test_n8_eight_in_a_row_beyond_one_sigma_either_side():
    assert fired([1.5, -1.5] * 4, "N8") == [7]
    assert fired([1.5, -1.5] * 3 + [1.5], "N8") == []
    assert fired([1.5, -1.5] * 2 + [0.5] + [1.5, -1.5, 1.5], "N8") == []


def test_presets_and_names():
    assert list(spc.run_rules([0.0], center=0, sigma=1)) == ["WE1", "WE2", "WE3", "WE4"]
    assert list(spc.run_rules([0.0], center=0, sigma=1, rules="nelson")) == list(spc.NELSON)
    assert list(spc.run_rules([0.0], center=0, sigma=1, rules=spc.CONSERVATIVE)) == ["N1", "N2"]
    assert list(spc.run_rules([0.0], center=0, sigma=1, rules="N7")) == ["N7"]
    assert spc.PRESETS["conservative"] == ("N1", "N2")


def test_zones_per_point_for_attribute_charts():
    # p-chart style: center 0.2, sigma 0.04 then 0.02; 0.3 is 2.5 sigma, then 5 sigma.
    assert fired([0.3, 0.3], "WE1", center=0.2, sigma=[0.04, 0.02]) == [1]
    chart = spc.p_chart(LANEY_DEFECTIVES, LANEY_SIZES, baseline=slice(0, 6), laney=True)
    rules = spc.run_rules(chart.values, center=chart.center, sigma=chart.sigma,
                          rules=spc.CONSERVATIVE)
    assert rules["N1"] == chart.signals


def test_a_missing_point_breaks_runs_and_never_signals():
    assert fired([0.5] * 4 + [None] + [0.5] * 4, "WE4") == []
    assert fired([5.0, None], "WE1", sigma=[1.0, 1.0]) == [0]
    assert fired([5.0, 5.0], "WE1", sigma=[1.0, np.nan]) == [0]


def test_zero_sigma_makes_any_deviation_infinitely_far():
    assert fired([0.0, 0.1, -0.1], "WE1", sigma=0.0) == [1, 2]


def _naive(z, rule):
    """A literal, loop-by-loop reading of each rule, as an oracle for the vectorised code."""
    n = len(z)

    def k_of_m(i, k, m, level):
        lo = max(0, i - m + 1)
        for side in (1, -1):
            if side * z[i] > level and sum(side * z[j] > level for j in range(lo, i + 1)) >= k:
                return True
        return False

    def run(i, length, test):
        return i >= length - 1 and all(test(j) for j in range(i - length + 1, i + 1))

    checks = {
        "WE1": lambda i: abs(z[i]) > 3,
        "WE2": lambda i: k_of_m(i, 2, 3, 2),
        "WE3": lambda i: k_of_m(i, 4, 5, 1),
        "WE4": lambda i: run(i, 8, lambda j: z[j] > 0) or run(i, 8, lambda j: z[j] < 0),
        "N2": lambda i: run(i, 9, lambda j: z[j] > 0) or run(i, 9, lambda j: z[j] < 0),
        "N3": lambda i: i >= 5 and (all(z[j] > z[j - 1] for j in range(i - 4, i + 1))
                                    or all(z[j] < z[j - 1] for j in range(i - 4, i + 1))),
        "N4": lambda i: i >= 13 and all((z[j] - z[j - 1]) * (z[j - 1] - z[j - 2]) < 0
                                        for j in range(i - 11, i + 1)),
        "N7": lambda i: run(i, 15, lambda j: abs(z[j]) <= 1),
        "N8": lambda i: run(i, 8, lambda j: abs(z[j]) > 1),
    }
    return [i for i in range(n) if checks[rule](i)]


@PROPERTY
@given(st.lists(st.integers(-16, 16).map(lambda q: q / 4), min_size=1, max_size=60))
def test_run_rules_agree_with_a_literal_reading(z):
    result = spc.run_rules(z, center=0.0, sigma=1.0, rules=spc.WESTERN_ELECTRIC + spc.NELSON)
    for rule in ("WE1", "WE2", "WE3", "WE4", "N2", "N3", "N4", "N7", "N8"):
        assert result[rule] == _naive(z, rule), rule
    assert result["N1"] == result["WE1"]
    assert result["N5"] == result["WE2"] and result["N6"] == result["WE3"]


@PROPERTY
@given(st.lists(st.integers(-16, 16), min_size=1, max_size=40), st.integers(-100, 100),
       st.sampled_from([0.5, 2.0, 8.0]))
def test_run_rules_ignore_units_and_mirror(z, shift, scale):
    base = spc.run_rules(z, center=0.0, sigma=4.0, rules=spc.NELSON)
    moved = spc.run_rules([shift + scale * v for v in z], center=float(shift),
                          sigma=4.0 * scale, rules=spc.NELSON)
    mirrored = spc.run_rules([-v for v in z], center=0.0, sigma=4.0, rules=spc.NELSON)
    assert moved == base == mirrored
