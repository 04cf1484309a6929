"""What every chart returns: the plotted statistic, its center line, limits and signals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Level = float | np.ndarray
"""A center, limit or sigma: one number for the whole chart, or one value per point."""


@dataclass(frozen=True, kw_only=True, eq=False)
class Chart:
    """A control chart, judged.

    ``values`` is the plotted statistic per point (``NaN`` for a missing point); ``center``,
    ``lcl``, ``ucl`` and ``sigma`` are scalars or arrays with one value per point. A point
    signals when it is strictly beyond a limit; ``signals`` lists those points (0-based,
    ascending), ``signals_up`` and ``signals_down`` split them by direction. Arrays are
    read-only.
    """

    values: np.ndarray
    center: Level
    lcl: Level
    ucl: Level
    sigma: Level
    signals: list[int]
    signals_up: list[int]
    signals_down: list[int]


def frozen(values: np.ndarray) -> np.ndarray:
    """A read-only copy, so a result can be shared without being changed under its owner."""
    out = np.array(values, copy=True)
    out.flags.writeable = False
    return out


def level(value: Level) -> Level:
    """A scalar as a Python float, an array as a read-only copy."""
    if np.ndim(value) == 0:
        return float(value)
    return frozen(np.asarray(value, dtype=float))


def beyond(values: np.ndarray, lcl: Level, ucl: Level) -> dict[str, list[int]]:
    """Points strictly above ``ucl`` or strictly below ``lcl``; ``NaN`` never signals."""
    up = np.flatnonzero(values > ucl)
    down = np.flatnonzero(values < lcl)
    return {
        "signals": sorted(int(i) for i in np.union1d(up, down)),
        "signals_up": [int(i) for i in up],
        "signals_down": [int(i) for i in down],
    }
