"""Northwind IT Services' help-desk tickets (~25,000 a year).

Durations are lognormal by priority. P1 and P2 run on a 24×7 clock; P3 and P4 (and first
responses to them) on the service desk's business clock, Monday to Friday 08:00–18:00
Europe/London. Two known events live here: the reopen rate steps up from ``reopen_month`` and
P2 resolution times double for tickets opened from ``staffing_month`` on.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .lifecycle import month_counts, numbered, sample_opened, settle
from .model import frame
from .people import Directory
from .span import US_PER_HOUR, BusinessClock, Span, lognormal, ts

TICKETS_PER_YEAR = 25_000
SEASON = {8: 0.80, 12: 0.80, 1: 1.05, 9: 1.08}  # fewer in August and December

# category: (share, request share, assignee group, light?, mean reassignments)
CATEGORIES: dict[str, tuple[float, float, str, bool, float]] = {
    "Hardware": (0.14, 0.35, "Desktop", False, 0.5),
    "Software": (0.22, 0.45, "Applications", False, 0.6),
    "Network": (0.09, 0.10, "Network", False, 0.8),
    "Access": (0.18, 0.80, "Service Desk", True, 0.2),
    "Email": (0.10, 0.30, "Server", False, 0.5),
    "Server": (0.08, 0.20, "Server", False, 0.7),
    "How-to": (0.15, 0.70, "Service Desk", True, 0.15),
    "Duplicate": (0.04, 0.00, "Service Desk", True, 0.1),
}
ASSIGNEE_GROUPS = ("Service Desk", "Desktop", "Network", "Server", "Applications")
# priority mix: serious categories can be P1/P2, light ones (access, how-to, duplicates) cannot;
# overall about 1% / 9% / 50% / 40%
PRIORITY_SERIOUS = np.array([0.016, 0.14, 0.48, 0.364])
PRIORITY_LIGHT = np.array([0.0, 0.0, 0.55, 0.45])
CHANNELS = {"portal": 0.45, "email": 0.25, "phone": 0.20, "chat": 0.10}

# (median, sigma) in hours; P1/P2 on 24×7, P3/P4 in business hours
RESPONSE = {"P1": (0.1, 0.5), "P2": (0.25, 0.5), "P3": (0.8, 0.8), "P4": (2.0, 0.8)}
RESOLUTION = {"P1": (2.0, 0.5), "P2": (4.0, 0.45), "P3": (10.0, 0.8), "P4": (22.0, 0.75)}
RESOLUTION_CAP = {"P1": 48.0, "P2": 120.0, "P3": 400.0, "P4": 600.0}
REQUEST_SLOWER = 1.3  # requests take longer than incidents
P2_STAFFING_FACTOR = 2.0  # P2 resolution after the staffing change
REOPEN_BASE = 0.04
REOPEN_AFTER = 0.09
CANCELLED = 0.02
WORK_HOURS = (8, 18)  # the service desk's business clock
FIRST_TICKET_NUMBER = 12_001


def make_tickets(span: Span, rng: np.random.Generator, people: Directory, *,
                      provider: str, reopen_month: int, staffing_month: int) -> pl.DataFrame:
    clock = BusinessClock.build(span, *WORK_HOURS)
    opened = sample_opened(span, rng, month_counts(span, rng, TICKETS_PER_YEAR / 12, SEASON))
    n = len(opened)

    names = list(CATEGORIES)
    spec = [CATEGORIES[c] for c in names]
    share = np.array([s[0] for s in spec])
    cat = rng.choice(len(names), size=n, p=share / share.sum())
    light = np.array([s[3] for s in spec])[cat]
    u = rng.random(n)
    prio = np.where(light, np.searchsorted(np.cumsum(PRIORITY_LIGHT), u, side="right"),
                    np.searchsorted(np.cumsum(PRIORITY_SERIOUS), u, side="right"))
    prio = np.minimum(prio, 3)
    is_request = rng.random(n) < np.array([s[1] for s in spec])[cat]

    pnames = ["P1", "P2", "P3", "P4"]
    on_24x7 = prio <= 1

    def draw(table: dict[str, tuple[float, float]]) -> np.ndarray:
        med = np.array([table[p][0] for p in pnames])[prio]
        sig = np.array([table[p][1] for p in pnames])[prio]
        return lognormal(rng, med, sig, n)

    respond_h = np.clip(draw(RESPONSE), 1 / 60, 40.0)
    resolve_h = draw(RESOLUTION) * np.where(is_request, REQUEST_SLOWER, 1.0)
    staffed_down = (prio == 1) & (span.month_of(opened) >= staffing_month)
    resolve_h = resolve_h * np.where(staffed_down, P2_STAFFING_FACTOR, 1.0)
    resolve_h = np.clip(resolve_h, 0.1, np.array([RESOLUTION_CAP[p] for p in pnames])[prio])

    def after(hours: np.ndarray) -> np.ndarray:
        wall = opened + (hours * US_PER_HOUR).astype(np.int64)
        return np.where(on_24x7, wall, clock.add(opened, hours))

    response = after(respond_h)
    resolution = np.maximum(after(resolve_h), response)
    reopen_prob = np.where(span.month_of(resolution) >= reopen_month, REOPEN_AFTER, REOPEN_BASE)
    cancelled = rng.random(n) < CANCELLED
    cancel_after = lognormal(rng, 20.0, 1.0, n).clip(0.1, 500.0) * US_PER_HOUR
    settled = settle(span, rng, opened=opened, response=response, resolution=resolution,
                     reopen_prob=reopen_prob, cancelled=cancelled, cancel_after=cancel_after)

    reassign = rng.poisson(np.array([s[4] for s in spec])[cat] + np.where(prio == 0, 0.5, 0.0))
    group = np.array([s[2] for s in spec], dtype=object)[cat]
    elsewhere = rng.random(n) < 0.12
    group = np.where(elsewhere, np.array(ASSIGNEE_GROUPS, dtype=object)[rng.integers(0, 5, n)], group)
    effort = lognormal(rng, np.array([3.0, 2.0, 1.0, 0.6])[prio], 0.6, n)
    effort = effort * (1 + 0.3 * reassign) * (1 + 0.5 * settled.reopen_count)
    hours = np.maximum(np.round(effort * 4) / 4, 0.25)
    hours = np.where(settled.status == "cancelled", 0.25, hours)

    chan = list(CHANNELS)
    pchan = np.array([CHANNELS[c] for c in chan])
    requester, department = people.sample(rng, n)

    return frame("tickets", {
        "provider": provider,
        "ticket_id": numbered(np.where(is_request, "REQ", "INC"), FIRST_TICKET_NUMBER),
        "kind": pl.Series(np.where(is_request, "request", "incident"), dtype=pl.String),
        "opened_at": ts(opened),
        **settled.columns(),
        "priority": pl.Series(np.array(pnames, dtype=object)[prio], dtype=pl.String),
        "category": pl.Series(np.array(names, dtype=object)[cat], dtype=pl.String),
        "channel": pl.Series(np.array(chan, dtype=object)[rng.choice(len(chan), n, p=pchan)],
                             dtype=pl.String),
        "requester": requester,
        "requester_group": department,
        "assignee_group": pl.Series(group, dtype=pl.String),
        "reassignment_count": pl.Series(reassign, dtype=pl.Int32),
        "hours_spent": pl.Series(hours, dtype=pl.Float64),
    })
