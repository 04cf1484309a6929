"""Survey rating distributions against their baseline, with false discoveries controlled.

For each survey series (provider, measure, params) and each month after its baseline, the
month's ratings are compared with all ratings of the baseline months by two tests:

- **MWU** — Mann–Whitney U, two-sided, normal approximation with tie correction and
  continuity correction (``scipy.stats.mannwhitneyu(..., method="asymptotic")``): did the
  ratings move up or down?
- **CHI2** — Pearson's chi-square test of homogeneity on the 2 × k table of rating counts
  (levels seen in either sample; no continuity correction): did the mix of ratings change,
  e.g. more 1s *and* more 5s?

Within each provider and month, the p-values of every test of every series form one family
and the Benjamini–Hochberg procedure keeps its false discovery rate at ``settings.fdr_q``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from scorecard.drift.charts import month_name, month_number
from scorecard.drift.settings import SURVEY_RATING_SCHEMA, DriftSettings
from scorecard.errors import BadInput


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray, q: float = 0.05) -> np.ndarray:
    """Which hypotheses the Benjamini–Hochberg step-up procedure rejects at level ``q``.

    With the m p-values sorted, p(1) ≤ … ≤ p(m), find the largest k with p(k) ≤ k·q/m and
    reject the k smallest. Returns a boolean array in the order given.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise BadInput("p-values must be a one-dimensional sequence of numbers in [0, 1]")
    m = p.size
    reject = np.zeros(m, dtype=bool)
    if m == 0:
        return reject
    order = np.argsort(p, kind="stable")
    below = p[order] <= q * np.arange(1, m + 1) / m
    if below.any():
        k = int(np.flatnonzero(below)[-1]) + 1
        reject[order[:k]] = True
    return reject


def bh_adjusted(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values): reject where adjusted ≤ q."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def rating_tests(month_ratings: np.ndarray, baseline_ratings: np.ndarray) -> dict[str, float]:
    """p-values of MWU and CHI2 for one month against its baseline (``{}`` when the two
    samples hold a single rating value between them: nothing can differ)."""
    x = np.asarray(month_ratings, dtype=float)
    y = np.asarray(baseline_ratings, dtype=float)
    levels = np.unique(np.concatenate([x, y]))
    if levels.size < 2:
        return {}
    mwu = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    table = np.array([[np.sum(x == v) for v in levels], [np.sum(y == v) for v in levels]])
    chi2 = stats.chi2_contingency(table, correction=False)
    return {"MWU": float(mwu.pvalue), "CHI2": float(chi2.pvalue)}


def check_ratings(ratings: pl.DataFrame) -> pl.DataFrame:
    """The survey ratings frame, checked against ``SURVEY_RATING_SCHEMA``."""
    missing = [c for c in SURVEY_RATING_SCHEMA if c not in ratings.columns]
    if missing:
        raise BadInput(f"survey_ratings lacks column(s) {', '.join(missing)}; expected "
                       f"{', '.join(SURVEY_RATING_SCHEMA)}")
    out = ratings.select(SURVEY_RATING_SCHEMA.names())
    for name, dtype in SURVEY_RATING_SCHEMA.items():
        if name == "rating":
            if not out.schema[name].is_integer():
                raise BadInput(f"survey_ratings column rating must hold whole numbers, "
                               f"not {out.schema[name]}")
        elif out.schema[name] != dtype:
            raise BadInput(f"survey_ratings column {name} must be {dtype}, not {out.schema[name]}")
    out = out.cast(SURVEY_RATING_SCHEMA)  # type: ignore[arg-type]
    nulls = [c for c in out.columns if out[c].null_count()]
    if nulls:
        raise BadInput(f"survey_ratings column {nulls[0]} has empty values")
    return out


def rating_candidates(ratings: pl.DataFrame, *, baseline: tuple[str, str] | None,
                      last: int | None, provisional: set[tuple[str, str, str, str]],
                      settings: DriftSettings) -> list[dict]:
    """Every (series, month) test with its p-value, before the false-discovery control."""
    out: list[dict] = []
    if ratings.height == 0:
        return out
    frame = ratings.with_columns(
        (pl.col("month").str.slice(0, 4).cast(pl.Int64) * 12
         + pl.col("month").str.slice(5, 2).cast(pl.Int64) - 1).alias("_k"))
    if last is not None:
        frame = frame.filter(pl.col("_k") <= last)
    for (provider, measure, params), part in frame.sort("_k").group_by(
            ["provider", "measure", "params"], maintain_order=True):
        k = part["_k"].to_numpy()
        r = part["rating"].to_numpy()
        final = np.array([(provider, measure, params, month_name(int(m))) not in provisional
                          for m in k])
        if baseline is not None:
            lo, hi = month_number(baseline[0]), month_number(baseline[1])
        else:
            if not final.any():
                continue
            lo = int(k[final][0])
            hi = lo + settings.baseline_months - 1
        base = (k >= lo) & (k <= hi) & final
        if base.sum() < settings.survey_min_baseline:
            continue
        y = r[base]
        for month in np.unique(k[(k > hi) & final]):
            x = r[k == month]
            if x.size < settings.survey_min_month:
                continue
            tests = rating_tests(x, y)
            for rule in settings.survey_tests:
                if rule in tests:
                    out.append({"provider": provider, "measure": measure, "params": params,
                                "month": month_name(int(month)), "rule": rule,
                                "p_value": tests[rule], "value": float(x.mean()),
                                "center": float(y.mean()), "responses": int(x.size)})
    return out


def discoveries(candidates: list[dict], q: float) -> list[dict]:
    """The candidates Benjamini–Hochberg rejects, family by family (provider and month)."""
    families: dict[tuple[str, str], list[dict]] = {}
    for c in candidates:
        families.setdefault((c["provider"], c["month"]), []).append(c)
    kept: list[dict] = []
    for family in families.values():
        reject = benjamini_hochberg([c["p_value"] for c in family], q)
        kept += [c for c, r in zip(family, reject) if r]
    return kept
