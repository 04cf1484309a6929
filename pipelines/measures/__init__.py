"""The measures of DESIGN.md §3, computed from canonical facts with Polars.

One entry point::

    compute_all(ctx: MeasureContext, facts: Mapping[str, pl.LazyFrame]) -> pl.LazyFrame

``facts`` maps fact names — ``tickets``, ``outages``, ``probes``, ``capacity``, ``spend``,
``projects``, ``checks`` (``scorecard.facts``), ``survey_responses``, ``survey_invitations``
(:mod:`.survey`) and ``actions`` (:mod:`.governance`) — to frames in their schema. A fact
that is missing or empty gives its measures no rows ("no data", never a guess). The result
has exactly ``scorecard.catalogue.RESULT_SCHEMA``, one row per measure, parameter set and
month of ``ctx.months``, sorted by measure, params and month. docs/measures.md defines every
measure as computed here.

Each family (one module each) is one lazy plan; :func:`compute_all` collects them together
with ``pl.collect_all`` (the one heavy collect of the job) and returns a LazyFrame over the
small result, to which the measures derived from other measures' rows (``cost.per_ticket``)
and the ``params`` JSON are added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from scorecard import facts as F
from scorecard.context import MeasureContext

from .availability import availability_measures
from .capacity import capacity_measures
from .checks import check_measures
from .common import LONG_SCHEMA, fact_frame, months_frame, to_results
from .cost import cost_per_ticket, spend_measures
from .demand import demand_measures
from .governance import ACTIONS, governance_measures
from .projects import project_measures
from .quality import quality_measures
from .sla import sla_measures
from .survey import INVITATIONS, RESPONSES, survey_measures
from .tickets import prepare_tickets, ticket_cube, ticket_measures

__all__ = ["FAMILIES", "compute_all", "family_frames"]

FAMILIES = ("tickets", "sla", "quality", "demand", "cost", "availability", "capacity",
            "projects", "checks", "survey", "governance")

_FACTS = {f.name: f for f in (*F.FACTS.values(), RESPONSES, INVITATIONS, ACTIONS)}


def _inputs(ctx: MeasureContext, facts: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> dict[str, pl.LazyFrame]:
    out = {}
    for name, fact in _FACTS.items():
        lf = fact_frame(facts, name, fact, ctx)
        if lf is not None:
            out[name] = lf
    return out


def family_frames(ctx: MeasureContext,
                  facts: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> dict[str, pl.LazyFrame]:
    """Each measure family's lazy long frame (``common.LONG_SCHEMA``), for the families whose
    facts are given. For benchmarks and tests; :func:`compute_all` is the entry point."""
    f = _inputs(ctx, facts)
    months = months_frame(ctx)
    # shared by three families: computed once
    prepared = cube = None
    if "tickets" in f:
        prepared = prepare_tickets(f["tickets"], ctx).cache()
        cube = ticket_cube(prepared).cache()
    builders: dict[str, tuple[tuple[str, ...], Callable[[], pl.LazyFrame]]] = {
        "tickets": (("tickets",), lambda: ticket_measures(ctx, cube, months)),
        "sla": (("tickets",), lambda: sla_measures(ctx, f["tickets"], months)),
        "quality": (("tickets",), lambda: quality_measures(ctx, prepared, cube, months)),
        "demand": (("tickets",), lambda: demand_measures(ctx, cube, months)),
        "cost": (("spend",), lambda: spend_measures(ctx, f["spend"], months)),
        "availability": (("outages", "probes"),
                         lambda: availability_measures(ctx, f.get("outages"), f.get("probes"), months)),
        "capacity": (("capacity",), lambda: capacity_measures(ctx, f["capacity"], months)),
        "projects": (("projects",), lambda: project_measures(ctx, f["projects"], months)),
        "checks": (("checks",), lambda: check_measures(ctx, f["checks"], months)),
        "survey": (("survey_responses", "survey_invitations"),
                   lambda: survey_measures(ctx, f.get("survey_responses"), f.get("survey_invitations"),
                                           months)),
        "governance": (("actions",), lambda: governance_measures(ctx, f["actions"], months)),
    }
    return {family: build() for family, (needs, build) in builders.items()
            if any(n in f for n in needs)}


def compute_all(ctx: MeasureContext, facts: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> pl.LazyFrame:
    """Every measure of the catalogue that the facts allow, for ``ctx.months``, in
    ``RESULT_SCHEMA`` (see the module docstring)."""
    frames = family_frames(ctx, facts)
    collected = pl.collect_all(list(frames.values())) if frames else []
    rows = pl.concat([pl.DataFrame(schema=LONG_SCHEMA), *collected]).lazy()
    if "cost" in frames and "tickets" in frames:
        rows = pl.concat([rows, cost_per_ticket(rows)])
    return to_results(rows, ctx.provider)
