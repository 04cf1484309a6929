"""What changed between two versions of a provider's scorecard, in words people agree on.

``compare_scorecards(old, new)`` lists, section by section, what a new version adds, removes
and changes: provider settings, calendars, SLA policies, services, service-credit rules, and
the tree — perspectives, objectives and measures (goal, red flag, stretch, weight, direction,
parameters, label, tolerance, and where the measure sits). Values are written as the
scorecard pages write them (``scorecard.display``): "95 %", "£4,000", "4.5 h".

A measure is the same measure in both versions when its id and parameters are; a measure of
the same id whose parameters changed within the same objective is reported as one change of
its parameters rather than a removal and an addition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from scorecard.calendars import ALWAYS, BusinessCalendar
from scorecard.catalogue import CATALOGUE
from scorecard.credits import CreditRule
from scorecard.definition import MeasureSpec, Scorecard
from scorecard.display import money, percent, plain, threshold_text
from scorecard.sla import SlaPolicy

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# The sections of a comparison, in the order people read them.
SECTIONS = ("setting", "calendar", "SLA policy", "service", "credit rule", "perspective", "objective", "measure")
SEP = " › "


@dataclass(frozen=True)
class FieldChange:
    """One property of a thing: its text before and after (None where the thing did not exist)."""

    name: str
    before: str | None
    after: str | None

    def text(self) -> str:
        if self.before is None:
            return f"{self.name} {self.after}"
        if self.after is None:
            return f"{self.name} was {self.before}"
        return f"{self.name} {self.before} → {self.after}"


@dataclass(frozen=True)
class Change:
    """A thing of section ``what`` that was added, removed or changed."""

    what: str
    kind: str
    name: str
    where: str = ""
    fields: tuple[FieldChange, ...] = ()

    def text(self) -> str:
        head = f"{self.kind.capitalize()} {self.what} {self.name!r}" + (f" in {self.where}" if self.where else "")
        return head + (": " + "; ".join(f.text() for f in self.fields) if self.fields else "")


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, what: str) -> list[Change]:
        return [c for c in self.changes if c.what == what]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per section present, how many were added, removed and changed."""
        out: dict[str, dict[str, int]] = {}
        for c in self.changes:
            out.setdefault(c.what, {ADDED: 0, REMOVED: 0, CHANGED: 0})[c.kind] += 1
        return out

    def summary(self) -> str:
        """E.g. "1 setting changed; 2 measures added, 1 measure removed"."""
        if not self.changes:
            return "no difference in what the scorecard defines"
        parts = []
        for what, n in self.counts().items():
            told = [f"{count} {_plural(what, count)} {kind}" for kind, count in n.items() if count]
            parts.append(", ".join(told))
        return "; ".join(parts)

    def lines(self) -> list[str]:
        return [c.text() for c in self.changes]


def _plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def compare_scorecards(old: Scorecard, new: Scorecard) -> Comparison:
    """Everything ``new`` adds, removes or changes relative to ``old``, section by section."""
    changes: list[Change] = []
    changes += _settings(old, new)
    changes += _keyed("calendar", old.calendars, new.calendars, _calendar_fields)
    changes += _keyed("SLA policy", _policies(old), _policies(new), _policy_fields)
    changes += _keyed("service", old.services, new.services, _service_fields)
    changes += _keyed("credit rule", {_rule_name(r): r for r in old.credits.rules},
                      {_rule_name(r): r for r in new.credits.rules},
                      lambda a, b: _rule_fields(a, b, old.provider.currency, new.provider.currency))
    changes += _tree(old, new)
    return Comparison(tuple(changes))


# ---------------------------------------------------------------------- generic

def _diff(pairs: Iterable[tuple[str, str | None, str | None]]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(name, a, b) for name, a, b in pairs if a != b)


def _keyed(what: str, old: Mapping, new: Mapping, describe) -> list[Change]:
    """Things identified by name: removed (in old order), then added and changed (in new order)."""
    out = [Change(what, REMOVED, name, fields=describe(old[name], None)) for name in old if name not in new]
    for name in new:
        if name not in old:
            out.append(Change(what, ADDED, name, fields=describe(None, new[name])))
        else:
            fields_ = describe(old[name], new[name])
            if fields_:
                out.append(Change(what, CHANGED, name, fields=fields_))
    return out


def _both(a, b, name: str, text) -> tuple[str, str | None, str | None]:
    return name, None if a is None else text(a), None if b is None else text(b)


# ---------------------------------------------------------------------- settings

def _settings(old: Scorecard, new: Scorecard) -> list[Change]:
    def fee(card: Scorecard) -> str:
        return "none" if card.provider.monthly_fee is None else money(card.provider.monthly_fee, card.provider.currency)

    def baseline(card: Scorecard) -> str:
        return "the first twelve months" if card.baseline is None else f"{card.baseline[0]} to {card.baseline[1]}"

    def names(values: Iterable[str]) -> str:
        return ", ".join(sorted(values)) or "none"

    rows = [
        ("provider.name", old.provider.name, new.provider.name),
        ("provider.kind", old.provider.kind, new.provider.kind),
        ("provider.timezone", old.provider.timezone, new.provider.timezone),
        ("provider.currency", old.provider.currency, new.provider.currency),
        ("provider.monthly_fee", fee(old), fee(new)),
        ("provider.budget_year_start", str(old.provider.budget_year_start), str(new.provider.budget_year_start)),
        ("categories.duplicate", names(old.duplicate_categories), names(new.duplicate_categories)),
        ("categories.how_to", names(old.how_to_categories), names(new.how_to_categories)),
        ("drift.baseline", baseline(old), baseline(new)),
    ]
    rows += [(f"windows.{f.name}", f"{getattr(old.windows, f.name)} days", f"{getattr(new.windows, f.name)} days")
             for f in fields(old.windows)]
    rows += [("reconciliation.proportion_tolerance", percent(old.tolerances.proportion),
              percent(new.tolerances.proportion)),
             ("reconciliation.score_tolerance", plain(old.tolerances.score), plain(new.tolerances.score)),
             ("reconciliation.relative_tolerance", percent(old.tolerances.relative), percent(new.tolerances.relative)),
             ("credits.cap_percent", _cap(old), _cap(new))]
    return [Change("setting", CHANGED, name, fields=(FieldChange("value", a, b),)) for name, a, b in rows if a != b]


def _cap(card: Scorecard) -> str:
    cap = card.credits.cap_percent
    return "no cap" if cap is None else f"{plain(cap)} % of the monthly fee"


# ---------------------------------------------------------------------- calendars, policies, services

def _hours_text(cal: BusinessCalendar) -> str:
    """The calendar's working days, hours and time zone, without its holidays."""
    text = cal.describe()
    n = len(cal.holidays)
    suffix = f", {n} holiday{'s' if n > 1 else ''}" if n else ""
    return text[: len(text) - len(suffix)]


def _calendar_fields(a: BusinessCalendar | None, b: BusinessCalendar | None) -> tuple[FieldChange, ...]:
    if a is None or b is None:
        cal = a or b
        text = cal.describe()
        return (FieldChange("hours", text if a else None, text if b else None),)
    rows = [("hours", _hours_text(a), _hours_text(b))]
    if a.holidays != b.holidays:
        added = sorted(b.holidays - a.holidays)
        removed = sorted(a.holidays - b.holidays)
        what = "; ".join(part for part in (
            "added " + ", ".join(d.isoformat() for d in added) if added else "",
            "removed " + ", ".join(d.isoformat() for d in removed) if removed else "") if part)
        rows.append(("holidays", _count(len(a.holidays), "holiday"), f"{_count(len(b.holidays), 'holiday')} ({what})"))
    return _diff(rows)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _policies(card: Scorecard) -> dict[str, SlaPolicy]:
    return {p.name: p for p in card.policies.policies} if card.policies else {}


def _policy_fields(a: SlaPolicy | None, b: SlaPolicy | None) -> tuple[FieldChange, ...]:
    def listed(values: tuple[str, ...]) -> str:
        return ", ".join(values) or "any"

    def target(d) -> str:
        return "none" if d is None else str(d)

    return _diff([
        _both(a, b, "priorities", lambda p: listed(p.priorities)),
        _both(a, b, "categories", lambda p: listed(p.categories)),
        _both(a, b, "response", lambda p: target(p.response)),
        _both(a, b, "resolution", lambda p: target(p.resolution)),
        _both(a, b, "calendar", lambda p: p.calendar),
    ])


def _service_fields(a, b) -> tuple[FieldChange, ...]:
    return _diff([
        _both(a, b, "calendar", lambda s: s.calendar or ALWAYS),
        _both(a, b, "target", lambda s: "none" if s.target is None else percent(s.target)),
    ])


# ---------------------------------------------------------------------- credits

def _rule_name(rule: CreditRule) -> str:
    """A rule is identified by the measure (and parameters) it applies to."""
    return _measure_name(rule.measure, rule.params)


def _tiers_text(rule: CreditRule, currency: str) -> str:
    unit = CATALOGUE[rule.measure].unit
    return "; ".join(f"{rule.side} {threshold_text(t.threshold, unit, currency=currency)}: {plain(t.percent)} %"
                     for t in rule.tiers)


def _rule_fields(a: CreditRule | None, b: CreditRule | None, cur_a: str, cur_b: str) -> tuple[FieldChange, ...]:
    return _diff([
        _both(a, b, "label", lambda r: r.label),
        ("tiers", None if a is None else _tiers_text(a, cur_a), None if b is None else _tiers_text(b, cur_b)),
    ])


# ---------------------------------------------------------------------- the tree

def _measure_name(measure: str, params: Mapping[str, str]) -> str:
    shown = ", ".join(f"{k} = {v}" for k, v in params.items())
    return f"{measure} ({shown})" if shown else measure


def _params_text(params: Mapping[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in params.items()) or "none"


def _measure_fields(a: MeasureSpec | None, b: MeasureSpec | None, places: tuple[str | None, str | None],
                    currencies: tuple[str, str]) -> tuple[FieldChange, ...]:
    def target(key: str):
        def text(m: MeasureSpec) -> str:
            value = getattr(m, key)
            currency = currencies[0] if m is a else currencies[1]
            return "none" if value is None else threshold_text(value, m.info.unit, currency=currency)
        return text

    rows = [
        _both(a, b, "parameters", lambda m: _params_text(m.params)),
        _both(a, b, "label", lambda m: m.label),
        _both(a, b, "goal", target("goal")),
        _both(a, b, "red flag", target("red_flag")),
        _both(a, b, "stretch", target("stretch")),
        _both(a, b, "weight", lambda m: plain(m.weight)),
        _both(a, b, "direction", lambda m: f"{m.direction} is better"),
        _both(a, b, "tolerance", lambda m: m.tolerance.text(m.info.unit)),
        ("place", places[0], places[1]),
    ]
    if a is None or b is None:  # an added or removed measure: its targets, and a direction only if unusual
        m = a or b
        keep = {"goal", "red flag", "weight"} | ({"stretch"} if m.stretch is not None else set()) \
            | ({"direction"} if m.direction != m.info.better else set())
        rows = [r for r in rows if r[0] in keep]
    return _diff(rows)


def _tree(old: Scorecard, new: Scorecard) -> list[Change]:
    out: list[Change] = []
    out += _keyed("perspective", {p.name: p for p in old.perspectives}, {p.name: p for p in new.perspectives},
                  lambda a, b: _diff([_both(a, b, "weight", lambda p: plain(p.weight)),
                                      _both(a, b, "objectives", lambda p: str(len(p.objectives)))]
                                     if a is None or b is None else
                                     [("weight", plain(a.weight), plain(b.weight))]))

    def objectives(card: Scorecard) -> dict[str, object]:
        return {f"{p.name}{SEP}{o.name}": o for p in card.perspectives for o in p.objectives}

    for change in _keyed("objective", objectives(old), objectives(new),
                         lambda a, b: _diff([_both(a, b, "weight", lambda o: plain(o.weight)),
                                             _both(a, b, "measures", lambda o: str(len(o.measures)))]
                                            if a is None or b is None else
                                            [("weight", plain(a.weight), plain(b.weight))])):
        where, _, name = change.name.rpartition(SEP)
        out.append(Change(change.what, change.kind, name, where, change.fields))
    out += _measures(old, new)
    return out


def _measures(old: Scorecard, new: Scorecard) -> list[Change]:
    currencies = (old.provider.currency, new.provider.currency)
    before = {m.key: (m, f"{p.name}{SEP}{o.name}") for p, o, m in old.measures()}
    after = {m.key: (m, f"{p.name}{SEP}{o.name}") for p, o, m in new.measures()}
    gone = [k for k in before if k not in after]
    came = [k for k in after if k not in before]
    # the same measure in the same objective with other parameters: one change, in file order
    paired: dict[tuple[str, str], tuple[str, str]] = {}
    for k in came:
        m, place = after[k]
        for g in gone:
            if g not in paired.values() and before[g][0].measure == m.measure and before[g][1] == place:
                paired[k] = g
                break
    out = [Change("measure", REMOVED, before[g][0].label, before[g][1],
                  _measure_fields(before[g][0], None, (before[g][1], None), currencies))
           for g in gone if g not in paired.values()]
    for k, (m, place) in after.items():
        if k in before or k in paired:
            old_m, old_place = before[paired.get(k, k)]
            fields_ = _measure_fields(old_m, m, (old_place, place), currencies)
            if fields_:
                out.append(Change("measure", CHANGED, m.label, place, fields_))
        else:
            out.append(Change("measure", ADDED, m.label, place, _measure_fields(None, m, (None, place), currencies)))
    return out
