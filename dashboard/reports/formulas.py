"""Each catalogue measure's formula, written for people (its definition in words is the catalogue's)."""

from __future__ import annotations

from scorecard.catalogue import CATALOGUE

FORMULAS: dict[str, str] = {
    "tickets.opened": "count of tickets with opened_at in the month",
    "tickets.resolved": "count of tickets with resolved_at in the month",
    "tickets.backlog": "count of tickets not cancelled, opened_at ≤ month end, and not resolved by month end",
    "tickets.backlog_aged": "count of backlog tickets with month end − opened_at > 30 days",
    "sla.response_met": "tickets whose response met its target ÷ tickets whose response clock stopped or breached "
                        "in the month",
    "sla.resolution_met": "tickets whose resolution met its target ÷ tickets whose resolution clock stopped or "
                          "breached in the month",
    "time.first_response": "median (or 90th percentile) of first-response time in SLA-clock hours, over tickets "
                           "first responded to in the month",
    "time.resolution": "median (or 90th percentile) of resolution time in SLA-clock hours, over tickets resolved "
                       "in the month",
    "quality.reopen_rate": "tickets resolved in the month with reopen_count > 0 ÷ tickets resolved in the month",
    "quality.repeat_rate": "tickets opened in the month whose requester had a ticket of the same category resolved "
                           "in the 30 days before ÷ tickets opened in the month",
    "quality.first_assignment_resolution": "tickets resolved in the month with no reassignment and no reopen ÷ "
                                           "tickets resolved in the month",
    "demand.duplicate_share": "tickets opened in a duplicate category ÷ tickets opened in the month",
    "demand.how_to_share": "tickets opened in a how-to category ÷ tickets opened in the month",
    "effort.hours": "hours reported for the month",
    "cost.spend": "spend reported for the month",
    "cost.budget_burn": "year-to-date spend ÷ year-to-date budget",
    "cost.per_ticket": "spend in the month ÷ tickets resolved in the month",
    "availability.service": "(scheduled minutes − unplanned downtime minutes) ÷ scheduled minutes; from probes: "
                            "probes up ÷ all probes",
    "availability.services_meeting_target": "services at or above their availability target ÷ services with a target",
    "availability.outages": "count of unplanned outages that ended in the month",
    "availability.mttr": "Σ duration of unplanned outages that ended in the month ÷ their count",
    "capacity.p95_utilisation": "95th percentile of used ÷ capacity over the month's readings",
    "capacity.months_to_exhaustion": "(100 % − latest p95) ÷ Theil–Sen slope of the last six monthly p95 values",
    "survey.csat": "ratings of 4 or 5 ÷ all ratings on the 1–5 satisfaction question (Wilson 95 % interval)",
    "survey.nps": "% promoters (9–10) − % detractors (0–6) on the 0–10 question",
    "survey.response_rate": "responses ÷ invitations sent in the month",
    "projects.on_schedule": "active projects with forecast end ≤ baseline end + tolerance ÷ active projects",
    "projects.cost_variance": "Σ (forecast cost − baseline cost) ÷ Σ baseline cost, over active projects",
    "checks.pass_rate": "checks passed ÷ all checks of the type in the month",
    "governance.actions_on_time": "actions due in the month closed by their due date ÷ actions due in the month",
}

assert set(FORMULAS) == set(CATALOGUE), sorted(set(CATALOGUE) ^ set(FORMULAS))


def formula(measure_id: str) -> str:
    return FORMULAS.get(measure_id, "")
