"""From a judged series to its signals: which rule fired, in which month, since when.

A signal is raised in the month of the point that completes its pattern; a sustained shift
therefore raises a signal again in every month it goes on (a run of nine raises N2 in its
ninth month, again in its tenth, …). ``since`` is the run's first point for the run rules
and the month itself for the limit rule; for CUSUM and EWMA it is re-estimated each month
as the most likely start of the shift (see ``_shift``). Rules run on the
standardised values z of the monitored points only, so a run never starts inside the
baseline, and a month without a usable value (missing or provisional) breaks runs. N1 and
WE1 signal a point beyond the chart's limits, at ``ChartRules.limit`` sigmas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scorecard import spc
from scorecard.drift.charts import SeriesChart
from scorecard.drift.settings import LIMIT_RULES

SIDE_RUNS = {"WE4": 8, "N2": 9}
K_OF_M = {"WE2": (2, 3, 2.0), "N5": (2, 3, 2.0), "WE3": (4, 5, 1.0), "N6": (4, 5, 1.0)}
TREND = {"N3": 6}


@dataclass(frozen=True)
class Raised:
    """One signal before it is put into words: point ``i`` raises ``rule`` upwards (``up``)
    for a shift that began at point ``since``; ``length`` is the run's number of months
    (points from ``since`` to ``i``) and ``severity`` the sigmas of evidence."""

    i: int
    rule: str
    up: bool
    since: int
    length: int
    severity: float


def raise_signals(chart: SeriesChart) -> list[Raised]:
    """Every signal of the chart's rules, CUSUM and EWMA, at every monitored point."""
    if chart.chart is None:
        return []
    z = np.where(chart.monitored, chart.z, np.nan)
    out: list[Raised] = []
    runs = [r for r in chart.rules if r not in LIMIT_RULES]
    fired = spc.run_rules(z, center=0.0, sigma=1.0, rules=runs) if runs else {}
    with np.errstate(invalid="ignore"):
        beyond = np.flatnonzero(np.abs(z) > chart.limit)
    for rule in (r for r in chart.rules if r in LIMIT_RULES):
        fired[rule] = [int(i) for i in beyond]
    for rule, points in fired.items():
        for i in points:
            up, since = _rule_start(rule, z, i)
            out.append(_raised(rule, z, i, up, since))
    if chart.cusum is not None:
        cu = chart.cusum
        for points, up in ((cu.signals_up, True), (cu.signals_down, False)):
            out += [_shift("CUSUM", z, i, up, chart) for i in points]
    if chart.ewma is not None:
        ew = chart.ewma
        out += [_shift("EWMA", z, i, bool(ew.z[i] > 0), chart) for i in ew.signals]
    return out


def _shift(rule: str, z: np.ndarray, i: int, up: bool, chart: SeriesChart) -> Raised:
    """A CUSUM or EWMA signal at ``i``, dated by the most likely start of a step change.

    The search runs over the current CUSUM run on the signalled side (from the period after
    that sum was last zero, Montgomery's onset) — or, when that sum is zero at ``i``, over
    the stretch in which the EWMA has stayed on that side — and picks the start t that
    maximises |z_t + … + z_i| / sqrt(months), the maximum-likelihood change point of a step
    in a normal mean (Pignatiello and Samuel, 2001). That maximum is the severity. The z
    here are not clipped: the clipping only keeps one extreme month from prolonging CUSUM
    and EWMA; when the change began is best told by the values themselves.
    """
    cu = chart.cusum
    lo = int((cu.upper_start if up else cu.lower_start)[i]) if cu is not None else -1
    if lo < 0:
        lo = _ewma_start(chart, i, up)
    window = z[lo:i + 1][::-1]
    seen = ~np.isnan(window)
    sums = np.cumsum(np.where(seen, window, 0.0)) * (1 if up else -1)
    counts = np.cumsum(seen)
    with np.errstate(divide="ignore", invalid="ignore"):
        evidence = np.where(seen & (counts > 0), sums / np.sqrt(counts), -np.inf)
    best = int(np.argmax(evidence))  # ties: the latest start
    return Raised(i=int(i), rule=rule, up=up, since=i - best, length=best + 1,
                  severity=float(max(evidence[best], 0.0)))


def _raised(rule: str, z: np.ndarray, i: int, up: bool, since: int) -> Raised:
    span = z[since:i + 1]
    span = span[~np.isnan(span)]
    evidence = abs(float(span.sum())) / np.sqrt(span.size) if span.size else 0.0
    return Raised(i=int(i), rule=rule, up=up, since=int(since), length=int(i - since + 1),
                  severity=float(evidence))


def _rule_start(rule: str, z: np.ndarray, i: int) -> tuple[bool, int]:
    """The direction of the pattern completed at ``i`` and its first point."""
    if rule in LIMIT_RULES:
        return bool(z[i] > 0), i
    if rule in SIDE_RUNS:
        up = bool(z[i] > 0)
        side = z > 0 if up else z < 0
        j = i
        while j > 0 and side[j - 1]:
            j -= 1
        return up, j
    if rule in K_OF_M:
        _, m, beyond = K_OF_M[rule]
        up = bool(z[i] > 0)
        lo = max(0, i - m + 1)
        window = z[lo:i + 1]
        hits = np.flatnonzero(window > beyond if up else window < -beyond)
        return up, lo + int(hits[0])
    if rule in TREND:
        step = np.sign(np.diff(z[: i + 1]))
        up = bool(step[-1] > 0)
        j = i
        while j > 0 and step[j - 1] == step[-1]:
            j -= 1
        return up, j
    raise AssertionError(f"no start known for rule {rule}")  # settings refuse other rules


def _ewma_start(chart: SeriesChart, i: int, up: bool) -> int:
    """The first point of the stretch, ending at ``i``, in which the EWMA has stayed on the
    signalled side of the centre (a month without a value does not end the stretch)."""
    ewma_z = np.asarray(chart.ewma.z) if chart.ewma is not None else np.full(i + 1, np.nan)
    j, start = i, i
    while j >= 0:
        v = ewma_z[j]
        if np.isnan(v):
            j -= 1
            continue
        if (v > 0) if up else (v < 0):
            start = j
            j -= 1
        else:
            break
    return start
