"""Signals in plain words, for people who do not read control charts.

Every sentence names the measure as the catalogue does (with its parameters), the month,
which way it moved and whether that is better or worse, since when, and the value against
the usual level or range, in the measure's unit (percent for proportions).
"""

from __future__ import annotations

import json
import math

from scorecard import catalogue

RULE_DESCRIPTIONS = {
    "N1": "a month beyond the limits",
    "WE1": "a month beyond the limits",
    "N2": "9 months in a row on one side",
    "WE4": "8 months in a row on one side",
    "WE2": "2 of 3 months beyond 2σ",
    "N5": "2 of 3 months beyond 2σ",
    "WE3": "4 of 5 months beyond 1σ",
    "N6": "4 of 5 months beyond 1σ",
    "N3": "6 months rising or falling",
    "CUSUM": "small differences adding up",
    "EWMA": "the recent average moved",
    "MWU": "ratings higher or lower (Mann–Whitney)",
    "CHI2": "mix of ratings changed (chi-square)",
}
"""What each rule found, in a few words (legends, hover text, the JSON's rule help)."""

_STATS = {"median": "median", "p50": "median", "p90": "90th percentile", "mean": "mean"}
_COUNT_UNITS = {"tickets": "tickets", "outages": "outages"}


def label(measure: str, params: str) -> str:
    """``"Time to resolution (P2, median)"``: the catalogue name and the parameter values."""
    info = catalogue.measure(measure)
    try:
        given = json.loads(params) if params else {}
    except json.JSONDecodeError:
        given = {}
    if not isinstance(given, dict) or not given:
        return info.name
    order = [p for p in info.params if p != "stat" and p in given]
    order += sorted(k for k in given if k not in info.params)
    parts = [str(given[k]) for k in order]
    if "stat" in given:
        parts.append(_STATS.get(str(given["stat"]).lower(), str(given["stat"])))
    return f"{info.name} ({', '.join(parts)})"


def amount(measure: str, value: float) -> str:
    """A value in the measure's unit: ``8.6%``, ``9.1 h``, ``2,080 tickets``, ``1.04``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    info = catalogue.measure(measure)
    unit = info.unit
    if unit == "%":
        pct = value * 100
        return f"{pct:.2f}%" if 99 < abs(pct) < 100 or 0 < abs(pct) < 1 else f"{pct:.1f}%"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "minutes":
        return f"{value:.0f} min"
    if unit == "months":
        return f"{value:.1f} months"
    if unit in _COUNT_UNITS:
        shown = f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"
        return f"{shown} {_COUNT_UNITS[unit]}"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "score":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def span(measure: str, low: float, high: float) -> str:
    """A range in the measure's unit, the unit said once: ``3.9–5.2 h``, ``2.1%–6.5%``."""
    lo, hi = amount(measure, low), amount(measure, high)
    lo_num, _, lo_unit = lo.partition(" ")
    hi_num, _, hi_unit = hi.partition(" ")
    if lo_unit and lo_unit == hi_unit:
        return f"{lo_num}–{hi_num} {hi_unit}"
    return f"{lo}–{hi}"


def _judgement(worse: bool) -> str:
    return "a change for the worse" if worse else "a change for the better"


def _months(k: int) -> str:
    return "1 month" if k == 1 else f"{k} months"


def chart_sentence(*, rule: str, measure: str, params: str, month: str, since: str,
                   length: int, up: bool, worse: bool, value: float, center: float,
                   lcl: float, ucl: float) -> str:
    """The sentence for a chart rule (limits, runs, zones, trend, CUSUM, EWMA)."""
    name = label(measure, params)
    side = "above" if up else "below"
    usual = f"a usual {amount(measure, center)}"
    now = f"{amount(measure, value)} in {month}"
    tail = f"{_judgement(worse)}, unlikely to be chance."
    if rule in ("N1", "WE1"):
        moved = "jumped well above" if up else "fell well below"
        rng = f"a usual {span(measure, lcl, ucl)}"
        return (f"{name} {moved} its usual range in {month} "
                f"({amount(measure, value)} against {rng}) — {_judgement(worse)}.")
    if rule in ("N2", "WE4"):
        return (f"{name} has been {side} its usual level for {_months(length)} in a row, "
                f"since {since} ({now} against {usual}) — {tail}")
    if rule in ("WE2", "N5"):
        return (f"{name} was far {side} its usual level in 2 of the last 3 months, since "
                f"{since} ({now} against {usual}) — {tail}")
    if rule in ("WE3", "N6"):
        return (f"{name} was {side} its usual level in 4 of the last 5 months, since {since} "
                f"({now} against {usual}) — {tail}")
    if rule == "N3":
        moved = "risen" if up else "fallen"
        return (f"{name} has {moved} every month for {_months(length)}, since {since} "
                f"({now}) — {tail}")
    if rule == "CUSUM":
        return (f"{name} has been running {side} its usual level since {since}; month after "
                f"month the differences add up to more than chance ({now} against {usual}) "
                f"— {_judgement(worse)}.")
    if rule == "EWMA":
        return (f"The recent average of {name} has moved {side} its usual level, since "
                f"{since} ({now} against {usual}) — {tail}")
    raise AssertionError(f"no sentence for rule {rule}")


def rating_sentence(*, rule: str, measure: str, params: str, month: str, up: bool,
                    worse: bool, value: float, center: float, responses: int,
                    p_value: float) -> str:
    """The sentence for a rating-distribution test (Mann–Whitney or chi-square)."""
    name = label(measure, params)
    means = (f"average rating {value:.2f} from {responses} responses against a usual "
             f"{center:.2f}")
    shown_p = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    if rule == "MWU":
        side = "higher" if up else "lower"
        return (f"Ratings for {name} in {month} were {side} than usual ({means}; "
                f"Mann–Whitney test, {shown_p}) — {_judgement(worse)}, unlikely to be chance.")
    return (f"The mix of ratings for {name} in {month} differed from usual ({means}; "
            f"chi-square test, {shown_p}) — {_judgement(worse)}, unlikely to be chance.")
