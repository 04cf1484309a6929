"""Attribute charts: p (and Laney p′) for proportions, c and u for counts.

The center is estimated from the baseline points only; every point is judged against it.
Limits are three sigma from the center, per point where the sizes vary; a lower limit never
goes below zero (and a p-chart's upper limit never above one). A point missing its count
or its size is skipped in estimation and never signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from scorecard.errors import BadInput
from scorecard.spc import _input
from scorecard.spc.individuals import D2
from scorecard.spc.result import Chart, beyond, frozen, level

ALPHA = 0.05
"""Significance level of the chi-square dispersion test behind :func:`overdispersion`."""


@dataclass(frozen=True, kw_only=True, eq=False)
class AttributeChart(Chart):
    """A p, Laney p′, c or u chart. ``sizes`` is ``None`` for a c chart.

    ``laney`` says whether Laney's p′ limits were used; ``sigma_z`` is then the ratio of the
    observed to the binomial variation that widened them (``None`` otherwise).
    """

    kind: Literal["p", "c", "u"]
    sizes: np.ndarray | None
    laney: bool = False
    sigma_z: float | None = None


@dataclass(frozen=True, kw_only=True)
class Overdispersion:
    """How far the baseline proportions vary beyond what the binomial allows.

    ``sigma_z`` is Laney's ratio (1 for binomial data); ``chi2`` with ``dof`` degrees of
    freedom is Pearson's dispersion statistic and ``p_value`` its upper tail.
    ``overdispersed`` is ``p_value < alpha``; ``use_laney`` is that and ``sigma_z > 1``.
    """

    sigma_z: float
    chi2: float
    dof: int
    p_value: float
    alpha: float
    overdispersed: bool
    use_laney: bool


def p_chart(defectives: ArrayLike, sizes: ArrayLike, *, baseline: _input.Baseline = None,
            laney: bool | Literal["auto"] = False) -> AttributeChart:
    """Proportion defective per point, limits p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ) from each point's size.

    ``laney=True`` multiplies the sigma by σz (Laney p′); ``laney="auto"`` does so when
    :func:`overdispersion` says ``use_laney`` (and uses plain p limits when σz cannot be
    estimated: p̄ of 0 or 1, or no two consecutive baseline points).
    """
    d, n, base = _proportions(defectives, sizes, baseline)
    pbar = d[base].sum() / n[base].sum()
    p = d / n
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    if laney == "auto":
        use_laney = _laney_possible(pbar, base) and _dispersion(d, n, pbar, base).use_laney
    elif isinstance(laney, bool):
        use_laney = laney
    else:
        raise BadInput(f"laney must be True, False or 'auto', got {laney!r}")
    sigma_z = None
    if use_laney:
        _require_laney_possible(pbar, base)
        sigma_z = _sigma_z((p - pbar) / sigma, base)
        sigma = sigma * sigma_z
    lcl = np.clip(pbar - 3 * sigma, 0.0, 1.0)
    ucl = np.clip(pbar + 3 * sigma, 0.0, 1.0)
    return AttributeChart(values=frozen(p), center=float(pbar), lcl=level(lcl), ucl=level(ucl),
                          sigma=level(sigma), **beyond(p, lcl, ucl), kind="p", sizes=frozen(n),
                          laney=use_laney, sigma_z=sigma_z)


def overdispersion(defectives: ArrayLike, sizes: ArrayLike, baseline: _input.Baseline = None,
                   *, alpha: float = ALPHA) -> Overdispersion:
    """Whether the baseline proportions call for Laney's p′ instead of a plain p chart.

    Rule: use p′ when Pearson's chi-square test of equal proportions across the baseline
    points rejects at ``alpha`` (binomial variation alone would rarely produce that much
    spread) *and* σz > 1 (the point-to-point variation, which a sustained shift inside the
    baseline does not inflate, is wider than binomial too).
    """
    alpha = _input.real(alpha, "alpha", positive=True, at_most=1.0)
    d, n, base = _proportions(defectives, sizes, baseline)
    pbar = d[base].sum() / n[base].sum()
    _require_laney_possible(pbar, base)
    return _dispersion(d, n, pbar, base, alpha=alpha)


def c_chart(counts: ArrayLike, *, baseline: _input.Baseline = None) -> AttributeChart:
    """Counts per point of equal opportunity: limits c̄ ± 3·sqrt(c̄)."""
    c = _input.series(counts, "counts")
    _input.nonnegative(c, "counts")
    _input.whole(c, "counts")
    base = _observed_baseline(baseline, ~np.isnan(c))
    cbar = float(c[base].mean())
    sigma = float(np.sqrt(cbar))
    lcl = max(0.0, cbar - 3 * sigma)
    ucl = cbar + 3 * sigma
    return AttributeChart(values=frozen(c), center=cbar, lcl=lcl, ucl=ucl, sigma=sigma,
                          **beyond(c, lcl, ucl), kind="c", sizes=None)


def u_chart(counts: ArrayLike, sizes: ArrayLike, *,
            baseline: _input.Baseline = None) -> AttributeChart:
    """Counts per unit of size (sizes may be fractional): limits ū ± 3·sqrt(ū/nᵢ)."""
    c = _input.series(counts, "counts")
    n = _input.series(sizes, "sizes")
    _input.same_length(counts=c, sizes=n)
    _input.nonnegative(c, "counts")
    _input.whole(c, "counts")
    _input.positive(n, "sizes")
    c, n, base = _pair_missing(c, n, baseline)
    ubar = c[base].sum() / n[base].sum()
    u = c / n
    sigma = np.sqrt(ubar / n)
    lcl = np.maximum(ubar - 3 * sigma, 0.0)
    ucl = ubar + 3 * sigma
    return AttributeChart(values=frozen(u), center=float(ubar), lcl=level(lcl), ucl=level(ucl),
                          sigma=level(sigma), **beyond(u, lcl, ucl), kind="u", sizes=frozen(n))


def _proportions(defectives: ArrayLike, sizes: ArrayLike,
                 baseline: _input.Baseline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = _input.series(defectives, "defectives")
    n = _input.series(sizes, "sizes")
    _input.same_length(defectives=d, sizes=n)
    _input.nonnegative(d, "defectives")
    _input.whole(d, "defectives")
    _input.positive(n, "sizes")
    _input.whole(n, "sizes")
    over = np.flatnonzero(d > n)
    if over.size:
        i = int(over[0])
        raise BadInput(f"defectives[{i}] is {d[i]:g}, more than sizes[{i}] = {n[i]:g}")
    return _pair_missing(d, n, baseline)


def _pair_missing(c: np.ndarray, n: np.ndarray,
                  baseline: _input.Baseline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A point missing either its count or its size is missing altogether."""
    observed = ~np.isnan(c) & ~np.isnan(n)
    c = np.where(observed, c, np.nan)
    return c, n, _observed_baseline(baseline, observed)


def _observed_baseline(baseline: _input.Baseline, observed: np.ndarray) -> np.ndarray:
    base = _input.baseline_mask(baseline, observed.size) & observed
    if not base.any():
        raise BadInput("the baseline has no observed points to estimate the center from")
    return base


def _laney_possible(pbar: float, base: np.ndarray) -> bool:
    return 0.0 < pbar < 1.0 and bool((base[1:] & base[:-1]).any())


def _require_laney_possible(pbar: float, base: np.ndarray) -> None:
    if not 0.0 < pbar < 1.0:
        raise BadInput("Laney's σz needs a baseline proportion strictly between 0 and 1, "
                       f"got {pbar:g}")
    if not (base[1:] & base[:-1]).any():
        raise BadInput("Laney's σz needs at least two consecutive observed baseline points")


def _sigma_z(z: np.ndarray, base: np.ndarray) -> float:
    """Mean moving range of the z-scores over consecutive baseline points, divided by d2."""
    pairs = base[1:] & base[:-1]
    return float(np.abs(np.diff(z))[pairs].mean() / D2)


def _dispersion(d: np.ndarray, n: np.ndarray, pbar: float, base: np.ndarray,
                *, alpha: float = ALPHA) -> Overdispersion:
    z = (d / n - pbar) / np.sqrt(pbar * (1 - pbar) / n)
    sigma_z = _sigma_z(z, base)
    chi2 = float(np.sum(z[base] ** 2))
    dof = int(base.sum()) - 1
    p_value = float(stats.chi2.sf(chi2, dof))
    overdispersed = p_value < alpha
    return Overdispersion(sigma_z=sigma_z, chi2=chi2, dof=dof, p_value=p_value, alpha=alpha,
                          overdispersed=overdispersed, use_laney=overdispersed and sigma_z > 1.0)
