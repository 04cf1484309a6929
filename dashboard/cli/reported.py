"""steerco reported: record and list the provider's own figures beside the measured ones."""

from __future__ import annotations

import click

from dashboard.cli.common import actor, db_option, echo_json, echo_table, open_engine
from dashboard.cli.imports import read_input
from pipelines.reported import import_reported, read_reported_file
from scorecard.display import value_text
from scorecard.catalogue import CATALOGUE
from scorecard.errors import BadInput, InvalidInput
from scorecard.months import parse_month
from scorecard.reconcile import read_reported
from sql.engine import session_scope
from sql.repo import get_provider
from sql.reported import list_reported


@click.group()
def reported() -> None:
    """Provider-reported figures: recorded beside the measured ones and reconciled on the
    scorecard (a difference beyond the scorecard's tolerance is flagged)."""


@reported.command("import")
@click.argument("file", metavar="FILE")
@click.option("--provider", "provider_name", required=True, metavar="NAME")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, without recording.")
@db_option
def reported_import(file: str, provider_name: str, dry_run: bool, db_url: str | None) -> None:
    """Record the figures of FILE (CSV, XLSX or Parquet; - for standard input) with the columns
    measure, params (optional), month, value, note (optional). All or nothing."""
    data, source, _size = read_input(file)
    engine = open_engine(db_url)
    figures = read_reported_file(data, source=source)
    click.echo(import_reported(engine, provider_name, figures, source=source, actor=actor(),
                               dry_run=dry_run).summary())


@reported.command("add")
@click.option("--provider", "provider_name", required=True, metavar="NAME")
@click.option("--measure", required=True, metavar="ID", help="A measure of the catalogue (steerco measures).")
@click.option("--params", default="", metavar="P", help='e.g. priority=P1 or {"priority": "P1"}.')
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--value", required=True, metavar="V", help="In the measure's units; percentages as 96.5% or 0.965.")
@click.option("--note", default="", metavar="TEXT")
@db_option
def reported_add(provider_name: str, measure: str, params: str, month: str, value: str, note: str,
                 db_url: str | None) -> None:
    """Record one figure."""
    try:
        figures = read_reported([{"measure": measure, "params": params, "month": month, "value": value,
                                  "note": note}], source="the options")
    except InvalidInput as exc:  # name the option, not a row of a file
        raise BadInput("; ".join(f"--{p.column}: {p.message}" + ("" if p.value in (None, "") else f" ({p.value!r})")
                                 for p in exc.problems)) from None
    engine = open_engine(db_url)
    click.echo(import_reported(engine, provider_name, figures, source="steerco reported add",
                               actor=actor()).summary())


@reported.command("list")
@click.option("--provider", "provider_name", required=True, metavar="NAME")
@click.option("--month", default=None, metavar="YYYY-MM", help="Only this month.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def reported_list(provider_name: str, month: str | None, fmt: str, db_url: str | None) -> None:
    """List the recorded figures of a provider."""
    if month is not None:
        parse_month(month)
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        pid = get_provider(session, provider_name).id
    rows = list_reported(engine, pid, first=month, last=month)
    if fmt == "json":
        echo_json(rows)
        return
    echo_table(("measure", "params", "month", "value", "note", "by", "at"),
               [(r["measure"], "" if r["params"] == "{}" else r["params"], r["month"],
                 value_text(r["value"], CATALOGUE[r["measure"]].unit) if r["measure"] in CATALOGUE else r["value"],
                 r["note"], r["reported_by"], f"{r['reported_at']:%Y-%m-%d %H:%M}") for r in rows])
