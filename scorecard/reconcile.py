"""Provider-reported values next to measured ones (DESIGN.md §4).

A provider may report its own figure for a measure. The difference from the measured value
is flagged when it is beyond a tolerance: **absolute** for proportions (0.01 = one
percentage point) and scores (NPS points), **relative** for everything else (0.05 = 5 % of
the measured value). "Beyond" is strictly more than the tolerance. Defaults come from the
scorecard's ``[reconciliation]`` table, a measure may set its own ``tolerance``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.catalogue import PROPORTION, SCORE, MeasureInfo
from scorecard.display import PERCENT_UNITS, percent, plain, value_text
from scorecard.locate import Path
from scorecard.reader import Reader

_EPS = 1e-9  # float noise: 0.96 − 0.95 is 0.010000000000000009, which is not beyond 0.01
KEYS = ("proportion_tolerance", "score_tolerance", "relative_tolerance")


@dataclass(frozen=True)
class Tolerance:
    """How far a reported value may be from the measured one: ``amount`` in the measure's
    units (``relative=False``) or as a fraction of the measured value (``relative=True``)."""

    amount: float
    relative: bool = False

    def text(self, unit: str) -> str:
        if self.relative:
            return percent(self.amount)
        return _points(self.amount, unit)


@dataclass(frozen=True)
class ToleranceDefaults:
    """The scorecard's default tolerances by kind of measure."""

    proportion: float = 0.01
    score: float = 5.0
    relative: float = 0.05

    def for_measure(self, info: MeasureInfo, override: float | None = None) -> Tolerance:
        """The tolerance of measure ``info``; ``override`` is the measure's own amount."""
        if info.kind == PROPORTION:
            return Tolerance(self.proportion if override is None else override)
        if info.kind == SCORE:
            return Tolerance(self.score if override is None else override)
        return Tolerance(self.relative if override is None else override, relative=True)


@dataclass(frozen=True)
class Reconciliation:
    """``difference`` is reported − measured in the measure's units (``relative_difference``
    that divided by the measured value); ``flagged`` when beyond the tolerance."""

    measured: float | None
    reported: float
    difference: float | None
    relative_difference: float | None
    tolerance: Tolerance
    flagged: bool
    text: str

    def to_dict(self) -> dict:
        return {"reported": self.reported, "measured": self.measured, "difference": self.difference,
                "relative_difference": self.relative_difference, "tolerance": self.tolerance.amount,
                "tolerance_relative": self.tolerance.relative, "flagged": self.flagged, "text": self.text}


def _points(amount: float, unit: str) -> str:
    text = plain(abs(amount * 100 if unit in PERCENT_UNITS else amount), 2)
    return f"{text} point{'' if text == '1' else 's'}"


def reconcile(measured: float | None, reported: float, tolerance: Tolerance, *,
              unit: str = "", currency: str | None = None) -> Reconciliation:
    """Compare a provider-reported value with the measured one.

    Nothing measured: not flagged, no difference (there is nothing to disagree with). A
    relative tolerance against a measured 0: any non-zero report is beyond it.
    """
    shown_r = value_text(reported, unit, currency=currency)
    if measured is None:
        return Reconciliation(None, reported, None, None, tolerance, False,
                              f"reported {shown_r}; nothing measured to compare")
    shown_m = value_text(measured, unit, currency=currency)
    diff = reported - measured
    rel = diff / abs(measured) if measured else (0.0 if diff == 0 else None)
    if tolerance.relative:
        size = abs(rel) if rel is not None else float("inf")
        flagged = size - tolerance.amount > _EPS
        gap = percent(size, 1) if rel is not None else ""
    else:
        flagged = abs(diff) - tolerance.amount > _EPS
        gap = _points(diff, unit) if unit in PERCENT_UNITS or unit == "score" else \
            value_text(abs(diff), unit, currency=currency)
    if diff == 0:
        return Reconciliation(measured, reported, 0.0, 0.0, tolerance, False,
                              f"reported {shown_r}, measured {shown_m}: the same")
    way = f"{gap} higher" if diff > 0 else f"{gap} lower"
    verdict = "beyond" if flagged else "within"
    return Reconciliation(
        measured, reported, diff, rel, tolerance, flagged,
        f"reported {shown_r}, measured {shown_m}: {way.strip()}, {verdict} the tolerance of "
        f"{tolerance.text(unit)}")


def read_defaults(reader: Reader, data: object, path: Path) -> ToleranceDefaults:
    """The ``[reconciliation]`` table: ``proportion_tolerance`` (absolute, default 0.01),
    ``score_tolerance`` (absolute points, default 5), ``relative_tolerance`` (default 0.05)."""
    table = reader.table(data, path)
    if table is None:
        return ToleranceDefaults()
    reader.keys(table, path, KEYS)
    values: dict[str, float] = {}
    for key, field in zip(KEYS, ("proportion", "score", "relative")):
        if key in table:
            x = reader.fraction(table[key], path + (key,))
            if x is not None and x < 0:
                reader.add(path + (key,), f"must not be negative, got {table[key]!r}")
            elif x is not None:
                values[field] = x
    return ToleranceDefaults(**values)


def read_override(reader: Reader, value: object, path: Path) -> float | None:
    """A measure's own ``tolerance``: a number or a percentage, not negative."""
    x = reader.fraction(value, path)
    if x is not None and x < 0:
        reader.add(path, f"must not be negative, got {value!r}")
        return None
    return x
