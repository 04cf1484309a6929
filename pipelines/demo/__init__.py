"""The demo data generator: two providers, three years of facts, known events in them.

``generate_demo(seed=7, months=36, end="2026-10")`` returns a :class:`DemoData` with, per
provider, a dict of fact name → frame in the exact canonical schema of
:mod:`scorecard.facts`, and the list of :class:`DemoEvent` deliberately put into the data (see
``docs/demo.md``). Pure: no I/O, no clock — the same arguments give identical frames. Each
provider and fact draws from its own generator derived from the seed and its names, so adding
a fact leaves the others unchanged.

Events are placed at month indexes of a 36-month demo (``EVENTS``), all after the first
twelve months so that a baseline of the first year is clean; for other lengths they are
scaled by :func:`~pipelines.demo.span.event_month`.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from scorecard.errors import BadInput

from . import delivery, lexington, northwind_operations, northwind_tickets
from .model import DemoData, DemoEvent, DemoProvider
from .people import build_directory
from .span import Span, event_month, parse_month, shift_month, sub_rng

__all__ = [
    "DEFAULT_END", "EVENTS", "LEXINGTON", "NORTHWIND", "DemoData", "DemoEvent", "DemoProvider",
    "default_end", "event_month", "generate_demo",
]

DEFAULT_END = "2026-10"
NORTHWIND = ("Northwind IT Services", "it", "Europe/London")
LEXINGTON = ("Lexington Legal Process", "legal", "America/New_York")

# name: (provider, fact, measure, first month index, last month index or None, description)
EVENTS: dict[str, tuple[str, str, str, int, int | None, str]] = {
    "capacity_trend": (
        NORTHWIND[0], "capacity", "capacity.p95_utilisation", 14, None,
        "SAN-01 storage, flat at about 60% through the first year, grows steadily from this "
        "month and reaches about 93% in the last month.",
    ),
    "backup_bad_spell": (
        NORTHWIND[0], "checks", "checks.pass_rate", 17, 17,
        "Two weeks (days 6-19) of failing backups: about 70% of nightly backup jobs pass "
        "instead of 99%.",
    ),
    "reopen_rate_rise": (
        NORTHWIND[0], "tickets", "quality.reopen_rate", 20, None,
        "From this month 9% of resolved tickets are reopened, instead of 4%, and it stays so.",
    ),
    "project_slip": (
        NORTHWIND[0], "projects", "projects.on_schedule", 22, None,
        "The ERP upgrade slips: its forecast end moves about three weeks later every month "
        "and its forecast cost grows by about 2.5% of the baseline a month.",
    ),
    "overspend": (
        NORTHWIND[0], "spend", "cost.budget_burn", 22, 24,
        "Three months about 15% over budget (contractors brought in for the ERP upgrade), "
        "instead of about 3% under it.",
    ),
    "p2_resolution_slower": (
        NORTHWIND[0], "tickets", "time.resolution", 26, None,
        "A staffing change: P2 tickets opened from this month take about twice as long to "
        "resolve (median about 5 h before, 10 h after), and it stays so.",
    ),
    "major_outage": (
        NORTHWIND[0], "outages", "availability.service", 30, 30,
        "A 7.5-hour unplanned Email outage (all users) on the first Tuesday of the month.",
    ),
    "nda_crunch": (
        LEXINGTON[0], "tickets", "sla.resolution_met", 18, 21,
        "A capacity crunch: 25% more NDA requests and slower reviews; NDAs reviewed within "
        "24 hours fall from about 95% to about 75%, then recover.",
    ),
    "qc_error_rise": (
        LEXINGTON[0], "checks", "checks.pass_rate", 24, None,
        "Quality-control samples find errors in about 2% of matters instead of 0.5%, and "
        "it stays so.",
    ),
}


def default_end(today: dt.date) -> str:
    """The last complete month before ``today`` — the CLI's default ``end``."""
    y, m = shift_month(today.year, today.month, -1)
    return f"{y:04d}-{m:02d}"


def _events(labels: tuple[str, ...], months: int) -> tuple[DemoEvent, ...]:
    out = []
    for name, (provider, fact, measure, first, last, text) in EVENTS.items():
        i = event_month(first, months)
        j = None if last is None else max(event_month(last, months), i)
        out.append(DemoEvent(provider, name, fact, labels[i], text, measure=measure,
                             end_month=None if j is None else labels[j], month_index=i))
    return tuple(out)


def generate_demo(*, seed: int = 7, months: int = 36, end: str = DEFAULT_END) -> DemoData:
    """The demo's providers and facts for ``months`` months ending with month ``end``.

    Raises :class:`~scorecard.errors.BadInput` for an ``end`` that is not ``YYYY-MM``, a
    ``months`` below 1 or a negative ``seed``.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise BadInput(f"seed must be a whole number of at least 0, got {seed!r}")
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise BadInput(f"months must be a whole number of at least 1, got {months!r}")
    parse_month(end)
    at = {name: event_month(first, months) for name, (_, _, _, first, _, _) in EVENTS.items()}
    until = {name: max(event_month(last, months), at[name])
             for name, (_, _, _, _, last, _) in EVENTS.items() if last is not None}
    people = build_directory(seed)

    name, kind, tz = NORTHWIND
    span = Span.build(end=end, months=months, tz=tz)
    rng = partial(sub_rng, seed, name)  # one generator per provider and fact

    tickets = northwind_tickets.make_tickets(
        span, rng("tickets"), people, provider=name,
        reopen_month=at["reopen_rate_rise"], staffing_month=at["p2_resolution_slower"])
    northwind = DemoProvider(name, kind, tz, {
        "tickets": tickets,
        "outages": northwind_operations.make_outages(
            span, rng("outages"), provider=name, outage_month=at["major_outage"]),
        "capacity": northwind_operations.make_capacity(
            span, rng("capacity"), provider=name, capacity_month=at["capacity_trend"]),
        "spend": delivery.make_northwind_spend(
            span, rng("spend"), tickets, provider=name,
            overspend_months=(at["overspend"], until["overspend"])),
        "projects": delivery.make_projects(
            span, rng("projects"), provider=name, slip_month=at["project_slip"]),
        "checks": northwind_operations.make_checks(
            span, rng("checks"), provider=name, backup_month=at["backup_bad_spell"]),
    })

    name, kind, tz = LEXINGTON
    span_ny = Span.build(end=end, months=months, tz=tz)
    rng = partial(sub_rng, seed, name)
    matters = lexington.make_tickets(
        span_ny, rng("tickets"), people, provider=name,
        crunch_months=(at["nda_crunch"], until["nda_crunch"]))
    lexington_provider = DemoProvider(name, kind, tz, {
        "tickets": matters,
        "spend": delivery.make_lexington_spend(span_ny, rng("spend"), matters, provider=name),
        "checks": lexington.make_checks(
            span_ny, rng("checks"), matters, provider=name, qc_month=at["qc_error_rise"]),
    })
    return DemoData(seed=seed, start=span.labels[0], end=end, months=months,
                    providers=(northwind, lexington_provider), events=_events(span.labels, months))
