"""Lexington Legal Process: legal work items (~500 a month) and quality-control samples.

Kinds and clocks: ``nda_review`` (standard NDAs, most of the volume) and
``critical_error_correction`` run on a 24×7 clock (the provider delivers round the clock);
``contract_review`` and ``enquiry`` on the New York business clock, Monday to Friday
09:00–18:00 America/New_York. Targets the demo is built around: NDAs reviewed within 24 hours
(95% normally met), enquiries acknowledged (first response) within 2 business hours, critical
errors corrected within 4 hours.

Known events: an NDA capacity crunch in ``crunch_months`` (more NDAs, slower reviews: about
75% within 24 hours) and the QC error rate rising from 0.5% to about 2% from ``qc_month``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .lifecycle import month_counts, numbered, sample_opened, settle
from .model import frame
from .people import Directory
from .span import US_PER_HOUR, BusinessClock, Span, floor_seconds, lognormal, ts

ITEMS_PER_MONTH = 500
SEASON = {8: 0.85, 12: 0.80}
# kind: (share, category choices {category: share}, priority choices {priority: share},
#        24x7?, response (median h, sigma), resolution (median h, sigma), effort median h,
#        assignee group)
KINDS: dict[str, tuple] = {
    "nda_review": (0.60, {"NDA": 1.0}, {"P2": 0.10, "P3": 0.90}, True,
                   (0.4, 0.7), (8.5, 0.55), 0.75, "NDA desk"),
    "contract_review": (0.20, {"MSA": 0.45, "SOW": 0.55}, {"P3": 0.5, "P4": 0.5}, False,
                        (1.0, 0.8), (27.0, 0.7), 4.0, "Contracts team"),
    "enquiry": (0.188, {"Enquiry": 1.0}, {"P4": 1.0}, False,
                (0.6, 0.9), (6.0, 1.0), 0.3, "Enquiries"),
    "critical_error_correction": (0.012, {"Correction": 1.0}, {"P1": 1.0}, True,
                                  (0.15, 0.5), (1.5, 0.5), 1.0, "Quality"),
}
NDA_TARGET_HOURS = 24.0
NDA_CRUNCH_MEDIAN = 16.0  # hours, instead of 8.5: about 75% within 24 hours
NDA_CRUNCH_VOLUME = 1.25  # NDAs opened during the crunch, relative to normal
REQUESTER_DEPARTMENTS = {
    "Sales": 0.35, "Procurement": 0.20, "Partnerships": 0.12, "Legal": 0.10,
    "HR": 0.08, "Finance": 0.08, "Executive": 0.04, "Marketing": 0.03,
}
CHANNELS = {"portal": 0.70, "email": 0.30}
REOPEN = 0.015
CANCELLED = 0.015  # withdrawn by the business
WORK_HOURS = (9, 18)
QC_SAMPLE = 0.8  # share of completed matters sampled for quality control
QC_ERROR_BASE = 0.005
QC_ERROR_AFTER = 0.02
FIRST_MATTER_NUMBER = 100_001


def make_tickets(span: Span, rng: np.random.Generator, people: Directory, *,
                      provider: str, crunch_months: tuple[int, int]) -> pl.DataFrame:
    clock = BusinessClock.build(span, *WORK_HOURS)
    kinds = list(KINDS)
    spec = [KINDS[k] for k in kinds]
    nda_share = spec[0][0]
    crunch = np.zeros(span.months)
    crunch[crunch_months[0]:crunch_months[1] + 1] = 1.0
    counts = month_counts(span, rng, ITEMS_PER_MONTH, SEASON)
    # the crunch: extra NDA requests on top of the usual volume
    counts = counts + rng.poisson(crunch * ITEMS_PER_MONTH * nda_share * (NDA_CRUNCH_VOLUME - 1))
    opened = sample_opened(span, rng, counts)
    n = len(opened)
    month = span.month_of(opened)
    in_crunch = crunch[np.clip(month, 0, span.months - 1)] > 0

    share = np.array([s[0] for s in spec])
    boosted = share.copy()
    boosted[0] *= NDA_CRUNCH_VOLUME
    u = rng.random(n)
    kind = np.where(in_crunch, np.searchsorted(np.cumsum(boosted / boosted.sum()), u, side="right"),
                    np.searchsorted(np.cumsum(share / share.sum()), u, side="right"))
    kind = np.minimum(kind, len(kinds) - 1)

    category = np.empty(n, dtype=object)
    priority = np.empty(n, dtype=object)
    for k, s in enumerate(spec):  # per kind: a handful of loops, each vectorised
        idx = np.flatnonzero(kind == k)
        for target, choices in ((category, s[1]), (priority, s[2])):
            names = list(choices)
            p = np.array([choices[c] for c in names])
            target[idx] = np.array(names, dtype=object)[rng.choice(len(names), len(idx), p=p / p.sum())]

    on_24x7 = np.array([s[3] for s in spec])[kind]
    resp_med = np.array([s[4][0] for s in spec])[kind]
    resp_sig = np.array([s[4][1] for s in spec])[kind]
    res_med = np.array([s[5][0] for s in spec])[kind]
    res_sig = np.array([s[5][1] for s in spec])[kind]
    res_med = np.where((kind == 0) & in_crunch, NDA_CRUNCH_MEDIAN, res_med)

    respond_h = np.clip(lognormal(rng, resp_med, resp_sig, n), 1 / 60, 40.0)
    resolve_h = np.clip(lognormal(rng, res_med, res_sig, n), 0.1, 400.0)

    def after(hours: np.ndarray) -> np.ndarray:
        wall = opened + (hours * US_PER_HOUR).astype(np.int64)
        return np.where(on_24x7, wall, clock.add(opened, hours))

    response = after(respond_h)
    resolution = np.maximum(after(resolve_h), response)
    cancelled = rng.random(n) < CANCELLED
    cancel_after = lognormal(rng, 30.0, 1.0, n).clip(0.5, 500.0) * US_PER_HOUR
    settled = settle(span, rng, opened=opened, response=response, resolution=resolution,
                     reopen_prob=np.full(n, REOPEN), cancelled=cancelled, cancel_after=cancel_after,
                     close_days=(1.0, 3.0))

    effort = lognormal(rng, np.array([s[6] for s in spec])[kind], 0.5, n)
    effort = effort * (1 + 0.5 * settled.reopen_count)
    hours = np.where(settled.status == "cancelled", 0.0, np.maximum(np.round(effort * 10) / 10, 0.1))
    requester, department = people.sample(rng, n, people.weights_by_department(REQUESTER_DEPARTMENTS))
    chan = list(CHANNELS)
    pchan = np.array([CHANNELS[c] for c in chan])

    return frame("tickets", {
        "provider": provider,
        "ticket_id": numbered(np.full(n, "MAT", dtype=object), FIRST_MATTER_NUMBER),
        "kind": pl.Series(np.array(kinds, dtype=object)[kind], dtype=pl.String),
        "opened_at": ts(opened),
        **settled.columns(),
        "priority": pl.Series(priority, dtype=pl.String),
        "category": pl.Series(category, dtype=pl.String),
        "channel": pl.Series(np.array(chan, dtype=object)[rng.choice(len(chan), n, p=pchan)],
                             dtype=pl.String),
        "requester": requester,
        "requester_group": department,
        "assignee_group": pl.Series(np.array([s[7] for s in spec], dtype=object)[kind], dtype=pl.String),
        "reassignment_count": pl.Series(rng.poisson(0.1, n), dtype=pl.Int32),
        "hours_spent": pl.Series(hours, dtype=pl.Float64),
    })


def make_checks(span: Span, rng: np.random.Generator, tickets: pl.DataFrame, *,
                     provider: str, qc_month: int) -> pl.DataFrame:
    """QC samples of completed matters, a few hours after resolution; ``passed`` is no error."""
    done = tickets.filter(pl.col("resolved_at").is_not_null())
    resolved = done["resolved_at"].cast(pl.Int64).to_numpy()
    n = len(resolved)
    sampled = rng.random(n) < QC_SAMPLE
    at = floor_seconds(resolved + (np.clip(lognormal(rng, 6.0, 0.8, n), 1.0, 72.0) * US_PER_HOUR)
                       .astype(np.int64))
    keep = sampled & (at <= span.end_us)
    error_rate = np.where(span.month_of(at) >= qc_month, QC_ERROR_AFTER, QC_ERROR_BASE)
    passed = rng.random(n) >= error_rate
    return frame("checks", {
        "provider": provider,
        "check_type": "qc_review",
        "subject": done["ticket_id"].filter(pl.Series(keep)),
        "at": ts(at[keep]),
        "passed": pl.Series(passed[keep]),
    }).sort("at", "subject")
