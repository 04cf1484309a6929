"""SLA policies and the monthly attribution of every ticket's response and resolution clocks.

The office calendar is Europe/Berlin, Monday–Friday 09:00–17:00 (UTC+1 in winter).
2026-01-29 is a Thursday; 2026-02-02 a Monday; 2026-02-27 a Friday.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecard.calendars import BusinessCalendar, calendars_from_dict
from scorecard.errors import BadInput
from scorecard.sla import Duration, SlaPolicy, SlaPolicySet, assign_policies, sla_outcomes

UTC = timezone.utc
TS = pl.Datetime("us", "UTC")
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)

CALENDARS = calendars_from_dict({
    "office": {"timezone": "Europe/Berlin", "hours": ["09:00", "17:00"]},
    "long_fridays": {"timezone": "Europe/Berlin",
                     "hours": {"mon": ["09:00", "17:00"], "fri": ["09:00", "20:00"]}},
})
POLICIES = SlaPolicySet.from_dict({
    "p1": {"priorities": ["P1"], "response": "15m", "resolution": "4h", "calendar": "24x7"},
    "p2": {"priorities": ["P2"], "response": "1h", "resolution": "8h", "calendar": "office"},
    "p2_network": {"priorities": ["P2"], "categories": ["network"], "response": "30m",
                   "resolution": "6h", "calendar": "office"},
    "network": {"categories": ["network"], "response": "2h", "resolution": "2d", "calendar": "office"},
    "default": {"response": "4h", "resolution": "3d", "calendar": "office"},
})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tickets(rows: list[tuple]) -> pl.LazyFrame:
    """(ticket_id, priority, category, status, opened_at, first_response_at, resolved_at)."""
    cols = ["ticket_id", "priority", "category", "status", "opened_at", "first_response_at", "resolved_at"]
    return pl.LazyFrame([dict(zip(cols, r)) for r in rows], schema={
        "ticket_id": pl.String, "priority": pl.String, "category": pl.String, "status": pl.String,
        "opened_at": TS, "first_response_at": TS, "resolved_at": TS,
    }).with_columns(pl.lit("acme").alias("provider"))


OUTCOME_SCHEMA = {
    "provider": pl.String, "ticket_id": pl.String, "priority": pl.String, "category": pl.String,
    "sla_policy": pl.String, "clock": pl.String, "month": pl.String, "met": pl.Boolean,
    "stopped_at": TS, "deadline": TS, "elapsed_hours": pl.Float64,
}


def outcomes(lf: pl.LazyFrame, *, tz: str = "Europe/Berlin", as_of: datetime = AS_OF) -> pl.DataFrame:
    return sla_outcomes(lf, POLICIES, CALENDARS, as_of=as_of, timezone=tz).collect().sort("ticket_id", "clock")


def expected(rows: list[tuple]) -> pl.DataFrame:
    """(ticket_id, priority, category, policy, clock, month, met, stopped_at, deadline, hours)."""
    cols = list(OUTCOME_SCHEMA)[1:]
    return pl.DataFrame([dict(zip(cols, r)) for r in rows], schema={k: v for k, v in OUTCOME_SCHEMA.items()
                                                                    if k != "provider"}).select(
        pl.lit("acme").alias("provider"), pl.all()).sort("ticket_id", "clock")


# ---------------------------------------------------------------------- attribution

def test_outcomes_worked_example():
    lf = tickets([
        # A: responded in time; resolved days late → breached in the month it stopped (Feb)
        ("A", "P2", "email", "resolved", utc(2026, 1, 29, 8), utc(2026, 1, 29, 8, 30), utc(2026, 2, 3, 10)),
        # B: never answered, still open → both clocks breached in January, once each
        ("B", "P2", "email", "open", utc(2026, 1, 29, 8), None, None),
        # C: opened Friday 16:00 Berlin; response due 17:00 has passed, resolution not yet due
        ("C", "P2", "email", "open", utc(2026, 2, 27, 15), None, None),
        # D: round the clock; resolved 2026-01-31 23:30 UTC = 1 February 00:30 in Berlin
        ("D", "P1", None, "resolved", utc(2026, 1, 31, 22), utc(2026, 1, 31, 22, 10), utc(2026, 1, 31, 23, 30)),
        # E: cancelled → left out although its deadlines have passed
        ("E", "P1", None, "cancelled", utc(2026, 1, 5), None, None),
        # F: resolved without a recorded response: the resolution answers the response clock
        ("F", "P3", "email", "resolved", utc(2026, 2, 2, 8), None, utc(2026, 2, 2, 10)),
        # G: closed but with no stop times: when it stopped is unknown → no outcome
        ("G", "P3", "email", "closed", utc(2026, 1, 5, 8), None, None),
        # H: answered only after as_of → still running at as_of; response breached in February;
        #    resolution due exactly at as_of → not breached yet
        ("H", "P1", None, "open", utc(2026, 2, 28, 20), utc(2026, 3, 1, 0, 30), None),
        # I: opened after as_of → nothing yet
        ("I", "P1", None, "open", utc(2026, 3, 2), None, None),
        # J: stopped exactly at the deadlines → met
        ("J", "P1", "network", "resolved", utc(2026, 1, 10, 10), utc(2026, 1, 10, 10, 15), utc(2026, 1, 10, 14)),
    ])
    want = expected([
        ("A", "P2", "email", "p2", "resolution", "2026-02", False, utc(2026, 2, 3, 10), utc(2026, 1, 29, 16), 26.0),
        ("A", "P2", "email", "p2", "response", "2026-01", True, utc(2026, 1, 29, 8, 30), utc(2026, 1, 29, 9), 0.5),
        ("B", "P2", "email", "p2", "resolution", "2026-01", False, None, utc(2026, 1, 29, 16), None),
        ("B", "P2", "email", "p2", "response", "2026-01", False, None, utc(2026, 1, 29, 9), None),
        ("C", "P2", "email", "p2", "response", "2026-02", False, None, utc(2026, 2, 27, 16), None),
        ("D", "P1", None, "p1", "resolution", "2026-02", True, utc(2026, 1, 31, 23, 30), utc(2026, 2, 1, 2), 1.5),
        ("D", "P1", None, "p1", "response", "2026-01", True, utc(2026, 1, 31, 22, 10), utc(2026, 1, 31, 22, 15), 1 / 6),
        ("F", "P3", "email", "default", "resolution", "2026-02", True, utc(2026, 2, 2, 10), utc(2026, 2, 4, 16), 2.0),
        ("F", "P3", "email", "default", "response", "2026-02", True, utc(2026, 2, 2, 10), utc(2026, 2, 2, 12), 2.0),
        ("H", "P1", None, "p1", "response", "2026-02", False, None, utc(2026, 2, 28, 20, 15), None),
        ("J", "P1", "network", "p1", "resolution", "2026-01", True, utc(2026, 1, 10, 14), utc(2026, 1, 10, 14), 4.0),
        ("J", "P1", "network", "p1", "response", "2026-01", True, utc(2026, 1, 10, 10, 15), utc(2026, 1, 10, 10, 15), 0.25),
    ])
    assert_frame_equal(outcomes(lf), want)


def test_months_are_the_providers_months():
    lf = tickets([("D", "P1", None, "resolved", utc(2026, 1, 31, 22), utc(2026, 1, 31, 22, 10), utc(2026, 1, 31, 23, 30))])
    assert outcomes(lf)["month"].to_list() == ["2026-02", "2026-01"]  # resolution, response
    assert outcomes(lf, tz="UTC")["month"].to_list() == ["2026-01", "2026-01"]
    assert outcomes(lf, tz="Asia/Tokyo")["month"].to_list() == ["2026-02", "2026-02"]


def test_a_running_breach_counts_once_and_moves_to_its_stop_month_when_it_stops():
    open_ticket = ("B", "P2", "email", "open", utc(2026, 1, 29, 8), None, None)
    # while it runs: one breach per clock, in January, whatever the as_of month
    for as_of in (utc(2026, 2, 1), utc(2026, 6, 1), utc(2027, 1, 1)):
        got = outcomes(tickets([open_ticket]), as_of=as_of)
        assert got.select("clock", "month", "met").rows() == [("resolution", "2026-01", False),
                                                              ("response", "2026-01", False)]
    # once answered in March, the response clock counts in March only
    answered = ("B", "P2", "email", "open", utc(2026, 1, 29, 8), utc(2026, 3, 10), None)
    got = outcomes(tickets([answered]), as_of=utc(2026, 4, 1))
    assert got.select("clock", "month", "met").rows() == [("resolution", "2026-01", False),
                                                          ("response", "2026-03", False)]
    # before its deadline passed there was nothing to count
    assert outcomes(tickets([open_ticket]), as_of=utc(2026, 1, 29, 8, 59)).height == 0
    assert outcomes(tickets([open_ticket]), as_of=utc(2026, 1, 29, 9)).height == 0
    assert outcomes(tickets([open_ticket]), as_of=utc(2026, 1, 29, 9, 0, 0, 1)).height == 1


def test_stopping_outside_hours_after_the_deadline_is_a_breach():
    # due Thursday 17:00 Berlin; resolved at 18:00, after hours, with exactly 8 business hours used
    lf = tickets([("A", "P2", "email", "resolved", utc(2026, 1, 29, 8), utc(2026, 1, 29, 8, 5), utc(2026, 1, 29, 17))])
    row = outcomes(lf).filter(pl.col("clock") == "resolution").row(0, named=True)
    assert row["deadline"] == utc(2026, 1, 29, 16)
    assert row["elapsed_hours"] == 8.0
    assert row["met"] is False


def test_a_stop_before_the_opening_counts_as_met_with_no_time():
    lf = tickets([("A", "P2", "email", "resolved", utc(2026, 1, 29, 8), utc(2026, 1, 29, 7), utc(2026, 1, 29, 9))])
    row = outcomes(lf).filter(pl.col("clock") == "response").row(0, named=True)
    assert (row["met"], row["elapsed_hours"]) == (True, 0.0)


def test_policy_without_a_response_target_has_only_resolution_outcomes():
    policies = SlaPolicySet.from_dict({"all": {"resolution": "1d", "calendar": "office"}})
    # opened Friday 09:00 Berlin: one business day later is Friday 17:00 Berlin
    lf = tickets([("A", "P2", "email", "resolved", utc(2026, 1, 30, 8), utc(2026, 1, 30, 9), utc(2026, 2, 2, 9))])
    got = sla_outcomes(lf, policies, CALENDARS, as_of=AS_OF, timezone="Europe/Berlin").collect()
    assert got.select("clock", "deadline", "met").rows() == [("resolution", utc(2026, 1, 30, 16), False)]
    # long Fridays: Mon 8h, Fri 11h → a business day is not one length
    with pytest.raises(BadInput, match="SLA policy 'all': key 'resolution': 1d is in business days, "
                                       "but calendar 'long_fridays' has working days of different lengths"):
        policies = SlaPolicySet.from_dict({"all": {"resolution": "1d", "calendar": "long_fridays"}})
        sla_outcomes(lf, policies, CALENDARS, as_of=AS_OF, timezone="Europe/Berlin")
    hours = SlaPolicySet.from_dict({"all": {"resolution": "12h", "calendar": "long_fridays"}})
    got = sla_outcomes(lf, hours, CALENDARS, as_of=AS_OF, timezone="Europe/Berlin").collect()
    # Friday 09:00–20:00 Berlin is 11h; the 12th hour is Monday 09:00–10:00 Berlin
    assert got["deadline"].to_list() == [utc(2026, 2, 2, 9)]
    assert got["met"].to_list() == [True]


def test_tickets_without_a_policy_have_no_outcomes():
    policies = SlaPolicySet.from_dict({"p1": {"priorities": ["P1"], "response": "1h", "calendar": "24x7"}})
    lf = tickets([("A", "P1", None, "open", utc(2026, 1, 5), None, None),
                  ("B", "P2", None, "open", utc(2026, 1, 5), None, None),
                  ("C", None, None, "open", utc(2026, 1, 5), None, None)])
    got = sla_outcomes(lf, policies, {}, as_of=AS_OF, timezone="Europe/Berlin").collect()
    assert got["ticket_id"].to_list() == ["A"]


def test_outcomes_of_no_tickets():
    got = sla_outcomes(tickets([]), POLICIES, CALENDARS, as_of=AS_OF, timezone="Europe/Berlin").collect()
    assert got.schema == pl.Schema(OUTCOME_SCHEMA) and got.height == 0


def test_outcomes_without_a_provider_column():
    lf = tickets([("A", "P1", None, "resolved", utc(2026, 1, 5), utc(2026, 1, 5, 0, 5), utc(2026, 1, 5, 1))])
    got = sla_outcomes(lf.drop("provider"), POLICIES, CALENDARS, as_of=AS_OF, timezone="UTC").collect()
    assert got.columns == list(OUTCOME_SCHEMA)[1:]


def test_outcome_arguments_are_checked():
    lf = tickets([])
    with pytest.raises(BadInput, match="as_of must be a time-zone-aware datetime"):
        sla_outcomes(lf, POLICIES, CALENDARS, as_of=datetime(2026, 3, 1), timezone="UTC")
    with pytest.raises(BadInput, match="unknown time zone 'Berlin'"):
        sla_outcomes(lf, POLICIES, CALENDARS, as_of=AS_OF, timezone="Berlin")
    with pytest.raises(BadInput, match="SLA policy 'p2': unknown calendar 'office' \\(known: 24x7\\)"):
        sla_outcomes(lf, POLICIES, {}, as_of=AS_OF, timezone="UTC")


def test_a_calendar_named_24x7_overrides_the_built_in_one():
    office_as_24x7 = {"24x7": CALENDARS["office"]}
    policies = SlaPolicySet.from_dict({"p1": {"response": "1h", "calendar": "24x7"}})
    lf = tickets([("A", "P1", None, "open", utc(2026, 1, 31, 12), None, None)])  # a Saturday
    got = sla_outcomes(lf, policies, office_as_24x7, as_of=AS_OF, timezone="UTC").collect()
    assert got["deadline"].to_list() == [utc(2026, 2, 2, 9)]


# ---------------------------------------------------------------------- policies

def test_most_specific_policy_wins():
    cases = [("P2", "network", "p2_network"), ("P2", "email", "p2"), ("P2", None, "p2"),
             ("P4", "network", "network"), ("P1", "network", "p1"), ("P3", None, "default"),
             (None, None, "default"), (None, "network", "network")]
    for priority, category, name in cases:
        assert POLICIES.policy_for(priority, category).name == name
    lf = pl.LazyFrame({"priority": [c[0] for c in cases], "category": [c[1] for c in cases]},
                      schema={"priority": pl.String, "category": pl.String})
    got = lf.pipe(assign_policies, POLICIES).collect()["sla_policy"].to_list()
    assert got == [c[2] for c in cases]


def test_no_default_means_no_policy():
    policies = SlaPolicySet.from_dict([{"name": "p1", "priorities": ["P1", "P2"], "response": "1h",
                                        "calendar": "office"}])
    assert policies.policy_for("P3", None) is None
    assert policies.policy_for("P2", "x").name == "p1"
    lf = pl.LazyFrame({"priority": ["P1", "P3"], "category": [None, None]},
                      schema={"priority": pl.String, "category": pl.String})
    assert lf.pipe(assign_policies, policies).collect()["sla_policy"].to_list() == ["p1", None]


def test_policy_from_dict():
    p = SlaPolicy.from_dict("x", {"priorities": ["P1"], "categories": ["a", "b"], "response": "1h30m",
                                  "resolution": "2d 4h", "calendar": "office"})
    assert p == SlaPolicy(name="x", calendar="office", priorities=("P1",), categories=("a", "b"),
                          response=Duration(minutes=90), resolution=Duration(days=2, minutes=240))
    assert p.level == 3 and str(p.resolution) == "2d4h"


@pytest.mark.parametrize(("text", "days", "minutes"), [
    ("30m", 0, 30), ("4h", 0, 240), ("1h30m", 0, 90), ("1h 30m", 0, 90), ("90m", 0, 90),
    ("3d", 3, 0), ("2d4h", 2, 240), ("4H", 0, 240),
])
def test_duration_parse(text, days, minutes):
    assert Duration.parse(text, "x") == Duration(days=days, minutes=minutes)


@pytest.mark.parametrize("text", ["", "4", "4 hours", "1.5h", "h", "30m1h", "-1h", "0h", "0m", 4, None])
def test_duration_refuses(text):
    with pytest.raises(BadInput, match="^w: "):
        Duration.parse(text, "w")


def test_business_days_use_the_calendars_working_day():
    office = CALENDARS["office"]
    assert Duration(days=3).seconds_on(office, "x") == 24 * 3600
    assert Duration(days=1, minutes=60).seconds_on(office, "x") == 9 * 3600
    assert Duration(days=1).seconds_on(BusinessCalendar.round_the_clock(), "x") == 24 * 3600


@pytest.mark.parametrize(("data", "message"), [
    ({"response": "1h"}, "SLA policy 'x': key 'calendar' is required"),
    ({"calendar": "office"}, "give a 'response' or a 'resolution' target"),
    ({"response": "1h", "calendar": "office", "priorities": ["p1"]}, "unknown priority 'p1' \\(known: P1, P2, P3, P4\\)"),
    ({"response": "1h", "calendar": "office", "priorities": "P1"}, "key 'priorities': expected a list"),
    ({"response": "1h", "calendar": "office", "categories": ["a", "a"]}, "key 'categories': a name is listed twice"),
    ({"response": "1h", "calendar": "office", "categories": [""]}, "key 'categories': expected names"),
    ({"response": "soon", "calendar": "office"}, "key 'response': not a duration: 'soon'"),
    ({"response": "1h", "calendar": "office", "target": "1h"}, "unknown key 'target'"),
])
def test_policy_refuses_bad_definitions(data, message):
    with pytest.raises(BadInput, match=message):
        SlaPolicy.from_dict("x", data)


@pytest.mark.parametrize(("data", "message"), [
    ({"a": {"priorities": ["P1"], "response": "1h", "calendar": "c"},
      "b": {"priorities": ["P1", "P2"], "response": "2h", "calendar": "c"}}, "'a' and 'b' both apply"),
    ({"a": {"response": "1h", "calendar": "c"}, "b": {"response": "2h", "calendar": "c"}}, "'a' and 'b' both apply"),
    ({"a": {"priorities": ["P1"], "categories": ["x", "y"], "response": "1h", "calendar": "c"},
      "b": {"priorities": ["P1"], "categories": ["y"], "response": "2h", "calendar": "c"}}, "'a' and 'b' both apply"),
    ({}, "none given"),
    ("p1", "expected a table of policies"),
    ([{"priorities": ["P1"], "response": "1h", "calendar": "c"}], "entry 1 needs a 'name'"),
    ([{"name": "a", "response": "1h", "calendar": "c"}, {"name": "a", "response": "1h", "calendar": "c"}],
     "a policy name is used twice"),
])
def test_policy_set_refuses_ambiguity(data, message):
    with pytest.raises(BadInput, match=message):
        SlaPolicySet.from_dict(data)


def test_policies_at_different_levels_may_overlap():
    SlaPolicySet.from_dict({
        "a": {"priorities": ["P1"], "categories": ["x"], "response": "1h", "calendar": "c"},
        "b": {"priorities": ["P1"], "categories": ["y"], "response": "1h", "calendar": "c"},
        "c": {"priorities": ["P1"], "response": "1h", "calendar": "c"},
        "d": {"categories": ["x"], "response": "1h", "calendar": "c"},
    })


def test_the_documented_examples_build():
    doc = (Path(__file__).parents[2] / "docs" / "calendars.md").read_text(encoding="utf-8")
    data: dict = {}
    for block in re.findall(r"```toml\n(.*?)```", doc, flags=re.S):
        data.update(tomllib.loads(block))
    cals = calendars_from_dict(data["calendars"])
    assert set(cals) == {"office", "legal", "local_24x7", "always"}
    assert cals["legal"].hours[4] == (480, 840) and cals["legal"].working_days[-1] == "fri"
    policies = SlaPolicySet.from_dict(data["sla"]["policies"])
    lf = tickets([("A", "P2", "network", "open", utc(2026, 3, 2, 9), utc(2026, 3, 2, 9, 20), None)])
    got = sla_outcomes(lf, policies, cals, as_of=AS_OF.replace(month=4), timezone="Europe/London").collect()
    assert got.select("sla_policy", "clock", "met").rows() == [("p2_network", "response", True),
                                                               ("p2_network", "resolution", False)]
