"""The canonical facts of DESIGN.md §2: one schema per fact, declared once.

Every source adapter produces frames with exactly these columns and dtypes (timestamps in
UTC, microsecond precision); the database tables mirror them with a ``provider_id`` in
place of ``provider``. Column names are constants so that code never spells them twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

UTC_TS = pl.Datetime("us", "UTC")

# ticket columns
PROVIDER = "provider"
TICKET_ID = "ticket_id"
KIND = "kind"
OPENED_AT = "opened_at"
FIRST_RESPONSE_AT = "first_response_at"
RESOLVED_AT = "resolved_at"
CLOSED_AT = "closed_at"
STATUS = "status"
PRIORITY = "priority"
CATEGORY = "category"
CHANNEL = "channel"
REQUESTER = "requester"
REQUESTER_GROUP = "requester_group"
ASSIGNEE_GROUP = "assignee_group"
REASSIGNMENT_COUNT = "reassignment_count"
REOPEN_COUNT = "reopen_count"
HOURS_SPENT = "hours_spent"

TICKET_STATUSES = ("open", "resolved", "closed", "cancelled")
PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Fact:
    """A canonical fact: its columns, which are required, and its source key."""

    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    help: str

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, dtype: pl.DataType, required: bool = True, help: str = "") -> Column:
    return Column(name, dtype, required, help)


TICKETS = Fact(
    name="tickets",
    table="tickets",
    key=(PROVIDER, TICKET_ID),
    help="help-desk tickets (incidents, requests, legal matters), one row per ticket, latest state",
    columns=(
        _c(PROVIDER, pl.String()),
        _c(TICKET_ID, pl.String(), help="the source tool's ticket number"),
        _c(KIND, pl.String(), False, "incident, request, nda_review, …"),
        _c(OPENED_AT, UTC_TS),
        _c(FIRST_RESPONSE_AT, UTC_TS, False),
        _c(RESOLVED_AT, UTC_TS, False),
        _c(CLOSED_AT, UTC_TS, False),
        _c(STATUS, pl.String(), help="open | resolved | closed | cancelled"),
        _c(PRIORITY, pl.String(), help="P1 … P4"),
        _c(CATEGORY, pl.String(), False),
        _c(CHANNEL, pl.String(), False),
        _c(REQUESTER, pl.String(), False, "pseudonymised with a keyed hash on import"),
        _c(REQUESTER_GROUP, pl.String(), False),
        _c(ASSIGNEE_GROUP, pl.String(), False),
        _c(REASSIGNMENT_COUNT, pl.Int32(), False),
        _c(REOPEN_COUNT, pl.Int32(), False),
        _c(HOURS_SPENT, pl.Float64(), False),
    ),
)

OUTAGES = Fact(
    name="outages",
    table="outages",
    key=(PROVIDER, "service", "started_at"),
    help="service outages and planned maintenance windows",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("service", pl.String()),
        _c("started_at", UTC_TS),
        _c("ended_at", UTC_TS, False, "null while the outage is still going on"),
        _c("planned", pl.Boolean()),
        _c("impact", pl.Float64(), help="share of the service lost, in (0, 1]"),
    ),
)

PROBES = Fact(
    name="probes",
    table="probes",
    key=(PROVIDER, "service", "at"),
    help="availability probes: was the service up at this instant",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("service", pl.String()),
        _c("at", UTC_TS),
        _c("up", pl.Boolean()),
    ),
)

CAPACITY = Fact(
    name="capacity",
    table="capacity_samples",
    key=(PROVIDER, "resource", "at"),
    help="capacity samples of a resource (storage, licences, CPU)",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("resource", pl.String()),
        _c("at", UTC_TS),
        _c("used", pl.Float64()),
        _c("capacity", pl.Float64()),
        _c("unit", pl.String(), False),
    ),
)

SPEND = Fact(
    name="spend",
    table="spend",
    key=(PROVIDER, "month"),
    help="monthly spend against budget, with hours",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("month", pl.String(), help="YYYY-MM"),
        _c("amount", pl.Float64()),
        _c("budget", pl.Float64(), False),
        _c("hours", pl.Float64(), False),
        _c("currency", pl.String(), False),
    ),
)

PROJECTS = Fact(
    name="projects",
    table="project_snapshots",
    key=(PROVIDER, "project", "as_of"),
    help="monthly snapshots of projects the provider delivers",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("project", pl.String()),
        _c("as_of", pl.Date()),
        _c("baseline_end", pl.Date()),
        _c("forecast_end", pl.Date(), False),
        _c("pct_complete", pl.Float64(), False),
        _c("baseline_cost", pl.Float64(), False),
        _c("forecast_cost", pl.Float64(), False),
    ),
)

CHECKS = Fact(
    name="checks",
    table="checks",
    key=(PROVIDER, "check_type", "subject", "at"),
    help="pass/fail checks: backup jobs, patch compliance, legal QC samples",
    columns=(
        _c(PROVIDER, pl.String()),
        _c("check_type", pl.String(), help="backup | patch | qc_review | …"),
        _c("subject", pl.String(), False, "what was checked (a backup job, a sampled matter)"),
        _c("at", UTC_TS),
        _c("passed", pl.Boolean()),
    ),
)

FACTS: dict[str, Fact] = {f.name: f for f in (TICKETS, OUTAGES, PROBES, CAPACITY, SPEND, PROJECTS, CHECKS)}


def fact(name: str) -> Fact:
    """The fact named ``name``; raises KeyError naming the known ones."""
    try:
        return FACTS[name]
    except KeyError:
        raise KeyError(f"unknown fact {name!r}; known: {', '.join(FACTS)}") from None


def empty_frame(f: Fact) -> pl.DataFrame:
    return pl.DataFrame(schema=f.schema)
