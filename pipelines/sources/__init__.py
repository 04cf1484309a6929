"""Source adapters: files exported by ticketing, monitoring and finance tools → canonical facts.

``read_source`` reads a whole file (CSV, XLSX or Parquet, from a path or bytes), turns it into
the canonical frame of its kind and refuses it — naming file, row, column and value — if any
cell cannot be read. ``store`` hands the frame to ``pipelines.ingest.import_frame`` inside the
caller's transaction. Formats are described for people in docs/import.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection

from pipelines.ingest import ImportResult, import_frame
from pipelines.sources import freshservice, jira, servicenow, zendesk
from pipelines.sources.frame import SourceFrame
from pipelines.sources.kinds import LAYOUTS, build_fact
from pipelines.sources.mapping import Mapping, load_mapping, parse_mapping
from pipelines.sources.readers import Table, read_table
from pipelines.sources.tickets import TicketFormat, build_tickets, generic_format
from scorecard import facts as F
from scorecard.errors import BadInput, InvalidInput
from sql.facts import timed
from sql.repo import check_timezone

log = logging.getLogger(__name__)

__all__ = ["FORMATS", "KINDS", "Mapping", "SourceFrame", "load_mapping", "parse_mapping", "read_source", "store"]

KINDS = (F.TICKETS.name, *LAYOUTS)
TICKET_FORMATS: dict[str, TicketFormat] = {
    f.name: f for f in (servicenow.FORMAT, jira.FORMAT, zendesk.FORMAT, freshservice.FORMAT, generic_format())}
FORMATS = (*TICKET_FORMATS, "series")
LARGE = 100_000  # rows from which progress is shown


def ticket_format(name: str | None, table: Table, mapping: Mapping) -> TicketFormat:
    """The format named, or the one the file's header identifies."""
    if name is not None:
        return TICKET_FORMATS[name]
    if mapping.columns:
        return TICKET_FORMATS["csv"]
    columns = [c for c in table.frame.columns if not c.startswith("_")]
    for fmt in (TICKET_FORMATS["csv"], servicenow.FORMAT, jira.FORMAT, zendesk.FORMAT, freshservice.FORMAT):
        if fmt.matches(columns):
            return fmt
    shown = ", ".join(repr(c) for c in columns[:10]) + (", …" if len(columns) > 10 else "")
    raise BadInput(f"{table.source}: cannot tell which tool exported this file (columns: {shown}); "
                   f"name it with --format {'|'.join(TICKET_FORMATS)}, or describe its columns in a --mapping file")


def read_source(kind: str, data: bytes | Path, *, source: str, default_timezone: str, timezone: str | None = None,
                fmt: str | None = None, mapping: Mapping | None = None, date_format: str | None = None,
                resource: str | None = None, capacity: float | None = None, unit: str | None = None,
                progress: Callable[[str], None] | None = None) -> SourceFrame:
    """A whole file as the canonical frame of ``kind``, or BadInput/InvalidInput saying what is wrong.

    Naive timestamps are read in ``timezone``, else the mapping's, else ``default_timezone`` (the
    provider's); ``date_format`` (``day-first``, ``month-first`` or a strptime pattern; else the
    mapping's) overrides the detection; ``resource``/``capacity``/``unit`` describe a
    capacity series (``fmt="series"``) or fill those columns when a capacity file lacks them.
    """
    if kind not in KINDS:
        raise BadInput(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if fmt is not None and fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    mapping = mapping or Mapping()
    date_format = date_format or mapping.date_format
    timezone = check_timezone(timezone or mapping.timezone or default_timezone)
    with timed("read", log):
        table = read_table(data, source=source)
    if progress and table.frame.height >= LARGE:
        progress(f"validating {table.frame.height:,} rows…")
    if kind == F.TICKETS.name:
        if fmt == "series":
            raise BadInput("--format series is for capacity; tickets come as servicenow, jira, zendesk, freshservice or csv")
        with timed("parse", log):
            out = build_tickets(table, ticket_format(fmt, table, mapping), mapping=mapping, zone=timezone,
                                date_format=date_format)
    else:
        if fmt not in (None, "csv", "series") or (fmt == "series" and kind != "capacity"):
            allowed = "csv or series" if kind == "capacity" else "csv"
            raise BadInput(f"--format {fmt} is for tickets; {kind} files come as {allowed} (see docs/import.md)")
        lower = {c.lower() for c in table.frame.columns}
        series = fmt == "series" or (fmt is None and kind == "capacity" and resource is not None
                                     and "resource" not in lower and "resource" not in mapping.columns)
        with timed("parse", log):
            out = build_fact(kind, table, mapping=mapping, zone=timezone, date_format=date_format, series=series,
                             constants={"resource": resource, "capacity": capacity, "unit": unit} if kind == "capacity" else None)
    if table.blank_rows:
        out.skipped["blank rows"] = out.skipped.get("blank rows", 0) + table.blank_rows
    return out


def store(conn: Connection, provider: str, src: SourceFrame, *, actor: str, dry_run: bool = False) -> ImportResult:
    """Validate and upsert ``src`` for ``provider`` in the caller's transaction (which a dry run rolls back).

    Problems found by the final validation name the file's own columns, not the canonical ones.
    """
    try:
        return import_frame(conn, provider, src.fact, src.frame, source=src.source, actor=actor, dry_run=dry_run,
                            skipped=src.skipped)
    except InvalidInput as exc:
        for problem in exc.problems:
            problem.column = src.columns.get(problem.column or "", problem.column)
        raise InvalidInput(exc.summary, exc.problems) from None
