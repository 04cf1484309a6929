"""One measure series of a provider, as the Measure page shows it: numbers, breakdowns, targets.

``breakdowns`` and ``number_rows`` are pure; ``load_series`` reads what they need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from scorecard import catalogue
from scorecard.catalogue import params_key
from scorecard.definition import MeasureSpec
from scorecard.display import value_text
from scorecard.drift.wording import label as series_label
from scorecard.errors import BadInput
from scorecard.scoring import measure_status
from sql.results import read_results

DIMENSION_NAMES = {"": "Overall", "priority": "By priority", "category": "By category", "service": "By service",
                   "resource": "By resource", "check_type": "By check type", "question": "By question"}


def parse_params(text: str | None) -> dict[str, str]:
    """The ``params`` of a URL: a JSON object of text values ("{}" or nothing for the whole provider)."""
    if text in (None, ""):
        return {}
    try:
        given = json.loads(text)
    except ValueError:
        raise BadInput("the params in the address are not valid JSON, e.g. {\"priority\":\"P1\"}") from None
    if not isinstance(given, dict) or not all(isinstance(k, str) for k in given):
        raise BadInput("the params in the address must be a JSON object, e.g. {\"priority\":\"P1\"}")
    return {k: str(v) for k, v in given.items()}


def dimension(params: dict[str, str]) -> str:
    """The breakdown a variant belongs to: "" (overall), "priority", "category", … ("stat" aside)."""
    keys = sorted(k for k in params if k != "stat")
    return "+".join(keys)


def breakdowns(current: dict[str, str], variants: list[str]) -> list[tuple[str, list[str]]]:
    """The stored variants (params keys) comparable with ``current``, grouped by dimension:
    [("", ["{}"]), ("priority", [P1…P4 keys]), ("category", […])]. Variants with another ``stat``
    (median vs 90th percentile) are a different measure and left out."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key in variants:
        p = json.loads(key)
        if p.get("stat") != current.get("stat"):
            continue
        dim = dimension(p)
        groups.setdefault(dim, []).append((p.get(dim, "") if "+" not in dim else key, key))
    order = sorted(groups, key=lambda d: (d != "", "+" in d, d))
    return [(d, [k for _v, k in sorted(groups[d])]) for d in order]


def number_rows(series: pl.DataFrame, unit: str, currency: str | None = None) -> list[dict]:
    """The monthly numbers, latest first: month, value, numerator, denominator, n, interval, provisional."""
    out = []
    for r in series.sort("month", descending=True).iter_rows(named=True):
        low, high = r["ci_low"], r["ci_high"]
        interval = None
        if low is not None and high is not None:
            interval = f"{value_text(low, unit, currency=currency, decimals=1 if unit in ('%', 'ratio') else None)}" \
                       f" – {value_text(high, unit, currency=currency, decimals=1 if unit in ('%', 'ratio') else None)}"
        out.append({"month": r["month"], "value": r["value"],
                    "value_text": value_text(r["value"], unit, currency=currency,
                                             decimals=2 if unit in ("%", "ratio") else None),
                    "numerator": r["numerator"], "denominator": r["denominator"], "n": r["n"],
                    "interval_text": interval, "provisional": bool(r["provisional"])})
    return out


def _count(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def count_text(x: float | None) -> str:
    return _count(x)


@dataclass
class Series:
    provider: tuple[int, str]
    measure: str
    params: dict[str, str]
    key: str
    label: str
    info: catalogue.MeasureInfo
    frame: pl.DataFrame          # every stored variant of the measure (RESULT_SCHEMA)
    series: pl.DataFrame         # this variant, by month
    spec: MeasureSpec | None     # the scorecard's targets in the month, if the variant is on it
    baseline: tuple[str, str] | None
    currency: str | None
    month: str | None
    scorecard_specs: dict[str, MeasureSpec]  # params key → spec, for the breakdown statuses

    def status_of(self, key: str, value: float | None) -> str | None:
        spec = self.scorecard_specs.get(key)
        if spec is None:
            return None
        return measure_status(value, spec.goal, spec.red_flag, spec.direction)


def load_series(engine: Engine, provider: tuple[int, str], measure: str, params_text: str | None,
                month: str | None) -> Series:
    info = catalogue.measure(measure, "measure")
    params = parse_params(params_text)
    key = params_key(params)
    frame = read_results(engine, provider, measures=[measure])
    series = frame.filter(pl.col("params") == key).sort("month")
    month = month or (series["month"].max() if series.height else None)
    spec, baseline, currency, specs = None, None, None, {}
    from dashboard.reports.data import versions

    version = versions(engine, provider[0]).in_force(month, backdate_first=True) if month else None
    if version is not None:
        card = version.scorecard
        baseline, currency = card.baseline, card.provider.currency
        specs = {m.params_key: m for _p, _o, m in card.measures() if m.measure == measure}
        spec = specs.get(key)
    label = spec.label if spec is not None else series_label(measure, key)
    return Series(provider, measure, params, key, label, info, frame, series, spec, baseline, currency, month, specs)
