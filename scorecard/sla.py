"""SLA policies and the outcome of every ticket's SLA clocks, attributed to months.

A policy applies to tickets by priority and/or category — the most specific match wins:
priority and category, then priority, then category, then the default policy (neither) —
and gives a response and/or a resolution target on a named business calendar.

Each clock runs from ``opened_at`` and stops at the first response (or, when no response was
recorded, the resolution) or at the resolution. Attribution (DESIGN.md §3): a clock that
stopped by ``as_of`` counts in the month it stopped, met if it stopped by its deadline; a
clock still running when its deadline passed counts as breached, once, in the month of the
deadline. Cancelled tickets are left out. Months are calendar months in the provider's zone.
docs/calendars.md has the worked rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from scorecard.calendars import ALWAYS, BusinessCalendar, clock_micros
from scorecard.errors import BadInput
from scorecard.facts import (
    CATEGORY,
    FIRST_RESPONSE_AT,
    OPENED_AT,
    PRIORITIES,
    PRIORITY,
    PROVIDER,
    RESOLVED_AT,
    STATUS,
    TICKET_ID,
)
from scorecard.months import NAT, US_PER_S, check_timezone, month_expr, utc_micros, utc_series

# columns of sla_outcomes
POLICY = "sla_policy"
CLOCK = "clock"
MONTH = "month"
MET = "met"
STOPPED_AT = "stopped_at"
DEADLINE = "deadline"
ELAPSED_HOURS = "elapsed_hours"
CLOCKS = ("response", "resolution")

_DURATION_RE = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_POLICY_KEYS = ("priorities", "categories", "response", "resolution", "calendar")


@dataclass(frozen=True)
class Duration:
    """An SLA target: minutes of the clock plus whole business days.

    ``"30m"``, ``"4h"``, ``"1h30m"``, ``"3d"``, ``"2d4h"``. A business day is one working
    day of the policy's calendar (8 hours on a 09:00–17:00 calendar, 24 on a 24×7 one), so a
    target in days needs a calendar whose working days all have the same hours.
    """

    days: int = 0
    minutes: int = 0

    @classmethod
    def parse(cls, value: object, where: str) -> Duration:
        text = value.replace(" ", "").lower() if isinstance(value, str) else ""
        m = _DURATION_RE.fullmatch(text)
        if not text or m is None:
            raise BadInput(f"{where}: not a duration: {value!r} (write e.g. '30m', '4h', "
                           "'1h30m' or '3d' for business days)")
        d, h, mi = (int(g) if g else 0 for g in m.groups())
        if d == h == mi == 0:
            raise BadInput(f"{where}: a target must be longer than zero, got {value!r}")
        return cls(days=d, minutes=h * 60 + mi)

    def seconds_on(self, cal: BusinessCalendar, where: str) -> int:
        """The target in seconds of business time on ``cal``."""
        if not self.days:
            return self.minutes * 60
        day = cal.day_seconds
        if day is None:
            raise BadInput(f"{where}: {self} is in business days, but calendar {cal.name!r} has "
                           "working days of different lengths; give the target in hours")
        return self.days * day + self.minutes * 60

    def __str__(self) -> str:
        h, m = divmod(self.minutes, 60)
        parts = [f"{self.days}d" if self.days else "", f"{h}h" if h else "", f"{m}m" if m else ""]
        return "".join(parts)


@dataclass(frozen=True)
class SlaPolicy:
    """Targets for the tickets of some priorities and/or categories, on one calendar."""

    name: str
    calendar: str
    priorities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    response: Duration | None = None
    resolution: Duration | None = None

    @property
    def level(self) -> int:
        """How specific the match is: 3 priority+category, 2 priority, 1 category, 0 default."""
        return 2 * bool(self.priorities) + bool(self.categories)

    def matches(self, priority: str | None, category: str | None) -> bool:
        return ((not self.priorities or priority in self.priorities)
                and (not self.categories or category in self.categories))

    def condition(self, priority: pl.Expr, category: pl.Expr) -> pl.Expr:
        cond = pl.lit(True)
        if self.priorities:
            cond = cond & priority.is_in(list(self.priorities))
        if self.categories:
            cond = cond & category.is_in(list(self.categories))
        return cond

    def target(self, clock: str) -> Duration | None:
        return self.response if clock == "response" else self.resolution

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, object]) -> SlaPolicy:
        where = f"SLA policy {name!r}"
        if not isinstance(data, Mapping):
            raise BadInput(f"{where}: expected a table, got {type(data).__name__}")
        unknown = sorted(set(data) - set(_POLICY_KEYS))
        if unknown:
            raise BadInput(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_POLICY_KEYS)})")
        calendar = data.get("calendar")
        if not isinstance(calendar, str) or not calendar:
            raise BadInput(f"{where}: key 'calendar' is required: the name of a calendar, or "
                           f"{ALWAYS!r} for round the clock")
        priorities = _names(data.get("priorities", []), f"{where}: key 'priorities'")
        for p in priorities:
            if p not in PRIORITIES:
                raise BadInput(f"{where}: key 'priorities': unknown priority {p!r} "
                               f"(known: {', '.join(PRIORITIES)})")
        categories = _names(data.get("categories", []), f"{where}: key 'categories'")
        response = resolution = None
        if "response" in data:
            response = Duration.parse(data["response"], f"{where}: key 'response'")
        if "resolution" in data:
            resolution = Duration.parse(data["resolution"], f"{where}: key 'resolution'")
        if response is None and resolution is None:
            raise BadInput(f"{where}: give a 'response' or a 'resolution' target, or both")
        return cls(name=name, calendar=calendar, priorities=priorities, categories=categories,
                   response=response, resolution=resolution)


def _names(values: object, where: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise BadInput(f"{where}: expected a list, got {values!r}")
    out = tuple(values)
    for v in out:
        if not isinstance(v, str) or not v:
            raise BadInput(f"{where}: expected names, got {v!r}")
    if len(set(out)) != len(out):
        raise BadInput(f"{where}: a name is listed twice")
    return out


@dataclass(frozen=True)
class SlaPolicySet:
    """The SLA policies of a scorecard; at most one applies to any ticket."""

    policies: tuple[SlaPolicy, ...]

    def __post_init__(self) -> None:
        names = [p.name for p in self.policies]
        if len(set(names)) != len(names):
            raise BadInput("SLA policies: a policy name is used twice")
        for i, a in enumerate(self.policies):
            for b in self.policies[i + 1:]:
                if a.level == b.level and _overlap(a.priorities, b.priorities) \
                        and _overlap(a.categories, b.categories):
                    raise BadInput(f"SLA policies {a.name!r} and {b.name!r} both apply to the "
                                   "same tickets at the same level of detail; make one more "
                                   "specific or merge them")

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, object]] | Iterable[Mapping[str, object]],
                  ) -> SlaPolicySet:
        """From a TOML table of name → policy table, or an array of tables with a ``name``."""
        if isinstance(data, Mapping):
            items = [(str(k), v) for k, v in data.items()]
        elif isinstance(data, Iterable) and not isinstance(data, str):
            items = []
            for i, table in enumerate(data):
                if not isinstance(table, Mapping) or not isinstance(table.get("name"), str):
                    raise BadInput(f"SLA policies: entry {i + 1} needs a 'name'")
                items.append((table["name"], {k: v for k, v in table.items() if k != "name"}))
        else:
            raise BadInput(f"SLA policies: expected a table of policies, got {type(data).__name__}")
        if not items:
            raise BadInput("SLA policies: none given")
        return cls(tuple(SlaPolicy.from_dict(name, table) for name, table in items))

    def by_specificity(self) -> list[SlaPolicy]:
        return sorted(self.policies, key=lambda p: -p.level)

    def policy_for(self, priority: str | None, category: str | None) -> SlaPolicy | None:
        """The policy of one ticket, or None when no policy applies."""
        return next((p for p in self.by_specificity() if p.matches(priority, category)), None)

    def index_expr(self, priority: str = PRIORITY, category: str = CATEGORY) -> pl.Expr:
        """The index in ``policies`` of each ticket's policy (Int32), null when none applies."""
        p, c = pl.col(priority), pl.col(category)
        expr: pl.Expr | None = None
        for pol in self.by_specificity():
            i = pl.lit(self.policies.index(pol), dtype=pl.Int32)
            cond = pol.condition(p, c)
            expr = pl.when(cond).then(i) if expr is None else expr.when(cond).then(i)
        return expr.otherwise(pl.lit(None, dtype=pl.Int32))

    def policy_expr(self, priority: str = PRIORITY, category: str = CATEGORY) -> pl.Expr:
        """The name of each ticket's policy (String), null when none applies."""
        names = pl.Series([p.name for p in self.policies], dtype=pl.String)
        return pl.lit(names).gather(self.index_expr(priority, category))

    def calendars_for(self, calendars: Mapping[str, BusinessCalendar],
                      timezone: str) -> dict[str, BusinessCalendar]:
        """Each policy's calendar; BadInput naming a policy whose calendar is not defined.

        ``"24x7"`` is built in (in ``timezone``) unless ``calendars`` defines it.
        """
        out = {}
        for p in self.policies:
            if p.calendar in calendars:
                out[p.name] = calendars[p.calendar]
            elif p.calendar == ALWAYS:
                out[p.name] = BusinessCalendar.round_the_clock(timezone)
            else:
                known = ", ".join(sorted(set(calendars) | {ALWAYS}))
                raise BadInput(f"SLA policy {p.name!r}: unknown calendar {p.calendar!r} (known: {known})")
        return out


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two match lists share a value; an empty list (any value) only meets another."""
    return (not a and not b) or bool(set(a) & set(b))


def assign_policies(lf: pl.LazyFrame, policies: SlaPolicySet, *, out: str = POLICY) -> pl.LazyFrame:
    """Add column ``out``: the name of each ticket's SLA policy (null when none applies)."""
    return lf.with_columns(policies.policy_expr().alias(out))


# ---------------------------------------------------------------------- outcomes

def _clock_batch(cals: list[BusinessCalendar], cal_of: np.ndarray, targets: np.ndarray):
    """The map_batches function that runs every ticket's two clocks on its own calendar.

    Its inputs are the policy index, ``opened_at`` and the two clocks' stops; ``cal_of`` maps
    a policy to its calendar in ``cals``, ``targets[clock, policy]`` is a target in µs or −1.
    """

    def batch(cols: list[pl.Series]) -> pl.Series:
        policy = cols[0].to_numpy()
        opened, no_start = utc_micros(cols[1])
        stops = [utc_micros(s)[0] for s in cols[2:]]
        cal = cal_of[policy]
        target = targets[:, policy]
        deadline = [np.full(policy.size, NAT, dtype=np.int64) for _ in CLOCKS]
        elapsed = [np.full(policy.size, -1, dtype=np.int64) for _ in CLOCKS]
        for k, c in enumerate(cals):
            rows = np.flatnonzero((cal == k) & ~no_start)
            if rows.size == policy.size:  # one calendar for all: no need to gather and scatter
                el, dl = clock_micros(c, opened, stops, list(target))
                elapsed, deadline = el, dl
                break
            el, dl = clock_micros(c, opened.take(rows), [s.take(rows) for s in stops],
                                  [t.take(rows) for t in target])
            for i in range(len(CLOCKS)):
                elapsed[i][rows], deadline[i][rows] = el[i], dl[i]
        fields = {}
        for i, clock in enumerate(CLOCKS):
            fields[f"{clock}_deadline"] = utc_series(deadline[i], deadline[i] == NAT)
            hours = np.where(elapsed[i] < 0, np.nan, elapsed[i] / (3600 * US_PER_S))
            fields[f"{clock}_hours"] = pl.Series(hours, nan_to_null=True)
        return pl.DataFrame(fields).to_struct(cols[0].name)

    return batch


def _clock_settings(policies: SlaPolicySet, calendars: Mapping[str, BusinessCalendar],
                    timezone: str) -> tuple[list[BusinessCalendar], np.ndarray, np.ndarray]:
    """The distinct calendars, each policy's calendar index, and ``targets[clock, policy]`` (µs, −1)."""
    by_policy = policies.calendars_for(calendars, timezone)
    cals = list(dict.fromkeys(by_policy.values()))
    cal_of = np.array([cals.index(by_policy[p.name]) for p in policies.policies], dtype=np.int64)
    targets = np.full((len(CLOCKS), len(policies.policies)), -1, dtype=np.int64)
    for i, clock in enumerate(CLOCKS):
        for j, p in enumerate(policies.policies):
            target = p.target(clock)
            if target is not None:
                where = f"SLA policy {p.name!r}: key {clock!r}"
                targets[i, j] = target.seconds_on(by_policy[p.name], where) * US_PER_S
    return cals, cal_of, targets


_CLOCK_FIELDS = {f"{c}_{k}": (pl.Datetime("us", "UTC") if k == "deadline" else pl.Float64)
                 for c in CLOCKS for k in ("deadline", "hours")}
_IDX = "_sla_policy_index"


def sla_outcomes(lf: pl.LazyFrame, policies: SlaPolicySet,
                 calendars: Mapping[str, BusinessCalendar], *, as_of: datetime,
                 timezone: str) -> pl.LazyFrame:
    """Every ticket's SLA outcome per clock, attributed to a month in ``timezone``.

    ``lf`` holds canonical tickets. Returns one row per ticket and clock that has an outcome
    by ``as_of``: ``provider`` (when present), ``ticket_id``, ``priority``, ``category``,
    ``sla_policy``, ``clock`` ("response" | "resolution"), ``month`` ("YYYY-MM"), ``met``,
    ``stopped_at`` (null for a clock breached while running), ``deadline`` and
    ``elapsed_hours`` (business hours from opening to stop, null while running).
    Tickets that are cancelled, opened after ``as_of`` or match no policy have no rows, and
    so has a clock whose policy sets no target for it.
    """
    check_timezone(timezone)
    if not isinstance(as_of, datetime) or as_of.tzinfo is None:
        raise BadInput(f"as_of must be a time-zone-aware datetime, got {as_of!r}")
    as_of_lit = pl.lit(as_of.astimezone(UTC)).cast(pl.Datetime("us", "UTC"))
    cals, cal_of, targets = _clock_settings(policies, calendars, timezone)
    names = pl.Series([p.name for p in policies.policies], dtype=pl.String)
    keys = [c for c in (PROVIDER, TICKET_ID, PRIORITY, CATEGORY) if c in lf.collect_schema()]
    stops = {"response": pl.coalesce(FIRST_RESPONSE_AT, RESOLVED_AT),  # a resolution answers
             "resolution": pl.col(RESOLVED_AT)}
    base = (
        lf.filter((pl.col(STATUS) != "cancelled") & (pl.col(OPENED_AT) <= as_of_lit))
        .with_columns(policies.index_expr().alias(_IDX))
        .filter(pl.col(_IDX).is_not_null())
        .select(
            *keys, _IDX, STATUS,
            *(stops[c].alias(f"{c}_stop") for c in CLOCKS),
            pl.map_batches(
                [pl.col(_IDX), pl.col(OPENED_AT), *(stops[c] for c in CLOCKS)],
                _clock_batch(cals, cal_of, targets), return_dtype=pl.Struct(_CLOCK_FIELDS),
            ).alias("_clocks"),
        )
        .unnest("_clocks")
    )
    return pl.concat([_clock_outcomes(base, clock, keys, names, as_of_lit, timezone)
                      for clock in CLOCKS])


def _clock_outcomes(base: pl.LazyFrame, clock: str, keys: list[str], names: pl.Series,
                    as_of: pl.Expr, timezone: str) -> pl.LazyFrame:
    stop, deadline = pl.col(f"{clock}_stop"), pl.col(f"{clock}_deadline")
    stopped = stop.is_not_null() & (stop <= as_of)
    unknown = stop.is_null() & pl.col(STATUS).is_in(["resolved", "closed"])  # done, but when?
    breached_running = ~stopped & ~unknown & (deadline < as_of)
    return (
        # a null deadline: the policy sets no target for this clock
        base.filter(deadline.is_not_null() & (stopped | breached_running))
        .select(
            *keys,
            pl.lit(names).gather(pl.col(_IDX)).alias(POLICY),
            pl.lit(clock).alias(CLOCK),
            month_expr(pl.when(stopped).then(stop).otherwise(deadline), timezone).alias(MONTH),
            (stopped & (stop <= deadline)).alias(MET),
            pl.when(stopped).then(stop).alias(STOPPED_AT),
            deadline.alias(DEADLINE),
            pl.when(stopped).then(pl.col(f"{clock}_hours")).alias(ELAPSED_HOURS),
        )
    )
