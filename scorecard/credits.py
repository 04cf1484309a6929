"""Service credits: rules in the scorecard that turn SLA misses into money (DESIGN.md §4).

A rule names a measure (with its parameters) and tiers; each month the measured value picks
the worst tier it has passed, whose percentage of the monthly fee is the credit. The month's
total is capped at ``cap_percent`` of the fee. Money is computed in ``Decimal`` and rounded
half-up to the cent; every line keeps its arithmetic as text::

    [credits]
    cap_percent = 15                     # of the monthly fee, over all rules; optional

    [[credits.rules]]
    measure = "sla.resolution_met"
    params  = { priority = "P1" }
    label   = "P1 resolution"            # optional
    tiers   = [ { below = "95%", percent = 5 }, { below = "90%", percent = 10 } ]

``below`` is for measures where higher is better, ``above`` for lower-is-better ones; both
are strict (95.0 % is not below 95 %). A worse threshold must give a larger percentage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from scorecard.catalogue import CATALOGUE, HIGHER, MeasureInfo, params_key
from scorecard.display import decimals_to_compare, measure_label, money, plain, threshold_text, value_text
from scorecard.errors import BadInput
from scorecard.locate import Path
from scorecard.reader import Reader

RULE_KEYS = ("measure", "params", "label", "tiers")
TIER_KEYS = ("below", "above", "percent")
_CENT = Decimal("0.01")


class _Result(Protocol):
    value: float | None
    provisional: bool


@dataclass(frozen=True)
class CreditTier:
    threshold: float
    percent: Decimal


@dataclass(frozen=True)
class CreditRule:
    measure: str
    params: Mapping[str, str]
    label: str
    side: str                       # "below" or "above"
    tiers: tuple[CreditTier, ...]   # mildest first; percentages rise
    line: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.measure, params_key(self.params)

    def tier_for(self, value: float) -> CreditTier | None:
        """The worst tier ``value`` has passed (strictly), or None."""
        passed = [t for t in self.tiers
                  if (value < t.threshold if self.side == "below" else value > t.threshold)]
        return passed[-1] if passed else None


@dataclass(frozen=True)
class CreditRules:
    rules: tuple[CreditRule, ...] = ()
    cap_percent: Decimal | None = None


@dataclass(frozen=True)
class CreditLine:
    rule: CreditRule
    value: float | None
    provisional: bool
    tier: CreditTier | None
    amount: Decimal
    text: str

    def to_dict(self) -> dict:
        return {"label": self.rule.label, "measure": self.rule.measure, "params": dict(self.rule.params),
                "value": self.value if self.value is None or math.isfinite(self.value) else None,
                "provisional": self.provisional,
                "threshold": None if self.tier is None else self.tier.threshold,
                "side": self.rule.side,
                "percent": None if self.tier is None else float(self.tier.percent),
                "amount": float(self.amount), "text": self.text}


@dataclass(frozen=True)
class CreditStatement:
    """A month's service credits: one line per rule, the total before and after the cap."""

    month: str | None
    currency: str | None
    monthly_fee: Decimal | None
    lines: tuple[CreditLine, ...] = ()
    subtotal: Decimal = Decimal(0)
    cap_percent: Decimal | None = None
    cap_amount: Decimal | None = None
    total: Decimal = Decimal(0)
    capped: bool = False
    provisional: bool = False
    text: str = ""

    def to_dict(self) -> dict:
        def num(d: Decimal | None) -> float | None:
            return None if d is None else float(d)
        return {"month": self.month, "currency": self.currency, "monthly_fee": num(self.monthly_fee),
                "lines": [line.to_dict() for line in self.lines], "subtotal": float(self.subtotal),
                "cap_percent": num(self.cap_percent), "cap_amount": num(self.cap_amount),
                "total": float(self.total), "capped": self.capped, "provisional": self.provisional,
                "text": self.text}


def _cents(d: Decimal) -> Decimal:
    return d.quantize(_CENT, rounding=ROUND_HALF_UP)


def _pct(d: Decimal) -> str:
    return f"{plain(d)} %"


def compute_credits(rules: CreditRules, results: Mapping[tuple[str, str], _Result | None], *,
                    monthly_fee: Decimal | None, currency: str | None,
                    month: str | None = None) -> CreditStatement:
    """The credits of one month from its results, keyed by (measure id, params key).

    A rule without a result earns nothing and says so. A provisional result gives a
    provisional line and total: the credit can still change.
    """
    if not rules.rules:
        return CreditStatement(month, currency, monthly_fee, text="No service-credit rules")
    if monthly_fee is None:
        raise BadInput("service credits need the monthly fee: set monthly_fee in [provider]")
    fee = Decimal(monthly_fee)
    fee_text = money(fee, currency)
    lines = []
    for rule in rules.rules:
        unit = CATALOGUE[rule.measure].unit
        result = results.get(rule.key)
        value = None if result is None else result.value
        provisional = bool(result is not None and result.provisional and value is not None)
        if value is None:
            lines.append(CreditLine(rule, None, False, None, Decimal(0),
                                    f"{rule.label}: no result this month, no credit"))
            continue
        tier = rule.tier_for(value)
        shown_at = (tier or rule.tiers[0]).threshold
        decimals = decimals_to_compare(shown_at, unit, value)
        shown = value_text(value, unit, currency=currency, decimals=decimals)
        limit = threshold_text(shown_at, unit, currency=currency)
        if tier is None:
            text, amount = f"{rule.label} {shown} is not {rule.side} {limit}: no credit", Decimal(0)
        else:
            amount = _cents(fee * tier.percent / 100)
            text = (f"{rule.label} {shown} is {rule.side} {limit}: {_pct(tier.percent)} of {fee_text} "
                    f"= {money(amount, currency)}")
        if provisional:
            text += " (provisional)"
        lines.append(CreditLine(rule, value, provisional, tier, amount, text))
    subtotal = sum((line.amount for line in lines), Decimal(0))
    total, cap_amount, capped = subtotal, None, False
    text = f"Total {money(subtotal, currency)}"
    if rules.cap_percent is not None:
        cap_amount = _cents(fee * rules.cap_percent / 100)
        cap_text = f"{_pct(rules.cap_percent)} of {fee_text} = {money(cap_amount, currency)}"
        if subtotal > cap_amount:
            total, capped = cap_amount, True
            text += f" is capped at {cap_text}"
        else:
            text += f" (cap {cap_text} not reached)"
    provisional = any(line.provisional for line in lines)
    if provisional:
        text += " (provisional)"
    return CreditStatement(month, currency, fee, tuple(lines), subtotal, rules.cap_percent, cap_amount,
                           total, capped, provisional, text)


# ---------------------------------------------------------------------- reading the TOML

def read_credits(reader: Reader, data: object, path: Path, *, has_fee: bool) -> CreditRules:
    """The ``[credits]`` table of a scorecard; problems go to ``reader``."""
    table = reader.table(data, path)
    if table is None:
        return CreditRules()
    reader.keys(table, path, ("cap_percent", "rules"))
    cap = None
    if "cap_percent" in table:
        cap = _percent(reader, table["cap_percent"], path + ("cap_percent",))
    rules: list[CreditRule] = []
    seen: dict[tuple[str, str], int | None] = {}
    items = reader.tables(table.get("rules", []), path + ("rules",), what="credits.rules") or []
    for i, item in enumerate(items):
        rule = _rule(reader, item, path + ("rules", i))
        if rule is None:
            continue
        if rule.key in seen:
            reader.add(path + ("rules", i, "measure"), f"a credit rule for {rule.measure} {rule.key[1]} "
                                                       f"is already given at line {seen[rule.key]}")
            continue
        seen[rule.key] = rule.line
        rules.append(rule)
    if items and not has_fee:
        reader.add(path, "service credits need the monthly fee: set monthly_fee in [provider]")
    return CreditRules(tuple(rules), cap)


def _percent(reader: Reader, value: object, path: Path) -> Decimal | None:
    """A percentage of the fee: 5 or "5%", more than 0 and at most 100."""
    if isinstance(value, str) and value.strip().endswith("%"):
        x = reader.fraction(value, path)
        d = None if x is None else Decimal(value.strip().rstrip("%").strip())
    else:
        x = reader.number(value, path)
        d = None if x is None else Decimal(str(value))
    if d is not None and not 0 < d <= 100:
        reader.add(path, "a percentage of the monthly fee must be more than 0 and at most 100, "
                         f"got {value!r}")
        return None
    return d


def _rule(reader: Reader, item: Mapping, path: Path) -> CreditRule | None:
    reader.keys(item, path, RULE_KEYS, required=("measure", "tiers"))
    info = reader.measure(item["measure"], path + ("measure",)) if "measure" in item else None
    if info is None:
        return None
    params = reader.params(item.get("params", {}), path + ("params",), info)
    label = item.get("label")
    if label is not None:
        label = reader.text(label, path + ("label",))
    side = "below" if info.better == HIGHER else "above"
    tiers = _tiers(reader, item.get("tiers"), path + ("tiers",), info, side) if "tiers" in item else None
    if params is None or tiers is None or ("label" in item and label is None):
        return None
    if label is None:
        label = measure_label(info.name, params)
    return CreditRule(info.id, params, label, side, tiers, reader.line(path))


def _tiers(reader: Reader, value: object, path: Path, info: MeasureInfo,
           side: str) -> tuple[CreditTier, ...] | None:
    if not isinstance(value, list) or not value:
        reader.add(path, "expected a list of tiers such as [{ below = \"95%\", percent = 5 }]")
        return None
    tiers = []
    ok = True
    for i, t in enumerate(value):
        tpath = path + (i,)
        if reader.table(t, tpath) is None:
            ok = False
            continue
        reader.keys(t, tpath, TIER_KEYS, required=("percent",))
        sides = [k for k in ("below", "above") if k in t]
        if len(sides) != 1:
            reader.add(tpath, "give exactly one of 'below' or 'above'")
            ok = False
            continue
        if sides[0] != side:
            better = "higher" if side == "below" else "lower"
            reader.add(tpath + (sides[0],), f"{info.id} is better {better}, so a credit applies "
                                            f"{side} a threshold: use {side!r}")
            ok = False
            continue
        threshold = reader.target(t[side], tpath + (side,), info)
        pct = _percent(reader, t["percent"], tpath + ("percent",)) if "percent" in t else None
        if threshold is None or pct is None:
            ok = False
            continue
        tiers.append((i, CreditTier(threshold, pct)))
    if not ok:
        return None
    # mildest first: for "below" the highest threshold is the mildest
    tiers.sort(key=lambda it: -it[1].threshold if side == "below" else it[1].threshold)
    for (_, a), (j, b) in zip(tiers, tiers[1:]):
        if a.threshold == b.threshold:
            shown = threshold_text(a.threshold, info.unit)
            reader.add(path + (j,), f"two tiers have the same threshold {shown}")
            return None
        if b.percent <= a.percent:
            ta, tb = threshold_text(a.threshold, info.unit), threshold_text(b.threshold, info.unit)
            reader.add(path + (j,), f"a worse value must give a larger credit: {side} {tb} gives "
                                    f"{_pct(b.percent)}, {side} {ta} gives {_pct(a.percent)}")
            return None
    return tuple(t for _, t in tiers)
