"""Freshservice ticket exports (Tickets → Export, CSV or Excel, or an Analytics ticket report).

Columns: ``Ticket Id`` (or ``ID``), ``Subject``, ``Status``, ``Priority``, ``Type``,
``Source``, ``Category``, ``Group``, ``Agent``, ``Requester Email`` (or ``Requester Name``),
``Department``, ``Created Date``, ``First Response Date`` (``Initial Response Time``),
``Resolved Date``, ``Closed Date``, ``Reopen Count``, ``Group Reassign Count`` and
``Time Tracked`` (``h:mm``). Older exports name the times ``Created Time``, ``Resolved Time``.

Statuses: Open, Pending and the custom waiting states → open; Resolved → resolved; Closed →
closed; Cancelled → cancelled. Priorities: Urgent → P1, High → P2, Medium → P3, Low → P4.
Freshservice's own statuses (Open, Pending, Resolved, Closed) and priorities (Low … Urgent)
are those of its API documentation (https://api.freshservice.com/); the export's column
names could not be checked against a vendor page, hence the several names accepted for each.
"""

from __future__ import annotations

from pipelines.sources.tickets import TicketFormat
from scorecard import facts as F

OPEN = ("open", "pending", "new", "assigned", "in progress", "on hold", "waiting on customer",
        "waiting on third party", "awaiting approval", "waiting on requester")
STATUSES = {**{s: "open" for s in OPEN}, "resolved": "resolved", "closed": "closed",
            "cancelled": "cancelled", "canceled": "cancelled", "rejected": "cancelled"}
PRIORITIES = {"urgent": "P1", "high": "P2", "medium": "P3", "low": "P4"}

FORMAT = TicketFormat(
    name="freshservice",
    title="Freshservice ticket export",
    columns={
        F.TICKET_ID: ("Ticket Id", "Ticket ID", "ID", "Display Id"),
        F.KIND: ("Type",),
        F.OPENED_AT: ("Created Date", "Created Time", "Created at"),
        F.FIRST_RESPONSE_AT: ("First Response Date", "Initial Response Time", "First Responded At"),
        F.RESOLVED_AT: ("Resolved Date", "Resolved Time"),
        F.CLOSED_AT: ("Closed Date", "Closed Time"),
        F.STATUS: ("Status",),
        F.PRIORITY: ("Priority",),
        F.CATEGORY: ("Category",),
        F.CHANNEL: ("Source",),
        F.REQUESTER: ("Requester Email", "Requester Primary Email", "Requester Emails", "Requester Name",
                      "Requester"),
        F.REQUESTER_GROUP: ("Department", "Department Name"),
        F.ASSIGNEE_GROUP: ("Group", "Group Name", "Agent Group"),
        F.REASSIGNMENT_COUNT: ("Group Reassign Count", "Agent Reassign Count"),
        F.REOPEN_COUNT: ("Reopen Count",),
        F.HOURS_SPENT: ("Time Tracked", "Time Spent"),
    },
    priorities=PRIORITIES,
    statuses=STATUSES,
    signature=(("Ticket Id", "Created Date"), ("Ticket Id", "Created Time"), ("ID", "Created Date")),
)
