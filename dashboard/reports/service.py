"""Availability against targets, outages and capacity runway of a provider, from storage.

Pure helpers (``availability_grid``, ``exhaustion_month``, ``outage_rows``, ``capacity_rows``)
over frames that ``load_service`` reads: stored ``availability.service``,
``capacity.p95_utilisation`` and ``capacity.months_to_exhaustion`` results, the outage facts,
and the services' targets of the scorecard versions in force.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from scorecard import facts as F
from scorecard.display import value_text
from scorecard.months import month_range, shift_month
from sql.facts import read_facts
from sql.results import read_results

AVAILABILITY, P95, RUNWAY = "availability.service", "capacity.p95_utilisation", "capacity.months_to_exhaustion"
HEATMAP_MONTHS = 12
OUTAGES_SHOWN = 25


def availability_status(value: float | None, target: float | None, red_flag: float | None) -> str:
    """Green at or above the service's target; below it red past the scorecard's red flag for the
    service, amber otherwise (amber too when no red flag is agreed); grey without data or target."""
    if value is None or not math.isfinite(value) or target is None:
        return "grey"
    if value >= target:
        return "green"
    if red_flag is not None and value < red_flag:
        return "red"
    return "amber"


def availability_grid(results: pl.DataFrame, months: list[str], targets: dict[str, dict[str, float | None]],
                      red_flags: dict[str, dict[str, float | None]]) -> dict:
    """Services × months of ``availability.service``: values and statuses (targets per month,
    since a new scorecard version may change them)."""
    avail = results.filter(pl.col("measure") == AVAILABILITY)
    found: dict[tuple[str, str], float | None] = {}
    for params, month, value in avail.select("params", "month", "value").iter_rows():
        found[(json.loads(params).get("service", ""), month)] = value
    services = sorted({s for s, _m in found} | {s for t in targets.values() for s in t})
    values = [[found.get((s, m)) for m in months] for s in services]
    statuses = [[availability_status(found.get((s, m)), targets.get(m, {}).get(s), red_flags.get(m, {}).get(s))
                 for m in months] for s in services]
    return {"services": services, "months": months, "values": values, "statuses": statuses}


def exhaustion_month(month: str, months_left: float | None) -> str:
    """The month a resource is forecast to reach 100 %, from the runway measured at ``month``'s end."""
    if months_left is None or math.isnan(months_left) or math.isinf(months_left):
        return "not in sight (no upward trend)"
    if months_left <= 0:
        return "already full"
    if months_left > 120:
        return "more than ten years away"
    return shift_month(month, math.floor(months_left) + 1)


def capacity_rows(results: pl.DataFrame, month: str) -> list[dict]:
    """Per resource at ``month``: p95 utilisation, months to exhaustion and the forecast month."""
    now = results.filter(pl.col("month") == month)
    p95 = {json.loads(p).get("resource", ""): v for p, v in
           now.filter(pl.col("measure") == P95).select("params", "value").iter_rows()}
    runway = {json.loads(p).get("resource", ""): v for p, v in
              now.filter(pl.col("measure") == RUNWAY).select("params", "value").iter_rows()}
    rows = []
    for resource in sorted(set(p95) | set(runway)):
        left = runway.get(resource)
        rows.append({"resource": resource, "p95": p95.get(resource), "p95_text": value_text(p95.get(resource), "%"),
                     "months_left": left,
                     "months_left_text": value_text(left, "months", decimals=1) if left is not None else "no data",
                     "exhaustion": exhaustion_month(month, left)})
    rows.sort(key=lambda r: (r["months_left"] is None or not math.isfinite(r["months_left"]),
                             r["months_left"] if r["months_left"] is not None else 0.0))
    return rows


def _duration(minutes: float) -> str:
    if minutes < 60:
        return f"{minutes:.0f} min"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours < 48 else f"{minutes / 1440:.1f} days"


def outage_rows(outages: pl.DataFrame, timezone: str, limit: int = OUTAGES_SHOWN) -> list[dict]:
    """The most recent outages first, with local start, duration and impact."""
    if outages.is_empty():
        return []
    recent = (outages.sort("started_at", descending=True).head(limit)
              .with_columns(pl.col("started_at").dt.convert_time_zone(timezone).alias("local_start"),
                            ((pl.col("ended_at") - pl.col("started_at")).dt.total_seconds() / 60).alias("minutes")))
    return [{"service": r["service"], "started": r["local_start"].strftime("%Y-%m-%d %H:%M"),
             "duration": "ongoing" if r["minutes"] is None else _duration(r["minutes"]),
             "minutes": r["minutes"], "planned": bool(r["planned"]),
             "impact": "" if r["impact"] is None else f"{r['impact'] * 100:.0f} %"} for r in recent.iter_rows(named=True)]


@dataclass
class ServiceView:
    provider: str
    timezone: str
    month: str | None
    grid: dict
    capacity: list[dict]
    p95_series: dict[str, tuple[list[str], list[float | None]]]
    outages: list[dict]
    outage_count: int


def load_service(engine: Engine, provider: tuple[int, str], timezone: str, month: str | None = None) -> ServiceView:
    results = read_results(engine, provider, last=month, measures=[AVAILABILITY, P95, RUNWAY])
    month = month or (results["month"].max() if results.height else None)
    outages = read_facts(engine, F.FACTS["outages"], provider)
    if month is None:
        return ServiceView(provider[1], timezone, None, {"services": [], "months": [], "values": [], "statuses": []},
                           [], {}, outage_rows(outages, timezone), outages.height)
    months = month_range(shift_month(month, -(HEATMAP_MONTHS - 1)), month)
    from dashboard.reports.data import versions as stored_versions

    versions = stored_versions(engine, provider[0])
    targets: dict[str, dict[str, float | None]] = {}
    red_flags: dict[str, dict[str, float | None]] = {}
    for m in months:
        version = versions.in_force(m, backdate_first=True)
        if version is None:
            continue
        card = version.scorecard
        targets[m] = {name: spec.target for name, spec in card.services.items()}
        red_flags[m] = {spec.params.get("service"): spec.red_flag for _p, _o, spec in card.measures()
                        if spec.measure == AVAILABILITY}
    grid = availability_grid(results.filter(pl.col("month").is_in(months)), months, targets, red_flags)
    p95 = results.filter(pl.col("measure") == P95).sort("month")
    series: dict[str, tuple[list[str], list[float | None]]] = {}
    for (params,), part in p95.group_by(["params"], maintain_order=True):
        series[json.loads(params).get("resource", "")] = (part["month"].to_list(), part["value"].to_list())
    return ServiceView(provider[1], timezone, month, grid, capacity_rows(results, month), dict(sorted(series.items())),
                       outage_rows(outages, timezone), outages.height)
