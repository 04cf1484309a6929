"""Synthetic canonical facts at any size, for benchmarks and differential tests (fast,
vectorised, deterministic: the same arguments give the same frames).

``tickets()`` makes help-desk tickets; ``outages()``, ``probes()``, ``capacity()``,
``spend()``, ``projects()``, ``checks()`` the other canonical facts of ``scorecard.facts``;
``survey_responses()``, ``survey_invitations()`` and ``actions()`` the frames that
``pipelines.measures.survey`` / ``.governance`` expect; ``all_facts()`` all of them for one
span of months. Every frame has exactly its fact's columns and dtypes. They carry the
awkward cases on purpose (overlapping and ongoing outages, nulls, zero capacities, several
snapshots a month) so that a second implementation has something to disagree with.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scorecard import facts as F

US_PER_DAY = 86_400_000_000
US_PER_MIN = 60_000_000
_US = pl.Datetime("us", "UTC")

CATEGORIES = ["Hardware", "Software", "Network", "Access", "Email", "How-to", "Duplicate"]


def _pick(rng: np.random.Generator, values: list[str], n: int, p: list[float] | None = None) -> pl.Series:
    """Like ``rng.choice(values, n, p=p)`` (same draws), without building numpy strings."""
    idx = rng.choice(len(values), n, p=p)
    return pl.Series(values, dtype=pl.String).gather(idx)


def _labels(prefix: str, numbers: np.ndarray) -> pl.Series:
    """``prefix`` followed by each number, as strings."""
    return pl.select(pl.lit(prefix) + pl.lit(pl.Series(numbers)).cast(pl.String)).to_series()


def _ts(values: np.ndarray) -> pl.Series:
    return pl.Series(values).cast(_US)


def tickets(n: int, *, provider: str = "Bench", seed: int = 1, start: str = "2023-01-01", days: int = 1095) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t0 = np.datetime64(start, "us").astype(np.int64)
    opened = t0 + rng.integers(0, days * US_PER_DAY, n)
    resp = opened + (rng.lognormal(7.5, 1.2, n) * 1e6).astype(np.int64)
    res = opened + (rng.lognormal(11.0, 1.3, n) * 1e6).astype(np.int64)
    closed = res + rng.integers(0, 7 * US_PER_DAY, n)
    state = rng.random(n)
    status = np.where(state < 0.02, "cancelled", np.where(state < 0.06, "open", np.where(state < 0.3, "resolved", "closed")))
    none = (status == "open") | (status == "cancelled")
    ids = np.arange(n)
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider]).gather(np.zeros(n, dtype=np.int64)),
        F.TICKET_ID: pl.select(pl.lit("INC") + pl.lit(pl.Series(ids)).cast(pl.String).str.zfill(8)).to_series(),
        F.KIND: _pick(rng, ["incident", "request"], n),
        F.OPENED_AT: _ts(opened),
        F.FIRST_RESPONSE_AT: _ts(np.where(status == "cancelled", 0, resp)),
        F.RESOLVED_AT: _ts(np.where(none, 0, res)),
        F.CLOSED_AT: _ts(np.where(status == "closed", closed, 0)),
        F.STATUS: pl.Series(status),
        F.PRIORITY: _pick(rng, list(F.PRIORITIES), n, [0.01, 0.09, 0.5, 0.4]),
        F.CATEGORY: _pick(rng, CATEGORIES, n),
        F.CHANNEL: _pick(rng, ["portal", "email", "phone", "chat"], n),
        F.REQUESTER: _labels("user", rng.integers(0, 20_000, n)),
        F.REQUESTER_GROUP: _pick(rng, ["Finance", "Sales", "Operations", "HR", "Legal"], n),
        F.ASSIGNEE_GROUP: _pick(rng, ["Service Desk", "Desktop", "Network", "Server"], n),
        F.REASSIGNMENT_COUNT: rng.poisson(0.6, n),
        F.REOPEN_COUNT: (rng.random(n) < 0.05).astype(np.int64),
        F.HOURS_SPENT: np.round(rng.gamma(2.0, 0.8, n), 2),
    }).with_columns(
        pl.when(pl.col(c).dt.epoch("us") == 0).then(None).otherwise(pl.col(c)).alias(c)
        for c in (F.FIRST_RESPONSE_AT, F.RESOLVED_AT, F.CLOSED_AT)
    ).cast(F.TICKETS.schema)


def _start_us(start: str) -> int:
    return int(np.datetime64(start, "us").astype(np.int64))


def outages(*, services: int = 8, per_service: int = 30, provider: str = "Bench", seed: int = 2,
            start: str = "2023-01-01", days: int = 1095) -> pl.DataFrame:
    """Unplanned outages (5 min to a few hours, one in ten lasting days across month ends,
    a quarter with a second outage starting inside them), 10% planned windows, impact 1.0
    for half and 0.1–0.9 for the rest, and the last outage of every third service still
    going on (``ended_at`` null)."""
    rng = np.random.default_rng(seed)
    n = services * per_service
    svc = np.repeat(np.arange(services), per_service)
    t0 = _start_us(start)
    began = t0 + rng.integers(0, days * US_PER_DAY, n)
    minutes = np.where(rng.random(n) < 0.1, rng.uniform(1440, 4320, n), rng.lognormal(4.0, 1.0, n))
    ended = began + (minutes * US_PER_MIN).astype(np.int64)
    # companions: start inside an outage, some outlast it
    k = rng.random(n) < 0.25
    c_began = began[k] + ((ended[k] - began[k]) * rng.uniform(0.05, 0.9, k.sum())).astype(np.int64)
    c_ended = c_began + (rng.lognormal(3.5, 1.0, k.sum()) * US_PER_MIN).astype(np.int64)
    svc = np.concatenate([svc, svc[k]])
    began = np.concatenate([began, c_began])
    ended = np.concatenate([ended, c_ended])
    m = svc.size
    impact = np.where(rng.random(m) < 0.5, 1.0, np.round(rng.uniform(0.1, 0.9, m), 2))
    planned = rng.random(m) < 0.1
    frame = pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * m, dtype=pl.String),
        "service": _labels("SVC-", svc),
        "started_at": _ts(began),
        "ended_at": _ts(ended),
        "planned": planned,
        "impact": impact,
    }).unique(["service", "started_at"], keep="first", maintain_order=True).sort("service", "started_at")
    last = pl.col("started_at") == pl.col("started_at").max().over("service")
    ongoing = last & (pl.col("service").str.slice(4).cast(pl.Int32) % 3 == 0) & ~pl.col("planned")
    return frame.with_columns(pl.when(ongoing).then(None).otherwise(pl.col("ended_at")).alias("ended_at")) \
        .cast(F.OUTAGES.schema)


def probes(*, services: int = 2, every_minutes: int = 60, provider: str = "Bench", seed: int = 3,
           start: str = "2023-01-01", days: int = 1095) -> pl.DataFrame:
    """Regular probes of services ``PRB-0`` …: up 99% of the time, with down spells."""
    rng = np.random.default_rng(seed)
    per = days * 1440 // every_minutes
    at = _start_us(start) + np.arange(per, dtype=np.int64) * every_minutes * US_PER_MIN
    at = np.tile(at, services) + rng.integers(0, 30_000_000, per * services)
    down = (rng.random(per * services) < 0.01) | (np.sin(np.arange(per * services) / 500.0) > 0.995)
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * (per * services), dtype=pl.String),
        "service": _labels("PRB-", np.repeat(np.arange(services), per)),
        "at": _ts(at),
        "up": ~down,
    }).cast(F.PROBES.schema)


def capacity(*, resources: int = 10, provider: str = "Bench", seed: int = 4, start: str = "2023-01-01",
             days: int = 1095) -> pl.DataFrame:
    """Daily samples per resource: rising, flat, falling and saw-tooth utilisation; one
    resource above its capacity at the end; a few null ``used`` and zero capacities."""
    rng = np.random.default_rng(seed)
    day = np.arange(days, dtype=np.int64)
    rows = []
    for r in range(resources):
        shape = r % 4
        base = 0.3 + 0.05 * r
        level = {0: base + 0.5 * day / days + (0.3 if r == 0 else 0.0) * day / days,
                 1: np.full(days, base),
                 2: base + 0.3 - 0.25 * day / days,
                 3: base + 0.2 * ((day % 30) / 30)}[shape]
        cap = np.full(days, 100.0 + 20 * r)
        used = cap * np.clip(level + rng.normal(0, 0.02, days), 0, None)
        at = _start_us(start) + day * US_PER_DAY + rng.integers(0, 86_400, days) * 1_000_000
        rows.append(pl.DataFrame({
            "resource": pl.Series([f"RES-{r:02d}"] * days, dtype=pl.String),
            "at": _ts(at), "used": np.round(used, 3), "capacity": cap,
        }))
    frame = pl.concat(rows)
    u = rng.random(frame.height)
    return frame.select(
        pl.lit(provider, dtype=pl.String).alias(F.PROVIDER), "resource", "at",
        pl.when(pl.lit(pl.Series(u < 0.01))).then(None).otherwise(pl.col("used")).alias("used"),
        pl.when(pl.lit(pl.Series((u > 0.995)))).then(0.0).otherwise(pl.col("capacity")).alias("capacity"),
        pl.lit("GB", dtype=pl.String).alias("unit"),
    ).cast(F.CAPACITY.schema)


def month_names(start: str, months: int) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    return [f"{(y * 12 + m - 1 + k) // 12:04d}-{(y * 12 + m - 1 + k) % 12 + 1:02d}" for k in range(months)]


def spend(*, provider: str = "Bench", seed: int = 5, start: str = "2023-01", months: int = 36) -> pl.DataFrame:
    """One row a month: spend around the budget, a month without budget, hours."""
    rng = np.random.default_rng(seed)
    budget = np.round(100_000 * 1.03 ** (np.arange(months) // 12), 2)
    amount = np.round(budget * rng.normal(0.98, 0.05, months), 2)
    hours = np.round(rng.normal(900, 80, months), 1)
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * months, dtype=pl.String),
        "month": month_names(start, months),
        "amount": amount,
        "budget": [None if k == months // 2 else b for k, b in enumerate(budget)],
        "hours": [None if k == 3 else h for k, h in enumerate(hours)],
        "currency": pl.Series(["EUR"] * months, dtype=pl.String),
    }, schema=F.SPEND.schema)


def projects(*, count: int = 12, provider: str = "Bench", seed: int = 6, start: str = "2023-01-01",
             days: int = 1095) -> pl.DataFrame:
    """Snapshots every ~2 weeks of ``count`` projects: slipping, on time, done, without a
    forecast or costs now and then."""
    rng = np.random.default_rng(seed)
    d0 = np.datetime64(start, "D")
    frames = []
    for p in range(count):
        first = int(rng.integers(0, days // 2))
        length = int(rng.integers(120, 600))
        snaps = np.arange(first, min(days, first + length + 90), 14)
        k = np.arange(snaps.size)
        baseline_end = d0 + first + length
        slip = (rng.integers(0, 3) * k).astype(np.int64)  # 0, 1 or 2 days later per snapshot
        pct = np.minimum(100.0, np.round(100 * (snaps - first) / length, 1))
        base_cost = float(rng.integers(50, 500)) * 1000
        frames.append(pl.DataFrame({
            "project": pl.Series([f"PRJ-{p:02d}"] * snaps.size, dtype=pl.String),
            "as_of": (d0 + snaps).astype("datetime64[D]"),
            "baseline_end": np.full(snaps.size, baseline_end).astype("datetime64[D]"),
            "forecast_end": (baseline_end + slip).astype("datetime64[D]"),
            "pct_complete": pct,
            "baseline_cost": np.full(snaps.size, base_cost),
            "forecast_cost": np.round(base_cost * (1 + 0.01 * slip / 3), 2),
        }))
    frame = pl.concat(frames)
    u = pl.Series(rng.random(frame.height))

    def blank(col: str, where: pl.Series) -> pl.Expr:
        return pl.when(pl.lit(where)).then(None).otherwise(pl.col(col)).alias(col)

    return frame.select(
        pl.lit(provider, dtype=pl.String).alias(F.PROVIDER), "project", "as_of", "baseline_end",
        blank("forecast_end", u < 0.05), blank("pct_complete", (u > 0.3) & (u < 0.33)),
        blank("baseline_cost", (u > 0.5) & (u < 0.55)), blank("forecast_cost", u > 0.97),
    ).cast(F.PROJECTS.schema)


def checks(*, provider: str = "Bench", seed: int = 7, start: str = "2023-01-01", days: int = 1095,
           scale: int = 1) -> pl.DataFrame:
    """Nightly backups of 8 jobs (99% pass), 40 servers' patch checks on the 25th-ish (95%)
    and random QC reviews (98%)."""
    rng = np.random.default_rng(seed)
    t0 = _start_us(start)
    nb = days * 8 * scale
    backup_at = t0 + np.repeat(np.arange(days * scale) % days, 8) * US_PER_DAY + rng.integers(0, 7200, nb) * 1_000_000
    np_ = (days // 30) * 40
    patch_at = (t0 + (np.repeat(np.arange(days // 30), 40) * 30 + 24) * US_PER_DAY
                + rng.integers(0, 86_400, np_) * 1_000_000)
    nq = days * 12 * scale
    qc_at = t0 + rng.integers(0, days * US_PER_DAY, nq)
    kinds = np.concatenate([np.zeros(nb, np.int64), np.ones(np_, np.int64), np.full(nq, 2)])
    at = np.concatenate([backup_at, patch_at, qc_at])
    p = np.array([0.99, 0.95, 0.98])[kinds]
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * at.size, dtype=pl.String),
        "check_type": pl.Series(["backup", "patch", "qc_review"], dtype=pl.String).gather(kinds),
        "subject": _labels("S", np.arange(at.size)),
        "at": _ts(at),
        "passed": rng.random(at.size) < p,
    }).cast(F.CHECKS.schema)


def survey_responses(*, n: int = 3000, provider: str = "Bench", seed: int = 8, start: str = "2023-01-01",
                     days: int = 1095) -> pl.DataFrame:
    """Ratings on two 1–5 questions and one 0–10 question, a few out of range."""
    rng = np.random.default_rng(seed)
    q = rng.integers(0, 3, n)
    rating = np.where(q < 2, rng.choice(6, n, p=[0.02, 0.05, 0.08, 0.2, 0.35, 0.3]),
                      rng.choice(12, n, p=[0.02] * 7 + [0.1, 0.15, 0.3, 0.29, 0.02]))
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * n, dtype=pl.String),
        "questionnaire": pl.Series(["helpdesk-v1"] * n, dtype=pl.String),
        "question": pl.Series(["satisfaction", "speed", "recommend"], dtype=pl.String).gather(q),
        "scale": pl.Series(["1-5", "1-5", "0-10"], dtype=pl.String).gather(q),
        "answered_at": _ts(_start_us(start) + rng.integers(0, days * US_PER_DAY, n)),
        "rating": rating.astype(np.int32),
    })


def survey_invitations(*, n: int = 8000, provider: str = "Bench", seed: int = 9, start: str = "2023-01-01",
                       days: int = 1095) -> pl.DataFrame:
    """Invitations, 40% answered within a fortnight."""
    rng = np.random.default_rng(seed)
    sent = _start_us(start) + rng.integers(0, days * US_PER_DAY, n)
    answered = sent + rng.integers(60_000_000, 14 * US_PER_DAY, n)
    return pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * n, dtype=pl.String),
        "sent_at": _ts(sent),
        "responded_at": _ts(np.where(rng.random(n) < 0.4, answered, 0)),
    }).with_columns(pl.when(pl.col("responded_at").dt.epoch("us") == 0).then(None)
                    .otherwise(pl.col("responded_at")).alias("responded_at"))


def actions(*, n: int = 400, provider: str = "Bench", seed: int = 10, start: str = "2023-01-01",
            days: int = 1095) -> pl.DataFrame:
    """Improvement actions: closed early, on the day, late, or still open."""
    rng = np.random.default_rng(seed)
    due = np.datetime64(start, "D") + rng.integers(0, days, n)
    closed = due + rng.integers(-20, 15, n)
    frame = pl.DataFrame({
        F.PROVIDER: pl.Series([provider] * n, dtype=pl.String),
        "action_id": _labels("A", np.arange(n)),
        "due_on": due.astype("datetime64[D]"),
        "closed_on": closed.astype("datetime64[D]"),
    })
    return frame.with_columns(pl.when(pl.lit(pl.Series(rng.random(n) < 0.15))).then(None)
                              .otherwise(pl.col("closed_on")).alias("closed_on"))


def all_facts(n_tickets: int, *, provider: str = "Bench", seed: int = 1, start: str = "2023-01-01",
              months: int = 36) -> dict[str, pl.DataFrame]:
    """Every fact for ``months`` months from ``start``, with ``n_tickets`` tickets and the
    other facts scaled to match (a hundred thousand tickets a year goes with more checks)."""
    days = int((np.datetime64(month_names(start[:7], months + 1)[-1] + "-01", "D")
                - np.datetime64(start, "D")).astype(np.int64))
    span = {"provider": provider, "start": start, "days": days}
    scale = max(1, n_tickets // 1_000_000)
    return {
        "tickets": tickets(n_tickets, seed=seed, **span),
        "outages": outages(seed=seed + 1, **span),
        "probes": probes(seed=seed + 2, **span),
        "capacity": capacity(seed=seed + 3, **span),
        "spend": spend(provider=provider, seed=seed + 4, start=start[:7], months=months),
        "projects": projects(seed=seed + 5, **span),
        "checks": checks(seed=seed + 6, scale=scale, **span),
        "survey_responses": survey_responses(seed=seed + 7, **span),
        "survey_invitations": survey_invitations(seed=seed + 8, **span),
        "actions": actions(seed=seed + 9, **span),
    }
