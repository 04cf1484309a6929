"""The documented CSV layouts of outages, probes, capacity, spend, projects and checks.

Each layout names the canonical columns (other names a file may use in brackets, case
ignored); a mapping file's ``[columns]`` can name any others. Capacity also reads the plain
``timestamp,value`` series that monitoring tools export, with ``--resource``, ``--capacity``
and ``--unit`` saying what it measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.sources.dates import parse_timestamps, settle_repeated_hour
from pipelines.sources.frame import SourceFrame, resolve_columns
from pipelines.sources.mapping import Mapping
from pipelines.sources.problems import ROW, Problems
from pipelines.sources.readers import Table
from pipelines.sources.values import to_flag, to_number
from scorecard import facts as F
from scorecard.errors import BadInput

TEXT, TIMESTAMP, DATE, FLAG, NUMBER, PERCENT = "text", "timestamp", "date", "flag", "number", "percent"


@dataclass(frozen=True)
class Layout:
    fact: F.Fact
    columns: dict[str, tuple[str, ...]]  # canonical name -> (type, other names…)
    defaults: dict[str, object] = field(default_factory=dict)  # value of an absent or empty cell


def _layout(fact: F.Fact, spec: dict[str, tuple], defaults: dict[str, object] | None = None) -> Layout:
    return Layout(fact, spec, defaults or {})


LAYOUTS: dict[str, Layout] = {
    "outages": _layout(F.OUTAGES, {
        "service": (TEXT,), "started_at": (TIMESTAMP, "start", "started", "begin"),
        "ended_at": (TIMESTAMP, "end", "ended", "finish"), "planned": (FLAG, "maintenance"),
        "impact": (NUMBER,)}, {"planned": False, "impact": 1.0}),
    "probes": _layout(F.PROBES, {
        "service": (TEXT, "check", "monitor"), "at": (TIMESTAMP, "timestamp", "time"),
        "up": (FLAG, "status", "result")}),
    "capacity": _layout(F.CAPACITY, {
        "resource": (TEXT,), "at": (TIMESTAMP, "timestamp", "time"), "used": (NUMBER, "value"),
        "capacity": (NUMBER, "total", "size"), "unit": (TEXT,)}),
    "spend": _layout(F.SPEND, {
        "month": (TEXT, "period"), "amount": (NUMBER, "spend", "cost"), "budget": (NUMBER,),
        "hours": (NUMBER,), "currency": (TEXT,)}),
    "projects": _layout(F.PROJECTS, {
        "project": (TEXT, "name"), "as_of": (DATE, "date", "snapshot"), "baseline_end": (DATE,),
        "forecast_end": (DATE,), "pct_complete": (PERCENT, "complete", "% complete"),
        "baseline_cost": (NUMBER,), "forecast_cost": (NUMBER,)}),
    "checks": _layout(F.CHECKS, {
        "check_type": (TEXT, "type", "check"), "subject": (TEXT, "job", "item"), "at": (TIMESTAMP, "timestamp", "time"),
        "passed": (FLAG, "result", "status", "success")}),
}

SERIES_TIME = ("timestamp", "time", "date", "at", "datetime")
SERIES_VALUE = ("value", "used")


def _series_columns(table: Table, mapping: Mapping) -> dict[str, str]:
    """A two-column monitoring series: its time and value columns, by name or by position."""
    cols = [c for c in table.frame.columns if c != ROW]
    lower = {c.lower(): c for c in cols}
    names = dict(mapping.columns)
    names.setdefault("at", next((lower[a] for a in SERIES_TIME if a in lower), cols[0] if len(cols) == 2 else ""))
    names.setdefault("used", next((lower[a] for a in SERIES_VALUE if a in lower), cols[1] if len(cols) == 2 else ""))
    if not names["at"] or not names["used"]:
        raise BadInput(f"{table.source}: a capacity series has two columns, timestamp and value "
                       f"(columns found: {', '.join(cols)})")
    return names


def build_fact(kind: str, table: Table, *, mapping: Mapping, zone: str, date_format: str | None,
               series: bool = False, constants: dict[str, object] | None = None) -> SourceFrame:
    """Any non-ticket file in its documented layout (or a capacity series) to a canonical frame."""
    layout = LAYOUTS[kind]
    fact = layout.fact
    constants = {k: v for k, v in (constants or {}).items() if v is not None}
    problems = Problems(table.source)
    names_ok = [c for c in fact.names if c != F.PROVIDER]
    mapping.check_columns(names_ok, f"{kind} files")
    if series:
        names = _series_columns(table, mapping)
        missing = [c for c in ("resource", "capacity") if c not in constants]
        if missing:
            raise BadInput(f"{table.source}: a capacity series needs --{' and --'.join(missing)} "
                           "(what it measures and its size)")
    else:
        wanted = {c: (c, *spec[1:]) for c, spec in layout.columns.items()}
        required = tuple(c for c in fact.required if c != F.PROVIDER and c not in constants and c not in layout.defaults)
        names = resolve_columns(table.frame.columns, wanted, mapped=mapping.columns, required=required,
                                source=table.source, what=f"{kind} (see docs/import.md)", mapping_source=mapping.source)
    frame = table.frame.select(ROW, *[pl.col(col).alias(ours) for ours, col in names.items()])
    if mapping.empty:
        frame = frame.with_columns(pl.when(pl.col(c).is_in(list(mapping.empty))).then(None).otherwise(pl.col(c))
                                   .alias(c) for c in names)
    types = {c: spec[0] for c, spec in layout.columns.items()}
    stamps = {c: names[c] for c in names if types[c] in (TIMESTAMP, DATE)}
    frame = parse_timestamps(frame, stamps, zone=zone, date_format=date_format, problems=problems,
                             dates=tuple(c for c in stamps if types[c] == DATE))
    frame = settle_repeated_hour(frame, "started_at", ("ended_at",))
    for col in names:
        if types[col] == FLAG:
            frame = to_flag(frame, col, problems=problems, source_col=names[col])
        elif types[col] in (NUMBER, PERCENT):
            frame = to_number(frame, col, problems=problems, source_col=names[col], percent=types[col] == PERCENT)
    problems.raise_if_any(kind)
    fill = {**layout.defaults, **constants}
    schema = fact.schema
    out = frame.select(ROW, *[
        (pl.col(c) if c in frame.columns else pl.lit(None)).fill_null(pl.lit(fill[c])).cast(schema[c]).alias(c)
        if c in fill else (pl.col(c) if c in frame.columns else pl.lit(None)).cast(schema[c]).alias(c)
        for c in names_ok])
    columns = {c: names[c] for c in names_ok if c in names}
    skipped: dict[str, int] = {}
    return SourceFrame(fact.name, out, table.source, "series" if series else "csv", skipped, columns)
