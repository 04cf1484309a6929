"""steerco import KIND FILE: load an export into the facts, all or nothing.

``run_import`` and ``import_report`` are shared with the administration pages
(``dashboard.admin_data_views``): a file uploaded in the browser is read, checked and stored
by the same code, and its report is the same lines the command prints.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy import Engine

from dashboard.cli.common import actor, db_option, fail, open_engine
from pipelines.ingest import ImportResult
from pipelines.sources import FORMATS, KINDS, Mapping, load_mapping, read_source, store
from scorecard.errors import BadInput, InvalidInput, Problem, SteercoError
from sql import repo
from sql.engine import session_scope

LARGE_FILE = 10 * 1024 * 1024  # bytes from which progress is shown
LARGE_ROWS = 100_000  # rows from which the writing step is announced
DRY_RUN_NOTE = " (dry run: nothing was written)"


@dataclass(frozen=True)
class ImportReport:
    """What an import did or why it was refused, as the lines ``steerco import`` prints.

    ``problems`` are the problems shown (the first ``InvalidInput.shown``), ``more`` how many
    others were found; ``result`` is set when the file was accepted.
    """

    ok: bool
    headline: str
    problems: tuple[Problem, ...] = ()
    more: int = 0
    result: ImportResult | None = None
    notes: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        out = [self.headline, *self.notes]
        out += [f"  {p}" for p in self.problems]
        if self.more:
            out.append(f"  … and {self.more} more problems")
        return out


def import_report(outcome: ImportResult | SteercoError, *, dry_run: bool = False) -> ImportReport:
    """The report of an accepted import (``ImportResult``) or of a refusal (the error raised)."""
    if isinstance(outcome, ImportResult):
        return ImportReport(True, outcome.summary() + (DRY_RUN_NOTE if dry_run else ""), result=outcome)
    if isinstance(outcome, InvalidInput):
        shown = outcome.problems[: outcome.shown]
        return ImportReport(False, outcome.summary, tuple(shown), len(outcome.problems) - len(shown))
    first, *rest = str(outcome).splitlines() or [type(outcome).__name__]
    return ImportReport(False, first, notes=tuple(rest))


def run_import(engine: Engine, kind: str, data: bytes | Path, *, source: str, provider_name: str, actor: str,
               dry_run: bool = False, fmt: str | None = None, mapping: Mapping | None = None,
               date_format: str | None = None, timezone: str | None = None, resource: str | None = None,
               capacity: float | None = None, unit: str | None = None, size: int = 0,
               progress: Callable[[str], None] | None = None) -> ImportResult:
    """Read ``data`` (a path, or bytes) as ``kind`` for a provider and store it in one transaction.

    The whole file is checked first; any problem raises (BadInput, InvalidInput, NotFound) and
    nothing is written. A dry run takes the counts and rolls everything back, audit included.
    ``actor`` is who the audit log names.
    """
    with session_scope(engine) as session:
        zone = repo.get_provider(session, provider_name).timezone
    large = size >= LARGE_FILE
    say = progress or (lambda _message: None)
    if large:
        say(f"reading {source} ({size / 1e6:,.0f} MB)…")
    src = read_source(kind, data, source=source, default_timezone=zone, timezone=timezone, fmt=fmt, mapping=mapping,
                      date_format=date_format, resource=resource, capacity=capacity, unit=unit, progress=progress)
    if large or src.frame.height >= LARGE_ROWS:
        say("checking against the database…" if dry_run else "writing…")
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = store(conn, provider_name, src, actor=actor, dry_run=dry_run)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return result


def read_input(file: str) -> tuple[bytes | Path, str, int]:
    """The file (or standard input for ``-``), the name used in messages, and its size."""
    if file == "-":
        data = sys.stdin.buffer.read()
        return data, "<stdin>", len(data)
    path = Path(file)
    if not path.is_file():
        raise BadInput(f"{file}: no such file")
    return path, file, path.stat().st_size


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.argument("file", metavar="FILE")
@click.option("--provider", "provider_name", required=True, metavar="NAME", help="The provider the data is about.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="The tool that exported FILE (tickets: servicenow, jira, zendesk, freshservice, csv; "
                   "capacity: csv or series). Default: recognised from the header.")
@click.option("--mapping", "mapping_file", metavar="FILE", default=None,
              help="A TOML file naming columns and translating values (see docs/import.md).")
@click.option("--date-format", metavar="FMT", default=None,
              help="day-first, month-first, or a pattern such as '%d/%m/%Y %H:%M'. Default: detected.")
@click.option("--timezone", metavar="ZONE", default=None,
              help="IANA time zone of timestamps written without one. Default: the mapping's, else the provider's.")
@click.option("--resource", metavar="NAME", default=None, help="Capacity series: the resource it measures.")
@click.option("--capacity", "capacity_size", type=float, default=None, metavar="N",
              help="Capacity series: the resource's size, in the series' unit.")
@click.option("--unit", metavar="U", default=None, help="Capacity series: the unit (GB, licences, %).")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, without writing.")
@db_option
def import_(kind: str, file: str, provider_name: str, fmt: str | None, mapping_file: str | None,
            date_format: str | None, timezone: str | None, resource: str | None, capacity_size: float | None,
            unit: str | None, dry_run: bool, db_url: str | None) -> None:
    """Import FILE (CSV, XLSX or Parquet; - for standard input) as KIND for a provider.

    KIND is one of tickets, outages, probes, capacity, spend, projects, checks. The whole file
    is checked first; any problem is reported with its row and column and nothing is written.
    Importing the same file again changes nothing; a newer export updates what changed.
    """
    engine = open_engine(db_url)
    try:
        mapping = load_mapping(mapping_file) if mapping_file else None
        with session_scope(engine) as session:
            repo.get_provider(session, provider_name)
        data, source, size = read_input(file)
        result = run_import(engine, kind, data, source=source, provider_name=provider_name, actor=actor(),
                            dry_run=dry_run, fmt=fmt, mapping=mapping, date_format=date_format, timezone=timezone,
                            resource=resource, capacity=capacity_size, unit=unit, size=size,
                            progress=lambda message: click.echo(message, err=True))
    except SteercoError as exc:
        fail("\n".join(import_report(exc).lines()), exc.exit_code)
    click.echo("\n".join(import_report(result, dry_run=dry_run).lines()))
