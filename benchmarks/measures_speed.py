"""How fast ``pipelines.measures.compute_all`` computes every measure, against DuckDB and pandas.

Generates synthetic facts for 36 months (``benchmarks/synthetic.py``: tickets, outages,
probes, capacity samples, spend, projects, checks, survey answers, actions), then

- times ``compute_all(ctx, facts).collect()`` (median of ``--runs``) and each family's lazy
  plan on its own (wall and CPU seconds: the families share the prepared tickets, so their
  sum is more than the whole);
- computes the ticket measures (tickets.*, quality.*, demand.*, sla.*, time.*) on the same
  tickets with DuckDB (the SQL of tests/pipelines/duckdb_measures.py) and with pandas
  (below; pandas appears only here, never in the product), checks that a few of their
  numbers agree with Polars', and prints the time ratios against ``compute_all`` on the
  tickets alone;
- prints the process's peak resident memory (``resource.getrusage``), which includes the
  generated data.

    python benchmarks/measures_speed.py                         # 1,000,000 tickets, with DuckDB and pandas
    python benchmarks/measures_speed.py --tickets 10000000      # time and peak memory only

Targets (issue 4): all measures for 36 months from 1,000,000 tickets in ≤ 5 s on two
cores; 10,000,000 tickets in ≤ 60 s with a peak under 8 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import all_facts  # noqa: E402
from pipelines.measures import compute_all, family_frames  # noqa: E402
from scorecard.calendars import calendars_from_dict  # noqa: E402
from scorecard.context import MeasureContext, ServiceSpec  # noqa: E402
from scorecard.months import month_range  # noqa: E402
from scorecard.sla import SlaPolicySet  # noqa: E402

TZ = "Europe/Berlin"
CTX = MeasureContext(
    provider="Bench",
    timezone=TZ,
    months=tuple(month_range("2023-01", "2025-12")),
    as_of=datetime(2025, 12, 20, tzinfo=UTC),
    calendars=calendars_from_dict({"office": {"timezone": TZ, "hours": ["08:00", "18:00"],
                                              "holidays": ["2024-12-25", "2024-12-26", "2025-01-01"]}}),
    policies=SlaPolicySet.from_dict({
        "p1": {"priorities": ["P1"], "response": "15m", "resolution": "4h", "calendar": "24x7"},
        "p2": {"priorities": ["P2"], "response": "1h", "resolution": "8h", "calendar": "office"},
        "network": {"categories": ["Network"], "response": "2h", "resolution": "2d", "calendar": "office"},
        "default": {"response": "4h", "resolution": "3d", "calendar": "office"},
    }),
    services={"SVC-0": ServiceSpec(calendar="office", target=0.999), "SVC-1": ServiceSpec(target=0.99),
              "PRB-0": ServiceSpec(target=0.99)},
    budget_year_start=4,
)
TICKET_MEASURES = ("tickets.", "quality.", "demand.", "sla.", "time.")


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``runs`` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


# ------------------------------------------------------------------------------ pandas

def pandas_ticket_measures(ctx: MeasureContext, tickets: pd.DataFrame, sla_in: pd.DataFrame) -> dict:
    """The ticket measures as a pandas user would write them (vectorised, groupby per variant)."""
    as_of = pd.Timestamp(ctx.as_of)
    tz = ctx.timezone

    def month(s: pd.Series) -> pd.Series:
        local = s.dt.tz_convert(tz)
        return (local.dt.year * 100 + local.dt.month).astype("Int64")

    t = tickets[(tickets["provider"] == ctx.provider) & (tickets["opened_at"] <= as_of)].copy()
    t["res"] = t["resolved_at"].where((t["status"] != "cancelled") & (t["resolved_at"] <= as_of))
    t["om"], t["rm"] = month(t["opened_at"]), month(t["res"])
    out: dict = {}

    def variants(df: pd.DataFrame, mcol: str, agg) -> dict:
        res = {}
        for keys in ([], ["priority"], ["category"]):
            res[tuple(keys)] = agg(df.dropna(subset=keys).groupby([mcol, *keys], observed=True))
        return res

    out["tickets.opened"] = variants(t, "om", lambda g: g.size())
    out["tickets.resolved"] = variants(t[t["res"].notna()], "rm", lambda g: g.size())
    # backlog at each month end: tickets opened before it and not resolved by it
    ends = {int(m.replace("-", "")): pd.Timestamp(f"{m}-01", tz=tz) + pd.offsets.MonthBegin(1) for m in ctx.months}
    live = t[t["status"] != "cancelled"]
    rows = []
    for key, end in ends.items():
        end_utc = end.tz_convert("UTC")
        inb = live[(live["opened_at"] < end_utc) & (live["res"].isna() | (live["res"] >= end_utc))]
        aged = inb[inb["opened_at"] < end_utc - pd.Timedelta(days=ctx.backlog_age_days)]
        rows.append((key, len(inb), len(aged)))
    out["tickets.backlog"] = rows
    resolved = t[t["res"].notna()]
    out["quality.reopen_rate"] = variants(resolved, "rm", lambda g: g["reopen_count"].agg(
        lambda s: (s > 0).sum() / s.notna().sum() if s.notna().any() else np.nan))
    fa = resolved.dropna(subset=["reopen_count", "reassignment_count"])
    out["quality.first_assignment_resolution"] = variants(fa, "rm", lambda g: g.apply(
        lambda d: ((d["reopen_count"] == 0) & (d["reassignment_count"] == 0)).mean(), include_groups=False))
    known = t.dropna(subset=["requester", "category"]).copy()
    known["key"] = known["requester"].astype(str) + "\x00" + known["category"].astype(str)
    earlier = known[known["res"] >= known["opened_at"]][["key", "res"]].sort_values("res")
    opens = known.sort_values("opened_at")
    joined = pd.merge_asof(opens, earlier.rename(columns={"res": "prior"}), left_on="opened_at",
                           right_on="prior", by="key", allow_exact_matches=False,
                           tolerance=pd.Timedelta(days=ctx.repeat_window_days))
    joined["rep"] = joined["prior"].notna()
    out["quality.repeat_rate"] = variants(joined, "om", lambda g: g["rep"].mean())
    classified = t[t["category"].notna()]
    dup = classified["category"].isin(ctx.duplicate_categories)
    out["demand.duplicate_share"] = classified.assign(d=dup).groupby("om")["d"].mean()
    # SLA: per-ticket deadlines and business hours from scorecard.calendars (as DuckDB gets them)
    s = sla_in[(sla_in["status"] != "cancelled") & (sla_in["opened_at"] <= as_of)]
    for clock in ("response", "resolution"):
        stop, deadline, hours = s[f"{clock}_stop"], s[f"{clock}_deadline"], s[f"{clock}_hours"]
        stopped = stop.notna() & (stop <= as_of)
        unknown = stop.isna() & s["status"].isin(["resolved", "closed"])
        keep = deadline.notna() & (stopped | (~unknown & (deadline < as_of)))
        o = pd.DataFrame({
            "month": month(stop.where(stopped, deadline)), "met": stopped & (stop <= deadline),
            "hours": hours.where(stopped), "priority": s["priority"], "category": s["category"],
        })[keep]
        out[f"sla.{clock}_met"] = variants(o, "month", lambda g: g["met"].mean())
        out[f"time.{clock}"] = variants(o.dropna(subset=["hours"]), "month",
                                        lambda g: g["hours"].quantile([0.5, 0.9]))
    return out


# ------------------------------------------------------------------------------ main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--compare", action=argparse.BooleanOptionalAction, default=None,
                    help="also time DuckDB and pandas (default: up to 2,000,000 tickets)")
    args = ap.parse_args()
    compare = args.compare if args.compare is not None else args.tickets <= 2_000_000
    print(f"polars {pl.__version__}, {os.cpu_count()} CPUs, {args.tickets:,} tickets, 36 months; "
          f"load average {os.getloadavg()[0]:.1f}")

    w0 = time.perf_counter()
    data = all_facts(args.tickets, provider=CTX.provider, start="2023-01-01", months=36)
    print(f"generate facts: {time.perf_counter() - w0:.1f} s "
          f"({', '.join(f'{k} {v.height:,}' for k, v in data.items())}); peak RSS so far {peak_rss_gb():.2f} GB")
    facts = {k: v.lazy() for k, v in data.items()}

    wall, cpu, out = timed(lambda: compute_all(CTX, facts).collect(), args.runs)
    print(f"\ncompute_all, all measures: {wall:.2f} s wall (median of {args.runs}), {cpu:.2f} s CPU, "
          f"{out.height:,} result rows")
    family_runs = args.runs if args.tickets <= 2_000_000 else 1
    print(f"per family (each collected on its own, median of {family_runs}):")
    for name in family_frames(CTX, facts):
        fw, fc, _ = timed(lambda: family_frames(CTX, facts)[name].collect(), family_runs)
        print(f"  {name:<13} {fw:6.2f} s wall {fc:6.2f} s CPU")

    if compare:
        compare_engines(data, args.runs, out)
    print(f"\npeak RSS of the process (data included): {peak_rss_gb():.2f} GB; "
          f"load average {os.getloadavg()[0]:.1f}")


def compare_engines(data: dict[str, pl.DataFrame], runs: int, polars_out: pl.DataFrame) -> None:
    from tests.pipelines.duckdb_measures import _sla_inputs, sql_measures

    only = {"tickets": data["tickets"].lazy()}
    pw, pc, _ = timed(lambda: compute_all(CTX, only).collect(), runs)
    print(f"\nticket measures only (tickets, quality, demand, sla, time), {data['tickets'].height:,} tickets:")
    print(f"  polars  compute_all {pw:6.2f} s wall {pc:6.2f} s CPU")
    dw, dc, sql = timed(lambda: sql_measures(CTX, {"tickets": data["tickets"]}), 1)
    print(f"  duckdb  SQL         {dw:6.2f} s wall {dc:6.2f} s CPU   ({dw / pw:.1f}× polars)")

    def run_pandas():
        tickets = data["tickets"].to_pandas()
        sla_in = _sla_inputs(CTX, data["tickets"].filter(pl.col("provider") == CTX.provider)).to_pandas()
        return pandas_ticket_measures(CTX, tickets, sla_in)

    aw, ac, pd_out = timed(run_pandas, 1)
    print(f"  pandas              {aw:6.2f} s wall {ac:6.2f} s CPU   ({aw / pw:.1f}× polars)")
    # do they agree? whole-provider opened counts and resolution attainment per month
    mine = polars_out.filter(pl.col("params") == "{}")
    opened = dict(mine.filter(pl.col("measure") == "tickets.opened").select("month", "value").iter_rows())
    sql_opened = dict(sql.filter((pl.col("measure") == "tickets.opened") & pl.col("priority").is_null()
                                 & pl.col("category").is_null()).select("month", "value").iter_rows())
    pd_opened = {f"{k // 100:04d}-{k % 100:02d}": float(v) for k, v in pd_out["tickets.opened"][()].items()}
    met = dict(mine.filter(pl.col("measure") == "sla.resolution_met").select("month", "value").iter_rows())
    pd_met = {f"{k // 100:04d}-{k % 100:02d}": v for k, v in pd_out["sla.resolution_met"][()].items()}
    agree = (opened == {m: sql_opened[m] for m in opened}
             and opened == {m: pd_opened.get(m, 0.0) for m in opened}
             and all(abs(met[m] - pd_met[m]) < 1e-9 for m in met))
    print(f"  opened counts and resolution attainment agree across the three: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
