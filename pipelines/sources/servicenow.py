"""ServiceNow incident exports, in either shape.

*One row per incident* (a list export of the incident table) or *one row per update* of an
incident (an audit-style event log: many rows per ``number``). In the second shape the
latest state of each incident is kept — the row with the highest ``sys_mod_count``, then
the latest ``sys_updated_at`` (or ``sys_updated_on``); the others are reported as skipped.
Two rows of one incident tied on both but differing in content are refused. A file with
neither column is a snapshot: a repeated ``number`` with different values is refused.

Columns may carry their field names (``opened_at``) or their labels (``Opened``). ``?`` or an
empty cell means unknown. The requester is ``caller_id``; ``first_response_at`` is left
empty unless the file has a ``u_first_response`` column (or a mapping names one).

States: New, In Progress, Active, On Hold and the Awaiting … states → open; Resolved →
resolved; Closed → closed; Canceled → cancelled (also the codes 1, 2, 3, 6, 7, 8).
Priorities ``1 - Critical`` … ``5 - Planning``: 1 → P1, 2 → P2, 3 → P3, 4 and 5 → P4.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources.frame import Context
from pipelines.sources.problems import ROW
from pipelines.sources.tickets import TicketFormat
from pipelines.sources.values import key, to_number
from scorecard import facts as F

MOD_COUNT, UPDATED_AT = "sys_mod_count", "sys_updated_at"

STATUSES = {
    "new": "open", "in progress": "open", "active": "open", "on hold": "open", "pending": "open",
    "awaiting user info": "open", "awaiting caller": "open", "awaiting problem": "open",
    "awaiting vendor": "open", "awaiting evidence": "open", "awaiting change": "open",
    "resolved": "resolved", "closed": "closed", "canceled": "cancelled", "cancelled": "cancelled",
    "1": "open", "2": "open", "3": "open", "6": "resolved", "7": "closed", "8": "cancelled",
}
PRIORITIES = {"1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4",
              "critical": "P1", "high": "P2", "moderate": "P3", "low": "P4", "planning": "P4"}


def _priority_lookup(expr: pl.Expr) -> pl.Expr:
    """``1 - Critical`` is read by its number, whatever the label says."""
    return pl.coalesce(expr.str.extract(r"^\s*([1-5])\s*(?:-|$)"), key(expr))


def latest_state(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per incident: its latest update, when the file is an update log."""
    order = [c for c in (MOD_COUNT, UPDATED_AT) if c in frame.columns]
    if not order or frame[F.TICKET_ID].n_unique() == frame.height:
        return frame.drop(order)
    if MOD_COUNT in frame.columns:
        frame = to_number(frame, MOD_COUNT, problems=ctx.problems, source_col=ctx.names[MOD_COUNT], integer=True)
    tid = F.TICKET_ID
    top = pl.lit(True)
    for col in order:
        top = top & pl.col(col).eq_missing(pl.col(col).max().over(tid))
    latest = frame.filter(top)
    content = [c for c in latest.columns if c not in (ROW, *order)]
    distinct = latest.unique(subset=content, keep="last", maintain_order=True)
    tied = distinct.filter(pl.len().over(tid) > 1)
    ctx.problems.add_hits(tied, pl.lit(True), value=tid, column=ctx.names[tid],
                          message=f"this incident has several rows with the same {' and '.join(order)} and different "
                                  "values; which is the latest cannot be told")
    ctx.skip("earlier updates of an incident", frame.height - latest.height)
    ctx.skip("repeated rows", latest.height - distinct.height)
    return distinct.drop(order).sort(ROW)


FORMAT = TicketFormat(
    name="servicenow",
    title="ServiceNow incident export",
    columns={
        F.TICKET_ID: ("number",),
        F.OPENED_AT: ("opened_at", "opened"),
        F.FIRST_RESPONSE_AT: ("u_first_response", "u_first_response_at", "first_response_at"),
        F.RESOLVED_AT: ("resolved_at", "resolved"),
        F.CLOSED_AT: ("closed_at", "closed"),
        F.STATUS: ("incident_state", "state", "incident state"),
        F.PRIORITY: ("priority",),
        F.CATEGORY: ("category",),
        F.CHANNEL: ("contact_type", "contact type", "channel"),
        F.REQUESTER: ("caller_id", "caller"),
        F.REQUESTER_GROUP: ("caller_id.department", "caller.department", "u_department"),
        F.ASSIGNEE_GROUP: ("assignment_group", "assignment group"),
        F.REASSIGNMENT_COUNT: ("reassignment_count", "reassignment count"),
        F.REOPEN_COUNT: ("reopen_count", "reopen count"),
        MOD_COUNT: ("sys_mod_count", "updates"),
        UPDATED_AT: ("sys_updated_at", "sys_updated_on", "updated"),
    },
    priorities=PRIORITIES,
    statuses=STATUSES,
    signature=(("number", "opened_at"), ("number", "opened")),
    date_helpers=(UPDATED_AT,),
    empty=("?",),
    kind="incident",
    priority_lookup=_priority_lookup,
    prepare=latest_state,
)
