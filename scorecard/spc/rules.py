"""Run rules: Western Electric 1–4 and Nelson 1–8, on zones of one, two and three sigma.

Each point is measured in sigmas from the center, z = (x − center) / sigma, with center
and sigma scalars or one value per point (attribute charts have zones per point). "Beyond
kσ" is strictly beyond (|z| > k), "within 1σ" is the rest (|z| ≤ 1), and a side is
strictly above or strictly below the center: a point on the center line breaks a run.
A missing point (``NaN`` value, center or sigma) satisfies no condition and breaks runs.

A rule reports the points that complete its pattern: the last point of each window that
satisfies it. For the k-of-m rules (WE2, WE3, N5, N6) the completing point is itself one of
the k, since a window that ends on an unremarkable point adds nothing to the one before;
near the start a window may be shorter than m, provided k of its points qualify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from numpy.typing import ArrayLike

from scorecard.errors import BadInput
from scorecard.spc import _input

WESTERN_ELECTRIC = ("WE1", "WE2", "WE3", "WE4")
NELSON = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
CONSERVATIVE = ("N1", "N2")
"""For attribute charts: beyond the limits, and nine in a row on one side. Their skewed,
discrete distributions make the zone rules' false-alarm rates unreliable."""

PRESETS = {"western_electric": WESTERN_ELECTRIC, "nelson": NELSON, "conservative": CONSERVATIVE}

Rules = str | Iterable[str]


def run_rules(values: ArrayLike, *, center: float | ArrayLike, sigma: float | ArrayLike,
              rules: Rules = WESTERN_ELECTRIC) -> dict[str, list[int]]:
    """The 0-based points completing each requested rule's pattern, by rule name.

    ``rules`` is an iterable of names ("WE1"…"WE4", "N1"…"N8"), one name, or a preset name
    ("western_electric", "nelson", "conservative"). Every requested rule has an entry.
    """
    x = _input.series(values, "values")
    c = _input.per_point(center, x.size, "center")
    s = _input.per_point(sigma, x.size, "sigma")
    if np.any(np.asarray(s) < 0):
        raise BadInput("sigma cannot be negative")
    z = _sigmas(x - c, np.broadcast_to(s, x.shape))
    return {name: [int(i) for i in np.flatnonzero(_RULES[name](z))] for name in _names(rules)}


def _sigmas(d: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Deviations in sigmas; with sigma 0 any deviation is infinitely many sigmas."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = d / s
    return np.where((s == 0) & (d == 0), 0.0, z)


def _names(rules: Rules) -> list[str]:
    if isinstance(rules, str):
        rules = PRESETS.get(rules.lower(), (rules,))
    names = list(dict.fromkeys(rules))
    unknown = [n for n in names if n not in _RULES]
    if unknown:
        raise BadInput(f"unknown run rule {unknown[0]!r}; known rules are {', '.join(_RULES)} "
                       f"and presets {', '.join(PRESETS)}")
    return names


def _run_length(flags: np.ndarray) -> np.ndarray:
    """How many consecutive True values end at each position (0 where False)."""
    idx = np.arange(flags.size)
    last_false = np.maximum.accumulate(np.where(flags, -1, idx))
    return idx - last_false


def _window_count(flags: np.ndarray, m: int) -> np.ndarray:
    """How many of the last ``m`` positions (fewer at the start) are True, at each position."""
    total = np.concatenate(([0], np.cumsum(flags)))
    idx = np.arange(1, flags.size + 1)
    return total[idx] - total[np.maximum(idx - m, 0)]


def _k_of_m(z: np.ndarray, k: int, m: int, beyond: float) -> np.ndarray:
    """k of the last m points beyond ``beyond`` sigmas on one side, ending on one of them."""
    above, below = z > beyond, z < -beyond
    return ((above & (_window_count(above, m) >= k))
            | (below & (_window_count(below, m) >= k)))


def _one_side(z: np.ndarray, run: int) -> np.ndarray:
    return (_run_length(z > 0) >= run) | (_run_length(z < 0) >= run)


def _steps(z: np.ndarray) -> np.ndarray:
    """Sign of each step from the previous point: +1 up, −1 down, 0 flat or missing."""
    with np.errstate(invalid="ignore"):
        step = np.sign(np.diff(z))
    return np.concatenate(([0.0], np.nan_to_num(step, nan=0.0)))


def _trend(z: np.ndarray, points: int) -> np.ndarray:
    step = _steps(z)
    return (_run_length(step > 0) >= points - 1) | (_run_length(step < 0) >= points - 1)


def _alternating(z: np.ndarray, points: int) -> np.ndarray:
    step = _steps(z)
    flips = np.concatenate(([False], step[1:] * step[:-1] < 0))
    return _run_length(flips) >= points - 2


def _within(z: np.ndarray, points: int) -> np.ndarray:
    return _run_length(np.abs(z) <= 1) >= points


def _outside_c(z: np.ndarray, points: int) -> np.ndarray:
    return _run_length(np.abs(z) > 1) >= points


_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "WE1": lambda z: np.abs(z) > 3,
    "WE2": lambda z: _k_of_m(z, 2, 3, 2),
    "WE3": lambda z: _k_of_m(z, 4, 5, 1),
    "WE4": lambda z: _one_side(z, 8),
    "N1": lambda z: np.abs(z) > 3,
    "N2": lambda z: _one_side(z, 9),
    "N3": lambda z: _trend(z, 6),
    "N4": lambda z: _alternating(z, 14),
    "N5": lambda z: _k_of_m(z, 2, 3, 2),
    "N6": lambda z: _k_of_m(z, 4, 5, 1),
    "N7": lambda z: _within(z, 15),
    "N8": lambda z: _outside_c(z, 8),
}
