"""False alarms and detection of the drift engine's rule sets, on simulated series.

    .venv/bin/python benchmarks/drift_calibration.py [--series 1000] [--seed 2026]

Every simulated series is 36 months long: a 12-month baseline and 24 monitored months, as
the demo and a three-year contract have. For each realistic kind of series (proportions
with denominators 50/500/2000 around p = 0.05/0.5/0.95, an overdispersed proportion,
Poisson counts around 5/50/2000, normal values, monthly medians of lognormal durations,
skewed lognormal values) it simulates ``--series`` in-control series and as many with a
sustained shift of 1.5 process sigmas (half up, half down) from month 13, builds each
series' chart with the engine's own ``build_chart`` (chart choice, baseline estimate, Laney,
standardised values), and reports for candidate rule sets:

- **false alarms**: the share of in-control series raising *any* signal in months 13–36;
- **detected ≤ 4**: the share of shifted series with a signal in the shift's direction in
  the first four shifted months (13–16); **≤ 8** the same within eight months.

Candidate rules are evaluated on the standardised values by vectorised code; the chosen
defaults are then run end to end through ``detect_drift`` on the same series and must give
the same figures (checked and printed). Finally ``detect_drift`` is timed on every measure of
two providers over 36 months. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from scorecard import catalogue
from scorecard.drift import DEFAULT_SETTINGS, ChartRules, DriftSettings, detect_drift
from scorecard.drift.charts import MOVING_RANGE, build_chart, month_name, month_number

MONTHS, BASE, SHIFT, EARLY, LATE = 36, 12, 1.5, 4, 8
FIRST = month_number("2023-11")
BARE = DriftSettings(attribute=ChartRules(rules=()), individuals=ChartRules(rules=()))


# ------------------------------------------------------------------ simulated series

@dataclass(frozen=True)
class Case:
    name: str
    family: str            # proportion | count | continuous: the measure kind simulated
    measure: str           # a catalogue measure of that kind (for the chart choice)
    simulate: Callable[[np.random.Generator, int, np.ndarray], tuple[np.ndarray, ...]]
    """(rng, series, shift in sigmas per series: 0 or ±1.5) → values, numerators, denominators,
    each series × months."""


def _shifted(shift: np.ndarray) -> np.ndarray:
    """Per series × month: the shift in sigmas, applied from the first monitored month."""
    return np.outer(shift, (np.arange(MONTHS) >= BASE).astype(float))


def proportion(n: int, p: float, *, extra: float = 0.0) -> Callable:
    """Binomial months of size ~Poisson(n); ``extra`` is a between-month standard deviation
    of the true proportion (beta-binomial-like overdispersion, judged by Laney's p′)."""
    def simulate(rng, s, shift):
        sizes = np.maximum(rng.poisson(n, (s, MONTHS)), 1)
        sd = np.sqrt(p * (1 - p) / n + extra**2)  # the process sigma of a month's proportion
        true = p + extra * rng.standard_normal((s, MONTHS)) + _shifted(shift) * sd
        d = rng.binomial(sizes, np.clip(true, 0.0, 1.0))
        return d / sizes, d.astype(float), sizes.astype(float)
    return simulate


def poisson(mean: float) -> Callable:
    def simulate(rng, s, shift):
        lam = np.maximum(mean + _shifted(shift) * np.sqrt(mean), 0.0)
        c = rng.poisson(lam).astype(float)
        return c, np.full_like(c, np.nan), np.full_like(c, np.nan)
    return simulate


def normal(mean: float, sd: float) -> Callable:
    def simulate(rng, s, shift):
        v = mean + sd * (rng.standard_normal((s, MONTHS)) + _shifted(shift))
        return v, np.full_like(v, np.nan), np.full_like(v, np.nan)
    return simulate


def lognormal_median(median: float, log_sd: float, tickets: int) -> Callable:
    """The month's median of ``tickets`` lognormal durations (like P2 resolution time);
    its sigma is estimated once by simulation, and the shift moves the durations' scale."""
    probe = np.median(np.random.default_rng(0).lognormal(np.log(median), log_sd,
                                                          (20_000, tickets)), axis=1)
    sigma = probe.std()

    def simulate(rng, s, shift):
        draws = rng.lognormal(np.log(median), log_sd, (s, MONTHS, tickets))
        v = np.median(draws, axis=2) + _shifted(shift) * sigma
        return v, np.full_like(v, np.nan), np.full_like(v, np.nan)
    return simulate


def availability(outage_share: float, downtime: float) -> Callable:
    """A month is 100% unless an outage happened (probability ``outage_share``); an outage
    costs a lognormal share of the month (median ``downtime``)."""
    def simulate(rng, s, shift):
        hit = rng.random((s, MONTHS)) < outage_share
        v = 1.0 - hit * rng.lognormal(np.log(downtime), 1.0, (s, MONTHS))
        v = v - _shifted(shift) * float(np.sqrt(outage_share) * downtime * 2)
        return v, np.full_like(v, np.nan), np.full_like(v, np.nan)
    return simulate


def lognormal(median: float, log_sd: float) -> Callable:
    """Skewed monthly values (like a mean time to restore over a few outages)."""
    sd = median * np.sqrt(np.exp(log_sd**2) * (np.exp(log_sd**2) - 1))

    def simulate(rng, s, shift):
        v = rng.lognormal(np.log(median), log_sd, (s, MONTHS)) + _shifted(shift) * sd
        return v, np.full_like(v, np.nan), np.full_like(v, np.nan)
    return simulate


P_MEASURE, C_MEASURE, X_MEASURE = "quality.reopen_rate", "tickets.opened", "time.resolution"
CASES = [
    *(Case(f"p n={n} p={p}", "proportion", P_MEASURE, proportion(n, p))
      for n in (50, 500, 2000) for p in (0.05, 0.5, 0.95)),
    Case("p n=2000 p=0.9, extra sd 0.01", "proportion", P_MEASURE, proportion(2000, 0.9, extra=0.01)),
    *(Case(f"Poisson {m}", "count", C_MEASURE, poisson(m)) for m in (5, 50, 2000)),
    Case("normal", "continuous", X_MEASURE, normal(100.0, 10.0)),
    Case("median of 180 lognormal", "continuous", X_MEASURE, lognormal_median(4.5, 1.0, 180)),
    Case("lognormal (log sd 0.5)", "continuous", X_MEASURE, lognormal(50.0, 0.5)),
]
RARE = [
    Case("p n=20 p=0.05 (1 event a month)", "proportion", P_MEASURE, proportion(20, 0.05)),
    Case("p n=6 p=0.02 (0.12 a month)", "proportion", P_MEASURE, proportion(6, 0.02)),
    Case("Poisson 1", "count", C_MEASURE, poisson(1.0)),
    Case("Poisson 0.3", "count", C_MEASURE, poisson(0.3)),
    Case("availability: an outage 1 month in 4", "continuous", X_MEASURE,
         availability(0.25, 0.002)),
]
"""Rare events and mostly-constant series: reported apart (they are what the engine's
``min_events`` and moving-range guards skip), not averaged into the family figures."""


# ------------------------------------------------------------------ standardised values

def standardised(case: Case, rng: np.random.Generator, series: int, shift: np.ndarray,
                 bare: DriftSettings) -> tuple[np.ndarray, list[str], list[tuple]]:
    """z (series × months, NaN where not monitored) from the engine's own charts, the
    chart each series got, and the raw arrays (for the end-to-end check)."""
    values, num, den = case.simulate(rng, series, shift)
    z = np.full((series, MONTHS), np.nan)
    charts, raw = [], []
    provisional = np.zeros(MONTHS, dtype=bool)
    for i in range(series):
        chart = build_chart(provider="sim", measure=case.measure, params="{}", first=FIRST,
                            values=values[i], numerators=num[i], denominators=den[i],
                            provisional=provisional, baseline=None, settings=bare)
        charts.append(chart.chart or "skipped")
        if chart.chart is not None:
            z[i] = np.where(chart.monitored, chart.z, np.nan)
        raw.append((values[i], num[i], den[i]))
    return z, charts, raw


# ------------------------------------------------------------------ rules, vectorised

def _run_length(flags: np.ndarray) -> np.ndarray:
    out = np.zeros(flags.shape, dtype=int)
    run = np.zeros(flags.shape[0], dtype=int)
    for t in range(flags.shape[1]):
        run = np.where(flags[:, t], run + 1, 0)
        out[:, t] = run
    return out


def _window(flags: np.ndarray, m: int) -> np.ndarray:
    total = np.concatenate((np.zeros((flags.shape[0], 1)), np.cumsum(flags, axis=1)), axis=1)
    idx = np.arange(1, flags.shape[1] + 1)
    return total[:, idx] - total[:, np.maximum(idx - m, 0)]


def rule_signals(z: np.ndarray, rule: str, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """(up, down) signal masks of one rule on z (series × months)."""
    with np.errstate(invalid="ignore"):
        above, below = z > 0, z < 0
        if rule in ("N1", "WE1"):
            return z > limit, z < -limit
        if rule in ("N2", "WE4"):
            r = 9 if rule == "N2" else 8
            return _run_length(above) >= r, _run_length(below) >= r
        if rule in ("WE2", "WE3"):
            k, m, b = (2, 3, 2.0) if rule == "WE2" else (4, 5, 1.0)
            hi, lo = z > b, z < -b
            return hi & (_window(hi, m) >= k), lo & (_window(lo, m) >= k)
    raise ValueError(rule)


def cusum_signals(z: np.ndarray, k: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    up = np.zeros(z.shape, dtype=bool)
    down = np.zeros(z.shape, dtype=bool)
    cp = np.zeros(z.shape[0])
    cm = np.zeros(z.shape[0])
    for t in range(z.shape[1]):
        x = z[:, t]
        seen = ~np.isnan(x)
        cp = np.where(seen, np.maximum(0.0, np.nan_to_num(x) - k + cp), cp)
        cm = np.where(seen, np.maximum(0.0, -k - np.nan_to_num(x) + cm), cm)
        up[:, t] = seen & (cp > h)
        down[:, t] = seen & (cm > h)
    return up, down


def ewma_signals(z: np.ndarray, lam: float, L: float) -> tuple[np.ndarray, np.ndarray]:
    up = np.zeros(z.shape, dtype=bool)
    down = np.zeros(z.shape, dtype=bool)
    e = np.zeros(z.shape[0])
    count = np.zeros(z.shape[0])
    steady = lam / (2 - lam)
    for t in range(z.shape[1]):
        x = z[:, t]
        seen = ~np.isnan(x)
        e = np.where(seen, lam * np.nan_to_num(x) + (1 - lam) * e, e)
        count = count + seen
        limit = L * np.sqrt(steady * (1 - (1 - lam) ** (2 * count)))
        up[:, t] = seen & (e > limit)
        down[:, t] = seen & (e < -limit)
    return up, down


@dataclass(frozen=True)
class RuleSet:
    name: str
    attribute: ChartRules
    individuals: ChartRules
    cusum_k: float = 0.5
    ewma_lambda: float = 0.2

    def settings(self) -> DriftSettings:
        return DriftSettings(attribute=self.attribute, individuals=self.individuals,
                             cusum_k=self.cusum_k, ewma_lambda=self.ewma_lambda)

    def signals(self, z: np.ndarray, charts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        up = np.zeros(z.shape, dtype=bool)
        down = np.zeros(z.shape, dtype=bool)
        xmr = np.array([c in MOVING_RANGE for c in charts])
        for family, rows in ((self.attribute, ~xmr), (self.individuals, xmr)):
            if not rows.any():
                continue
            zz = z[rows]
            clipped = np.clip(zz, -family.limit, family.limit)  # as the engine feeds CUSUM/EWMA
            u = np.zeros(zz.shape, dtype=bool)
            d = np.zeros(zz.shape, dtype=bool)
            for rule in family.rules:
                ru, rd = rule_signals(zz, rule, family.limit)
                u, d = u | ru, d | rd
            if family.cusum_h is not None:
                ru, rd = cusum_signals(clipped, self.cusum_k, family.cusum_h)
                u, d = u | ru, d | rd
            if family.ewma_L is not None:
                ru, rd = ewma_signals(clipped, self.ewma_lambda, family.ewma_L)
                u, d = u | ru, d | rd
            up[rows], down[rows] = u, d
        return up, down


def both(name: str, limit: float, attribute: tuple[str, ...], individuals: tuple[str, ...],
         *, cusum_h: float | None = None, ewma_L: float | None = None) -> RuleSet:
    return RuleSet(name, ChartRules(limit=limit, rules=attribute, cusum_h=cusum_h, ewma_L=ewma_L),
                   ChartRules(limit=limit, rules=individuals, cusum_h=cusum_h, ewma_L=ewma_L))


def split(name: str, attribute: tuple, individuals: tuple, rules=(("N1",), ("WE1",))) -> RuleSet:
    """Per family: (limit, cusum_h, ewma_L)."""
    return RuleSet(name, ChartRules(limit=attribute[0], rules=rules[0], cusum_h=attribute[1],
                                    ewma_L=attribute[2]),
                   ChartRules(limit=individuals[0], rules=rules[1], cusum_h=individuals[1],
                              ewma_L=individuals[2]))


LIM = (("N1",), ("WE1",))
CANDIDATES = [
    both("3σ limits only (N1 / WE1)", 3, *LIM),
    both("textbook: N1+N2 / WE1–WE4", 3, ("N1", "N2"), ("WE1", "WE2", "WE3", "WE4")),
    both("N1+N2 / WE1+WE4", 3, ("N1", "N2"), ("WE1", "WE4")),
    both("WE1+WE4 / WE1+WE2+WE4", 3, ("WE1", "WE4"), ("WE1", "WE2", "WE4")),
    both("3σ, CUSUM h=4", 3, *LIM, cusum_h=4.0),
    both("3σ, CUSUM h=5", 3, *LIM, cusum_h=5.0),
    both("N1+N2 / WE1+WE4, CUSUM h=5", 3, ("N1", "N2"), ("WE1", "WE4"), cusum_h=5.0),
    both("3σ, EWMA L=3", 3, *LIM, ewma_L=3.0),
    both("3σ, CUSUM h=5, EWMA L=3", 3, *LIM, cusum_h=5.0, ewma_L=3.0),
    both("CUSUM h=5 only", 3, (), (), cusum_h=5.0),
    both("EWMA L=3.5 only", 3, (), (), ewma_L=3.5),
    split("limits 4σ / 5σ only", (4.0, None, None), (5.0, None, None)),
    split("limits 4σ / 5σ, EWMA L=3.5 / 4.25", (4.0, None, 3.5), (5.0, None, 4.25)),
    split("limits 4σ / 5σ, EWMA L=4 / 5, CUSUM h=12", (4.0, 12.0, 4.0), (5.0, 12.0, 5.0)),
    split("limits 4σ / 5σ, EWMA L=3.8 / 4.5, CUSUM h=8", (4.0, 8.0, 3.8), (5.0, 8.0, 4.5)),
    split("limits 4σ / 5σ, EWMA L=3.8 / 4.5, + N2 / WE4", (4.0, None, 3.8), (5.0, None, 4.5),
          rules=(("N1", "N2"), ("WE1", "WE4"))),
]


def chosen() -> RuleSet:
    """The defaults of DriftSettings, as a candidate."""
    s = DEFAULT_SETTINGS
    a, i = s.attribute, s.individuals
    return RuleSet(f"**defaults**: limits {a.limit:g}σ / {i.limit:g}σ, EWMA L={a.ewma_L:g} / "
                   f"{i.ewma_L:g}, CUSUM h={a.cusum_h:g} / {i.cusum_h:g}",
                   s.attribute, s.individuals, cusum_k=s.cusum_k, ewma_lambda=s.ewma_lambda)


# ------------------------------------------------------------------ figures

@dataclass
class Arm:
    z: np.ndarray
    charts: list[str]
    raw: list[tuple]
    shift: np.ndarray


def simulate_all(series: int, seed: int, cases: list[Case] = CASES,
                 bare: DriftSettings = BARE) -> dict[str, tuple[Arm, Arm]]:
    arms = {}
    for j, case in enumerate(cases):
        rng = np.random.default_rng([seed, j, len(case.name)])
        still = np.zeros(series)
        moved = np.where(rng.random(series) < 0.5, SHIFT, -SHIFT)
        arms[case.name] = (Arm(*standardised(case, rng, series, still, bare), still),
                           Arm(*standardised(case, rng, series, moved, bare), moved))
    return arms


def figures(rs: RuleSet, arms: tuple[Arm, Arm]) -> tuple[float, float, float]:
    calm, moved = arms
    up, down = rs.signals(calm.z, calm.charts)
    false_alarm = float(((up | down)[:, BASE:]).any(axis=1).mean())
    up, down = rs.signals(moved.z, moved.charts)
    right = np.where((moved.shift > 0)[:, None], up, down)
    early = float(right[:, BASE:BASE + EARLY].any(axis=1).mean())
    late = float(right[:, BASE:BASE + LATE].any(axis=1).mean())
    return false_alarm, early, late


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def family_table(arms: dict[str, tuple[Arm, Arm]]) -> list[str]:
    families = ["proportion", "count", "continuous"]
    lines = ["| rule set (attribute / individuals) | "
             + " | ".join(f"{f}: false alarms · ≤4 · ≤8" for f in families)
             + " | all: false alarms · ≤4 · ≤8 |",
             "|---|" + "---|" * (len(families) + 1)]
    for rs in [*CANDIDATES, chosen()]:
        cells, everything = [], []
        for fam in families:
            figs = [figures(rs, arms[c.name]) for c in CASES if c.family == fam]
            everything += figs
            cells.append(" · ".join(pct(np.mean([f[i] for f in figs])) for i in range(3)))
        cells.append(" · ".join(pct(np.mean([f[i] for f in everything])) for i in range(3)))
        lines.append(f"| {rs.name} | " + " | ".join(cells) + " |")
    return lines


def case_table(arms: dict[str, tuple[Arm, Arm]], rs: RuleSet,
               cases: list[Case] = CASES) -> list[str]:
    lines = ["| series | charts used (in control) | false alarms | detected ≤ 4 months | ≤ 8 months |",
             "|---|---|---|---|---|"]
    for case in cases:
        fa, early, late = figures(rs, arms[case.name])
        used = pl.Series(arms[case.name][0].charts).value_counts(sort=True)
        shown = ", ".join(f"{r[0]} {r[1]}" for r in used.rows())
        lines.append(f"| {case.name} | {shown} | {pct(fa)} | {pct(early)} | {pct(late)} |")
    return lines


# ------------------------------------------------------------------ end to end

def results_frame(raws: list[tuple], measure: str, prefix: str) -> pl.DataFrame:
    months = [month_name(FIRST + t) for t in range(MONTHS)]
    frames = []
    for i, (v, num, den) in enumerate(raws):
        frames.append(pl.DataFrame({
            "provider": prefix, "measure": measure, "params": f'{{"n":"{i}"}}', "month": months,
            "value": v, "numerator": num, "denominator": den,
            "n": pl.Series([None] * MONTHS, dtype=pl.Int64), "ci_low": None, "ci_high": None,
            "provisional": False}, schema=catalogue.RESULT_SCHEMA))
    return pl.concat(frames)


def end_to_end(arms: dict[str, tuple[Arm, Arm]], rs: RuleSet) -> list[str]:
    """The chosen rule set through ``detect_drift`` itself: same figures as the sweep."""
    lines = ["| series | false alarms (detect_drift) | detected ≤ 4 (detect_drift) | same as sweep |",
             "|---|---|---|---|"]
    for case in CASES:
        calm, moved = arms[case.name]
        out = []
        for arm, prefix in ((calm, "calm"), (moved, "moved")):
            sig = detect_drift(results_frame(arm.raw, case.measure, prefix), settings=rs.settings())
            out.append(sig.with_columns(
                pl.col("params").str.extract(r"(\d+)").cast(pl.Int64).alias("i"),
                (pl.col("month").str.slice(0, 4).cast(pl.Int64) * 12
                 + pl.col("month").str.slice(5, 2).cast(pl.Int64) - 1 - FIRST).alias("t")))
        calm_sig, moved_sig = out
        fa = calm_sig["i"].n_unique() / len(calm.raw)
        info = catalogue.measure(case.measure)
        worse_is_up = info.better == catalogue.LOWER
        hits = moved_sig.filter(pl.col("t") < BASE + EARLY).select("i", "direction").unique()
        detected = {i for i, d in hits.rows()
                    if ((d == "worse") == worse_is_up) == bool(moved.shift[i] > 0)}
        early = len(detected) / len(moved.raw)
        sweep = figures(rs, arms[case.name])
        same = abs(sweep[0] - fa) < 1e-12 and abs(sweep[1] - early) < 1e-12
        lines.append(f"| {case.name} | {pct(fa)} | {pct(early)} | {'yes' if same else 'NO'} |")
    return lines


PER_MEASURE = 28
"""Parameter variants per measure in the timing: about 2 × 400 series over the catalogue."""


def timing() -> list[str]:
    """detect_drift on two providers × every catalogue measure × parameter variants."""
    rng = np.random.default_rng(5)
    months = [month_name(FIRST + t) for t in range(MONTHS)]
    variants = {"priority": ["P1", "P2", "P3", "P4"],
                "category": ["Software", "Access", "How-to", "Hardware", "Email", "Network",
                             "Server", "Duplicate"],
                "stat": ["median", "p90"], "service": ["Email", "ERP", "VPN", "Website", "Telephony"],
                "resource": ["SAN-01", "SAN-02", "Vault", "M365", "ERP", "VMA", "VMB", "Link"],
                "check_type": ["backup", "patch", "qc_review"], "question": ["q1", "q2"]}
    frames = []
    for provider in ("Northwind", "Lexington"):
        for info in catalogue.CATALOGUE.values():
            sets: list[dict] = [{}]
            for p in info.params:
                if p != "stat":
                    sets += [{**s, p: v} for s in sets for v in variants[p]]
            if "stat" in info.params:
                sets = [{**s, "stat": v} for s in sets for v in variants["stat"]]
            for params in sets[:PER_MEASURE]:
                sizes = rng.poisson(800, MONTHS).astype(float)
                if info.kind == catalogue.PROPORTION:
                    num = rng.binomial(sizes.astype(int), 0.9).astype(float)
                    value, den = num / sizes, sizes
                elif info.kind == catalogue.COUNT:
                    value, num, den = rng.poisson(60, MONTHS).astype(float), None, None
                else:
                    value, num, den = rng.normal(10, 1, MONTHS), None, None
                frames.append(pl.DataFrame({
                    "provider": provider, "measure": info.id,
                    "params": catalogue.params_key(params), "month": months, "value": value,
                    "numerator": num, "denominator": den,
                    "n": pl.Series([None] * MONTHS, dtype=pl.Int64), "ci_low": None,
                    "ci_high": None, "provisional": False},
                    schema=catalogue.RESULT_SCHEMA))
    results = pl.concat(frames)
    series = results.select("provider", "measure", "params").n_unique()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        signals = detect_drift(results)
        times.append(time.perf_counter() - t0)
    return [f"`detect_drift` on {series} series × {MONTHS} months ({results.height:,} result rows, "
            f"2 providers, {len(catalogue.CATALOGUE)} measures with parameter variants): "
            f"best of 3 **{min(times):.2f} s** (runs: {', '.join(f'{t:.2f}' for t in times)} s), "
            f"{signals.height} signals."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=1000, help="series per case and arm")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-end-to-end", action="store_true")
    parser.add_argument("--timing-only", action="store_true")
    args = parser.parse_args(argv)
    if args.timing_only:
        print("\n".join(timing()))
        return 0
    t0 = time.perf_counter()
    arms = simulate_all(args.series, args.seed)
    print(f"# Drift calibration — {args.series} in-control and {args.series} shifted series per "
          f"case, {len(CASES)} cases; seed {args.seed}")
    print(f"\n{platform.platform()}, Python {sys.version.split()[0]}, "
          f"{platform.processor() or platform.machine()}\n")
    print("Share of in-control series raising any signal over months 13–36 (false alarms), and "
          f"of {SHIFT}-sigma shifts from month 13 signalled in their direction within 4 and 8 "
          "months. Family figures are means over the cases of that family.\n")
    print("\n".join(family_table(arms)))
    print()
    print(f"Per simulated series, {chosen().name}:\n")
    print("\n".join(case_table(arms, chosen())))
    rare = simulate_all(args.series, args.seed, RARE)
    loose = DriftSettings(attribute=ChartRules(rules=()), individuals=ChartRules(rules=()),
                          min_events=0.0)
    print("\nRare events and mostly-constant series, with the defaults (the guards skip "
          "what they cannot judge):\n")
    print("\n".join(case_table(rare, chosen(), RARE)))
    print("\nThe same without the rare-event guard (min_events=0; the moving-range guard "
          "stays):\n")
    print("\n".join(case_table(simulate_all(args.series, args.seed, RARE, loose), chosen(),
                               RARE)))
    if not args.skip_end_to_end:
        print("\nThe defaults end to end through `detect_drift` (same series):\n")
        print("\n".join(end_to_end(arms, chosen())))
    print("\n" + "\n".join(timing()))
    print(f"\n(total benchmark time {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
