"""Zendesk Support ticket exports with their metrics (Reporting → Export → CSV, or an
Explore tickets report with the same columns).

Columns: ``Id``, ``Status``, ``Priority``, ``Ticket type``, ``Via``, ``Created at``,
``Solved at``, ``Requester`` (``Requester email``, ``Requester id``), ``Organization``,
``Group``, ``Group stations``, ``Reopens``, ``First reply time in minutes`` and the other
duration metrics. ``-`` means no value.

``first_response_at`` is ``Created at`` plus ``First reply time in minutes`` (calendar
minutes); ``reassignment_count`` is ``Group stations`` − 1 (the first assignment is a
station); there is no closing time in the export, so ``closed_at`` stays empty.
Statuses: New, Open, Pending, On-hold → open; Solved → resolved; Closed → closed.
Priorities: Urgent → P1, High → P2, Normal → P3, Low → P4. Zendesk tickets may have no
priority: give one with ``"" = "P3"`` under ``[priority]`` in a mapping file.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources.frame import Context
from pipelines.sources.tickets import TicketFormat
from pipelines.sources.values import to_number
from scorecard import facts as F

FIRST_REPLY, STATIONS = "first_reply_minutes", "group_stations"

STATUSES = {"new": "open", "open": "open", "pending": "open", "hold": "open", "on-hold": "open",
            "on hold": "open", "solved": "resolved", "closed": "closed"}
PRIORITIES = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}


def metrics(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """First response from the first reply metric; reassignments from group stations."""
    p = ctx.problems
    if FIRST_REPLY in frame.columns:
        frame = to_number(frame, FIRST_REPLY, problems=p, source_col=ctx.names[FIRST_REPLY])
        if F.FIRST_RESPONSE_AT not in frame.columns:
            reply = pl.col(F.OPENED_AT) + pl.duration(seconds=(pl.col(FIRST_REPLY) * 60).round(0).cast(pl.Int64))
            frame = frame.with_columns(reply.alias(F.FIRST_RESPONSE_AT))
            ctx.names[F.FIRST_RESPONSE_AT] = ctx.names[FIRST_REPLY]
        frame = frame.drop(FIRST_REPLY)
    if STATIONS in frame.columns:
        frame = to_number(frame, STATIONS, problems=p, source_col=ctx.names[STATIONS], integer=True)
        if F.REASSIGNMENT_COUNT not in frame.columns:
            frame = frame.with_columns((pl.col(STATIONS) - 1).clip(lower_bound=0).alias(F.REASSIGNMENT_COUNT))
            ctx.names[F.REASSIGNMENT_COUNT] = ctx.names[STATIONS]
        frame = frame.drop(STATIONS)
    return frame


FORMAT = TicketFormat(
    name="zendesk",
    title="Zendesk ticket export",
    columns={
        F.TICKET_ID: ("Id", "Ticket ID"),
        F.KIND: ("Ticket type",),
        F.OPENED_AT: ("Created at",),
        F.RESOLVED_AT: ("Solved at",),
        F.STATUS: ("Status",),
        F.PRIORITY: ("Priority",),
        F.CATEGORY: ("Category", "Category [list]"),
        F.CHANNEL: ("Via",),
        F.REQUESTER: ("Requester email", "Requester id", "Requester"),
        F.REQUESTER_GROUP: ("Organization",),
        F.ASSIGNEE_GROUP: ("Group",),
        F.REOPEN_COUNT: ("Reopens",),
        FIRST_REPLY: ("First reply time in minutes",),
        STATIONS: ("Group stations",),
    },
    priorities=PRIORITIES,
    statuses=STATUSES,
    signature=(("Id", "Created at", "Solved at"), ("Id", "Created at", "Via")),
    empty=("-",),
    prepare=metrics,
)
