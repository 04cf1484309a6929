"""Northwind IT Services' operations: service outages, capacity samples, backup and patch checks.

Known events here: a major Email outage in ``outage_month``; SAN-01 storage growing steadily
from ``capacity_month`` to about 93% at the end; a two-week backup bad spell in
``backup_month``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .model import frame
from .span import US_PER_HOUR, event_month, US_PER_MINUTE, US_PER_SECOND, Span, floor_seconds, lognormal, ts

# service: unplanned outages per year, maintenance Sunday of the month (0 = first)
SERVICES: dict[str, tuple[float, int]] = {
    "Email": (3.0, 0),
    "ERP": (3.0, 1),
    "File shares": (2.0, 2),
    "VPN": (4.0, 3),
    "Website": (3.0, 0),
    "Telephony": (2.0, 1),
}
MAJOR_OUTAGE_SERVICE = "Email"
MAJOR_OUTAGE_HOURS = 7.5
UNPLANNED_MAX_MINUTES = 240.0  # other unplanned outages last five minutes to four hours

# resource: (unit, capacity, baseline utilisation, growth per month, daily noise, weekly swing)
RESOURCES: dict[str, tuple[str, float, float, float, float, float]] = {
    "SAN-01 storage": ("TB", 120.0, 0.60, 0.002, 0.003, 0.0),
    "SAN-02 storage": ("TB", 80.0, 0.48, 0.004, 0.004, 0.0),
    "Backup vault": ("TB", 300.0, 0.70, 0.0, 0.006, 0.0),
    "Microsoft 365 licences": ("licences", 1150.0, 0.85, 0.002, 0.004, 0.0),
    "ERP named-user licences": ("licences", 300.0, 0.82, 0.0, 0.01, 0.0),
    "VMware cluster A CPU": ("GHz", 480.0, 0.50, 0.002, 0.04, 0.18),
    "VMware cluster B CPU": ("GHz", 320.0, 0.40, 0.001, 0.04, 0.14),
    "Internet link": ("Mbps", 1000.0, 0.45, 0.004, 0.05, 0.25),
}
TRENDING_RESOURCE = "SAN-01 storage"
TREND_END_UTILISATION = 0.93
LICENCE_TRUE_UP = ("Microsoft 365 licences", 12, 1400.0)  # resource, month index, new capacity

BACKUP_JOBS = (
    "Exchange mailbox databases", "ERP database", "File server FS01", "File server FS02",
    "SharePoint", "SQL cluster", "VM images", "Domain controllers",
)
BACKUP_PASS = 0.99
BACKUP_BAD_SPELL_PASS = 0.70
BACKUP_BAD_SPELL_DAYS = (6, 19)  # local days of the month, inclusive (two weeks)
SERVERS = tuple(
    [f"SRV-DC{i:02d}" for i in range(1, 4)] + [f"SRV-FS{i:02d}" for i in range(1, 5)]
    + [f"SRV-APP{i:02d}" for i in range(1, 21)] + [f"SRV-SQL{i:02d}" for i in range(1, 7)]
    + [f"SRV-WEB{i:02d}" for i in range(1, 7)]
)
PATCH_PASS = 0.95


def make_outages(span: Span, rng: np.random.Generator, *, provider: str,
                      outage_month: int) -> pl.DataFrame:
    services, starts, ends, planned, impact = [], [], [], [], []
    span_us = span.end_us - span.g0
    sundays_2am = np.flatnonzero((span.weekday == 6) & (span.hour_of_day == 2))
    for name, (per_year, sunday) in SERVICES.items():
        # unplanned: any time, minutes to hours, often a partial loss
        k = rng.poisson(per_year * span.months / 12)
        s = floor_seconds(span.g0 + (rng.random(k) * span_us).astype(np.int64))
        d = np.clip(lognormal(rng, 50.0, 0.9, k), 5.0, UNPLANNED_MAX_MINUTES) * US_PER_MINUTE
        imp = np.where(rng.random(k) < 0.55, 1.0, np.round(rng.uniform(0.2, 0.9, k), 2))
        services += [name] * k
        starts.append(s)
        ends.append(floor_seconds(s + d.astype(np.int64)))
        planned.append(np.zeros(k, dtype=bool))
        impact.append(imp)
        # planned: one maintenance window a month, Sunday 02:00 local, two to four hours
        month_of = span.hour_month[sundays_2am]
        for m in range(span.months):
            cands = sundays_2am[month_of == m]
            h = cands[min(sunday, len(cands) - 1)]
            s0 = span.hour_start(np.array([h]))
            dur = rng.choice([2, 3, 4]) * US_PER_HOUR
            services.append(name)
            starts.append(s0)
            ends.append(s0 + dur)
            planned.append(np.ones(1, dtype=bool))
            impact.append(np.ones(1))
        if name == MAJOR_OUTAGE_SERVICE:
            # the major outage: first Tuesday of the month, 09:40 local, all users lost
            tuesday_9 = np.flatnonzero((span.weekday == 1) & (span.hour_of_day == 9)
                                       & (span.hour_month == outage_month))[0]
            s0 = span.hour_start(np.array([tuesday_9])) + 40 * US_PER_MINUTE
            services.append(name)
            starts.append(s0)
            ends.append(s0 + int(MAJOR_OUTAGE_HOURS * US_PER_HOUR))
            planned.append(np.zeros(1, dtype=bool))
            impact.append(np.ones(1))
    start = np.concatenate(starts)
    end = np.concatenate(ends)
    df = frame("outages", {
        "provider": provider,
        "service": pl.Series(services, dtype=pl.String),
        "started_at": ts(start),
        "ended_at": ts(end, end <= span.end_us),
        "planned": pl.Series(np.concatenate(planned)),
        "impact": pl.Series(np.concatenate(impact)),
    })
    return df.unique(["service", "started_at"], keep="first", maintain_order=True).sort(
        "service", "started_at")


def utilisation_path(span: Span, f: np.ndarray, base: float, growth: float, *,
                     trend_from: int | None = None, trend_to: float = 0.0) -> np.ndarray:
    """Utilisation at fractional month ``f``: a slow drift, or from ``trend_from`` a straight
    climb to ``trend_to`` at the end of the demo."""
    u = base + growth * f
    if trend_from is None:
        return u
    u0 = base + growth * trend_from
    climb = u0 + (trend_to - u0) * (f - trend_from) / max(span.months - trend_from, 1)
    return np.where(f >= trend_from, climb, u)


def make_capacity(span: Span, rng: np.random.Generator, *, provider: str,
                       capacity_month: int) -> pl.DataFrame:
    hours = span.daily(6)  # one sample a day at 06:00 local
    at = span.hour_start(hours) + rng.integers(0, 15 * 60, len(hours)) * US_PER_SECOND
    f = span.month_fraction(at)
    weekend = span.weekday[hours] >= 5
    month = span.hour_month[hours]
    parts = []
    for name, (unit, cap, base, growth, noise, swing) in RESOURCES.items():
        trend = capacity_month if name == TRENDING_RESOURCE else None
        u = utilisation_path(span, f, base, growth, trend_from=trend, trend_to=TREND_END_UTILISATION)
        if name == "Backup vault":  # retention: fills and is pruned every month
            u = u + 0.04 * (f % 1.0) - 0.02
        u = u - np.where(weekend, swing, 0.0) + noise * rng.standard_normal(len(at))
        capacity = np.full(len(at), cap)
        if name == LICENCE_TRUE_UP[0]:
            true_up = event_month(LICENCE_TRUE_UP[1], span.months)
            capacity = np.where(month >= true_up, LICENCE_TRUE_UP[2], cap)
            u = u * cap / capacity
        used = np.clip(u, 0.0, 0.995) * capacity
        used = np.round(used) if unit in ("licences", "Mbps") else np.round(used, 2)
        parts.append(frame("capacity", {
            "provider": provider,
            "resource": pl.Series([name] * len(at), dtype=pl.String),
            "at": ts(at),
            "used": pl.Series(used),
            "capacity": pl.Series(capacity),
            "unit": unit,
        }))
    return pl.concat(parts)


def make_checks(span: Span, rng: np.random.Generator, *, provider: str,
                     backup_month: int) -> pl.DataFrame:
    # backups: every job every night, 01:00 local plus a few minutes per job
    nights = span.daily(1)
    jobs = len(BACKUP_JOBS)
    h = np.repeat(nights, jobs)
    job = np.tile(np.arange(jobs), len(nights))
    at = span.hour_start(h) + job * 7 * US_PER_MINUTE + rng.integers(0, 300, len(h)) * US_PER_SECOND
    lo, hi = BACKUP_BAD_SPELL_DAYS
    spell = (span.hour_month[h] == backup_month) & (span.day[h] >= lo) & (span.day[h] <= hi)
    passed = rng.random(len(h)) < np.where(spell, BACKUP_BAD_SPELL_PASS, BACKUP_PASS)
    backups = frame("checks", {
        "provider": provider,
        "check_type": "backup",
        "subject": pl.Series(np.array(BACKUP_JOBS, dtype=object)[job], dtype=pl.String),
        "at": ts(at),
        "passed": pl.Series(passed),
    })
    # patch compliance: every server on the 25th of every month, 09:00 local onwards
    days = np.flatnonzero((span.day == 25) & (span.hour_of_day == 9) & (span.hour_month < span.months))
    servers = len(SERVERS)
    h = np.repeat(days, servers)
    srv = np.tile(np.arange(servers), len(days))
    at = span.hour_start(h) + srv * 2 * US_PER_MINUTE
    patches = frame("checks", {
        "provider": provider,
        "check_type": "patch",
        "subject": pl.Series(np.array(SERVERS, dtype=object)[srv], dtype=pl.String),
        "at": ts(at),
        "passed": pl.Series(rng.random(len(h)) < PATCH_PASS),
    })
    return pl.concat([backups, patches])
