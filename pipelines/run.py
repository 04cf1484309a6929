"""The compute run: facts → measures → stored results, for the months that need it.

A month is recomputed when its facts changed (and then every later month too, since
backlog, year-to-date and trend measures carry history forward), when the scorecard version
or the code that computed it changed, when it was provisional, or when it was never
computed. Each stored month records what it was computed from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

import polars as pl
from sqlalchemy import Engine, insert, select, update

from pipelines.measures import compute_all
from pipelines.scoring import load_versions
from scorecard import facts as F
from scorecard.catalogue import RESULT_SCHEMA
from scorecard.context import MeasureContext
from scorecard.drift import detect_drift
from scorecard.months import month_expr, month_range
from sql.engine import session_scope
from sql.facts import read_facts
from sql.models import ComputeRun, Provider
from sql.repo import get_provider
from sql.results import computed_months, read_results, record_months, replace_results
from sql.reviews import read_actions
from sql.signals import replace_signals
from sql.survey_store import read_survey_facts, read_survey_ratings

log = logging.getLogger(__name__)

# the column that places each fact's row in a month
TIME_COLUMN = {"tickets": F.OPENED_AT, "outages": "started_at", "probes": "at", "capacity": "at",
               "spend": "month", "projects": "as_of", "checks": "at",
               "survey_responses": "answered_at", "survey_invitations": "sent_at", "actions": "due_on"}


def code_version() -> str:
    try:
        steerco = version("steerco")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        steerco = "dev"
    return f"steerco {steerco}; polars {pl.__version__}"


@dataclass
class ComputeReport:
    provider: str
    computed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    seconds: float = 0.0
    run_id: int | None = None

    def summary(self) -> str:
        if not self.computed:
            return f"{self.provider}: all {self.unchanged} months up to date"
        span = self.computed[0] if len(self.computed) == 1 else f"{self.computed[0]} … {self.computed[-1]}"
        return (f"{self.provider}: computed {len(self.computed)} months ({span}), {self.rows:,} results, "
                f"{self.unchanged} months unchanged, in {self.seconds:.1f} s")


def _fact_months(facts: dict[str, pl.DataFrame], tz: str) -> dict[str, str]:
    """Per month: a fingerprint of every fact row placed in it (order-independent)."""
    parts = []
    for name, frame in facts.items():
        if frame.is_empty():
            continue
        col = TIME_COLUMN[name]
        if frame.schema[col] == pl.String():
            month = pl.col(col)
        elif frame.schema[col] == pl.Date():
            month = pl.col(col).dt.strftime("%Y-%m")
        else:
            month = month_expr(col, tz)
        hashed = frame.select(month.alias("month"),
                              frame.hash_rows(seed=0).alias("h"))
        parts.append(hashed.group_by("month").agg(pl.col("h").sum().alias("h"), pl.len().alias("rows"))
                     .with_columns(pl.lit(name).alias("fact")))
    if not parts:
        return {}
    per_fact = pl.concat(parts).sort("month", "fact")
    joined = per_fact.group_by("month", maintain_order=True).agg(
        pl.format("{}:{}:{}", "fact", "rows", "h").str.join(";").alias("text"))
    return {month: hashlib.sha256(text.encode()).hexdigest() for month, text in joined.iter_rows()}


def provider_facts(engine: Engine, provider: tuple[int, str]) -> dict[str, pl.DataFrame]:
    """Every fact the measures are computed from, for one provider."""
    frames = {fname: read_facts(engine, fact, provider) for fname, fact in F.FACTS.items()}
    frames |= read_survey_facts(engine, provider[0])
    frames["actions"] = read_actions(engine, provider[0])
    return frames


def compute_provider(engine: Engine, provider_name: str, *, months: list[str] | None = None,
                     force: bool = False, as_of: dt.datetime | None = None,
                     progress: Callable[[str], None] = lambda _m: None) -> ComputeReport:
    """Compute and store a provider's measures for the months that need it (or ``months``)."""
    started = time.perf_counter()
    as_of = as_of or dt.datetime.now(dt.UTC)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        provider = (p.id, p.name, p.timezone)
    pid, name, tz = provider
    report = ComputeReport(name)
    progress(f"{name}: reading facts …")
    frames = provider_facts(engine, (pid, name))
    fingerprints = _fact_months(frames, tz)
    if not fingerprints:
        progress(f"{name}: no facts imported yet, nothing to compute")
        return report
    last_fact_month = max(fingerprints)
    span = month_range(min(fingerprints), min(last_fact_month, as_of.strftime("%Y-%m")))
    versions = load_versions(engine, pid)
    version_of = {m: versions.in_force(m, backdate_first=True) for m in span + list(months or [])}
    code = code_version()
    with engine.connect() as conn:
        stored = computed_months(conn, pid)
    wanted = list(months) if months else span
    if force or months:
        dirty = [m for m in wanted if m in span or months]
    else:
        changed = [m for m in span if m not in stored or stored[m].facts_fingerprint != fingerprints.get(m, "")]
        first_changed = min(changed) if changed else None
        dirty = []
        for m in span:
            s = stored.get(m)
            vid = version_of[m].id if version_of[m] else None
            if (first_changed is not None and m >= first_changed) or s is None or s.provisional \
                    or s.code_version != code or s.scorecard_version_id != vid:
                dirty.append(m)
    report.unchanged = len(span) - len(dirty)
    if not dirty:
        report.seconds = time.perf_counter() - started
        return report
    progress(f"{name}: computing {len(dirty)} months …")
    lazy = {k: v.lazy() for k, v in frames.items()}
    groups: dict[int | None, list[str]] = {}
    cards = {}
    for m in dirty:
        version = version_of.get(m) or versions.in_force(m, backdate_first=True)
        vid = version.id if version else None
        cards[vid] = version.scorecard if version else None
        groups.setdefault(vid, []).append(m)
    results = []
    for vid, group in groups.items():
        card = cards[vid]
        ctx = (card.context(tuple(group), as_of) if card is not None
               else MeasureContext(provider=name, timezone=tz, months=tuple(group), as_of=as_of))
        results.append(compute_all(ctx, lazy).collect())
    result = pl.concat(results) if results else pl.DataFrame(schema=RESULT_SCHEMA)
    provisional_months = set(result.filter(pl.col("provisional"))["month"].unique().to_list())
    progress(f"{name}: looking for drift …")
    signals = _drift(engine, (pid, name), dirty, result, versions, last=span[-1])
    month_version = {m: vid for vid, group in groups.items() for m in group}
    facts_print = hashlib.sha256("".join(f"{m}{fingerprints.get(m, '')}" for m in span).encode()).hexdigest()
    with engine.begin() as conn:
        run_id = conn.execute(insert(ComputeRun).values(
            provider_id=pid, code_version=code, facts_fingerprint=facts_print,
            months=",".join(dirty)).returning(ComputeRun.id)).scalar_one()
        report.rows = replace_results(conn, pid, dirty, result, run_id=run_id, versions=month_version)
        replace_signals(conn, pid, dirty, signals, run_id=run_id)
        record_months(conn, pid, [{"month": m, "facts_fingerprint": fingerprints.get(m, ""),
                                   "scorecard_version_id": month_version[m], "code_version": code,
                                   "provisional": m in provisional_months, "run_id": run_id} for m in dirty])
        conn.execute(update(ComputeRun).where(ComputeRun.id == run_id).values(finished_at=dt.datetime.now(dt.UTC)))
    report.computed, report.run_id = dirty, run_id
    report.seconds = time.perf_counter() - started
    log.info(report.summary())
    return report


def _drift(engine: Engine, provider: tuple[int, str], dirty: list[str], fresh: pl.DataFrame,
           versions, *, last: str) -> pl.DataFrame:
    """Signals raised in the recomputed months, judged on the whole stored series plus the fresh months."""
    stored = read_results(engine, provider)
    series = pl.concat([stored.filter(~pl.col("month").is_in(dirty)), fresh.select(stored.columns)])
    latest = versions.in_force(last, backdate_first=True)
    baseline = latest.scorecard.baseline if latest is not None else None
    ratings = read_survey_ratings(engine, provider[0])
    signals = detect_drift(series, baseline=baseline, survey_ratings=ratings if ratings.height else None)
    signals = signals.filter(pl.col("month").is_in(dirty))
    # One signal per series and month: the strongest evidence, so a shift seen by several
    # rules (a limit, CUSUM, EWMA) reads as one thing that moved.
    return (signals.sort("severity", descending=True, nulls_last=True)
            .unique(subset=["provider", "measure", "params", "month"], keep="first", maintain_order=True))


def provider_names(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Provider.name).order_by(Provider.name)))
