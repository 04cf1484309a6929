"""One measure series judged against its baseline: the chart that fits its kind.

``build_chart`` turns one series (months, values, numerators, denominators, provisional
flags) into a :class:`SeriesChart`: the chart's centre, limits and sigma per month, the
standardised values z = (value − centre) / sigma, and the tabular CUSUM and EWMA of z.
The drift signals and the dashboard's control chart are both drawn from it, so what the
page shows is what was judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from scorecard import catalogue, spc
from scorecard.drift.settings import ChartRules, DriftSettings
from scorecard.errors import BadInput
from scorecard.months import format_month, parse_month

P, P_LANEY, C, XMR = "p", "p_laney", "c", "xmr"
NEVER = float(np.finfo(float).max)
"""A CUSUM decision interval no sum reaches: the CUSUM is kept for its run starts only."""
MOVING_RANGE = frozenset({P_LANEY, XMR})
"""Charts whose sigma is estimated from the baseline's moving ranges (judged with
``DriftSettings.individuals``); p and c charts take sigma from the binomial or Poisson
model (``DriftSettings.attribute``)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class SeriesChart:
    """A measure series with its control chart; every array has one entry per month.

    ``months`` run without gaps from the series' first to its last month; a month without a
    value has ``NaN``. ``baseline`` marks the points that estimated the centre and sigma,
    ``monitored`` the points judged (usable points after the baseline's last month),
    ``provisional`` the points shown but never judged. ``chart`` is ``None`` and
    ``skip_reason`` says why when the series could not be judged; the levels are then those
    of the chart that was tried (NaN if none could be fitted), for display only.
    ``lcl`` and ``ucl`` are centre ± ``limit``·sigma (clipped to the possible range);
    ``cusum`` and ``ewma`` run on ``z`` (target 0, sigma 1, each month clipped to ±limit)
    over the monitored points. ``cusum`` is there even when its rule is off (its decision
    interval is then the largest float): its run starts date the onset of every shift.
    """

    provider: str
    measure: str
    params: str
    kind: str
    better: str
    chart: str | None
    skip_reason: str | None
    months: tuple[str, ...]
    values: np.ndarray
    center: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    sigma: np.ndarray
    z: np.ndarray
    baseline: np.ndarray
    monitored: np.ndarray
    provisional: np.ndarray
    baseline_period: tuple[str, str] | None
    sigma_z: float | None = None
    limit: float = 3.0
    rules: tuple[str, ...] = ()
    cusum: spc.Cusum | None = None
    ewma: spc.Ewma | None = None

    def frame(self) -> pl.DataFrame:
        """The chart as a frame: one row per month, for plotting and exports."""
        return pl.DataFrame({
            "month": list(self.months), "value": self.values, "center": self.center,
            "lcl": self.lcl, "ucl": self.ucl, "sigma": self.sigma, "z": self.z,
            "baseline": self.baseline, "monitored": self.monitored,
            "provisional": self.provisional,
        }, schema={"month": pl.String, "value": pl.Float64, "center": pl.Float64,
                   "lcl": pl.Float64, "ucl": pl.Float64, "sigma": pl.Float64, "z": pl.Float64,
                   "baseline": pl.Boolean, "monitored": pl.Boolean, "provisional": pl.Boolean},
        ).with_columns(pl.col("value", "center", "lcl", "ucl", "sigma", "z").fill_nan(None))


def month_number(month: str) -> int:
    y, m = parse_month(month)
    return y * 12 + m - 1


def month_name(number: int) -> str:
    return format_month(number // 12, number % 12 + 1)


def build_chart(*, provider: str, measure: str, params: str, first: int, values: np.ndarray,
                numerators: np.ndarray, denominators: np.ndarray, provisional: np.ndarray,
                baseline: tuple[str, str] | None, settings: DriftSettings) -> SeriesChart:
    """Judge one series whose point ``i`` is month number ``first + i`` (no gaps).

    Missing values are ``NaN``. ``baseline`` is a named ``(from, to)`` period or ``None``
    for the first ``settings.baseline_months`` months from the first usable point.
    """
    info = catalogue.measure(measure)
    n = values.size
    months = tuple(month_name(first + i) for i in range(n))
    observed = ~np.isnan(values)
    usable = observed & ~provisional
    base_window = _baseline_window(first, n, usable, baseline, settings)
    base = base_window & usable
    after = np.zeros(n, dtype=bool)
    if base_window.any():
        after[int(np.flatnonzero(base_window)[-1]) + 1:] = True
    nan = np.full(n, np.nan)
    skipped = dict(provider=provider, measure=measure, params=params, kind=info.kind,
                   better=info.better, chart=None, months=months, values=values.copy(),
                   center=nan, lcl=nan, ucl=nan, sigma=nan, z=nan, baseline=base,
                   monitored=np.zeros(n, dtype=bool), provisional=provisional.copy(),
                   baseline_period=_period(months, base_window))
    if int(base.sum()) < settings.min_baseline_points:
        return SeriesChart(**skipped, skip_reason=(
            f"the baseline has {int(base.sum())} usable months; "
            f"at least {settings.min_baseline_points} are needed"))
    try:
        chart, name, shown = _fit(info.kind, values, numerators, denominators, observed, base,
                                  settings)
    except BadInput as exc:
        return SeriesChart(**skipped, skip_reason=f"no chart fits the baseline: {exc}")
    family: ChartRules = settings.individuals if name in MOVING_RANGE else settings.attribute
    center, sigma = (np.broadcast_to(np.asarray(level, dtype=float), (n,)).copy()
                     for level in (chart.center, chart.sigma))
    lcl, ucl = _limits(name, center, sigma, family.limit)
    if not np.all(sigma[base] > 0):
        skipped.update(center=center, lcl=lcl, ucl=ucl, sigma=sigma, values=shown)
        return SeriesChart(**skipped, skip_reason=(
            "the baseline does not vary (every baseline month the same), so there is no "
            "usual range to judge a change against"))
    reason = _too_little_information(name, shown, center[0], denominators, base, settings)
    if reason:
        skipped.update(center=center, lcl=lcl, ucl=ucl, sigma=sigma, values=shown)
        return SeriesChart(**skipped, skip_reason=reason)
    monitored = usable & after
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (shown - center) / sigma
    # CUSUM and EWMA see each month at most `limit` sigmas away: a month beyond the limits is
    # reported by the limit rule, and its full size would keep them signalling for months.
    judged = np.clip(np.where(monitored, z, np.nan), -family.limit, family.limit)
    cusum = ewma = None
    if monitored.any():
        # always run, for the onset of a shift ("since"); it signals only with a cusum_h
        cusum = spc.cusum(judged, target=0.0, sigma=1.0, k=settings.cusum_k,
                          h=family.cusum_h if family.cusum_h is not None else NEVER)
    if monitored.any() and family.ewma_L is not None:
        ewma = spc.ewma(judged, target=0.0, sigma=1.0, lam=settings.ewma_lambda, L=family.ewma_L)
    return SeriesChart(
        provider=provider, measure=measure, params=params, kind=info.kind, better=info.better,
        chart=name, skip_reason=None, months=months, values=shown, center=center, lcl=lcl,
        ucl=ucl, sigma=sigma, z=z, baseline=base, monitored=monitored,
        provisional=provisional.copy(), baseline_period=_period(months, base_window),
        sigma_z=getattr(chart, "sigma_z", None), limit=family.limit, rules=family.rules,
        cusum=cusum, ewma=ewma)


def _limits(name: str, center: np.ndarray, sigma: np.ndarray,
            limit: float) -> tuple[np.ndarray, np.ndarray]:
    """centre ± limit·sigma; a proportion stays within [0, 1], a count at or above 0."""
    lcl, ucl = center - limit * sigma, center + limit * sigma
    if name in (P, P_LANEY):
        return np.clip(lcl, 0.0, 1.0), np.clip(ucl, 0.0, 1.0)
    if name == C:
        return np.maximum(lcl, 0.0), ucl
    return lcl, ucl


def _too_little_information(name: str, values: np.ndarray, center: float, sizes: np.ndarray,
                            base: np.ndarray, settings: DriftSettings) -> str | None:
    """Why the baseline cannot support the chart, or ``None``.

    A moving-range chart (XmR, p′) needs variation in most of its baseline: when more than
    half the baseline months have one same value (an availability of exactly 100%), the few
    that differ make a sigma that every later blip exceeds, and the series is really a count
    of rare events. A p or c chart needs enough
    events a month for its normal-approximation limits to mean what they say:
    ``settings.min_events`` expected events (and non-events, for p) per month on average.
    """
    if name in MOVING_RANGE:
        _, counts = np.unique(values[base], return_counts=True)
        if counts.max() * 2 > base.sum():
            return (f"{counts.max()} of {int(base.sum())} baseline months have exactly the same "
                    "value, so there is too little usual variation to judge a change against")
    if name == XMR:
        return None
    if name in (P, P_LANEY):
        expected = float(np.mean(sizes[base]) * min(center, 1 - center))
    else:
        expected = center
    if expected < settings.min_events:
        return (f"about {expected:.1f} events a month in the baseline; at least "
                f"{settings.min_events:g} are needed for the chart's limits to hold")
    return None


def _baseline_window(first: int, n: int, usable: np.ndarray, baseline: tuple[str, str] | None,
                     settings: DriftSettings) -> np.ndarray:
    numbers = first + np.arange(n)
    if baseline is not None:
        lo, hi = month_number(baseline[0]), month_number(baseline[1])
        return (numbers >= lo) & (numbers <= hi)
    if not usable.any():
        return np.zeros(n, dtype=bool)
    start = int(np.flatnonzero(usable)[0])
    window = np.zeros(n, dtype=bool)
    window[start:start + settings.baseline_months] = True
    return window


def _period(months: tuple[str, ...], window: np.ndarray) -> tuple[str, str] | None:
    idx = np.flatnonzero(window)
    return (months[idx[0]], months[idx[-1]]) if idx.size else None


def _fit(kind: str, values: np.ndarray, num: np.ndarray, den: np.ndarray, observed: np.ndarray,
         base: np.ndarray, settings: DriftSettings) -> tuple[spc.Chart, str, np.ndarray]:
    """The chart for the measure's kind, its name, and the values it plots."""
    if kind == catalogue.PROPORTION and _binomial(num, den, observed):
        d = np.where(observed, num, np.nan)
        chart = spc.p_chart(d, np.where(observed, den, 1.0), baseline=base, laney=settings.laney)
        return chart, P_LANEY if chart.laney else P, np.asarray(chart.values)
    if kind == catalogue.COUNT and _whole(values, observed):
        if not (settings.count_overdispersion and _poisson_overdispersed(values, base)):
            chart = spc.c_chart(values, baseline=base)
            return chart, C, values.copy()
    return spc.xmr_chart(values, baseline=base), XMR, values.copy()


def _binomial(num: np.ndarray, den: np.ndarray, observed: np.ndarray) -> bool:
    """Every observed point has whole numerator and denominator, 0 ≤ numerator ≤ denominator."""
    d, n = num[observed], den[observed]
    return bool(np.all(np.isfinite(d)) and np.all(np.isfinite(n)) and np.all(n > 0)
                and np.all(d >= 0) and np.all(d <= n) and np.all(d == np.floor(d))
                and np.all(n == np.floor(n)))


def _whole(values: np.ndarray, observed: np.ndarray) -> bool:
    v = values[observed]
    return bool(np.all(v >= 0) and np.all(v == np.floor(v)))


def _poisson_overdispersed(counts: np.ndarray, base: np.ndarray, alpha: float = 0.05) -> bool:
    """The rule of ``spc.overdispersion``, for counts: the dispersion test rejects Poisson
    variation at ``alpha`` and the moving-range sigma exceeds sqrt(c̄) (σz > 1). A c chart
    with Laney-style limits c̄ ± 3·σz·sqrt(c̄) is then the individuals chart of the counts."""
    c = counts[base]
    cbar = float(c.mean())
    pairs = base[1:] & base[:-1]
    if cbar <= 0 or not pairs.any():
        return False
    dispersion = float(np.sum((c - cbar) ** 2) / cbar)
    p_value = float(stats.chi2.sf(dispersion, c.size - 1))
    sigma_z = float(np.abs(np.diff(counts))[pairs].mean() / 1.128 / np.sqrt(cbar))
    return p_value < alpha and sigma_z > 1.0
