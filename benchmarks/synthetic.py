"""Synthetic canonical facts at any size, for benchmarks (fast, vectorised, deterministic)."""

from __future__ import annotations

import numpy as np
import polars as pl

from scorecard import facts as F


def tickets(n: int, *, provider: str = "Bench", seed: int = 1, start: str = "2023-01-01", days: int = 1095) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t0 = np.datetime64(start, "us").astype(np.int64)
    opened = t0 + rng.integers(0, days * 86_400_000_000, n)
    resp = opened + (rng.lognormal(7.5, 1.2, n) * 1e6).astype(np.int64)
    res = opened + (rng.lognormal(11.0, 1.3, n) * 1e6).astype(np.int64)
    closed = res + rng.integers(0, 7 * 86_400_000_000, n)
    state = rng.random(n)
    status = np.where(state < 0.02, "cancelled", np.where(state < 0.06, "open", np.where(state < 0.3, "resolved", "closed")))
    none = (status == "open") | (status == "cancelled")
    us = pl.Datetime("us", "UTC")
    return pl.DataFrame({
        F.PROVIDER: provider,
        F.TICKET_ID: pl.Series(np.char.add("INC", np.char.zfill(np.arange(n).astype(str), 8))),
        F.KIND: rng.choice(["incident", "request"], n),
        F.OPENED_AT: pl.Series(opened).cast(us),
        F.FIRST_RESPONSE_AT: pl.Series(np.where(status == "cancelled", 0, resp)).cast(us),
        F.RESOLVED_AT: pl.Series(np.where(none, 0, res)).cast(us),
        F.CLOSED_AT: pl.Series(np.where(status == "closed", closed, 0)).cast(us),
        F.STATUS: status,
        F.PRIORITY: rng.choice(list(F.PRIORITIES), n, p=[0.01, 0.09, 0.5, 0.4]),
        F.CATEGORY: rng.choice(["Hardware", "Software", "Network", "Access", "Email", "How-to", "Duplicate"], n),
        F.CHANNEL: rng.choice(["portal", "email", "phone", "chat"], n),
        F.REQUESTER: pl.Series(np.char.add("user", rng.integers(0, 20_000, n).astype(str))),
        F.REQUESTER_GROUP: rng.choice(["Finance", "Sales", "Operations", "HR", "Legal"], n),
        F.ASSIGNEE_GROUP: rng.choice(["Service Desk", "Desktop", "Network", "Server"], n),
        F.REASSIGNMENT_COUNT: rng.poisson(0.6, n),
        F.REOPEN_COUNT: (rng.random(n) < 0.05).astype(np.int64),
        F.HOURS_SPENT: np.round(rng.gamma(2.0, 0.8, n), 2),
    }).with_columns(
        pl.when(pl.col(c).dt.epoch("us") == 0).then(None).otherwise(pl.col(c)).alias(c)
        for c in (F.FIRST_RESPONSE_AT, F.RESOLVED_AT, F.CLOSED_AT)
    ).cast(F.TICKETS.schema)
