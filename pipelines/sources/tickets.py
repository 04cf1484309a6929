"""Ticket exports to canonical tickets: what every tool's adapter shares.

A ``TicketFormat`` declares a tool's columns (canonical name → the names it may carry in a
file), its priority and status vocabularies and, when needed, a ``prepare`` step (such as
keeping the latest update of each ticket). ``build_tickets`` does the rest, in bulk: dates
to UTC, vocabularies to canonical values, counts and durations to numbers, categories
through the mapping — recording every unreadable cell before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from pipelines.sources.dates import parse_timestamps, settle_repeated_hour
from pipelines.sources.frame import Context, SourceFrame, resolve_columns
from pipelines.sources.mapping import Mapping
from pipelines.sources.problems import ROW, Problems
from pipelines.sources.readers import Table
from pipelines.sources.values import (PRIORITY_CANON, STATUS_CANON, key, name_kind, norm_table, to_hours,
                                      to_number, translate)
from scorecard import facts as F

TIMESTAMPS = (F.OPENED_AT, F.FIRST_RESPONSE_AT, F.RESOLVED_AT, F.CLOSED_AT)
REQUIRED = (F.TICKET_ID, F.OPENED_AT, F.STATUS, F.PRIORITY)
CANONICAL = [c for c in F.TICKETS.names if c != F.PROVIDER]


@dataclass(frozen=True)
class TicketFormat:
    name: str
    title: str
    columns: dict[str, tuple[str, ...]]
    priorities: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    signature: tuple[tuple[str, ...], ...] = ()  # any one set of these columns identifies the format
    required: tuple[str, ...] = REQUIRED
    date_helpers: tuple[str, ...] = ()  # extra columns holding timestamps (e.g. last update)
    empty: tuple[str, ...] = ()
    kind: str | None = None
    hours_unit: str = "hours"
    priority_lookup: Callable[[pl.Expr], pl.Expr] | None = None
    # (frame, normalised status table) → the value to look up instead of the status itself
    status_lookup: Callable[[pl.DataFrame, dict[str, str]], pl.Expr | None] | None = None
    prepare: Callable[[pl.DataFrame, Context], pl.DataFrame] | None = None

    def matches(self, columns: list[str]) -> bool:
        have = {c.strip().lower() for c in columns}
        return any(all(c.lower() in have for c in group) for group in self.signature)


def _blank(frame: pl.DataFrame, values: set[str]) -> pl.DataFrame:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(pl.when(pl.col(c).is_in(list(values))).then(None).otherwise(pl.col(c)).alias(c)
                              for c in text)


def classify_categories(frame: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Categories the mapping names (e.g. as duplicates or how-to questions) stored under that name."""
    table = mapping.category_table()
    if not table or F.CATEGORY not in frame.columns:
        return frame
    named = key(pl.col(F.CATEGORY)).replace_strict(table, default=None, return_dtype=pl.String)
    return frame.with_columns(pl.coalesce(named, pl.col(F.CATEGORY)).alias(F.CATEGORY))


def build_tickets(table: Table, fmt: TicketFormat, *, mapping: Mapping, zone: str,
                  date_format: str | None) -> SourceFrame:
    source = table.source
    problems = Problems(source)
    mapping.check_columns([*CANONICAL, *[c for c in fmt.columns if c not in CANONICAL]], f"a {fmt.title} file")
    names = resolve_columns(table.frame.columns, fmt.columns, mapped=mapping.columns, required=fmt.required,
                            source=source, what=f"a {fmt.title} file", mapping_source=mapping.source)
    frame = table.frame.select(ROW, *[pl.col(col).alias(ours) for ours, col in names.items()])
    empty = {*fmt.empty, *mapping.empty}
    if empty:
        frame = _blank(frame, empty)
    stamps = [c for c in (*TIMESTAMPS, *fmt.date_helpers) if c in names]
    frame = parse_timestamps(frame, {c: names[c] for c in stamps}, zone=zone, date_format=date_format,
                             problems=problems)
    frame = settle_repeated_hour(frame, F.OPENED_AT, TIMESTAMPS[1:])
    ctx = Context(problems, names)
    if fmt.prepare is not None:
        frame = fmt.prepare(frame, ctx)
    if F.STATUS in frame.columns:
        statuses = {**STATUS_CANON, **fmt.statuses, **mapping.status}
        lookup = fmt.status_lookup(frame, norm_table(statuses)) if fmt.status_lookup else None
        frame = translate(frame, F.STATUS, statuses, problems=problems, source_col=names[F.STATUS], what="status",
                          lookup=lookup)
    if F.PRIORITY in frame.columns:
        lookup = fmt.priority_lookup(pl.col(F.PRIORITY)) if fmt.priority_lookup else None
        frame = translate(frame, F.PRIORITY, {**PRIORITY_CANON, **fmt.priorities, **mapping.priority},
                          problems=problems, source_col=names[F.PRIORITY], what="priority", lookup=lookup)
    for col in (F.REASSIGNMENT_COUNT, F.REOPEN_COUNT):
        if col in frame.columns and frame.schema[col] == pl.String:
            frame = to_number(frame, col, problems=problems, source_col=names[col], integer=True)
    if F.HOURS_SPENT in frame.columns and frame.schema[F.HOURS_SPENT] == pl.String:
        frame = to_hours(frame, F.HOURS_SPENT, problems=problems, source_col=names[F.HOURS_SPENT], unit=fmt.hours_unit)
    kind = name_kind(pl.col(F.KIND)) if F.KIND in frame.columns else pl.lit(mapping.kind or fmt.kind, pl.String)
    if mapping.kind and F.KIND in frame.columns:
        kind = pl.coalesce(kind, pl.lit(mapping.kind))
    frame = frame.with_columns(kind.alias(F.KIND))
    if F.CHANNEL in frame.columns:
        frame = frame.with_columns(pl.col(F.CHANNEL).str.to_lowercase())
    frame = classify_categories(frame, mapping)
    problems.raise_if_any("tickets")
    schema = F.TICKETS.schema
    out = frame.select(ROW, *[(pl.col(c) if c in frame.columns else pl.lit(None)).cast(schema[c]).alias(c)
                              for c in CANONICAL])
    columns = {c: names[c] for c in CANONICAL if c in names}
    return SourceFrame(F.TICKETS.name, out, source, fmt.name, ctx.skipped, columns)


def generic_format() -> TicketFormat:
    """``csv``: the canonical columns of DESIGN.md §2 as they are (or as a mapping names them)."""
    return TicketFormat(name="csv", title="canonical tickets CSV", columns={c: (c,) for c in CANONICAL},
                        signature=((F.TICKET_ID, F.OPENED_AT),), priorities={"1": "P1", "2": "P2", "3": "P3", "4": "P4"})
