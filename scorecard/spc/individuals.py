"""The individuals and moving-range (XmR) chart, for one continuous value per point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from scorecard.errors import BadInput
from scorecard.spc import _input
from scorecard.spc.result import Chart, beyond, frozen

D2 = 1.128
"""d2 for n = 2: sigma is estimated as the mean moving range / d2."""

D4 = 3.267
"""D4 for n = 2: the moving-range chart's upper limit is D4 times the mean moving range."""


@dataclass(frozen=True, kw_only=True, eq=False)
class IndividualsChart(Chart):
    """An individuals chart with its moving-range chart.

    ``moving_ranges[i]`` is ``|x[i] - x[i-1]|`` (``NaN`` for the first point and next to a
    missing one); ``mr_center`` is the baseline's mean moving range, ``mr_lcl`` is 0 and
    ``mr_ucl`` is D4 times ``mr_center``; ``mr_signals`` are the moving ranges strictly
    above ``mr_ucl``.
    """

    moving_ranges: np.ndarray
    mr_center: float
    mr_lcl: float
    mr_ucl: float
    mr_signals: list[int]


def xmr_chart(values: ArrayLike, *, baseline: _input.Baseline = None) -> IndividualsChart:
    """Individuals chart: center x̄ and sigma MR̄/1.128 from the baseline, limits ±3 sigma.

    Moving ranges are taken between adjacent points only: a gap (a missing point, or a
    point outside a masked baseline) is not bridged. The baseline needs two consecutive
    observed points at least.
    """
    x = _input.series(values, "values")
    observed = ~np.isnan(x)
    base = _input.baseline_mask(baseline, x.size) & observed
    if base.sum() < 2:
        raise BadInput("an individuals chart needs at least two observed baseline points, "
                       f"got {int(base.sum())}")
    pairs = base[1:] & base[:-1]
    if not pairs.any():
        raise BadInput("an individuals chart needs two consecutive observed baseline points "
                       "to estimate sigma from a moving range")
    mr = np.concatenate(([np.nan], np.abs(np.diff(x))))
    mr_bar = float(mr[1:][pairs].mean())
    center = float(x[base].mean())
    sigma = mr_bar / D2
    lcl = center - 3 * sigma
    ucl = center + 3 * sigma
    mr_ucl = D4 * mr_bar
    return IndividualsChart(
        values=frozen(x), center=center, lcl=lcl, ucl=ucl, sigma=sigma, **beyond(x, lcl, ucl),
        moving_ranges=frozen(mr), mr_center=mr_bar, mr_lcl=0.0, mr_ucl=mr_ucl,
        mr_signals=[int(i) for i in np.flatnonzero(mr > mr_ucl)],
    )
