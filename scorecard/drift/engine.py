"""The drift engine: every measure series of a results frame judged against its baseline.

``detect_drift`` splits the stored monthly results (``RESULT_SCHEMA``) into series
(provider, measure, params), judges each with :func:`scorecard.drift.charts.build_chart`,
turns what fired into signals with sentences, adds the survey rating-distribution tests,
and returns one frame in ``SIGNAL_SCHEMA``. See docs/drift.md.
"""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
from scipy import stats

from scorecard import catalogue
from scorecard.drift import ratings as rating_tests
from scorecard.drift.charts import SeriesChart, build_chart, month_number
from scorecard.drift.settings import SIGNAL_SCHEMA, DriftSettings
from scorecard.drift.signals import raise_signals
from scorecard.drift.wording import RULE_DESCRIPTIONS, chart_sentence, rating_sentence
from scorecard.errors import BadInput, NotFound
from scorecard.months import parse_month

DEFAULT_SETTINGS = DriftSettings()
KEYS = ("provider", "measure", "params")
_NEEDED = ("provider", "measure", "params", "month", "value", "numerator", "denominator",
           "provisional")
_MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


def detect_drift(results: pl.DataFrame, *, baseline: tuple[str, str] | None = None,
                 month: str | None = None, settings: DriftSettings = DEFAULT_SETTINGS,
                 survey_ratings: pl.DataFrame | None = None) -> pl.DataFrame:
    """Signals of every series in ``results``, raised in every month up to ``month``.

    ``baseline`` names the baseline period ``(from, to)`` (months, both included) for every
    series; ``None`` takes each series' first ``settings.baseline_months`` months. Results
    after ``month`` are ignored, so the answer for a month never depends on later data.
    ``survey_ratings`` (``SURVEY_RATING_SCHEMA``, one row per response) adds the rating
    distribution tests. Sorted by provider, month, severity (worst first), measure, params,
    rule.
    """
    period = _check_period(baseline)
    last = month_number(_check_month(month, "month")) if month is not None else None
    frame = _check_results(results, last)
    rows: list[dict] = []
    for chart in _charts(frame, period, settings):
        rows += chart_signals(chart)
    if survey_ratings is not None:
        provisional = _provisional_keys(frame)
        candidates = rating_tests.rating_candidates(
            rating_tests.check_ratings(survey_ratings), baseline=period, last=last,
            provisional=provisional, settings=settings)
        rows += [_rating_row(c) for c in rating_tests.discoveries(candidates, settings.fdr_q)]
    out = pl.DataFrame(rows, schema=SIGNAL_SCHEMA) if rows else \
        SIGNAL_SCHEMA.to_frame()
    return out.sort(["provider", "month", "severity", "measure", "params", "rule"],
                    descending=[False, False, True, False, False, False])


def latest_signals(signals: pl.DataFrame, month: str) -> pl.DataFrame:
    """The signals raised in ``month``: what is new or still going on that month, worst
    first. A shift that began earlier and goes on is raised again in ``month`` (its
    ``since`` says when it began), so nothing ongoing is missed."""
    _check_month(month, "month")
    missing = [c for c in SIGNAL_SCHEMA if c not in signals.columns]
    if missing:
        raise BadInput(f"signals lack column(s) {', '.join(missing)}: not a SIGNAL_SCHEMA frame")
    return signals.filter(pl.col("month") == month).sort(
        ["severity", "provider", "measure", "params", "rule"],
        descending=[True, False, False, False, False])


def signal_records(signals: pl.DataFrame) -> list[dict]:
    """Signals as JSON-ready records (the shape of ``steerco drift --format json``): one
    dict per row with exactly the ``SIGNAL_SCHEMA`` keys, ``params`` parsed into an object,
    plus ``measure_name``, ``unit`` and ``rule_description`` for readers. Numbers are
    floats or ``None``; nothing is NaN or infinite."""
    out = []
    for row in signals.select(SIGNAL_SCHEMA.names()).iter_rows(named=True):
        info = catalogue.measure(row["measure"])
        record = dict(row)
        record["params"] = json.loads(row["params"]) if row["params"] else {}
        for key in ("value", "center", "lcl", "ucl", "severity", "p_value"):
            v = record[key]
            record[key] = None if v is None or not math.isfinite(v) else float(v)
        record.update(measure_name=info.name, unit=info.unit,
                      rule_description=RULE_DESCRIPTIONS.get(row["rule"], row["rule"]))
        out.append(record)
    return out


def chart_for_series(results: pl.DataFrame, *, provider: str | None = None,
                     measure: str | None = None, params: str | None = None,
                     baseline: tuple[str, str] | None = None, month: str | None = None,
                     settings: DriftSettings = DEFAULT_SETTINGS) -> SeriesChart:
    """The judged chart of one series, for drawing. ``results`` may hold many series; the
    keys given select one (``NotFound`` if none, ``BadInput`` if several remain)."""
    period = _check_period(baseline)
    last = month_number(_check_month(month, "month")) if month is not None else None
    frame = _check_results(results, last)
    for key, wanted in zip(KEYS, (provider, measure, params)):
        if wanted is not None:
            frame = frame.filter(pl.col(key) == wanted)
    series = frame.select(KEYS).unique()
    if series.height == 0:
        raise NotFound("no results for that series (provider, measure, params)")
    if series.height > 1:
        raise BadInput(f"{series.height} series match; name provider, measure and params")
    return next(_charts(frame, period, settings))


def chart_signals(chart: SeriesChart) -> list[dict]:
    """The rows of ``SIGNAL_SCHEMA`` for one judged series."""
    rows = []
    for s in raise_signals(chart):
        worse = s.up == (chart.better == catalogue.LOWER)
        value, center = float(chart.values[s.i]), float(chart.center[s.i])
        lcl, ucl = float(chart.lcl[s.i]), float(chart.ucl[s.i])
        month, since = chart.months[s.i], chart.months[s.since]
        rows.append({
            "provider": chart.provider, "measure": chart.measure, "params": chart.params,
            "month": month, "rule": s.rule, "chart": chart.chart,
            "direction": "worse" if worse else "better", "since": since, "value": value,
            "center": center, "lcl": lcl, "ucl": ucl,
            "sentence": chart_sentence(rule=s.rule, measure=chart.measure, params=chart.params,
                                       month=month, since=since, length=s.length, up=s.up,
                                       worse=worse, value=value, center=center, lcl=lcl,
                                       ucl=ucl),
            "severity": s.severity, "p_value": None,
        })
    return rows


def _charts(frame: pl.DataFrame, period: tuple[str, str] | None, settings: DriftSettings):
    """One judged chart per series, in key order."""
    if frame.height == 0:
        return
    frame = frame.sort([*KEYS, "_k"])
    keys = frame.select(KEYS).rows()
    group = frame.select(pl.struct(KEYS).rle_id())["provider"].to_numpy()
    k = frame["_k"].to_numpy()
    value = frame["value"].fill_nan(None).to_numpy().astype(float)
    num = frame["numerator"].to_numpy().astype(float)
    den = frame["denominator"].to_numpy().astype(float)
    prov = frame["provisional"].fill_null(False).to_numpy().astype(bool)
    bounds = np.flatnonzero(np.concatenate(([True], np.diff(group) != 0)))
    ends = np.append(bounds[1:], len(keys))
    for lo, hi in zip(bounds, ends):
        first = int(k[lo])
        n = int(k[hi - 1]) - first + 1
        at = k[lo:hi] - first
        arrays = []
        for src, fill in ((value, np.nan), (num, np.nan), (den, np.nan), (prov, False)):
            a = np.full(n, fill, dtype=type(fill) if isinstance(fill, bool) else float)
            a[at] = src[lo:hi]
            arrays.append(a)
        provider, measure, params = keys[lo]
        yield build_chart(provider=provider, measure=measure, params=params, first=first,
                          values=arrays[0], numerators=arrays[1], denominators=arrays[2],
                          provisional=arrays[3], baseline=period, settings=settings)


def _rating_row(c: dict) -> dict:
    info = catalogue.measure(c["measure"])
    up = c["value"] > c["center"]
    worse = up == (info.better == catalogue.LOWER) if c["value"] != c["center"] else True
    return {
        "provider": c["provider"], "measure": c["measure"], "params": c["params"],
        "month": c["month"], "rule": c["rule"], "chart": "ratings",
        "direction": "worse" if worse else "better", "since": c["month"],
        "value": c["value"], "center": c["center"], "lcl": None, "ucl": None,
        "sentence": rating_sentence(rule=c["rule"], measure=c["measure"], params=c["params"],
                                    month=c["month"], up=up, worse=worse, value=c["value"],
                                    center=c["center"], responses=c["responses"],
                                    p_value=c["p_value"]),
        "severity": float(stats.norm.isf(max(c["p_value"], 1e-300) / 2)),
        "p_value": c["p_value"],
    }


def _provisional_keys(frame: pl.DataFrame) -> set[tuple[str, str, str, str]]:
    prov = frame.filter(pl.col("provisional").fill_null(False))
    return {tuple(r) for r in prov.select([*KEYS, "month"]).rows()}  # type: ignore[misc]


def _check_month(month: object, what: str) -> str:
    try:
        parse_month(month)
    except BadInput as exc:
        raise BadInput(f"{what}: {exc}") from None
    return month  # type: ignore[return-value]


def _check_period(baseline: object) -> tuple[str, str] | None:
    if baseline is None:
        return None
    if not isinstance(baseline, (tuple, list)) or len(baseline) != 2:
        raise BadInput(f"baseline must be a (from, to) pair of months, got {baseline!r}")
    lo, hi = (_check_month(m, "baseline") for m in baseline)
    if month_number(lo) > month_number(hi):
        raise BadInput(f"baseline starts after it ends: {lo} > {hi}")
    return lo, hi


def _check_results(results: pl.DataFrame, last: int | None) -> pl.DataFrame:
    """The columns the engine reads, checked, with ``_k`` the month number; rows after
    month number ``last`` dropped. Measures must be in the catalogue; one row per month."""
    if not isinstance(results, pl.DataFrame):
        raise BadInput("results must be a polars DataFrame in RESULT_SCHEMA")
    missing = [c for c in _NEEDED if c not in results.columns]
    if missing:
        raise BadInput(f"results lack column(s) {', '.join(missing)} of RESULT_SCHEMA")
    frame = results.select(_NEEDED)
    wanted = catalogue.RESULT_SCHEMA
    for c in _NEEDED:
        if frame.schema[c] != wanted[c] and not (frame.schema[c].is_numeric()
                                                 and wanted[c].is_numeric()):
            raise BadInput(f"results column {c} must be {wanted[c]}, not {frame.schema[c]}")
    frame = frame.cast({c: wanted[c] for c in _NEEDED})  # type: ignore[arg-type]
    for c in KEYS + ("month",):
        if frame[c].null_count():
            raise BadInput(f"results column {c} has empty values")
    bad = frame.filter(~pl.col("month").str.contains(_MONTH_RE))
    if bad.height:
        raise BadInput(f"results: not a month: {bad['month'][0]!r} (expected YYYY-MM)")
    unknown = set(frame["measure"].unique().to_list()) - set(catalogue.CATALOGUE)
    if unknown:
        catalogue.measure(sorted(unknown)[0], "results")
    frame = frame.with_columns(
        (pl.col("month").str.slice(0, 4).cast(pl.Int64) * 12
         + pl.col("month").str.slice(5, 2).cast(pl.Int64) - 1).alias("_k"))
    if last is not None:
        frame = frame.filter(pl.col("_k") <= last)
    dup = frame.filter(pl.struct([*KEYS, "month"]).is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise BadInput(f"results hold two rows for {r['provider']} · {r['measure']} "
                       f"{r['params']} in {r['month']}")
    return frame


__all__ = ["DEFAULT_SETTINGS", "chart_for_series", "chart_signals", "detect_drift",
           "latest_signals", "signal_records"]
