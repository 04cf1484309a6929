"""The control chart figure: traces, stepped limits, zones, baseline, flagged points."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.figures.control_chart import RULE_MARKERS, control_chart_figure
from scorecard import catalogue
from scorecard.drift import ChartRules, DriftSettings, chart_for_series, detect_drift
from scorecard.drift.charts import month_name, month_number

TEXTBOOK = DriftSettings(attribute=ChartRules(limit=3.0, rules=("N1", "N2"), cusum_h=5.0))


def results(measure, values, *, num=None, den=None, provisional=None, params="{}"):
    n = len(values)
    k = month_number("2024-01")
    return pl.DataFrame({
        "provider": "Acme", "measure": measure, "params": params,
        "month": [month_name(k + i) for i in range(n)], "value": values,
        "numerator": num or [None] * n, "denominator": den or [None] * n,
        "n": [None] * n, "ci_low": [None] * n, "ci_high": [None] * n,
        "provisional": provisional or [False] * n}, schema=catalogue.RESULT_SCHEMA)


@pytest.fixture
def p_series():
    """Reopen rate with sizes that vary (stepped limits), a spike in 2025-03 (index 14) and
    a sustained rise from 2025-06 (index 17); the last month provisional."""
    sizes = [1000, 1200, 800, 1100, 900, 1000] * 6
    rates = [0.05] * 14 + [0.12] + [0.05] * 2 + [0.062] * 19
    num = [float(round(r * s)) for r, s in zip(rates, sizes)]
    den = [float(s) for s in sizes]
    return results("quality.reopen_rate", [a / b for a, b in zip(num, den)], num=num, den=den,
                   provisional=[False] * 35 + [True])


def by_name(fig: go.Figure) -> dict[str, go.Scatter]:
    return {t.name: t for t in fig.data}


def test_figure_has_values_centre_limits_and_zones(p_series):
    chart = chart_for_series(p_series)
    fig = control_chart_figure(p_series, chart, detect_drift(p_series))
    traces = by_name(fig)
    for name in ("Monthly value", "Centre (baseline)", "Upper limit", "Lower limit",
                 "±1σ zone", "±2σ zone", "±3σ zone", "Provisional (not judged yet)"):
        assert name in traces, name
    assert len(traces["Monthly value"].x) == 36
    assert traces["Upper limit"].y == pytest.approx(list(chart.ucl))
    # sizes vary, so a p chart's limits and zones step month by month
    assert traces["Upper limit"].line.shape == "hvh"
    assert traces["±2σ zone"].fill == "tonexty"
    assert traces["±2σ zone"].y == pytest.approx(list(chart.center + 2 * chart.sigma))
    # the provisional month is drawn apart (hollow), not on the judged line
    assert list(traces["Provisional (not judged yet)"].x) == [date(2026, 12, 1)]
    assert traces["Monthly value"].y[-1] is None
    assert fig.layout.yaxis.tickformat == ".1%"


def test_flagged_points_sit_at_the_signal_months_with_the_rule_named(p_series):
    signals = detect_drift(p_series, settings=TEXTBOOK)
    chart = chart_for_series(p_series, settings=TEXTBOOK)
    fig = control_chart_figure(p_series, chart, signals)
    traces = by_name(fig)
    flags = {t.meta["rule"]: t for t in fig.data if t.meta and "rule" in t.meta}
    assert set(flags) == set(signals["rule"]) >= {"N1", "N2", "CUSUM"}
    n1 = flags["N1"]
    assert date(2025, 3, 1) in list(n1.x)
    i = list(n1.x).index(date(2025, 3, 1))
    assert n1.y[i] == pytest.approx(chart.values[14])
    assert n1.hovertext[i].startswith("<b>N1</b> — a month beyond the limits<br>Reopen rate")
    n2 = flags["N2"]
    expected = signals.filter(pl.col("rule") == "N2")["month"].to_list()
    assert [d.strftime("%Y-%m") for d in n2.x] == expected
    # every rule has its own marker shape (colour is never the only cue)
    symbols = [t.marker.symbol for t in flags.values()]
    assert len(set(symbols)) == len(symbols)
    assert traces["N1: a month beyond the limits"] is n1


def test_the_baseline_period_is_marked(p_series):
    chart = chart_for_series(p_series, baseline=("2024-03", "2025-02"))
    fig = control_chart_figure(p_series, chart, None)
    (shape,) = [s for s in fig.layout.shapes if s.name == "baseline"]
    assert shape.x0 < date(2024, 3, 1) < date(2025, 2, 1) < shape.x1
    assert shape.x0 > date(2024, 2, 1) and shape.x1 < date(2025, 3, 1)
    assert any(a.text == "Baseline" for a in fig.layout.annotations)


def test_an_individuals_chart_has_straight_limits_and_hover_detail():
    values = [4.0, 4.6] * 6 + [9.1] + [4.3] * 5
    data = results("time.resolution", values, params='{"priority":"P2","stat":"median"}')
    chart = chart_for_series(data)
    fig = control_chart_figure(data, chart, detect_drift(data))
    traces = by_name(fig)
    assert traces["Upper limit"].line.shape == "linear"
    assert "P2, median" in fig.layout.title.text
    assert "individuals (XmR) chart" in fig.layout.title.text
    assert traces["Monthly value"].hovertext[12].startswith("2025-01: 9.1 h")
    assert "WE1: a month beyond the limits" in traces


def test_signals_of_other_series_are_ignored(p_series):
    other = p_series.with_columns(pl.lit("Other").alias("provider"))
    fig = control_chart_figure(p_series, chart_for_series(p_series),
                               detect_drift(other, settings=TEXTBOOK))
    assert not [t for t in fig.data if t.meta and "rule" in t.meta]


def test_a_skipped_series_shows_its_values_and_why():
    data = results("time.resolution", [5.0] * 14)
    chart = chart_for_series(data)
    fig = control_chart_figure(None, chart, None)
    names = [t.name for t in fig.data]
    assert names == ["Monthly value"]
    assert "not judged" in fig.layout.title.text


def test_every_rule_has_a_marker():
    from scorecard.drift import CHART_RULES, SURVEY_TESTS
    assert set(CHART_RULES) | {"CUSUM", "EWMA"} | set(SURVEY_TESTS) <= set(RULE_MARKERS)
