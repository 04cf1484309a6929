"""The one import path: validate a canonical frame, pseudonymise people, upsert, audit.

File adapters (and the demo) turn their input into canonical frames (``scorecard.facts``)
and hand them here; nothing reaches the fact tables any other way. An optional ``_row``
column carries each row's place in the source file for messages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, insert, select

from scorecard import facts as F
from scorecard.errors import InvalidInput, NotFound, Problem
from sql.facts import WriteSummary, timed, upsert_facts
from sql.keys import PSEUDONYM_KEY, ensure_meta_secret
from sql.models import AuditEntry, Provider

log = logging.getLogger(__name__)

ROW = "_row"
MAX_PROBLEMS = 50


@dataclass
class ImportResult:
    fact: str
    provider: str
    source: str
    rows: int
    written: WriteSummary
    skipped: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        w = self.written
        verb = "would import" if self.dry_run else "imported"
        text = (f"{verb} {self.rows:,} {self.fact} rows for {self.provider} from {self.source}: "
                f"{w.new:,} new, {w.updated:,} updated, {w.unchanged:,} unchanged")
        if self.skipped:
            text += ", skipped " + ", ".join(f"{n:,} {reason}" for reason, n in sorted(self.skipped.items()))
        return text

    def as_dict(self) -> dict:
        return {"fact": self.fact, "provider": self.provider, "source": self.source, "rows": self.rows,
                "new": self.written.new, "updated": self.written.updated, "unchanged": self.written.unchanged,
                "skipped": self.skipped, "dry_run": self.dry_run}


def _checks(fact: F.Fact) -> list[tuple[str, pl.Expr, str]]:
    """(column, condition that marks a bad row, message) for each rule of a fact."""
    c = pl.col
    rules: list[tuple[str, pl.Expr, str]] = [
        (col, c(col).is_null(), "a value is required") for col in fact.required if col != F.PROVIDER
    ]
    if fact is F.TICKETS:
        rules += [
            (F.STATUS, ~c(F.STATUS).is_in(F.TICKET_STATUSES) & c(F.STATUS).is_not_null(),
             f"unknown status (expected one of {', '.join(F.TICKET_STATUSES)})"),
            (F.PRIORITY, ~c(F.PRIORITY).is_in(F.PRIORITIES) & c(F.PRIORITY).is_not_null(),
             f"unknown priority (expected one of {', '.join(F.PRIORITIES)})"),
            (F.FIRST_RESPONSE_AT, c(F.FIRST_RESPONSE_AT) < c(F.OPENED_AT), "first response before the ticket was opened"),
            (F.RESOLVED_AT, c(F.RESOLVED_AT) < c(F.OPENED_AT), "resolved before the ticket was opened"),
            (F.CLOSED_AT, c(F.CLOSED_AT) < c(F.OPENED_AT), "closed before the ticket was opened"),
            (F.REASSIGNMENT_COUNT, c(F.REASSIGNMENT_COUNT) < 0, "must not be negative"),
            (F.REOPEN_COUNT, c(F.REOPEN_COUNT) < 0, "must not be negative"),
            (F.HOURS_SPENT, c(F.HOURS_SPENT) < 0, "must not be negative"),
        ]
    elif fact is F.OUTAGES:
        rules += [
            ("ended_at", c("ended_at") < c("started_at"), "the outage ends before it starts"),
            ("impact", (c("impact") <= 0) | (c("impact") > 1), "impact must be in (0, 1]"),
        ]
    elif fact is F.CAPACITY:
        rules += [
            ("capacity", c("capacity") <= 0, "capacity must be positive"),
            ("used", c("used") < 0, "must not be negative"),
        ]
    elif fact is F.SPEND:
        rules += [
            ("month", ~c("month").str.contains(r"^\d{4}-(0[1-9]|1[0-2])$") & c("month").is_not_null(),
             "not a month (expected YYYY-MM)"),
            ("budget", c("budget") < 0, "must not be negative"),
            ("hours", c("hours") < 0, "must not be negative"),
        ]
    elif fact is F.PROJECTS:
        rules += [
            ("pct_complete", (c("pct_complete") < 0) | (c("pct_complete") > 100), "must be between 0 and 100"),
            ("baseline_cost", c("baseline_cost") < 0, "must not be negative"),
            ("forecast_cost", c("forecast_cost") < 0, "must not be negative"),
        ]
    return rules


def validate(frame: pl.DataFrame, fact: F.Fact, *, source: str) -> pl.DataFrame:
    """The frame in canonical column order, or InvalidInput naming every bad row and column."""
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=1)
    missing = [n for n in fact.names if n not in frame.columns]
    if missing:
        raise InvalidInput(f"{source}: missing columns for {fact.name}: {', '.join(missing)}", [])
    problems: list[Problem] = []
    total = 0
    for column, bad, message in _checks(fact):
        hits = frame.filter(bad)
        total += hits.height
        for row, value in hits.select(ROW, column).head(MAX_PROBLEMS).iter_rows():
            problems.append(Problem(message, source=source, row=row, column=column, value=value))
    keys = list(fact.key)
    dup = frame.filter(pl.len().over(keys) > 1)
    if dup.height:
        conflicting = dup.unique(subset=[n for n in fact.names], keep="first").filter(pl.len().over(keys) > 1)
        for row, *key in conflicting.select(ROW, *keys).head(MAX_PROBLEMS).iter_rows():
            problems.append(Problem("the same key appears more than once with different values",
                                    source=source, row=row, column=keys[-1], value=key[-1]))
        total += conflicting.height
        frame = frame.unique(subset=[n for n in fact.names], keep="first", maintain_order=True)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InvalidInput(f"{source}: {total:,} problems in {fact.name}, nothing was imported", problems)
    return frame.select(fact.names).cast(fact.schema)  # type: ignore[arg-type]


def pseudonymise(values: pl.Series, key: str) -> pl.Series:
    """A keyed hash (HMAC-SHA256, 96 bits shown) of each distinct person identifier."""
    distinct = values.drop_nulls().unique()
    digest = {v: "p_" + hmac.new(key.encode(), v.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]
              for v in distinct.to_list()}
    return values.replace_strict(digest, default=None, return_dtype=pl.String())


def _provider(conn: Connection, name: str) -> Provider:
    row = conn.execute(select(Provider.id, Provider.name).where(Provider.name == name)).first()
    if row is None:
        raise NotFound(f"no provider named {name!r}: add it with `steerco provider add`")
    return row


def import_frame(conn: Connection, provider: str, fact_name: str, frame: pl.DataFrame, *,
                 source: str, actor: str, dry_run: bool = False,
                 skipped: dict[str, int] | None = None) -> ImportResult:
    """Validate and store ``frame`` for ``provider`` inside the caller's transaction.

    With ``dry_run`` the rows are written and the counts taken, then the caller's transaction
    must be rolled back (``import_frame`` raises nothing for that; see ``dry_run_import``).
    """
    fact = F.fact(fact_name)
    prov = _provider(conn, provider)
    with timed("validate", log):
        frame = validate(frame.with_columns(pl.lit(prov.name).alias(F.PROVIDER)), fact, source=source)
    if fact is F.TICKETS and frame[F.REQUESTER].null_count() < frame.height:
        with timed("pseudonymise", log):
            key = ensure_meta_secret(conn, PSEUDONYM_KEY)
            frame = frame.with_columns(pseudonymise(frame[F.REQUESTER], key).alias(F.REQUESTER))
    written = upsert_facts(conn, fact, prov.id, frame)
    result = ImportResult(fact.name, prov.name, source, frame.height, written, dict(skipped or {}), dry_run)
    if not dry_run:
        conn.execute(insert(AuditEntry).values(actor=actor, action="import", target=f"{prov.name}/{fact.name}",
                                               details=json.dumps(result.as_dict(), sort_keys=True)))
    log.info(result.summary())
    return result
