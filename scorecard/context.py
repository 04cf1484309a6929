"""What a measure computation needs to know about a provider besides its facts.

Built from the provider's scorecard (``scorecard.definition``) for the months being computed;
measure functions in ``pipelines.measures`` take it with the facts' LazyFrames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scorecard.calendars import BusinessCalendar
from scorecard.sla import SlaPolicySet


@dataclass(frozen=True)
class ServiceSpec:
    """A service's scheduled hours (a calendar name; None = 24×7) and availability target."""

    calendar: str | None = None
    target: float | None = None


@dataclass(frozen=True)
class MeasureContext:
    provider: str
    timezone: str
    months: tuple[str, ...]                     # YYYY-MM, ascending: the months to compute
    as_of: dt.datetime                           # UTC "now": what has happened by then counts
    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    policies: SlaPolicySet | None = None        # None: no SLA measures
    services: dict[str, ServiceSpec] = field(default_factory=dict)
    duplicate_categories: frozenset[str] = frozenset({"Duplicate"})
    how_to_categories: frozenset[str] = frozenset({"How-to"})
    backlog_age_days: int = 30
    repeat_window_days: int = 30
    reopen_window_days: int = 14                # quality.reopen_rate provisional this long after month end
    survey_window_days: int = 14                # survey measures provisional this long after month end
    project_tolerance_days: int = 30
    budget_year_start: int = 1                  # month (1–12) in which the budget year starts
