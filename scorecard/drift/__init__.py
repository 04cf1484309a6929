"""Drift signals (DESIGN.md §5): each measure's monthly series judged against its baseline.

Proportions with denominators go on a p chart (Laney's p′ when overdispersed), counts on a
c chart (an individuals chart when overdispersed), continuous values and scores on an
individuals (XmR) chart; a limit rule (and any run rules chosen), CUSUM and EWMA on the
standardised values find shifts, and survey rating distributions are compared with their baseline under
Benjamini–Hochberg control. Pure: frames in, frames out. See docs/drift.md.
"""

from __future__ import annotations

from scorecard.drift.charts import C, P, P_LANEY, XMR, SeriesChart
from scorecard.drift.engine import (
    DEFAULT_SETTINGS,
    chart_for_series,
    chart_signals,
    detect_drift,
    latest_signals,
    signal_records,
)
from scorecard.drift.ratings import benjamini_hochberg, bh_adjusted, rating_tests
from scorecard.drift.settings import (
    ATTRIBUTE_DEFAULT,
    CHART_RULES,
    INDIVIDUALS_DEFAULT,
    SIGNAL_SCHEMA,
    SURVEY_RATING_SCHEMA,
    SURVEY_TESTS,
    TEXTBOOK_ATTRIBUTE,
    TEXTBOOK_INDIVIDUALS,
    ChartRules,
    DriftSettings,
)
from scorecard.drift.wording import RULE_DESCRIPTIONS, amount, label

__all__ = [
    "ATTRIBUTE_DEFAULT",
    "C",
    "CHART_RULES",
    "DEFAULT_SETTINGS",
    "INDIVIDUALS_DEFAULT",
    "P",
    "P_LANEY",
    "RULE_DESCRIPTIONS",
    "SIGNAL_SCHEMA",
    "SURVEY_RATING_SCHEMA",
    "SURVEY_TESTS",
    "TEXTBOOK_ATTRIBUTE",
    "TEXTBOOK_INDIVIDUALS",
    "XMR",
    "ChartRules",
    "DriftSettings",
    "SeriesChart",
    "amount",
    "benjamini_hochberg",
    "bh_adjusted",
    "chart_for_series",
    "chart_signals",
    "detect_drift",
    "label",
    "latest_signals",
    "rating_tests",
    "signal_records",
]
