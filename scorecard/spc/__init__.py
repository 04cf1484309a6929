"""Statistical process control for the drift of a measure's monthly series (DESIGN.md §5).

Pure numpy/scipy: arrays in, frozen results out. Every chart estimates its center and sigma
from the ``baseline`` points (a slice, a boolean mask, or all points) and judges every point
against them. See docs/spc.md for the formulas, parameters and the worked examples the
tests reproduce.
"""

from __future__ import annotations

from scorecard.spc.attribute import (
    AttributeChart,
    Overdispersion,
    c_chart,
    overdispersion,
    p_chart,
    u_chart,
)
from scorecard.spc.individuals import IndividualsChart, xmr_chart
from scorecard.spc.result import Chart
from scorecard.spc.rules import CONSERVATIVE, NELSON, PRESETS, WESTERN_ELECTRIC, run_rules
from scorecard.spc.time_weighted import Cusum, Ewma, cusum, ewma

__all__ = [
    "CONSERVATIVE",
    "NELSON",
    "PRESETS",
    "WESTERN_ELECTRIC",
    "AttributeChart",
    "Chart",
    "Cusum",
    "Ewma",
    "IndividualsChart",
    "Overdispersion",
    "c_chart",
    "cusum",
    "ewma",
    "overdispersion",
    "p_chart",
    "run_rules",
    "u_chart",
    "xmr_chart",
]
