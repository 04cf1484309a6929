"""What the drift engine returns (``SIGNAL_SCHEMA``), what it reads besides results
(``SURVEY_RATING_SCHEMA``) and how it is tuned (``DriftSettings``).

The defaults were chosen from ``benchmarks/drift_calibration.py`` (figures in
docs/drift.md): simulated three-year series, a twelve-month baseline, 24 monitored months.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import polars as pl

from scorecard.errors import BadInput

SIGNAL_SCHEMA = pl.Schema({
    "provider": pl.String(),
    "measure": pl.String(),
    "params": pl.String(),       # canonical JSON, as in RESULT_SCHEMA
    "month": pl.String(),        # YYYY-MM: the month the signal is raised in (its completing point)
    "rule": pl.String(),         # N1 N2 N3 N5 N6 WE1-WE4 CUSUM EWMA MWU CHI2
    "chart": pl.String(),        # p, p_laney, c, xmr; "ratings" for the distribution tests
    "direction": pl.String(),    # "worse" | "better", relative to the measure's better direction
    "since": pl.String(),        # YYYY-MM: the month the shift started
    "value": pl.Float64(),       # the plotted value in `month` (mean rating for MWU/CHI2)
    "center": pl.Float64(),      # the baseline centre (mean rating of the baseline for MWU/CHI2)
    "lcl": pl.Float64(),         # the limits in `month`; null for MWU/CHI2
    "ucl": pl.Float64(),
    "sentence": pl.String(),     # plain words
    "severity": pl.Float64(),    # sigmas of evidence, for sorting worst first (see docs/drift.md)
    "p_value": pl.Float64(),     # MWU/CHI2 only (unadjusted); null for chart rules
})

SURVEY_RATING_SCHEMA = pl.Schema({
    "provider": pl.String(),
    "measure": pl.String(),      # the survey measure the question feeds, e.g. survey.csat
    "params": pl.String(),       # canonical JSON, e.g. {"question":"satisfaction"}; "{}" for none
    "month": pl.String(),        # YYYY-MM the response counts in
    "rating": pl.Int64(),        # one response's rating (1–5, 0–10, …); higher is the measure's better side
})

CHART_RULES = ("WE1", "WE2", "WE3", "WE4", "N1", "N2", "N3", "N5", "N6")
"""Run rules the engine can apply: each says which way the series moved. Nelson 4, 7 and 8
(alternation, stratification, mixture) describe a pattern with no direction, so they are
not offered as drift signals."""

SURVEY_TESTS = ("MWU", "CHI2")


def _names(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if isinstance(value, str) or not isinstance(value, tuple):
        raise BadInput(f"drift setting {name} must be a tuple of rule names, got {value!r}")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise BadInput(f"drift setting {name}: unknown or undirected rule {unknown[0]!r}; "
                       f"choose from {', '.join(allowed)}")


def _number(name: str, value: object, *, minimum: float, maximum: float | None = None,
            inclusive: bool = False) -> None:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v >= minimum if inclusive else v > minimum) and (maximum is None or v <= maximum)
    if not ok:
        bound = f"{'≥' if inclusive else '>'} {minimum:g}" + (f" and ≤ {maximum:g}" if maximum else "")
        raise BadInput(f"drift setting {name} must be a number {bound}, got {value!r}")


LIMIT_RULES = frozenset({"N1", "WE1"})
"""N1 and WE1 both mean "a point beyond the control limits", at ``ChartRules.limit`` sigmas."""


@dataclass(frozen=True, kw_only=True)
class ChartRules:
    """The rules for one family of charts: *attribute* (p and c charts, whose sigma follows
    from the binomial or Poisson model) or *individuals* (XmR and Laney p′, whose sigma is
    estimated from the baseline's moving ranges and so is much less certain).

    ``limit`` places the control limits at centre ± limit·sigma; the rule N1 (or WE1, the
    same rule) signals a point beyond them. ``rules`` are the run rules applied (their zones
    stay at one and two sigmas, as published). ``cusum_h`` and ``ewma_L`` are the CUSUM
    decision interval and the EWMA limit width, in sigmas; ``None`` turns either off.
    """

    limit: float = 3.0
    rules: tuple[str, ...] = ("N1",)
    cusum_h: float | None = None
    ewma_L: float | None = None

    def __post_init__(self) -> None:
        _number("limit", self.limit, minimum=0.0)
        _names("rules", self.rules, CHART_RULES)
        for name in ("cusum_h", "ewma_L"):
            if getattr(self, name) is not None:
                _number(name, getattr(self, name), minimum=0.0)


# Chosen from benchmarks/drift_calibration.py (seed 2026; 2,000 in-control and 2,000
# shifted series per case; 36 months = a 12-month baseline and 24 monitored months; full
# table in docs/drift.md). With twelve baseline months the centre and sigma are only
# roughly known, so textbook 3-sigma limits alone give a false alarm (any signal in 24
# months) on 13% of in-control proportion series, 10% of count series and 23–49% of
# individuals series; every run rule (N2, WE2–WE4) adds 5–20 points more without detecting a
# 1.5-sigma shift sooner than EWMA. So: wider limits for single-month spikes, no run rules,
# EWMA for sustained shifts, a high-h CUSUM for slow drifts:
#   attribute  : limit 4, EWMA 0.2/3.8, CUSUM 0.5/10 → false alarms 5.2% (proportions),
#                4.4% (counts); 1.5-sigma shifts signalled within 4 months 24%, within 8 ≈60%;
#   individuals: limit 5, EWMA 0.2/4.5, CUSUM 0.5/12 → false alarms 7% on symmetric values,
#                21% on skewed ones, 12% on overdispersed proportions (p′); within 4 months
#                ≈20%, within 8 ≈45%.
# Both aims (≤ 5% false alarms, ≥ 80% of 1.5-sigma shifts within 4 months) cannot be met at
# once: even at one in three in-control series raising a false alarm (3σ + CUSUM h = 4),
# detection within 4 months is 54%. We kept false alarms near the aim.
ATTRIBUTE_DEFAULT = ChartRules(limit=4.0, rules=("N1",), cusum_h=10.0, ewma_L=3.8)
INDIVIDUALS_DEFAULT = ChartRules(limit=5.0, rules=("WE1",), cusum_h=12.0, ewma_L=4.5)
TEXTBOOK_ATTRIBUTE = ChartRules(limit=3.0, rules=("N1", "N2"))
TEXTBOOK_INDIVIDUALS = ChartRules(limit=3.0, rules=("WE1", "WE2", "WE3", "WE4"))
"""The textbook sets (3-sigma limits; Nelson 1–2 on attribute charts, Western Electric 1–4
on individuals charts), for a caller who prefers them and their false alarms."""


@dataclass(frozen=True, kw_only=True)
class DriftSettings:
    """How series are judged. Validated on construction (``BadInput`` naming the field).
    The defaults and the figures behind them are documented above and in docs/drift.md."""

    baseline_months: int = 12
    """Default baseline: the first this many calendar months of each series."""
    min_baseline_points: int = 8
    """A series with fewer usable baseline points is skipped."""
    min_events: float = 1.0
    """p and c charts: a series whose baseline expects fewer events a month (for p, the
    fewer of events and non-events) is skipped: rare events break the charts' normal
    approximation."""
    attribute: ChartRules = ATTRIBUTE_DEFAULT
    """Rules on p and c charts."""
    individuals: ChartRules = INDIVIDUALS_DEFAULT
    """Rules on individuals (XmR) and Laney p′ charts."""
    cusum_k: float = 0.5
    """CUSUM reference value in sigmas (tuned to a one-sigma shift)."""
    ewma_lambda: float = 0.2
    """EWMA weight of the newest month."""
    laney: bool | str = "auto"
    """p charts: ``"auto"`` uses Laney's p′ when ``spc.overdispersion`` recommends it."""
    count_overdispersion: bool = True
    """Counts more variable than Poisson (same test) are judged on an individuals chart."""
    fdr_q: float = 0.05
    """Benjamini–Hochberg false discovery rate for the rating distribution tests."""
    survey_tests: tuple[str, ...] = SURVEY_TESTS
    survey_min_month: int = 10
    """A month needs this many ratings to be compared with its baseline."""
    survey_min_baseline: int = 30
    """The rating baseline needs this many ratings."""

    def __post_init__(self) -> None:
        for name in ("baseline_months", "min_baseline_points", "survey_min_month",
                     "survey_min_baseline"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise BadInput(f"drift setting {name} must be a whole number ≥ 1, got {value!r}")
        if self.min_baseline_points < 2:
            raise BadInput("drift setting min_baseline_points must be at least 2 "
                           f"(sigma needs two points), got {self.min_baseline_points}")
        for name in ("attribute", "individuals"):
            if not isinstance(getattr(self, name), ChartRules):
                raise BadInput(f"drift setting {name} must be a ChartRules, "
                               f"got {getattr(self, name)!r}")
        _names("survey_tests", self.survey_tests, SURVEY_TESTS)
        _number("min_events", self.min_events, minimum=0.0, inclusive=True)
        _number("cusum_k", self.cusum_k, minimum=0.0, inclusive=True)
        _number("ewma_lambda", self.ewma_lambda, minimum=0.0, maximum=1.0)
        _number("fdr_q", self.fdr_q, minimum=0.0, maximum=1.0)
        if not (isinstance(self.laney, bool) or self.laney == "auto"):
            raise BadInput(f"drift setting laney must be True, False or 'auto', got {self.laney!r}")
        if not isinstance(self.count_overdispersion, bool):
            raise BadInput("drift setting count_overdispersion must be True or False, "
                           f"got {self.count_overdispersion!r}")
