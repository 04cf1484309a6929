"""Argument checks shared by the charts.

Every bad argument raises :class:`~scorecard.errors.BadInput` with a message that names the
argument, the position (0-based) and the value. Missing points are ``None`` or ``NaN``;
infinities are refused, never coerced.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from scorecard.errors import BadInput

Baseline: TypeAlias = slice | Sequence[bool] | np.ndarray | None


def series(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a new 1-D float array; ``None`` and ``NaN`` become ``NaN`` (missing)."""
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{name} must be a one-dimensional sequence of numbers") from exc
    if raw.ndim != 1:
        raise BadInput(f"{name} must be a one-dimensional sequence of numbers, "
                       f"got shape {raw.shape}")
    if raw.size == 0:
        raise BadInput(f"{name} is empty: a chart needs at least one point")
    if raw.dtype.kind == "O":
        for i, v in enumerate(raw):
            if v is not None and (isinstance(v, bool) or not isinstance(v, Real)):
                raise BadInput(f"{name}[{i}] is {v!r}: expected a number or None")
    elif raw.dtype.kind not in "iuf":
        raise BadInput(f"{name} must hold numbers, got values of type {raw.dtype}")
    arr = raw.astype(float)
    infinite = np.flatnonzero(np.isinf(arr))
    if infinite.size:
        i = int(infinite[0])
        raise BadInput(f"{name}[{i}] is {arr[i]}: values must be finite "
                       "(use None or NaN for a gap)")
    return arr


def same_length(**arrays: np.ndarray) -> int:
    """The common length of the named arrays, or BadInput naming the lengths."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise BadInput(f"arguments must have one value per point: {shown}")
    return next(iter(lengths.values()))


def nonnegative(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        raise BadInput(f"{name}[{i}] is {arr[i]:g}: counts cannot be negative")


def positive(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        i = int(bad[0])
        raise BadInput(f"{name}[{i}] is {arr[i]:g}: sizes must be greater than zero")


def whole(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(np.isfinite(arr) & (arr != np.floor(arr)))
    if bad.size:
        i = int(bad[0])
        raise BadInput(f"{name}[{i}] is {arr[i]:g}: expected a whole number")


def baseline_mask(baseline: Baseline, n: int) -> np.ndarray:
    """The points that estimate the center and sigma: a slice, a boolean mask, or all."""
    if baseline is None:
        return np.ones(n, dtype=bool)
    if isinstance(baseline, slice):
        mask = np.zeros(n, dtype=bool)
        mask[baseline] = True
        return mask
    mask = np.asarray(baseline)
    if mask.dtype != bool:
        raise BadInput("baseline must be None, a slice, or a boolean mask with one entry per point")
    if mask.shape != (n,):
        raise BadInput(f"baseline mask has {mask.size} entries for {n} points")
    return mask.copy()


def real(value: object, name: str, *, positive: bool = False, nonnegative: bool = False,
         at_most: float | None = None) -> float:
    """A finite real scalar argument, with optional bounds."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise BadInput(f"{name} must be a number, got {value!r}")
    x = float(value)
    if not np.isfinite(x):
        raise BadInput(f"{name} must be finite, got {x}")
    if positive and x <= 0:
        raise BadInput(f"{name} must be greater than zero, got {x:g}")
    if nonnegative and x < 0:
        raise BadInput(f"{name} cannot be negative, got {x:g}")
    if at_most is not None and x > at_most:
        raise BadInput(f"{name} must be at most {at_most:g}, got {x:g}")
    return x


def per_point(value: object, n: int, name: str) -> float | np.ndarray:
    """A scalar, or one value per point (``NaN`` allowed: that point is not judged)."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return real(value, name)
    arr = series(value, name)  # type: ignore[arg-type]
    if arr.size != n:
        raise BadInput(f"{name} has {arr.size} values for {n} points")
    return arr
