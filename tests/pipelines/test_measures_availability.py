"""availability.service, services_meeting_target, outages and mttr.

Berlin February 2026 is [2026-01-31 23:00, 2026-02-28 23:00) UTC: 28 × 1440 = 40,320
minutes round the clock. March 2026 has the spring change (29 March): [2026-02-28 23:00,
2026-03-31 22:00) UTC = 31 × 1440 − 60 = 44,580 minutes. The office calendar is Monday–Friday
09:00–17:00 Berlin (08:00–16:00 UTC in winter): 20 working days in February = 9,600 minutes,
22 in March = 10,560.
"""

from __future__ import annotations

import pytest

from scorecard import facts as F
from scorecard.calendars import calendars_from_dict
from scorecard.context import ServiceSpec
from scorecard.errors import BadInput

from .measures_helpers import context, frame, param_sets, results, rows, utc, values

CALENDARS = calendars_from_dict({"office": {"timezone": "Europe/Berlin", "hours": ["09:00", "17:00"]}})
SERVICES = {
    "Mail": ServiceSpec(target=0.999),                   # 24×7 in the provider's zone
    "ERP": ServiceSpec(calendar="office", target=0.99),
    "Web": ServiceSpec(target=0.95),                     # measured by probes
    "Idle": ServiceSpec(),                               # no outages at all, no target
}
MONTHS = ("2026-02", "2026-03")


def outage(service: str, start, end, impact: float = 1.0, planned: bool = False) -> dict:
    return {"service": service, "started_at": start, "ended_at": end, "impact": impact, "planned": planned}


OUTAGES = [
    outage("Mail", utc(2026, 2, 10, 10), utc(2026, 2, 10, 12)),                 # O1 120 min at 1.0
    outage("Mail", utc(2026, 2, 10, 11), utc(2026, 2, 10, 13), 0.5),            # O2 overlaps O1 by an hour
    outage("Mail", utc(2026, 2, 15, 2), utc(2026, 2, 15, 4), planned=True),     # O3 maintenance
    outage("Mail", utc(2026, 2, 28, 22), utc(2026, 3, 1, 1)),                   # O4 across the month end
    outage("Mail", utc(2026, 2, 20, 10), utc(2026, 2, 20, 10, 30), 0.2),        # O5 inside O6
    outage("Mail", utc(2026, 2, 20, 9), utc(2026, 2, 20, 11), 0.6),             # O6
    outage("Mail", utc(2026, 3, 30, 22), None),                                 # O7 still going on
    outage("ERP", utc(2026, 2, 7, 10), utc(2026, 2, 7, 12)),                    # E1 a Saturday
    outage("ERP", utc(2026, 2, 9, 15), utc(2026, 2, 10, 9), 0.5),               # E2 overnight
]

PROBES = (
    [{"service": "Web", "at": utc(2026, 2, d, 12), "up": d != 5} for d in range(1, 11)]   # 9 of 10
    + [{"service": "Web", "at": utc(2026, 2, 28, 23, 30 + m), "up": True} for m in range(4)]  # March
)


def facts(**kw):
    return {"outages": frame(F.OUTAGES, kw.get("outages", OUTAGES)),
            "probes": frame(F.PROBES, kw.get("probes", PROBES))}


def ctx(**kw):
    return context(MONTHS, as_of=kw.pop("as_of", utc(2026, 4, 10)), calendars=CALENDARS,
                   services=SERVICES, **kw)


def test_round_the_clock_service() -> None:
    out = results(ctx(), **facts())
    # February: O1 ∪ O2: 10:00–12:00 at 1.0 (120) + 12:00–13:00 at 0.5 (30) = 150; O3 planned;
    # O4 until 23:00 UTC = 60; O5 lies inside O6, which takes the larger impact: 120 × 0.6 = 72
    # → 282 minutes down of 40,320; outages touching February: O1 O2 O4 O5 O6 = 5
    # March: O4 from 23:00 = 120; O7 from 30 March 22:00 to the month end (22:00 UTC) = 1,440
    # → 1,560 of 44,580
    assert rows(out, "availability.service", {"service": "Mail"},
                ("month", "value", "numerator", "denominator", "n", "ci_low", "provisional")) == [
        ("2026-02", pytest.approx(40038 / 40320), pytest.approx(40038), 40320.0, 5, None, False),
        ("2026-03", pytest.approx(43020 / 44580), pytest.approx(43020), 44580.0, 2, None, False)]


def test_service_hours_from_its_calendar() -> None:
    out = results(ctx(), **facts())
    # E1 on a Saturday costs nothing; E2 at 0.5 from Monday 16:00 to 17:00 Berlin and Tuesday
    # 09:00 to 10:00: 2 business hours × 0.5 = 60 minutes of 9,600
    assert rows(out, "availability.service", {"service": "ERP"}, ("month", "value", "denominator", "n")) == [
        ("2026-02", pytest.approx(9540 / 9600), 9600.0, 2), ("2026-03", 1.0, 10560.0, 0)]
    # a scorecard service without outages is up, as long as there is an outage log
    assert values(out, "availability.service", {"service": "Idle"}) == {"2026-02": 1.0, "2026-03": 1.0}


def test_probes() -> None:
    out = results(ctx(), **facts())
    # 9 up of 10 in February (Wilson interval), 4 of 4 in March (taken after 23:00 UTC on 28 Feb)
    got = rows(out, "availability.service", {"service": "Web"}, ("month", "value", "n", "ci_low", "ci_high"))
    assert [g[:3] for g in got] == [("2026-02", 0.9, 10), ("2026-03", 1.0, 4)]
    assert got[0][3] == pytest.approx(0.5958, abs=1e-4) and got[0][4] == pytest.approx(0.9821, abs=1e-4)
    # a service with outages is measured from them even if it has probes too
    both = results(ctx(), **facts(probes=[*PROBES, {"service": "Mail", "at": utc(2026, 2, 3), "up": False}]))
    assert values(both, "availability.service", {"service": "Mail"})["2026-02"] == pytest.approx(40038 / 40320)


def test_services_meeting_target() -> None:
    out = results(ctx(), **facts())
    # February: Mail .99301 < .999, ERP .99375 ≥ .99, Web .9 < .95 → 1/3 (Idle has no target)
    # March: Mail .96501 < .999, ERP 1.0, Web 1.0 → 2/3
    assert rows(out, "availability.services_meeting_target", cols=("month", "value", "numerator", "n")) == [
        ("2026-02", pytest.approx(1 / 3), 1.0, 3), ("2026-03", pytest.approx(2 / 3), 2.0, 3)]


def test_outages_and_mttr() -> None:
    out = results(ctx(), **facts())
    # ended in February (Berlin): Mail O1 O2 O5 O6 (O4 ends 02:00 on 1 March Berlin), ERP E1 E2
    assert values(out, "availability.outages") == {"2026-02": 6.0, "2026-03": 1.0}
    assert values(out, "availability.outages", {"service": "Mail"}) == {"2026-02": 4.0, "2026-03": 1.0}
    assert values(out, "availability.outages", {"service": "Idle"}) == {"2026-02": 0.0, "2026-03": 0.0}
    assert param_sets(out, "availability.outages") == {
        "{}", '{"service":"ERP"}', '{"service":"Idle"}', '{"service":"Mail"}'}  # not Web (probes)
    # durations: O1 120, O2 120, O5 30, O6 120, E1 120, E2 1,080 → 1,590 / 6 = 265 minutes
    assert rows(out, "availability.mttr") == [
        ("2026-02", 265.0, 1590.0, 6.0, 6, False), ("2026-03", 180.0, 180.0, 1.0, 1, False)]
    assert values(out, "availability.mttr", {"service": "Mail"}) == {"2026-02": 97.5, "2026-03": 180.0}
    assert values(out, "availability.mttr", {"service": "Idle"}) == {}  # no outage, no mean


def test_a_running_month_counts_up_to_as_of() -> None:
    out = results(ctx(as_of=utc(2026, 3, 15)), **facts())
    # March so far: 28 Feb 23:00 → 15 Mar 00:00 UTC = 14 days + 1 h = 20,220 minutes; O4's 120 down
    assert rows(out, "availability.service", {"service": "Mail"}, ("month", "value", "provisional")) == [
        ("2026-02", pytest.approx(40038 / 40320), False), ("2026-03", pytest.approx(20100 / 20220), True)]
    # an outage still going on at as_of runs until as_of
    out = results(ctx(as_of=utc(2026, 3, 31, 10)), **facts())
    # 28 Feb 23:00 → 31 Mar 10:00 UTC: 12 h short of the month's 44,580 = 43,860 scheduled;
    # down 120 (O4) + 30 Mar 22:00 → 31 Mar 10:00 (720) = 840
    assert values(out, "availability.service", {"service": "Mail"})["2026-03"] == pytest.approx(43020 / 43860)


def test_no_outage_log_no_rows() -> None:
    out = results(ctx(), outages=frame(F.OUTAGES, []))
    assert out.is_empty()  # not 100% for every service
    out = results(ctx(), probes=frame(F.PROBES, PROBES))
    assert param_sets(out, "availability.service") == {'{"service":"Web"}'}
    assert values(out, "availability.services_meeting_target") == {"2026-02": 0.0, "2026-03": 1.0}
    assert param_sets(out, "availability.outages") == set()


def test_unknown_service_calendar_is_refused() -> None:
    bad = context(MONTHS, services={"Mail": ServiceSpec(calendar="nope")})
    with pytest.raises(BadInput, match="service 'Mail': unknown calendar 'nope'"):
        results(bad, **facts())
