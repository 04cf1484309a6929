"""The settings sections of a scorecard file, read with every mistake located.

``[provider]``, ``[calendars.*]``, ``[sla.policies.*]``, ``[services.*]``, ``[categories]``,
``[drift]`` and ``[windows]``; the tree is read in :mod:`scorecard.definition`, credits in
:mod:`scorecard.credits`. Calendars and SLA policies are built by their own modules
(docs/calendars.md); their messages are kept and located at the key they name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scorecard.calendars import ALWAYS, BusinessCalendar
from scorecard.context import ServiceSpec
from scorecard.errors import BadInput
from scorecard.locate import Path
from scorecard.months import check_timezone
from scorecard.reader import Reader
from scorecard.sla import CLOCKS, SlaPolicy, SlaPolicySet

KINDS = ("it", "legal")
PROVIDER_KEYS = ("name", "kind", "timezone", "currency", "monthly_fee", "budget_year_start")
SERVICE_KEYS = ("calendar", "target")
CATEGORY_KEYS = ("duplicate", "how_to")
DRIFT_KEYS = ("baseline",)
_KEY_IN_MESSAGE = re.compile(r"key '([^']+)'")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    kind: str                      # "it" or "legal"
    timezone: str                  # IANA name: months and clocks are in this zone
    currency: str                  # ISO 4217 code, e.g. "GBP"
    monthly_fee: Decimal | None = None   # the base of service credits
    budget_year_start: int = 1     # month (1–12) in which the budget year starts


@dataclass(frozen=True)
class Windows:
    """Measure windows, in days (the defaults of :class:`scorecard.context.MeasureContext`)."""

    backlog_age_days: int = 30
    repeat_window_days: int = 30
    reopen_window_days: int = 14
    survey_window_days: int = 14
    project_tolerance_days: int = 30


WINDOW_KEYS = tuple(Windows.__dataclass_fields__)


def _located(reader: Reader, base: Path, exc: BadInput) -> None:
    """A calendar's or policy's own message, at the key it names (or the whole table)."""
    m = _KEY_IN_MESSAGE.search(str(exc))
    path = base + tuple(m.group(1).split(".")) if m else base
    reader.add(path, str(exc))


def read_provider(reader: Reader, data: object, path: Path = ("provider",)) -> ProviderSettings | None:
    table = reader.table(data, path)
    if table is None:
        return None
    reader.keys(table, path, PROVIDER_KEYS, required=("name", "kind", "timezone", "currency"))
    name = reader.text(table["name"], path + ("name",)) if "name" in table else None
    kind = reader.choice(table["kind"], path + ("kind",), KINDS) if "kind" in table else None
    tz = None
    if "timezone" in table:
        try:
            tz = check_timezone(table["timezone"], "timezone")
        except BadInput as exc:
            reader.add(path + ("timezone",), str(exc).removeprefix("timezone: "))
    currency = None
    if "currency" in table:
        value = table["currency"]
        if isinstance(value, str) and _CURRENCY.fullmatch(value):
            currency = value
        else:
            reader.add(path + ("currency",),
                       f"expected a three-letter currency code such as 'GBP', got {value!r}")
    fee = None
    if "monthly_fee" in table:
        x = reader.positive(table["monthly_fee"], path + ("monthly_fee",))
        fee = None if x is None else Decimal(str(table["monthly_fee"]))
    start = 1
    if "budget_year_start" in table:
        start = reader.whole(table["budget_year_start"], path + ("budget_year_start",), 1, 12)
    if None in (name, kind, tz, currency, start) or ("monthly_fee" in table and fee is None):
        return None
    return ProviderSettings(name, kind, tz, currency, fee, start)


def read_calendars(reader: Reader, data: object, path: Path = ("calendars",)) -> dict[str, BusinessCalendar]:
    table = reader.table(data, path)
    out: dict[str, BusinessCalendar] = {}
    for name, cal in (table or {}).items():
        try:
            out[name] = BusinessCalendar.from_dict(name, cal)
        except BadInput as exc:
            _located(reader, path + (name,), exc)
    return out


def read_policies(reader: Reader, data: object, calendars: Mapping[str, BusinessCalendar],
                  failed_calendars: set[str], path: Path = ("sla",)) -> SlaPolicySet | None:
    """``[sla.policies.NAME]`` tables (or ``[[sla.policies]]`` with a ``name`` each)."""
    table = reader.table(data, path)
    if table is None:
        return None
    reader.keys(table, path, ("policies",), required=("policies",))
    if "policies" not in table:
        return None
    ppath = path + ("policies",)
    raw = table["policies"]
    items: list[tuple[str, Mapping, Path]] = []
    if isinstance(raw, Mapping):
        items = [(name, body, ppath + (name,)) for name, body in raw.items()]
    elif isinstance(raw, list):
        seen: dict[str, int | None] = {}
        for i, body in enumerate(reader.tables(raw, ppath, what="sla.policies") or []):
            if "name" not in body:
                reader.add(ppath + (i, "name"), "key 'name' is required")
                continue
            name = reader.text(body["name"], ppath + (i, "name"))
            if name is None:
                continue
            if name in seen:
                reader.add(ppath + (i, "name"),
                           f"SLA policy name {name!r} is used twice (first at line {seen[name]})")
                continue
            seen[name] = reader.line(ppath + (i,))
            items.append((name, {k: v for k, v in body.items() if k != "name"}, ppath + (i,)))
    else:
        reader.add(ppath, "expected a table of SLA policies such as [sla.policies.P1]")
        return None
    if not raw:
        reader.add(ppath, "no SLA policy given; give at least one, or leave out [sla]")
        return None
    policies = []
    for name, body, where in items:
        try:
            policy = SlaPolicy.from_dict(name, body)
        except BadInput as exc:
            _located(reader, where, exc)
            continue
        if _policy_calendar_ok(reader, policy, calendars, failed_calendars, where):
            policies.append(policy)
    if len(policies) < len(items):
        return None
    try:
        return SlaPolicySet(tuple(policies))
    except BadInput as exc:
        reader.add(ppath, str(exc))
        return None


def _policy_calendar_ok(reader: Reader, policy: SlaPolicy, calendars: Mapping[str, BusinessCalendar],
                        failed: set[str], where: Path) -> bool:
    if policy.calendar in failed:  # already reported at the calendar
        return False
    cal = calendars.get(policy.calendar)
    if cal is None and policy.calendar != ALWAYS:
        known = ", ".join(sorted(set(calendars) | failed | {ALWAYS}))
        reader.add(where + ("calendar",), f"SLA policy {policy.name!r}: unknown calendar "
                                          f"{policy.calendar!r} (known: {known})")
        return False
    ok = True
    for clock in CLOCKS:
        target = policy.target(clock)
        if target is not None and cal is not None:
            try:
                target.seconds_on(cal, f"SLA policy {policy.name!r}: key {clock!r}")
            except BadInput as exc:
                reader.add(where + (clock,), str(exc))
                ok = False
    return ok


def read_services(reader: Reader, data: object, calendars: Mapping[str, BusinessCalendar],
                  failed_calendars: set[str], path: Path = ("services",)) -> dict[str, ServiceSpec]:
    """``[services.NAME]``: ``calendar`` (a calendar name or "24x7", the default) and
    ``target`` (availability, 0.999 or "99.9%")."""
    table = reader.table(data, path)
    out: dict[str, ServiceSpec] = {}
    for name, body in (table or {}).items():
        where = path + (name,)
        if reader.table(body, where) is None:
            continue
        reader.keys(body, where, SERVICE_KEYS)
        calendar: str | None = None
        ok = True
        if "calendar" in body:
            calendar = reader.text(body["calendar"], where + ("calendar",))
            if calendar is None or calendar in failed_calendars:
                ok = False
            elif calendar not in calendars and calendar != ALWAYS:
                known = ", ".join(sorted(set(calendars) | failed_calendars | {ALWAYS}))
                reader.add(where + ("calendar",),
                           f"service {name!r}: unknown calendar {calendar!r} (known: {known})")
                ok = False
            elif calendar == ALWAYS and ALWAYS not in calendars:
                calendar = None  # the built-in round-the-clock hours
        target = None
        if "target" in body:
            target = reader.fraction(body["target"], where + ("target",))
            if target is not None and not 0 < target <= 1:
                reader.add(where + ("target",), "an availability target lies between 0 and 1 "
                                                f"(write 0.999 or \"99.9%\"), got {body['target']!r}")
                target = None
            ok = ok and target is not None
        if ok:
            out[name] = ServiceSpec(calendar=calendar, target=target)
    return out


def read_categories(reader: Reader, data: object,
                    path: Path = ("categories",)) -> tuple[frozenset[str], frozenset[str]]:
    """``duplicate`` and ``how_to``: ticket categories counted by demand.duplicate_share and
    demand.how_to_share (defaults ["Duplicate"] and ["How-to"])."""
    table = reader.table(data, path) or {}
    reader.keys(table, path, CATEGORY_KEYS)
    out = []
    for key, default in zip(CATEGORY_KEYS, ({"Duplicate"}, {"How-to"})):
        names = reader.names(table[key], path + (key,)) if key in table else tuple(default)
        out.append(frozenset(names or ()))
    return out[0], out[1]


def read_drift(reader: Reader, data: object, path: Path = ("drift",)) -> tuple[str, str] | None:
    """``baseline = { from = "YYYY-MM", to = "YYYY-MM" }`` (optional; default: the first twelve months)."""
    table = reader.table(data, path) or {}
    reader.keys(table, path, DRIFT_KEYS)
    if "baseline" not in table:
        return None
    bpath = path + ("baseline",)
    base = reader.table(table["baseline"], bpath)
    if base is None:
        return None
    reader.keys(base, bpath, ("from", "to"), required=("from", "to"))
    first = reader.month(base["from"], bpath + ("from",)) if "from" in base else None
    last = reader.month(base["to"], bpath + ("to",)) if "to" in base else None
    if first is None or last is None:
        return None
    if last < first:
        reader.add(bpath + ("to",), f"the baseline ends ({last}) before it starts ({first})")
        return None
    return first, last


def read_windows(reader: Reader, data: object, path: Path = ("windows",)) -> Windows:
    table = reader.table(data, path) or {}
    reader.keys(table, path, WINDOW_KEYS)
    values = {}
    for key in WINDOW_KEYS:
        if key in table:
            x = reader.whole(table[key], path + (key,), 0, 3660)
            if x is not None:
                values[key] = x
    return Windows(**values)
