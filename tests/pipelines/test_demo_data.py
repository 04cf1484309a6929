"""The demo generator: canonical frames, deterministic, sane, and the documented events in them.

Margins are derived from the generator's own parameters (rates and sample sizes), wide enough
that a seed cannot fail them by chance and narrow enough that a missing event fails.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.demo import (
    DEFAULT_END,
    EVENTS,
    LEXINGTON,
    NORTHWIND,
    DemoData,
    default_end,
    event_month,
    generate_demo,
)
from pipelines.demo import delivery, lexington, northwind_operations, northwind_tickets
from pipelines.demo.span import sub_rng
from pipelines.ingest import validate
from scorecard.errors import BadInput, NotFound
from scorecard.facts import FACTS

NW, LX = NORTHWIND[0], LEXINGTON[0]
NW_TZ, LX_TZ = NORTHWIND[2], LEXINGTON[2]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


@pytest.fixture(scope="module")
def demo24() -> DemoData:
    return generate_demo(seed=11, months=24, end="2025-06")


def facts_of(d: DemoData, provider: str) -> dict[str, pl.DataFrame]:
    return d.provider(provider).facts


def at_month(d: DemoData, provider: str, name: str) -> int:
    return next(e.month_index for e in d.events if e.provider == provider and e.name == name)


def demo_month(d: DemoData, index: int) -> str:
    """The ``YYYY-MM`` of month ``index`` of the demo."""
    y, m = int(d.start[:4]), int(d.start[5:7])
    k = y * 12 + m - 1 + index
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def until_month(d: DemoData, provider: str, name: str) -> int:
    """The month index of an event's last month."""
    e = next(e for e in d.events if e.provider == provider and e.name == name)
    return [demo_month(d, i) for i in range(d.months)].index(e.end_month)


def local_month(col: str, tz: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(tz).dt.strftime("%Y-%m")


def span_bounds(d: DemoData, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """First instant and "as of" instant (local midnight after the last month), in UTC."""
    first = pl.Series([f"{d.start}-01"]).str.to_datetime("%Y-%m-%d", time_unit="us")
    last = pl.Series([f"{d.end}-01"]).str.to_datetime("%Y-%m-%d", time_unit="us").dt.offset_by("1mo")
    utc = [s.dt.replace_time_zone(tz).dt.convert_time_zone("UTC").item() for s in (first, last)]
    return utc[0], utc[1]


# -- shape -------------------------------------------------------------------------------

def test_providers_and_their_metadata(demo):
    assert [(p.name, p.kind, p.timezone) for p in demo.providers] == [NORTHWIND, LEXINGTON]
    assert set(facts_of(demo, NW)) == {"tickets", "outages", "capacity", "spend", "projects", "checks"}
    assert set(facts_of(demo, LX)) == {"tickets", "spend", "checks"}
    assert (demo.start, demo.end, demo.months, demo.seed) == ("2023-11", DEFAULT_END, 36, 7)
    with pytest.raises(NotFound):
        demo.provider("Nobody")


def test_every_frame_has_exactly_the_canonical_schema(demo, demo24):
    for d in (demo, demo24):
        for p in d.providers:
            for name, df in p.facts.items():
                assert list(df.schema.items()) == list(FACTS[name].schema.items()), (p.name, name)
                assert df.height > 0, (p.name, name)
                assert df["provider"].unique().to_list() == [p.name]


def test_frames_pass_the_import_validation_and_keys_are_unique(demo):
    for p in demo.providers:
        for name, df in p.facts.items():
            fact = FACTS[name]
            assert df.select(fact.key).is_duplicated().sum() == 0, (p.name, name)
            validate(df, fact, source=f"demo {p.name} {name}")


# -- determinism ---------------------------------------------------------------------------

def test_same_seed_same_frames_other_seed_other_tickets(demo24):
    again = generate_demo(seed=11, months=24, end="2025-06")
    assert again.events == demo24.events
    for p, q in zip(demo24.providers, again.providers, strict=True):
        assert p.facts.keys() == q.facts.keys()
        for name in p.facts:
            assert_frame_equal(p.facts[name], q.facts[name])
    other = generate_demo(seed=12, months=24, end="2025-06")
    for provider in (NW, LX):
        a, b = facts_of(demo24, provider)["tickets"], facts_of(other, provider)["tickets"]
        assert not a.equals(b)
        assert a["opened_at"].head(100).to_list() != b["opened_at"].head(100).to_list()


def test_sub_generators_depend_only_on_seed_and_names():
    a = sub_rng(7, NW, "tickets").random(5)
    assert np.array_equal(a, sub_rng(7, NW, "tickets").random(5))
    assert not np.array_equal(a, sub_rng(7, NW, "checks").random(5))
    assert not np.array_equal(a, sub_rng(8, NW, "tickets").random(5))


# -- arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"end": "2026-13"}, {"end": "26-10"}, {"end": "2026-1"}, {"months": 0}, {"months": -3},
    {"seed": -1},
])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(BadInput):
        generate_demo(**kwargs)


def test_default_end_is_the_month_before_today():
    assert default_end(dt.date(2026, 11, 15)) == "2026-10"
    assert default_end(dt.date(2027, 1, 1)) == "2026-12"


def test_event_months_for_36_months_are_the_documented_ones(demo):
    got = {e.name: (e.provider, e.fact, e.month_index, e.start_month, e.end_month) for e in demo.events}
    assert got == {
        "capacity_trend": (NW, "capacity", 14, "2025-01", None),
        "backup_bad_spell": (NW, "checks", 17, "2025-04", "2025-04"),
        "reopen_rate_rise": (NW, "tickets", 20, "2025-07", None),
        "project_slip": (NW, "projects", 22, "2025-09", None),
        "overspend": (NW, "spend", 22, "2025-09", "2025-11"),
        "p2_resolution_slower": (NW, "tickets", 26, "2026-01", None),
        "major_outage": (NW, "outages", 30, "2026-05", "2026-05"),
        "nda_crunch": (LX, "tickets", 18, "2025-05", "2025-08"),
        "qc_error_rise": (LX, "checks", 24, "2025-11", None),
    }
    assert all(e.measure and e.description for e in demo.events)


def test_events_scale_with_the_length_and_stay_after_the_baseline():
    for months in (18, 24, 30, 48):
        idx = [event_month(first, months) for (_, _, _, first, _, _) in EVENTS.values()]
        assert all(12 <= i < months for i in idx), (months, idx)
    idx = [event_month(first, 12) for (_, _, _, first, _, _) in EVENTS.values()]
    assert all(6 <= i < 12 for i in idx), idx
    assert [event_month(k, 36) for k in range(36)] == list(range(36))
    assert [event_month(k, 24) for k in (14, 20, 26)] == [13, 16, 19]
    assert all(0 <= event_month(k, 6) < 6 for k in range(36))


# -- sanity --------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", [NW, LX])
def test_ticket_invariants(demo, provider):
    t = facts_of(demo, provider)["tickets"]
    tz = demo.provider(provider).timezone
    start, as_of = span_bounds(demo, tz)
    c = pl.col
    assert t["ticket_id"].is_unique().all()
    assert set(t["priority"].unique()) <= {"P1", "P2", "P3", "P4"}
    assert t.filter(c("first_response_at") < c("opened_at")).height == 0
    assert t.filter(c("resolved_at") < c("opened_at")).height == 0
    assert t.filter(c("resolved_at") < c("first_response_at")).height == 0
    assert t.filter(c("closed_at") < c("resolved_at")).height == 0
    assert t.filter(c("closed_at") < c("opened_at")).height == 0
    for col in ("opened_at", "first_response_at", "resolved_at", "closed_at"):
        assert t.filter((c(col) < start) | (c(col) >= as_of)).height == 0, col
    # status ↔ (resolved_at is null, closed_at is null), every status present
    combos = t.select("status", c("resolved_at").is_null().alias("r"), c("closed_at").is_null().alias("c"))
    assert set(combos.unique().iter_rows()) == {
        ("open", True, True), ("resolved", False, True), ("closed", False, False), ("cancelled", True, False),
    }
    cancelled = (t["status"] == "cancelled").mean()
    assert cancelled == pytest.approx(0.02 if provider == NW else 0.015, abs=0.006)
    # what is still open at the end was opened recently (or reopened)
    assert (t["status"] == "open").mean() < 0.01
    assert t.filter(c("first_response_at").is_null() & c("status").is_in(["resolved", "closed"])).height == 0
    assert t.select((c("reopen_count") >= 0).all() & (c("reassignment_count") >= 0).all()
                    & (c("hours_spent") >= 0).all()).item()
    assert t["requester"].str.contains(r"^user\d{4}@example\.com$").all()
    others = t.select(pl.all().exclude("first_response_at", "resolved_at", "closed_at"))
    assert others.null_count().sum_horizontal().item() == 0


def test_northwind_volumes_mix_and_office_hours(demo):
    t = facts_of(demo, NW)["tickets"]
    assert t.height / 3 == pytest.approx(northwind_tickets.TICKETS_PER_YEAR, rel=0.03)
    share = dict(t["priority"].value_counts(normalize=True).iter_rows())
    for p, expected in {"P1": 0.01, "P2": 0.09, "P3": 0.50, "P4": 0.40}.items():
        assert share[p] == pytest.approx(expected, abs=0.015 if p != "P1" else 0.004), p
    assert set(t["kind"].unique()) == {"incident", "request"}
    assert set(t["category"].unique()) == set(northwind_tickets.CATEGORIES)
    assert set(t["channel"].unique()) == {"portal", "email", "phone", "chat"}
    assert set(t["assignee_group"].unique()) == set(northwind_tickets.ASSIGNEE_GROUPS)
    assert 2_500 <= t["requester"].n_unique() <= 3_000
    assert t["ticket_id"].str.contains(r"^(INC|REQ)\d{7}$").all()
    local = t.select(pl.col("opened_at").dt.convert_time_zone(NW_TZ).alias("at"))
    in_office = (pl.col("at").dt.weekday() <= 5) & pl.col("at").dt.hour().is_between(8, 17)
    office = local.select(in_office).mean().item()
    assert office > 0.8
    per_month = t.group_by(local_month("opened_at", NW_TZ).alias("m")).len()
    cal = per_month.group_by(pl.col("m").str.slice(5, 2).alias("cal")).agg(pl.col("len").mean())
    means = dict(cal.iter_rows())
    assert means["08"] < 0.9 * means["10"] and means["12"] < 0.9 * means["10"]
    # reopen rate in the baseline year is the documented "normal" ~4%
    base = t.filter(pl.col("opened_at") < span_bounds(demo, NW_TZ)[0] + dt.timedelta(days=360))
    assert (base["reopen_count"] > 0).mean() == pytest.approx(northwind_tickets.REOPEN_BASE, abs=0.006)


def test_lexington_volumes_kinds_and_targets(demo):
    t = facts_of(demo, LX)["tickets"]
    per_month = t.group_by(local_month("opened_at", LX_TZ).alias("m")).len()["len"]
    assert 400 <= per_month.mean() <= 600
    assert set(t["kind"].unique()) == set(lexington.KINDS)
    mapping = t.group_by("kind").agg(pl.col("priority").unique().sort())
    assert dict(mapping.iter_rows()) == {
        "nda_review": ["P2", "P3"], "contract_review": ["P3", "P4"], "enquiry": ["P4"],
        "critical_error_correction": ["P1"],
    }
    assert set(t["category"].unique()) == {"NDA", "MSA", "SOW", "Enquiry", "Correction"}
    assert (t["kind"] == "nda_review").mean() > 0.5
    assert t["ticket_id"].str.contains(r"^MAT\d{7}$").all()
    hours = (pl.col("resolved_at") - pl.col("opened_at")).dt.total_minutes() / 60
    crunch = at_month(demo, LX, "nda_crunch")
    baseline = t.filter(local_month("opened_at", LX_TZ) < demo_month(demo, crunch))
    nda = baseline.filter(pl.col("kind") == "nda_review", pl.col("resolved_at").is_not_null())
    assert nda.select(hours <= lexington.NDA_TARGET_HOURS).mean().item() == pytest.approx(0.95, abs=0.02)
    crit = t.filter(pl.col("kind") == "critical_error_correction", pl.col("resolved_at").is_not_null())
    assert crit.select(hours <= 4).mean().item() > 0.88  # about 0.95 expected, n ≈ 220


def test_operations_facts_are_sane(demo):
    f = facts_of(demo, NW)
    start, as_of = span_bounds(demo, NW_TZ)
    o = f["outages"]
    assert o.select(((pl.col("impact") > 0) & (pl.col("impact") <= 1)).all()).item()
    assert o.filter(pl.col("ended_at") < pl.col("started_at")).height == 0
    assert o.filter((pl.col("started_at") < start) | (pl.col("started_at") >= as_of)
                    | (pl.col("ended_at") > as_of)).height == 0
    assert set(o["service"].unique()) == set(northwind_operations.SERVICES)
    per_service = o.group_by("service", "planned").len()
    assert per_service.filter(pl.col("planned"))["len"].to_list() == [36] * 6  # monthly windows
    unplanned = per_service.filter(~pl.col("planned"))["len"]
    assert unplanned.min() >= 1 and unplanned.sum() / 6 / 3 == pytest.approx(17 / 6, rel=0.5)

    cap = f["capacity"]
    assert cap["resource"].n_unique() == 8
    assert cap.select(((pl.col("used") >= 0) & (pl.col("used") <= pl.col("capacity"))).all()).item()
    # one sample a day per resource, also on the days the clocks change
    days = (as_of - start).days
    assert cap.group_by("resource").len()["len"].to_list() == [days] * 8
    local_day = pl.col("at").dt.convert_time_zone(NW_TZ).dt.date()
    assert cap.select(local_day, "resource").is_duplicated().sum() == 0

    ch = f["checks"]
    backups = ch.filter(pl.col("check_type") == "backup")
    assert backups.height == days * len(northwind_operations.BACKUP_JOBS)
    patches = ch.filter(pl.col("check_type") == "patch")
    assert patches.height == 36 * len(northwind_operations.SERVERS)
    assert patches["passed"].mean() == pytest.approx(northwind_operations.PATCH_PASS, abs=0.02)
    assert ch.filter((pl.col("at") < start) | (pl.col("at") >= as_of)).height == 0

    spend = f["spend"]
    assert spend["month"].to_list() == [demo_month(demo, i) for i in range(36)]
    assert spend["currency"].unique().to_list() == ["GBP"]
    assert facts_of(demo, LX)["spend"]["currency"].unique().to_list() == ["USD"]

    pr = f["projects"]
    assert pr["project"].n_unique() == 3
    assert pr.select(pl.col("pct_complete").is_between(0, 100).all()).item()
    assert pr.select((pl.col("as_of") >= start.date()) & (pl.col("as_of") < as_of.date())).to_series().all()


# -- the known events ----------------------------------------------------------------------

def resolved_by_month(d: DemoData, provider: str) -> pl.DataFrame:
    tz = d.provider(provider).timezone
    labels = [demo_month(d, i) for i in range(d.months)]
    return (
        facts_of(d, provider)["tickets"]
        .filter(pl.col("resolved_at").is_not_null())
        .with_columns(local_month("resolved_at", tz).alias("month"),
                      ((pl.col("resolved_at") - pl.col("opened_at")).dt.total_minutes() / 60).alias("hours"))
        .with_columns(pl.col("month").replace_strict(labels, list(range(d.months)), default=None).alias("i"))
    )


@pytest.mark.parametrize("which", ["demo", "demo24"])
def test_reopen_rate_rises_and_stays(which, request):
    d = request.getfixturevalue(which)
    at = at_month(d, NW, "reopen_rate_rise")
    r = resolved_by_month(d, NW).with_columns((pl.col("reopen_count") > 0).alias("reopened"))
    before = r.filter(pl.col("i") < 12)["reopened"].mean()
    after = r.filter(pl.col("i").is_between(at, at + 5))["reopened"].mean()
    assert before == pytest.approx(northwind_tickets.REOPEN_BASE, abs=0.008)  # n ≈ 24,000
    assert after == pytest.approx(northwind_tickets.REOPEN_AFTER, abs=0.015)  # n ≈ 12,000, a ramp month
    assert r.filter(pl.col("i").is_between(12, at - 1))["reopened"].mean() < 0.055
    assert r.filter(pl.col("i") >= at + 1).group_by("i").agg(pl.col("reopened").mean())["reopened"].min() > 0.06


@pytest.mark.parametrize("which", ["demo", "demo24"])
def test_p2_resolution_doubles_after_the_staffing_change(which, request):
    d = request.getfixturevalue(which)
    at = at_month(d, NW, "p2_resolution_slower")
    p2 = resolved_by_month(d, NW).filter(pl.col("priority") == "P2")
    before = p2.filter(pl.col("i") < at)["hours"].median()
    after = p2.filter(pl.col("i") >= at)["hours"].median()
    assert after >= 1.6 * before
    assert after <= 2.5 * before
    monthly = p2.group_by("i").agg(pl.col("hours").median()).sort("i")
    assert monthly.filter(pl.col("i") < at)["hours"].max() < monthly.filter(pl.col("i") >= at)["hours"].min()
    # the other priorities are unchanged (reopened tickets left out: there are more of them
    # after the reopen event, and a reopen lengthens a ticket)
    p3 = resolved_by_month(d, NW).filter(pl.col("priority") == "P3", pl.col("reopen_count") == 0)
    ratio = p3.filter(pl.col("i") >= at)["hours"].median() / p3.filter(pl.col("i") < at)["hours"].median()
    assert ratio == pytest.approx(1.0, abs=0.2)


def test_backup_bad_spell(demo):
    at = at_month(demo, NW, "backup_bad_spell")
    lo, hi = northwind_operations.BACKUP_BAD_SPELL_DAYS
    b = facts_of(demo, NW)["checks"].filter(pl.col("check_type") == "backup").with_columns(
        local_month("at", NW_TZ).alias("month"), pl.col("at").dt.convert_time_zone(NW_TZ).dt.day().alias("day"))
    spell = (pl.col("month") == demo_month(demo, at)) & pl.col("day").is_between(lo, hi)
    assert b.filter(spell).height == (hi - lo + 1) * len(northwind_operations.BACKUP_JOBS)
    assert b.filter(spell)["passed"].mean() < 0.85  # 0.70 expected, n = 112
    assert b.filter(~spell)["passed"].mean() > 0.97  # 0.99 expected, n ≈ 8,600
    monthly = b.group_by("month").agg(pl.col("passed").mean()).sort("month")
    assert monthly.filter(pl.col("month") == demo_month(demo, at))["passed"].item() < 0.92
    assert monthly.filter(pl.col("month") != demo_month(demo, at))["passed"].min() > 0.95


def test_capacity_trend_towards_exhaustion(demo):
    at = at_month(demo, NW, "capacity_trend")
    p95 = (
        facts_of(demo, NW)["capacity"]
        .with_columns(local_month("at", NW_TZ).alias("month"), (pl.col("used") / pl.col("capacity")).alias("u"))
        .group_by("resource", "month").agg(pl.col("u").quantile(0.95, "linear")).sort("resource", "month")
    )
    san = p95.filter(pl.col("resource") == northwind_operations.TRENDING_RESOURCE)["u"].to_numpy()
    assert 0.85 < san[-1] < 0.97
    assert np.all(np.diff(san[at:]) > 0)  # rising every month of the trend
    assert san[:12].max() < 0.66 and san[:12].max() - san[:12].min() < 0.05  # a clean baseline
    others = p95.filter(pl.col("resource") != northwind_operations.TRENDING_RESOURCE,
                        pl.col("month") == DEFAULT_END)
    assert others["u"].max() < 0.85


def test_slipping_project(demo):
    at = at_month(demo, NW, "project_slip")
    pr = facts_of(demo, NW)["projects"].sort("project", "as_of")
    erp = pr.filter(pl.col("project") == delivery.SLIPPING_PROJECT)
    slip_from = dt.date.fromisoformat(demo_month(demo, at) + "-01")
    before, after = erp.filter(pl.col("as_of") < slip_from), erp.filter(pl.col("as_of") >= slip_from)
    assert before.height > 0 and after.height >= 6
    assert (before["forecast_end"] == before["baseline_end"]).all()
    assert (after["forecast_end"] > after["baseline_end"]).all()
    assert (after["forecast_end"].diff().drop_nulls().dt.total_days() >= delivery.SLIP_DAYS_PER_MONTH[0]).all()
    assert (after["forecast_cost"].diff().drop_nulls() > 0).all()
    assert after["forecast_cost"][-1] > 1.2 * after["baseline_cost"][-1]
    assert erp["as_of"].max() == dt.date(2026, 10, 31)  # still going at the end
    others = pr.filter(pl.col("project") != delivery.SLIPPING_PROJECT)
    assert others.select((pl.col("forecast_end") - pl.col("baseline_end")).dt.total_days().max()).item() <= 31
    finished = others.group_by("project").agg(pl.col("pct_complete").max())
    assert finished["pct_complete"].to_list() == [100.0, 100.0]


def test_overspend(demo):
    at, until = at_month(demo, NW, "overspend"), until_month(demo, NW, "overspend")
    assert until - at == 2
    s = facts_of(demo, NW)["spend"].with_row_index("i").with_columns(
        (pl.col("amount") / pl.col("budget")).alias("r"))
    over = s.filter(pl.col("i").is_between(at, until))
    assert over["r"].min() > 1.06  # 1.15 ± 0.02 expected
    normal = s.filter(~pl.col("i").is_between(at, until))["r"]
    assert normal.max() < 1.05 and normal.mean() == pytest.approx(delivery.NORTHWIND_SPEND_RATIO, abs=0.015)


def test_major_outage(demo):
    at = at_month(demo, NW, "major_outage")
    o = facts_of(demo, NW)["outages"].filter(~pl.col("planned")).with_columns(
        ((pl.col("ended_at") - pl.col("started_at")).dt.total_minutes()).alias("minutes"),
        local_month("started_at", NW_TZ).alias("month")).filter(pl.col("ended_at").is_not_null())
    longest = o.sort("minutes", descending=True).row(0, named=True)
    assert (longest["service"], longest["month"], longest["minutes"], longest["impact"]) == (
        northwind_operations.MAJOR_OUTAGE_SERVICE, demo_month(demo, at), 450, 1.0)
    assert o["minutes"].sort(descending=True)[1] <= northwind_operations.UNPLANNED_MAX_MINUTES


def test_nda_crunch(demo):
    at, until = at_month(demo, LX, "nda_crunch"), until_month(demo, LX, "nda_crunch")
    assert until - at == 3
    nda = resolved_by_month(demo, LX).filter(pl.col("kind") == "nda_review").with_columns(
        (pl.col("hours") <= lexington.NDA_TARGET_HOURS).alias("met"),
        local_month("opened_at", LX_TZ).alias("opened"))
    labels = [demo_month(demo, i) for i in range(at, until + 1)]
    crunch = nda.filter(pl.col("opened").is_in(labels))
    normal = nda.filter(~pl.col("opened").is_in(labels))
    assert crunch["met"].mean() < 0.85  # about 0.76 expected, n ≈ 1,500
    assert normal["met"].mean() > 0.92  # about 0.955 expected, n ≈ 9,000
    volume = nda.group_by("opened").len()
    assert volume.filter(pl.col("opened").is_in(labels))["len"].mean() > 1.1 * volume.filter(
        ~pl.col("opened").is_in(labels))["len"].mean()


def test_qc_error_rate_rises(demo):
    at = at_month(demo, LX, "qc_error_rise")
    qc = facts_of(demo, LX)["checks"].with_columns(local_month("at", LX_TZ).alias("month"))
    assert qc["check_type"].unique().to_list() == ["qc_review"]
    assert qc["subject"].is_in(facts_of(demo, LX)["tickets"]["ticket_id"].implode()).all()
    first = demo_month(demo, at)
    baseline = 1 - qc.filter(pl.col("month") < demo_month(demo, 12))["passed"].mean()
    after = 1 - qc.filter(pl.col("month") >= first)["passed"].mean()
    assert baseline < 0.0085  # 0.005 expected, n ≈ 4,700
    assert after > 0.015  # 0.02 expected, n ≈ 4,700
