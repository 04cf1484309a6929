"""The measures find the known events of the demo data (docs/demo.md, "Known events").

Margins come from docs/demo.md's rates and the sample sizes (a few thousand tickets, a few
hundred checks a month), wide enough for the seed to move them, narrow enough to tell the
event from the baseline.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from statistics import mean

import pytest

from pipelines.demo import LEXINGTON, NORTHWIND, generate_demo
from pipelines.measures import compute_all
from scorecard.calendars import calendars_from_dict
from scorecard.context import MeasureContext, ServiceSpec
from scorecard.months import month_range
from scorecard.sla import SlaPolicySet

from .measures_helpers import rows, values

MONTHS = tuple(month_range("2023-11", "2026-10"))
BEFORE = [m for m in MONTHS if m < "2024-11"]  # the clean baseline year

NORTHWIND_CTX = MeasureContext(
    provider=NORTHWIND[0], timezone=NORTHWIND[2], months=MONTHS,
    as_of=datetime(2026, 11, 1, tzinfo=UTC),  # local midnight after the last month (GMT)
    calendars=calendars_from_dict({"business": {"timezone": "Europe/London", "hours": ["08:00", "18:00"]}}),
    policies=SlaPolicySet.from_dict({
        "p1": {"priorities": ["P1"], "response": "15m", "resolution": "4h", "calendar": "24x7"},
        "p2": {"priorities": ["P2"], "response": "30m", "resolution": "8h", "calendar": "24x7"},
        "p3": {"priorities": ["P3"], "response": "4h", "resolution": "30h", "calendar": "business"},
        "p4": {"priorities": ["P4"], "response": "8h", "resolution": "50h", "calendar": "business"},
    }),
    services={s: ServiceSpec(target=0.995) for s in ("Email", "ERP", "File shares", "VPN", "Website", "Telephony")},
    budget_year_start=4,
)
LEXINGTON_CTX = MeasureContext(
    provider=LEXINGTON[0], timezone=LEXINGTON[2], months=MONTHS,
    as_of=datetime(2026, 11, 1, 4, tzinfo=UTC),  # midnight in New York (EDT)
    calendars=calendars_from_dict({"ny": {"timezone": "America/New_York", "hours": ["09:00", "18:00"]}}),
    policies=SlaPolicySet.from_dict({
        "nda": {"categories": ["NDA"], "resolution": "24h", "calendar": "24x7"},
        "correction": {"categories": ["Correction"], "resolution": "4h", "calendar": "24x7"},
        "enquiry": {"categories": ["Enquiry"], "response": "2h", "calendar": "ny"},
        "default": {"resolution": "27h", "calendar": "ny"},
    }),
)


@pytest.fixture(scope="module")
def demo():
    data = generate_demo()
    out = {}
    for ctx in (NORTHWIND_CTX, LEXINGTON_CTX):
        facts = {k: v.lazy() for k, v in data.provider(ctx.provider).facts.items()}
        out[ctx.provider] = compute_all(ctx, facts).collect()
    return out


def test_northwind_events(demo) -> None:
    nw = demo[NORTHWIND[0]]
    # 1 capacity_trend: SAN-01 crosses 85% in 2026-05 and 90% in 2026-08; ~5 months left at the end
    san = values(nw, "capacity.p95_utilisation", {"resource": "SAN-01 storage"})
    assert san["2026-04"] < 0.85 < san["2026-05"] and san["2026-07"] < 0.90 < san["2026-08"]
    assert 3 < values(nw, "capacity.months_to_exhaustion", {"resource": "SAN-01 storage"})["2026-10"] < 8
    # 2 backup_bad_spell: ~83% in 2025-04, ~99% otherwise
    backup = values(nw, "checks.pass_rate", {"check_type": "backup"})
    assert 0.78 < backup["2025-04"] < 0.88
    assert min(v for m, v in backup.items() if m != "2025-04") > 0.95
    # 3 reopen_rate_rise: ~4% to 2025-06, ~8–9% from 2025-08; the last month still provisional
    reopen = values(nw, "quality.reopen_rate")
    assert max(reopen[m] for m in MONTHS if m < "2025-07") < 0.055
    assert min(reopen[m] for m in MONTHS if m >= "2025-08") > 0.07
    assert [m for m, *_, p in rows(nw, "quality.reopen_rate") if p] == ["2026-10"]
    # 4 project_slip: the ERP upgrade (the only active project) is off schedule from 2025-10
    # (2025-09 is 22 days late, inside the 30-day tolerance); cost variance ~+36% at the end
    on_schedule = values(nw, "projects.on_schedule")
    assert on_schedule["2025-09"] == 1.0 and all(on_schedule[m] == 0.0 for m in MONTHS if m >= "2025-10")
    assert 0.33 < values(nw, "projects.cost_variance")["2026-10"] < 0.40
    # 5 overspend: year-to-date burn above 100% from 2025-09 until the year ends in 2026-03
    burn = values(nw, "cost.budget_burn")
    assert burn["2025-08"] < 1.0 < burn["2025-09"] and 1.02 < burn["2025-11"] < 1.07
    assert burn["2026-04"] < 1.0
    # 6 p2_resolution_slower: the P2 median about doubles from 2026-01, attainment falls
    p2 = values(nw, "time.resolution", {"priority": "P2", "stat": "median"})
    assert mean(p2[m] for m in MONTHS if "2026-01" <= m) > 1.7 * mean(p2[m] for m in BEFORE)
    met = values(nw, "sla.resolution_met", {"priority": "P2"})
    assert mean(met[m] for m in BEFORE) > 0.8 and max(met[m] for m in MONTHS if m >= "2026-01") < 0.5
    # 7 major_outage: Email ~98.99% in 2026-05 (24×7 hours), MTTR spikes, services meeting target dips
    email = values(nw, "availability.service", {"service": "Email"})
    assert email["2026-05"] == pytest.approx(0.9899, abs=0.0005) and email["2026-06"] > 0.995
    assert values(nw, "availability.services_meeting_target")["2026-05"] < 1.0
    mttr = values(nw, "availability.mttr", {"service": "Email"})
    assert mttr["2026-05"] == max(mttr.values())


def test_email_outage_on_business_hours() -> None:
    data = generate_demo()
    ctx = dataclasses.replace(NORTHWIND_CTX, months=("2026-05",),
                              services={"Email": ServiceSpec(calendar="business", target=0.995)})
    out = compute_all(ctx, {"outages": data.provider(NORTHWIND[0]).facts["outages"].lazy()}).collect()
    # weekday 08:00–18:00 London hours: ~96.4%
    assert values(out, "availability.service", {"service": "Email"})["2026-05"] == pytest.approx(0.964, abs=0.003)


def test_lexington_events(demo) -> None:
    lx = demo[LEXINGTON[0]]
    # 8 nda_crunch: NDAs within 24 h ~95% normally, ~72–79% in 2025-05 … 2025-08
    nda = values(lx, "sla.resolution_met", {"category": "NDA"})
    crunch = ("2025-05", "2025-06", "2025-07", "2025-08")
    assert all(0.65 < nda[m] < 0.85 for m in crunch)
    assert mean(nda[m] for m in BEFORE) > 0.92 and nda["2025-10"] > 0.9
    # 9 qc_error_rise: ~99.5% QC accuracy through 2025-10, ~98% from 2025-11
    qc = values(lx, "checks.pass_rate", {"check_type": "qc_review"})
    assert mean(qc[m] for m in MONTHS if m <= "2025-10") > 0.99
    assert mean(qc[m] for m in MONTHS if m >= "2025-11") < 0.985
