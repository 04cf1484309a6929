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


# ---------------------------------------------------------------------- reported figures as given

@dataclass(frozen=True)
class ReportedFigure:
    """One provider-reported figure, checked: the measure's catalogue id, its canonical
    parameters (``params_key``), the month and the value in the measure's stored units."""

    measure: str
    params: str
    month: str
    value: float
    note: str = ""


REPORTED_COLUMNS = ("measure", "params", "month", "value", "note")
MAX_NOTE = 2000


def read_reported(rows: list[dict], *, source: str, first_row: int = 2) -> list[ReportedFigure]:
    """Check provider-reported figures given as rows of text (a CSV file, a form).

    Columns: ``measure`` (a catalogue id), ``params`` (optional: JSON such as
    ``{"priority": "P1"}`` or ``priority=P1;category=Email``), ``month`` (YYYY-MM), ``value``
    (in the measure's units; for percentages ``96.5%`` or ``0.965``), ``note`` (optional).
    Every problem is collected with its row and column; InvalidInput if there is any, so
    nothing is kept of a file with one bad row. Row numbers count the header as row 1; a row
    may carry its own number as ``_row`` (its line in the file).
    """
    from scorecard.catalogue import CATALOGUE, params_key
    from scorecard.errors import InvalidInput, Problem
    from scorecard.months import parse_month

    problems: list[Problem] = []
    figures: dict[tuple[str, str, str], tuple[int, ReportedFigure]] = {}

    def bad(row: int, column: str | None, value: object, message: str) -> None:
        problems.append(Problem(message, source=source, row=row, column=column, value=value))

    if not rows:
        raise InvalidInput(f"{source}: no reported figures", [Problem("the file has no rows under its header",
                                                                      source=source)])
    unknown = sorted(set(rows[0]) - set(REPORTED_COLUMNS) - {"_row"})
    missing = [c for c in ("measure", "month", "value") if c not in rows[0]]
    if missing or unknown:
        detail = (f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}" if missing else
                  f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
        raise InvalidInput(f"{source}: {detail}", [Problem(
            f"{detail}; the columns are {', '.join(REPORTED_COLUMNS)} (params and note optional)", source=source)])
    for n, raw in enumerate(rows, start=first_row):
        i = raw.get("_row") or n
        measure = str(raw.get("measure") or "").strip()
        info = CATALOGUE.get(measure)
        if info is None:
            bad(i, "measure", measure, "not a measure of the catalogue (see `steerco measures`)" if measure
                else "a measure is required")
        params = _reported_params(str(raw.get("params") or "").strip())
        if isinstance(params, str):
            bad(i, "params", raw.get("params"), params)
            params = None
        elif info is not None:
            extra = sorted(set(params) - set(info.params))
            if extra:
                bad(i, "params", raw.get("params"),
                    f"{info.id} takes no parameter {', '.join(extra)} (allowed: {', '.join(info.params) or 'none'})")
                params = None
        month = str(raw.get("month") or "").strip()
        try:
            parse_month(month)
        except Exception as exc:  # noqa: BLE001 - reported as a problem of this cell
            bad(i, "month", month, str(exc).split(" (")[0])
            month = None
        value = _reported_value(str(raw.get("value") or "").strip(), info)
        if isinstance(value, str):
            bad(i, "value", raw.get("value"), value)
            value = None
        note = str(raw.get("note") or "").strip()
        if len(note) > MAX_NOTE:
            bad(i, "note", note[:40] + "…", f"a note is at most {MAX_NOTE:,} characters")
        if info is None or params is None or month is None or value is None:
            continue
        figure = ReportedFigure(info.id, params_key(params), month, value, note[:MAX_NOTE])
        key = (figure.measure, figure.params, figure.month)
        if key in figures and figures[key][1].value != figure.value:
            bad(i, "value", raw.get("value"), f"row {figures[key][0]} reports {figures[key][1].value:g} for the "
                f"same measure, parameters and month")
        figures.setdefault(key, (i, figure))
    if problems:
        raise InvalidInput(f"{source}: {len(problems)} problem{'s' if len(problems) > 1 else ''}; nothing was "
                           "recorded", problems)
    return [f for _row, f in figures.values()]


def _reported_params(text: str) -> dict[str, str] | str:
    """``{"priority":"P1"}`` or ``priority=P1;category=Email`` → a dict; a message if neither."""
    import json

    if not text or text == "{}":
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return 'not valid JSON: write it as {"priority": "P1"} or priority=P1'
        if not isinstance(data, dict) or not all(isinstance(v, (str, int, float)) for v in data.values()):
            return 'parameters are names with text values, e.g. {"priority": "P1"}'
        return {str(k): str(v) for k, v in data.items()}
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, eq, value = part.partition("=")
        if not eq or not name.strip() or not value.strip():
            return 'write parameters as priority=P1;category=Email or as JSON {"priority": "P1"}'
        out[name.strip()] = value.strip()
    return out


def _reported_value(text: str, info: MeasureInfo | None) -> float | str:
    """The value in the measure's stored units, or a message."""
    import math

    if not text:
        return "a value is required"
    percent_given = text.endswith("%")
    number = text[:-1].strip() if percent_given else text
    try:
        value = float(number.replace(",", "")) if number.count(",") and number.count(".") else float(number)
    except ValueError:
        return "not a number"
    if not math.isfinite(value):
        return "not a finite number"
    if info is None:
        return value
    if info.unit in PERCENT_UNITS:
        if percent_given:
            value /= 100
        if info.kind == PROPORTION and not 0 <= value <= 1:
            return "a proportion lies between 0 and 1 (or 0% and 100%)"
    elif percent_given:
        return f"{info.id} is measured in {info.unit}, not as a percentage"
    return value
