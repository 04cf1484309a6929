"""Reading a parsed TOML document with every mistake collected and located.

:class:`Reader` is used by :mod:`scorecard.definition` and :mod:`scorecard.credits`: each
getter checks one value's type and range and returns it, or records a :class:`Problem`
(file, line, key path) and returns ``None``, so one pass over a file finds all its mistakes.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from scorecard.catalogue import CATALOGUE, PROPORTION, MeasureInfo
from scorecard.display import PERCENT_UNITS
from scorecard.errors import InvalidInput, Problem
from scorecard.facts import PRIORITIES
from scorecard.locate import Locator, Path, format_path
from scorecard.months import parse_month

_PERCENT = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*%\s*")


def kind_of(value: object) -> str:
    """The TOML name of a value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def percent_fraction(value: str) -> float | None:
    """``"95%"`` → 0.95 (exactly as the decimal 0.95 would parse); None if not a percentage."""
    m = _PERCENT.fullmatch(value)
    if m is None:
        return None
    try:
        return float(Decimal(m.group(1)) / 100)
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        return None


class Reader:
    """Collects located problems while reading one TOML text called ``source``."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.locator = Locator(text)
        self.problems: list[Problem] = []

    # ------------------------------------------------------------------ problems

    def line(self, path: Path) -> int | None:
        return self.locator.line_of(path)

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(message, source=self.source, row=self.line(path),
                                     column=format_path(path) or None))

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            n = len(self.problems)
            raise InvalidInput(f"{self.source}: {n} problem{'s' if n > 1 else ''} in {what}, "
                               "nothing was loaded", self.problems)

    # ------------------------------------------------------------------ structure

    def keys(self, table: Mapping, path: Path, known: Sequence[str],
             required: Sequence[str] = ()) -> None:
        """A problem for every unknown key and every missing required key of ``table``."""
        for key in table:
            if key not in known:
                self.add(path + (key,), f"unknown key {key!r} (known: {', '.join(known)})")
        for key in required:
            if key not in table:
                self.add(path + (key,), f"key {key!r} is required")

    def table(self, value: object, path: Path) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"expected a table, got {kind_of(value)}")
        return None

    def tables(self, value: object, path: Path, *, what: str) -> list[Mapping] | None:
        """An array of tables (``[[what]]``); each element must be a table."""
        if not isinstance(value, list):
            self.add(path, f"expected an array of tables ([[{what}]]), got {kind_of(value)}")
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.add(path + (i,), f"expected a table, got {kind_of(item)}")
                ok = False
        return value if ok else None

    # ------------------------------------------------------------------ scalars

    def text(self, value: object, path: Path) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, str):
            self.add(path, "must not be empty")
        else:
            self.add(path, f"expected text, got {kind_of(value)}")
        return None

    def choice(self, value: object, path: Path, choices: Sequence[str]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        self.add(path, f"expected one of {', '.join(repr(c) for c in choices)}, got {value!r}")
        return None

    def number(self, value: object, path: Path) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.add(path, f"expected a number, got {value!r}" if not isinstance(value, (Mapping, list))
                 else f"expected a number, got {kind_of(value)}")
        return None

    def positive(self, value: object, path: Path) -> float | None:
        x = self.number(value, path)
        if x is not None and x <= 0:
            self.add(path, f"must be greater than 0, got {value!r}")
            return None
        return x

    def whole(self, value: object, path: Path, low: int, high: int) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        self.add(path, f"expected a whole number from {low} to {high}, got {value!r}")
        return None

    def names(self, value: object, path: Path) -> tuple[str, ...] | None:
        """A list of distinct non-empty texts (may be empty)."""
        if not isinstance(value, list):
            self.add(path, f"expected a list of names, got {kind_of(value)}")
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.add(path + (i,), f"expected a name, got {item!r}")
                ok = False
            elif item in value[:i]:
                self.add(path + (i,), f"{item!r} is listed twice")
                ok = False
        return tuple(value) if ok else None

    def month(self, value: object, path: Path) -> str | None:
        try:
            parse_month(value)
        except Exception:  # BadInput; the message names the expected form
            self.add(path, f"not a month: {value!r} (expected YYYY-MM, e.g. 2026-03)")
            return None
        return value

    def fraction(self, value: object, path: Path) -> float | None:
        """A number or a percentage text: 0.95 or ``"95%"``."""
        if isinstance(value, str):
            x = percent_fraction(value)
            if x is None:
                self.add(path, f"not a percentage: {value!r} (write e.g. 0.95 or \"95%\")")
            return x
        return self.number(value, path)

    def target(self, value: object, path: Path, info: MeasureInfo) -> float | None:
        """A goal, red flag, stretch or credit threshold of measure ``info``.

        Percentages are accepted for measures shown as percentages; a proportion lies
        between 0 and 1 (0.95 or ``"95%"``, never 95).
        """
        if isinstance(value, str):
            if info.unit not in PERCENT_UNITS:
                self.add(path, f"{info.id} is measured in {info.unit}, not a percentage; "
                               f"write a number, got {value!r}")
                return None
            x = self.fraction(value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            x = self.number(value, path)
        else:
            accepted = "a number or a percentage such as \"95%\"" if info.unit in PERCENT_UNITS \
                else "a number"
            self.add(path, f"expected {accepted}, got {kind_of(value)}")
            return None
        if x is not None and info.kind == PROPORTION and not 0 <= x <= 1:
            whole = isinstance(value, (int, float)) and 1 < x <= 100
            hint = f" — did you mean \"{value}%\"?" if whole else ""
            self.add(path, f"{info.id} is a proportion between 0 and 1 (write 0.95 or \"95%\"), "
                           f"got {value!r}{hint}")
            return None
        return x

    # ------------------------------------------------------------------ measures

    def measure(self, value: object, path: Path) -> MeasureInfo | None:
        """A measure id of the catalogue (DESIGN.md §3)."""
        text = self.text(value, path)
        if text is None:
            return None
        info = CATALOGUE.get(text)
        if info is None:
            close = difflib.get_close_matches(text, list(CATALOGUE), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(path, f"unknown measure {text!r}{hint}")
        return info

    def params(self, value: object, path: Path, info: MeasureInfo) -> dict[str, str] | None:
        """A measure's parameters: only those the catalogue allows, each a text."""
        table = self.table(value, path)
        if table is None:
            return None
        ok = True
        for key, v in table.items():
            if key not in info.params:
                allowed = ", ".join(info.params) or "none"
                self.add(path + (key,), f"{info.id} takes no parameter {key!r} (allowed: {allowed})")
                ok = False
            elif not isinstance(v, str) or not v:
                self.add(path + (key,), f"expected text, got {v!r}")
                ok = False
            elif key == "priority" and v not in PRIORITIES:
                self.add(path + (key,), f"unknown priority {v!r} (known: {', '.join(PRIORITIES)})")
                ok = False
        return dict(table) if ok else None
