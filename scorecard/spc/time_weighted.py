"""Time-weighted charts for small sustained shifts: tabular CUSUM and EWMA.

Both judge the values against a known ``target`` and process ``sigma`` (typically the
center and sigma of an individuals chart over the baseline). A missing value (``NaN``)
leaves the running statistic where it was, is shown as ``NaN`` and never signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from scorecard.errors import BadInput
from scorecard.spc import _input
from scorecard.spc.result import Chart, beyond, frozen


@dataclass(frozen=True, kw_only=True, eq=False)
class Cusum(Chart):
    """A tabular CUSUM (Montgomery §9.1).

    ``values`` are the data. ``upper`` (C+) and ``lower`` (C−) are both non-negative, in the
    data's units; a chart plots ``upper`` and ``-lower`` around ``center`` = 0 against
    ``ucl`` = H and ``lcl`` = −H, where H = ``decision_interval`` = h·σ and K = ``reference``
    = k·σ. ``upper_run[i]`` is Montgomery's N+ (consecutive observed periods with C+ > 0),
    ``upper_start[i]`` the first period of that run (−1 when C+ is 0); likewise for the
    lower side. ``signals_up`` are the points with C+ > H, ``signals_down`` those with C− > H.
    """

    target: float
    k: float
    h: float
    reference: float
    decision_interval: float
    upper: np.ndarray
    lower: np.ndarray
    upper_run: np.ndarray
    lower_run: np.ndarray
    upper_start: np.ndarray
    lower_start: np.ndarray

    def onset(self, i: int) -> int | None:
        """The first period of the shift signalled at ``i``: the one after the last zero.

        ``None`` when ``i`` does not signal. If both sums signal, the earlier start.
        """
        starts = [int(s[i]) for s, sig in ((self.upper_start, self.signals_up),
                                           (self.lower_start, self.signals_down)) if i in sig]
        return min(starts) if starts else None

    def shift_estimate(self, i: int) -> float | None:
        """Montgomery's estimate of the shifted mean at a signal: μ0 + K + C+/N+ (or below).

        ``None`` when ``i`` does not signal; if both sums signal, the side with the larger sum.
        """
        up = i in self.signals_up and (i not in self.signals_down or self.upper[i] >= self.lower[i])
        if up:
            return self.target + self.reference + float(self.upper[i]) / int(self.upper_run[i])
        if i in self.signals_down:
            return self.target - self.reference - float(self.lower[i]) / int(self.lower_run[i])
        return None


@dataclass(frozen=True, kw_only=True, eq=False)
class Ewma(Chart):
    """An EWMA chart. ``values`` are the data, ``z`` the EWMA statistic that is judged.

    ``lcl``/``ucl`` are per point: time-varying unless the chart was built with
    ``asymptotic=True``; ``asymptotic_lcl``/``asymptotic_ucl`` are the limits they approach.
    ``z_sigma`` is the standard deviation of ``z`` per point; ``sigma`` the process sigma.
    """

    z: np.ndarray
    lam: float
    L: float
    z_sigma: np.ndarray
    asymptotic: bool
    asymptotic_lcl: float
    asymptotic_ucl: float


def cusum(values: ArrayLike, *, target: float, sigma: float, k: float = 0.5,
          h: float = 5.0) -> Cusum:
    """Tabular CUSUM with reference value k·σ and decision interval h·σ.

    C+ᵢ = max(0, xᵢ − (target + kσ) + C+ᵢ₋₁), C−ᵢ = max(0, (target − kσ) − xᵢ + C−ᵢ₋₁),
    both starting at 0; point i signals when a sum strictly exceeds hσ.
    """
    x = _input.series(values, "values")
    target = _input.real(target, "target")
    sigma = _input.real(sigma, "sigma", positive=True)
    k = _input.real(k, "k", nonnegative=True)
    h = _input.real(h, "h", positive=True)
    ref, interval = k * sigma, h * sigma
    up = _one_sided(x - (target + ref))
    down = _one_sided((target - ref) - x)
    signals_up = [int(i) for i in np.flatnonzero(up[0] > interval)]
    signals_down = [int(i) for i in np.flatnonzero(down[0] > interval)]
    return Cusum(
        values=frozen(x), center=0.0, lcl=-interval, ucl=interval, sigma=sigma,
        signals=sorted(set(signals_up) | set(signals_down)), signals_up=signals_up,
        signals_down=signals_down,
        target=target, k=k, h=h, reference=ref, decision_interval=interval,
        upper=frozen(up[0]), lower=frozen(down[0]), upper_run=frozen(up[1]),
        lower_run=frozen(down[1]), upper_start=frozen(up[2]), lower_start=frozen(down[2]),
    )


def _one_sided(excess: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one-sided sums of ``excess`` (NaN = missing), their run lengths and run starts."""
    sums = np.full(excess.size, np.nan)
    runs = np.zeros(excess.size, dtype=int)
    starts = np.full(excess.size, -1, dtype=int)
    total, run, start = 0.0, 0, -1
    for i, e in enumerate(excess):  # a recursion: each sum depends on the one before
        if not np.isnan(e):
            total = max(0.0, e + total)
            if total > 0:
                run, start = run + 1, (start if run else i)
            else:
                run, start = 0, -1
            sums[i] = total
        runs[i], starts[i] = run, start
    return sums, runs, starts


def ewma(values: ArrayLike, *, target: float, sigma: float, lam: float = 0.2, L: float = 3.0,
         asymptotic: bool = False) -> Ewma:
    """EWMA chart: z₀ = target, zᵢ = λxᵢ + (1−λ)zᵢ₋₁.

    Limits are target ± Lσ·sqrt(λ/(2−λ)·(1−(1−λ)^(2i))), i counting the observed points so
    far, or the asymptotic target ± Lσ·sqrt(λ/(2−λ)) with ``asymptotic=True``. A point
    signals when z is strictly beyond its limits.
    """
    x = _input.series(values, "values")
    target = _input.real(target, "target")
    sigma = _input.real(sigma, "sigma", positive=True)
    lam = _input.real(lam, "lam", positive=True, at_most=1.0)
    L = _input.real(L, "L", positive=True)
    if not isinstance(asymptotic, bool):
        raise BadInput(f"asymptotic must be True or False, got {asymptotic!r}")
    z = np.full(x.size, np.nan)
    current = target
    for i, xi in enumerate(x):  # a recursion: each z depends on the one before
        if not np.isnan(xi):
            current = lam * xi + (1 - lam) * current
            z[i] = current
    steady = lam / (2 - lam)
    if asymptotic:
        z_sigma = np.full(x.size, sigma * np.sqrt(steady))
    else:
        count = np.cumsum(~np.isnan(x))
        z_sigma = sigma * np.sqrt(steady * (1 - (1 - lam) ** (2 * count)))
    lcl, ucl = target - L * z_sigma, target + L * z_sigma
    half_width = L * sigma * float(np.sqrt(steady))
    return Ewma(
        values=frozen(x), center=target, lcl=frozen(lcl), ucl=frozen(ucl), sigma=sigma,
        **beyond(z, lcl, ucl), z=frozen(z), lam=lam, L=L, z_sigma=frozen(z_sigma),
        asymptotic=asymptotic, asymptotic_lcl=target - half_width,
        asymptotic_ucl=target + half_width,
    )
