"""Jira Service Management CSV exports (Filters → Export → CSV, all or current fields).

One row per issue: ``Issue key``, ``Issue Type``, ``Status``, ``Status Category``,
``Priority``, ``Resolution``, ``Created``, ``Resolved``, ``Reporter``, ``Time Spent``
(seconds) and custom fields such as ``Custom field (Request Type)`` and
``Custom field ([CHART] Date of First Response)``. Dates are in the exporting user's
format, by default ``05/Jan/24 9:15 AM``.

Statuses: the Jira Service Management workflows' open states (Open, Waiting for support,
Waiting for customer, In Progress, Pending, Escalated, Work in progress, …) → open;
Resolved and Done → resolved; Closed → closed; Canceled, Declined, Rejected, Won't Do →
cancelled — as is any issue whose Resolution is Won't Do, Declined, Rejected or Canceled.
A status of a custom workflow that none of these (nor the mapping file) names is read by
its status category, which every Jira status has: To Do and In Progress → open, Done →
resolved. Priorities: Highest, Blocker, Critical → P1; High, Major → P2; Medium, Minor →
P3; Low, Lowest, Trivial → P4.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources.frame import Context
from pipelines.sources.tickets import TicketFormat
from pipelines.sources.values import key
from scorecard import facts as F

RESOLUTION = "resolution"
STATUS_CATEGORY = "status_category"
CANCELLING = ("won't do", "wont do", "declined", "rejected", "canceled", "cancelled", "withdrawn")

OPEN = ("open", "to do", "new", "reopened", "waiting for support", "waiting for customer", "in progress",
        "work in progress", "pending", "escalated", "under investigation", "investigating", "awaiting approval",
        "waiting for approval", "awaiting implementation", "implementing", "planning", "in review",
        "under review", "backlog", "selected for development", "on hold", "waiting for third party")
STATUSES = {**{s: "open" for s in OPEN}, "resolved": "resolved", "done": "resolved", "closed": "closed",
            **{s: "cancelled" for s in ("canceled", "cancelled", "declined", "rejected", "won't do")}}
PRIORITIES = {"highest": "P1", "blocker": "P1", "critical": "P1", "high": "P2", "major": "P2",
              "medium": "P3", "minor": "P3", "low": "P4", "lowest": "P4", "trivial": "P4"}


def cancelled_by_resolution(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """An issue resolved as Won't Do, Declined, … was cancelled, whatever its final status."""
    if RESOLUTION not in frame.columns:
        return frame
    cancelled = key(pl.col(RESOLUTION)).is_in(list(CANCELLING)).fill_null(False)
    return frame.with_columns(pl.when(cancelled).then(pl.lit("cancelled")).otherwise(pl.col(F.STATUS))
                              .alias(F.STATUS)).drop(RESOLUTION)


def by_status_category(frame: pl.DataFrame, statuses: dict[str, str]) -> pl.Expr | None:
    """A status no table names is looked up by its category (To Do, In Progress, Done)."""
    if STATUS_CATEGORY not in frame.columns:
        return None
    name = key(pl.col(F.STATUS))
    return pl.when(name.is_null() | name.is_in(list(statuses))).then(name).otherwise(key(pl.col(STATUS_CATEGORY)))


FORMAT = TicketFormat(
    name="jira",
    title="Jira Service Management export",
    columns={
        F.TICKET_ID: ("Issue key",),
        F.KIND: ("Issue Type",),
        F.OPENED_AT: ("Created",),
        F.FIRST_RESPONSE_AT: ("Custom field ([CHART] Date of First Response)", "Date of First Response"),
        F.RESOLVED_AT: ("Resolved",),
        F.STATUS: ("Status",),
        F.PRIORITY: ("Priority",),
        F.CATEGORY: ("Custom field (Request Type)", "Custom field (Customer Request Type)", "Request Type"),
        F.CHANNEL: ("Custom field (Request channel)", "Request channel", "Custom field (Source)"),
        F.REQUESTER: ("Reporter Id", "Reporter (Email)", "Reporter"),
        F.REQUESTER_GROUP: ("Custom field (Organizations)", "Organizations"),
        F.ASSIGNEE_GROUP: ("Custom field (Team)", "Team"),
        F.HOURS_SPENT: ("Time Spent",),
        RESOLUTION: ("Resolution",),
        STATUS_CATEGORY: ("Status Category",),
    },
    priorities=PRIORITIES,
    statuses=STATUSES,
    signature=(("Issue key", "Created"),),
    hours_unit="seconds",
    prepare=cancelled_by_resolution,
    status_lookup=by_status_category,
)
