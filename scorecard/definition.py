"""Scorecard definitions: the TOML file a provider and the company agree (DESIGN.md §4).

``load_scorecard(text, source=…)`` parses and validates one file and returns a
:class:`Scorecard`: provider settings, calendars, SLA policies, services, category mapping,
drift baseline, measure windows, service-credit rules, reconciliation tolerances, and the
tree perspectives → objectives → measures with goals, red flags, stretches, directions and
weights. Every mistake is collected and reported at once (``InvalidInput``), each naming
the file, the line and the key path. The format is documented in docs/scorecards.md, with
complete examples in ``scorecard/examples/``.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from scorecard.calendars import BusinessCalendar
from scorecard.catalogue import CATALOGUE, HIGHER, LOWER, MeasureInfo, SeriesKeyed, params_key
from scorecard.context import MeasureContext, ServiceSpec
from scorecard.credits import CreditRules, read_credits
from scorecard.display import measure_label, threshold_text
from scorecard.errors import BadInput, InvalidInput, Problem
from scorecard.locate import Path, syntax_error_position
from scorecard.months import parse_month
from scorecard.reader import Reader
from scorecard.reconcile import Tolerance, ToleranceDefaults, read_defaults, read_override
from scorecard.sections import (
    ProviderSettings,
    Windows,
    read_calendars,
    read_categories,
    read_drift,
    read_policies,
    read_provider,
    read_services,
    read_windows,
)
from scorecard.sla import SlaPolicySet

TOP_KEYS = ("provider", "calendars", "sla", "services", "categories", "drift", "windows", "credits",
            "reconciliation", "perspectives")
PERSPECTIVE_KEYS = ("name", "weight", "objectives")
OBJECTIVE_KEYS = ("name", "weight", "measures")
MEASURE_KEYS = ("measure", "params", "label", "goal", "red_flag", "stretch", "direction", "weight",
                "tolerance")
# shipped as package data in scorecard/examples/ (read them with importlib.resources:
# resources.files("scorecard.examples").joinpath(name).read_text("utf-8"))
EXAMPLES = ("it_managed_services.toml", "legal_outsourcing.toml")


@dataclass(frozen=True)
class MeasureSpec(SeriesKeyed):
    """One measure of the tree with its targets. Values are in the catalogue's units
    (proportions as fractions)."""

    measure: str
    params: Mapping[str, str]
    label: str
    goal: float
    red_flag: float
    stretch: float | None = None
    direction: str = HIGHER
    weight: float = 1.0
    tolerance: Tolerance = Tolerance(0.01)
    line: int | None = None

    @property
    def info(self) -> MeasureInfo:
        return CATALOGUE[self.measure]


@dataclass(frozen=True)
class Objective:
    name: str
    weight: float
    measures: tuple[MeasureSpec, ...]
    line: int | None = None


@dataclass(frozen=True)
class Perspective:
    name: str
    weight: float
    objectives: tuple[Objective, ...]
    line: int | None = None


@dataclass(frozen=True, eq=False)
class Scorecard:
    """A validated scorecard. Build it with :func:`load_scorecard`."""

    provider: ProviderSettings
    perspectives: tuple[Perspective, ...]
    calendars: Mapping[str, BusinessCalendar]
    policies: SlaPolicySet | None
    services: Mapping[str, ServiceSpec]
    duplicate_categories: frozenset[str]
    how_to_categories: frozenset[str]
    baseline: tuple[str, str] | None
    windows: Windows
    credits: CreditRules
    tolerances: ToleranceDefaults
    source: str
    text: str

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the file's text (UTF-8): the identity of this version."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def measures(self) -> list[tuple[Perspective, Objective, MeasureSpec]]:
        """Every measure of the tree, in file order, with its perspective and objective."""
        return [(p, o, m) for p in self.perspectives for o in p.objectives for m in o.measures]

    def result_keys(self) -> tuple[tuple[str, str], ...]:
        """The (measure id, params key) results this scorecard needs: the tree's, then the
        credit rules' that the tree lacks."""
        keys = [m.key for _, _, m in self.measures()]
        keys += [r.key for r in self.credits.rules if r.key not in keys]
        return tuple(keys)

    def context(self, months: Iterable[str], as_of: datetime) -> MeasureContext:
        """What the measure computations need for ``months`` (sorted, each once) as of
        ``as_of`` (time-zone aware; converted to UTC)."""
        if isinstance(months, str):
            raise BadInput(f"months must be a list of YYYY-MM, got the text {months!r}")
        months = sorted(set(months))
        for m in months:
            parse_month(m)
        if not isinstance(as_of, datetime) or as_of.tzinfo is None:
            raise BadInput(f"as_of must be a time-zone-aware datetime, got {as_of!r}")
        w = self.windows
        return MeasureContext(
            provider=self.provider.name, timezone=self.provider.timezone, months=tuple(months),
            as_of=as_of.astimezone(UTC), calendars=dict(self.calendars), policies=self.policies,
            services=dict(self.services), duplicate_categories=self.duplicate_categories,
            how_to_categories=self.how_to_categories, backlog_age_days=w.backlog_age_days,
            repeat_window_days=w.repeat_window_days, reopen_window_days=w.reopen_window_days,
            survey_window_days=w.survey_window_days, project_tolerance_days=w.project_tolerance_days,
            budget_year_start=self.provider.budget_year_start,
        )


def load_scorecard(text: str, *, source: str) -> Scorecard:
    """Parse and validate a scorecard; ``source`` names the file in messages.

    Raises ``InvalidInput`` listing every problem (file, line, key path), sorted by line.
    """
    if not isinstance(text, str):
        raise BadInput(f"{source}: a scorecard is text, got {type(text).__name__}")
    body = text.removeprefix("\ufeff")  # a byte-order mark some editors write is not content
    try:
        doc = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = syntax_error_position(exc, body)
        where = f" at column {col}" if col is not None else ""
        problem = Problem(f"not valid TOML: {message[:1].lower()}{message[1:]}{where}",
                          source=source, row=line)
        raise InvalidInput(f"{source}: 1 problem in the scorecard, nothing was loaded", [problem]) from None
    r = Reader(source, body)
    r.keys(doc, (), TOP_KEYS, required=("provider", "perspectives"))
    provider = read_provider(r, doc["provider"]) if "provider" in doc else None
    calendars = read_calendars(r, doc.get("calendars", {}))
    raw_calendars = doc.get("calendars")
    failed = (set(raw_calendars) if isinstance(raw_calendars, Mapping) else set()) - set(calendars)
    policies = read_policies(r, doc["sla"], calendars, failed) if "sla" in doc else None
    services = read_services(r, doc.get("services", {}), calendars, failed)
    duplicate, how_to = read_categories(r, doc.get("categories", {}))
    baseline = read_drift(r, doc.get("drift", {}))
    windows = read_windows(r, doc.get("windows", {}))
    tolerances = read_defaults(r, doc.get("reconciliation", {}), ("reconciliation",))
    raw_provider = doc.get("provider")
    # without a usable [provider] table, the missing fee is not a second problem
    has_fee = not isinstance(raw_provider, Mapping) or "monthly_fee" in raw_provider
    credits = read_credits(r, doc["credits"], ("credits",), has_fee=has_fee) if "credits" in doc \
        else CreditRules()
    perspectives = _tree(r, doc["perspectives"], tolerances) if "perspectives" in doc else ()
    _cross_checks(r, doc)
    r.raise_if_any("the scorecard")
    return Scorecard(provider, perspectives, calendars, policies, services, duplicate, how_to, baseline,
                     windows, credits, tolerances, source, text)


# ---------------------------------------------------------------------- the tree

def _tree(r: Reader, data: object, tolerances: ToleranceDefaults) -> tuple[Perspective, ...]:
    path: Path = ("perspectives",)
    items = r.tables(data, path, what="perspectives")
    if items is None:
        return ()
    if not items:
        r.add(path, "no perspective given")
    out = []
    names: dict[str, int | None] = {}
    measures: dict[tuple[str, str], int | None] = {}
    for i, item in enumerate(items):
        ppath = path + (i,)
        r.keys(item, ppath, PERSPECTIVE_KEYS, required=("name", "objectives"))
        name = _unique_name(r, item, ppath, names, "perspective")
        weight = _weight(r, item, ppath)
        objectives = _objectives(r, item, ppath, tolerances, measures) if "objectives" in item else None
        if name is not None and weight is not None and objectives is not None:
            out.append(Perspective(name, weight, objectives, r.line(ppath)))
    return tuple(out)


def _unique_name(r: Reader, item: Mapping, path: Path, seen: dict[str, int | None], what: str) -> str | None:
    if "name" not in item:
        return None
    name = r.text(item["name"], path + ("name",))
    if name is not None and name in seen:
        r.add(path + ("name",), f"{what} name {name!r} is used twice (first at line {seen[name]})")
        return None
    if name is not None:
        seen[name] = r.line(path + ("name",))
    return name


def _weight(r: Reader, item: Mapping, path: Path) -> float | None:
    if "weight" not in item:
        return 1.0
    value = item["weight"]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
        r.add(path + ("weight",), f"weight must be greater than 0, got {value!r}")
        return None
    return r.number(value, path + ("weight",))


def _objectives(r: Reader, item: Mapping, ppath: Path, tolerances: ToleranceDefaults,
                measures: dict[tuple[str, str], int | None]) -> tuple[Objective, ...] | None:
    path = ppath + ("objectives",)
    items = r.tables(item["objectives"], path, what="perspectives.objectives")
    if items is None:
        return None
    if not items:
        r.add(path, "the perspective has no objective")
        return None
    out = []
    names: dict[str, int | None] = {}
    ok = True
    for j, obj in enumerate(items):
        opath = path + (j,)
        r.keys(obj, opath, OBJECTIVE_KEYS, required=("name", "measures"))
        name = _unique_name(r, obj, opath, names, "objective")
        weight = _weight(r, obj, opath)
        specs = _measures(r, obj, opath, tolerances, measures) if "measures" in obj else None
        if name is None or weight is None or specs is None:
            ok = False
            continue
        out.append(Objective(name, weight, specs, r.line(opath)))
    return tuple(out) if ok else None


def _measures(r: Reader, obj: Mapping, opath: Path, tolerances: ToleranceDefaults,
              seen: dict[tuple[str, str], int | None]) -> tuple[MeasureSpec, ...] | None:
    path = opath + ("measures",)
    items = r.tables(obj["measures"], path, what="perspectives.objectives.measures")
    if items is None:
        return None
    if not items:
        r.add(path, "the objective has no measure")
        return None
    specs = [_measure(r, m, path + (k,), tolerances, seen) for k, m in enumerate(items)]
    return None if None in specs else tuple(specs)


def _measure(r: Reader, item: Mapping, path: Path, tolerances: ToleranceDefaults,
             seen: dict[tuple[str, str], int | None]) -> MeasureSpec | None:
    r.keys(item, path, MEASURE_KEYS, required=("measure", "goal", "red_flag"))
    info = r.measure(item["measure"], path + ("measure",)) if "measure" in item else None
    weight = _weight(r, item, path)
    direction = r.choice(item["direction"], path + ("direction",), (HIGHER, LOWER)) \
        if "direction" in item else (info.better if info else HIGHER)
    label = r.text(item["label"], path + ("label",)) if "label" in item else ""
    if info is None:
        return None
    params = r.params(item.get("params", {}), path + ("params",), info)

    def target(key: str) -> float | None:
        return r.target(item[key], path + (key,), info) if key in item else None

    goal, red, stretch = target("goal"), target("red_flag"), target("stretch")
    tol = read_override(r, item["tolerance"], path + ("tolerance",)) if "tolerance" in item else None
    sides_ok = _sides(r, path, info, direction, goal, red, stretch)
    if None in (params, weight, direction, label, goal, red) or not sides_ok \
            or ("stretch" in item and stretch is None) or ("tolerance" in item and tol is None):
        return None
    key = (info.id, params_key(params))
    if key in seen:
        r.add(path + ("measure",), f"{info.id} {key[1]} is already in the scorecard at line {seen[key]}; "
                                   "a measure with the same parameters appears once")
        return None
    seen[key] = r.line(path)
    return MeasureSpec(info.id, params, label or measure_label(info.name, params), goal, red, stretch,
                       direction, weight, tolerances.for_measure(info, tol), r.line(path))


def _sides(r: Reader, path: Path, info: MeasureInfo, direction: str | None, goal: float | None,
           red: float | None, stretch: float | None) -> bool:
    """The red flag lies on the worse side of the goal, the stretch on the better side."""
    if direction is None or goal is None:
        return True
    up = direction == HIGHER
    g = threshold_text(goal, info.unit)
    ok = True
    if red is not None and (red >= goal if up else red <= goal):
        shown = threshold_text(red, info.unit)
        r.add(path + ("red_flag",), f"the red flag must be {'below' if up else 'above'} the goal when "
                                    f"{direction} is better (goal {g}, red flag {shown})")
        ok = False
    if stretch is not None and (stretch <= goal if up else stretch >= goal):
        shown = threshold_text(stretch, info.unit)
        r.add(path + ("stretch",), f"the stretch must be {'above' if up else 'below'} the goal when "
                                   f"{direction} is better (goal {g}, stretch {shown})")
        ok = False
    return ok


def _cross_checks(r: Reader, doc: Mapping) -> None:
    """Measures that need settings the file does not give, located at the measure."""
    raw = doc.get("services", {})
    services = raw if isinstance(raw, Mapping) else {}
    with_target = [n for n, s in services.items() if isinstance(s, Mapping) and "target" in s]
    for path, m in _raw_measures(doc):
        mid = m["measure"]
        if mid.startswith("sla.") and "sla" not in doc:
            r.add(path + ("measure",), f"{mid} needs SLA policies: add [sla.policies.NAME] tables")
        if mid == "availability.services_meeting_target" and not with_target:
            r.add(path + ("measure",), f"{mid} needs services with a target in [services]")
        params = m.get("params", {})
        service = params.get("service") if isinstance(params, Mapping) else None
        if isinstance(service, str) and service and service not in services:
            known = ", ".join(sorted(services)) or "none"
            r.add(path + ("params", "service"),
                  f"service {service!r} is not defined in [services] (known: {known})")


def _raw_measures(doc: Mapping) -> Iterable[tuple[Path, Mapping]]:
    """Each measure table of the parsed file whose id is in the catalogue, with its path."""
    raw = doc.get("perspectives")
    for i, p in enumerate(raw if isinstance(raw, list) else []):
        objectives = p.get("objectives") if isinstance(p, Mapping) else None
        for j, o in enumerate(objectives if isinstance(objectives, list) else []):
            measures = o.get("measures") if isinstance(o, Mapping) else None
            for k, m in enumerate(measures if isinstance(measures, list) else []):
                if isinstance(m, Mapping) and isinstance(m.get("measure"), str) and m["measure"] in CATALOGUE:
                    yield ("perspectives", i, "objectives", j, "measures", k), m
