"""steerco import KIND FILE: load an export into the facts, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashboard.cli.common import actor, db_option, open_engine
from pipelines.sources import FORMATS, KINDS, load_mapping, read_source, store
from scorecard.errors import BadInput
from sql import repo
from sql.engine import session_scope

LARGE_FILE = 10 * 1024 * 1024  # bytes from which progress is shown


def _input(file: str) -> tuple[bytes | Path, str, int]:
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
    mapping = load_mapping(mapping_file) if mapping_file else None
    with session_scope(engine) as session:
        zone = repo.get_provider(session, provider_name).timezone
    data, source, size = _input(file)
    large = size >= LARGE_FILE

    def progress(message: str) -> None:
        click.echo(message, err=True)

    if large:
        progress(f"reading {source} ({size / 1e6:,.0f} MB)…")
    src = read_source(kind, data, source=source, default_timezone=zone, timezone=timezone, fmt=fmt, mapping=mapping, date_format=date_format,
                      resource=resource, capacity=capacity_size, unit=unit, progress=progress)
    if large or src.frame.height >= 100_000:
        progress("checking against the database…" if dry_run else "writing…")
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = store(conn, provider_name, src, actor=actor(), dry_run=dry_run)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    click.echo(result.summary() + (" (dry run: nothing was written)" if dry_run else ""))
