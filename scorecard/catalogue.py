"""The measure catalogue of DESIGN.md §3: every measure id, what it is, how it is judged.

A measure result is one row per provider, measure, parameters and month, in ``RESULT_SCHEMA``.
Proportions are fractions (0.95, shown as 95 %); times are hours of the SLA clock;
availability is a fraction of scheduled minutes; money is in the provider's currency.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from scorecard.errors import BadInput

# kinds decide the control chart and how a value is shown
PROPORTION = "proportion"  # numerator / denominator, Wilson interval, p-chart
COUNT = "count"            # events in a month, c-chart
CONTINUOUS = "continuous"  # a measured level (hours, money, utilisation), XmR chart
SCORE = "score"            # survey scores such as NPS (-100..100) with an interval

HIGHER, LOWER = "higher", "lower"

RESULT_SCHEMA = pl.Schema({
    "provider": pl.String(),
    "measure": pl.String(),
    "params": pl.String(),      # canonical JSON object, "{}" for the whole provider
    "month": pl.String(),       # YYYY-MM in the provider's time zone
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "n": pl.Int64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "provisional": pl.Boolean(),
})


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    name: str
    kind: str
    unit: str               # "%", "tickets", "hours", "minutes", "months", "money", "score", "ratio"
    better: str             # HIGHER or LOWER: which way is better
    params: tuple[str, ...]  # parameters a scorecard may give (priority, category, service, …)
    definition: str
    facts: tuple[str, ...]

    def check_params(self, params: Mapping[str, object], where: str) -> dict[str, str]:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = ", ".join(self.params) or "none"
            raise BadInput(f"{where}: {self.id} takes no parameter {', '.join(unknown)} (allowed: {allowed})")
        return {k: str(v) for k, v in params.items()}


def params_key(params: Mapping[str, object] | None) -> str:
    """The canonical text of a parameter set: sorted keys, compact JSON, "{}" when empty."""
    return json.dumps({k: str(v) for k, v in (params or {}).items()}, sort_keys=True, separators=(",", ":"))


class SeriesKeyed:
    """For records naming a measure series by ``measure`` and ``params``: the keys results are
    stored and looked up by."""

    measure: str
    params: Mapping[str, str]

    @property
    def params_key(self) -> str:
        return params_key(self.params)

    @property
    def key(self) -> tuple[str, str]:
        """(measure id, params key)."""
        return self.measure, self.params_key


_T = ("tickets",)
_TICKET_PARAMS = ("priority", "category")

CATALOGUE: dict[str, MeasureInfo] = {m.id: m for m in (
    MeasureInfo("tickets.opened", "Tickets opened", COUNT, "tickets", LOWER, _TICKET_PARAMS,
                "Tickets opened in the month.", _T),
    MeasureInfo("tickets.resolved", "Tickets resolved", COUNT, "tickets", HIGHER, _TICKET_PARAMS,
                "Tickets resolved in the month.", _T),
    MeasureInfo("tickets.backlog", "Backlog", COUNT, "tickets", LOWER, _TICKET_PARAMS,
                "Tickets not cancelled, opened by month end and not resolved by month end.", _T),
    MeasureInfo("tickets.backlog_aged", "Aged backlog", COUNT, "tickets", LOWER, _TICKET_PARAMS,
                "Backlog tickets older than 30 days at month end.", _T),
    MeasureInfo("sla.response_met", "Response SLA met", PROPORTION, "%", HIGHER, _TICKET_PARAMS,
                "Of tickets whose response clock stopped (or breached) in the month, the share that met "
                "the response target.", _T),
    MeasureInfo("sla.resolution_met", "Resolution SLA met", PROPORTION, "%", HIGHER, _TICKET_PARAMS,
                "Of tickets whose resolution clock stopped (or breached) in the month, the share that met "
                "the resolution target.", _T),
    MeasureInfo("time.first_response", "Time to first response", CONTINUOUS, "hours", LOWER,
                ("stat", *_TICKET_PARAMS),
                "Median and 90th percentile, in hours of the SLA clock, of tickets first responded to in "
                "the month.", _T),
    MeasureInfo("time.resolution", "Time to resolution", CONTINUOUS, "hours", LOWER, ("stat", *_TICKET_PARAMS),
                "Median and 90th percentile, in hours of the SLA clock, of tickets resolved in the month.", _T),
    MeasureInfo("quality.reopen_rate", "Reopen rate", PROPORTION, "%", LOWER, _TICKET_PARAMS,
                "Of tickets resolved in the month, the share reopened at least once; provisional for 14 days "
                "after month end.", _T),
    MeasureInfo("quality.repeat_rate", "Repeat contacts", PROPORTION, "%", LOWER, _TICKET_PARAMS,
                "Of tickets opened in the month, the share whose requester had a ticket in the same category "
                "resolved in the 30 days before.", _T),
    MeasureInfo("quality.first_assignment_resolution", "Resolved by the first team", PROPORTION, "%", HIGHER,
                _TICKET_PARAMS,
                "Of tickets resolved in the month, the share with no reassignment and no reopen.", _T),
    MeasureInfo("demand.duplicate_share", "Duplicate tickets", PROPORTION, "%", LOWER, ("priority",),
                "Share of opened tickets the provider's category mapping classes as duplicates.", _T),
    MeasureInfo("demand.how_to_share", "How-to questions", PROPORTION, "%", LOWER, ("priority",),
                "Share of opened tickets the provider's category mapping classes as how-to questions.", _T),
    MeasureInfo("effort.hours", "Hours worked", CONTINUOUS, "hours", LOWER, (),
                "Hours the provider reported for the month.", ("spend",)),
    MeasureInfo("cost.spend", "Spend", CONTINUOUS, "money", LOWER, (), "Spend in the month.", ("spend",)),
    MeasureInfo("cost.budget_burn", "Budget burn (year to date)", CONTINUOUS, "ratio", LOWER, (),
                "Year-to-date spend divided by year-to-date budget.", ("spend",)),
    MeasureInfo("cost.per_ticket", "Cost per ticket", CONTINUOUS, "money", LOWER, (),
                "Spend divided by tickets resolved in the month.", ("spend", "tickets")),
    MeasureInfo("availability.service", "Service availability", PROPORTION, "%", HIGHER, ("service",),
                "(Scheduled minutes − unplanned downtime) ÷ scheduled minutes within the service's hours; "
                "overlapping outages merged, planned maintenance excluded, outages split at month boundaries. "
                "From probes: up ÷ all.", ("outages", "probes")),
    MeasureInfo("availability.services_meeting_target", "Services meeting target", PROPORTION, "%", HIGHER, (),
                "Share of services at or above their own availability target.", ("outages", "probes")),
    MeasureInfo("availability.outages", "Unplanned outages", COUNT, "outages", LOWER, ("service",),
                "Unplanned outages that ended in the month.", ("outages",)),
    MeasureInfo("availability.mttr", "Mean time to restore", CONTINUOUS, "minutes", LOWER, ("service",),
                "Mean duration of unplanned outages that ended in the month.", ("outages",)),
    MeasureInfo("capacity.p95_utilisation", "Utilisation (95th percentile)", CONTINUOUS, "%", LOWER,
                ("resource",), "95th percentile of used ÷ capacity in the month.", ("capacity",)),
    MeasureInfo("capacity.months_to_exhaustion", "Months to exhaustion", CONTINUOUS, "months", HIGHER,
                ("resource",),
                "Months until the robust (Theil–Sen) trend of the last six monthly p95 values reaches 100 %.",
                ("capacity",)),
    MeasureInfo("survey.csat", "Satisfaction (CSAT)", PROPORTION, "%", HIGHER, ("question",),
                "Share of ratings of 4–5 on the 1–5 satisfaction question, Wilson interval.", ("surveys",)),
    MeasureInfo("survey.nps", "Net promoter score", SCORE, "score", HIGHER, (),
                "% promoters (9–10) − % detractors (0–6) on the 0–10 question, with its interval.", ("surveys",)),
    MeasureInfo("survey.response_rate", "Survey response rate", PROPORTION, "%", HIGHER, (),
                "Responses ÷ invitations sent in the month (cohort by sending month).", ("surveys",)),
    MeasureInfo("projects.on_schedule", "Projects on schedule", PROPORTION, "%", HIGHER, (),
                "Share of active projects whose forecast end is within tolerance of the baseline.", ("projects",)),
    MeasureInfo("projects.cost_variance", "Project cost variance", CONTINUOUS, "%", LOWER, (),
                "Σ(forecast − baseline cost) ÷ Σ baseline cost of active projects.", ("projects",)),
    MeasureInfo("checks.pass_rate", "Checks passed", PROPORTION, "%", HIGHER, ("check_type",),
                "Per check type, passed ÷ all in the month (backup success, legal QC accuracy).", ("checks",)),
    MeasureInfo("governance.actions_on_time", "Actions closed on time", PROPORTION, "%", HIGHER, (),
                "Of improvement actions due in the month, the share closed by their due date.", ("actions",)),
)}


def measure(measure_id: str, where: str = "") -> MeasureInfo:
    try:
        return CATALOGUE[measure_id]
    except KeyError:
        prefix = f"{where}: " if where else ""
        raise BadInput(f"{prefix}unknown measure {measure_id!r}; see the catalogue in docs/measures.md") from None
