"""Numbers as people read them in scorecards, credits and reconciliations.

Proportions and ratios are fractions inside (0.95) and percentages outside ("95 %", with a
space, as everywhere in steerco); money carries its currency ("£4,000", "$1,250.50",
"CHF 900"); other units are named ("4.5 h", "50 min", "5.2 months").
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

PERCENT_UNITS = ("%", "ratio")  # stored as fractions, shown as percentages
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥"}
_SUFFIX = {"hours": " h", "minutes": " min", "months": " months", "tickets": " tickets",
           "outages": " outages"}


def plain(x: float | Decimal, decimals: int = 4) -> str:
    """A number with at most ``decimals`` decimals and no trailing zeros: 95, 99.5, 2.25."""
    text = f"{round(float(x), decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(fraction: float | Decimal, decimals: int | None = None) -> str:
    """0.95 → "95 %" (as few decimals as needed), or with exactly ``decimals`` decimals."""
    value = float(fraction) * 100
    text = plain(value) if decimals is None else f"{value:.{decimals}f}"
    return f"{text} %"


def money(amount: float | Decimal, currency: str | None) -> str:
    """4000 → "£4,000"; 4000.5 → "£4,000.50": whole amounts without pence."""
    d = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    d = abs(d)
    text = f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"
    symbol = SYMBOLS.get(currency or "")
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{currency} {text}" if currency else f"{sign}{text}"


def decimals_to_compare(threshold: float | None, unit: str, value: float | None = None) -> int:
    """Decimals for a measured value shown next to ``threshold``: one more than the threshold
    needs, at least one (88.0 % against 90 %, 99.85 % against 99.9 %), and more while the
    rounded value would look equal to a threshold it differs from (98.992 %, not 99.0 %)."""
    if threshold is None or not math.isfinite(threshold):
        return 1
    scale = 100 if unit in PERCENT_UNITS else 1
    decimals = max(1, len(plain(threshold * scale).partition(".")[2]) + 1)
    if value is not None and math.isfinite(value) and value != threshold:
        while decimals < 6 and round(value * scale, decimals) == round(threshold * scale, decimals):
            decimals += 1
    return decimals


def value_text(value: float | None, unit: str, *, currency: str | None = None,
               decimals: int | None = None) -> str:
    """A measured value in its unit; "no data" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit in PERCENT_UNITS:
        return percent(value, 1 if decimals is None else decimals)
    if unit == "money":
        return money(value, currency)
    if math.isinf(value):
        return "never" if unit == "months" and value > 0 else str(value)
    text = plain(value, 2) if decimals is None else f"{value:.{decimals}f}"
    return text + _SUFFIX.get(unit, "")


def threshold_text(value: float | None, unit: str, *, currency: str | None = None) -> str | None:
    """A goal, red flag or stretch: as few decimals as it was written with."""
    if value is None:
        return None
    if unit in PERCENT_UNITS:
        return percent(value)
    if unit == "money":
        return money(value, currency)
    return plain(value) + _SUFFIX.get(unit, "")


def measure_label(name: str, params: dict[str, str] | None) -> str:
    """A measure's default label: its catalogue name and parameter values,
    "Resolution SLA met (P1)", "Checks passed (backup)"."""
    return f"{name} ({', '.join(params.values())})" if params else name
