"""steerco compute and steerco measures."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import click

from dashboard.cli.common import db_option, echo_table, open_engine
from scorecard.errors import BadInput

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(value: str | None, option: str) -> str | None:
    if value is not None and not MONTH.match(value):
        raise BadInput(f"{option}: not a month: {value!r} (expected YYYY-MM)")
    return value


@click.command()
@click.option("--provider", "provider_name", metavar="NAME", help="Only this provider (default: all).")
@click.option("--month", metavar="YYYY-MM", help="Compute just this month.")
@click.option("--all", "everything", is_flag=True, help="Recompute every month, changed or not.")
@db_option
def compute(provider_name: str | None, month: str | None, everything: bool, db_url: str | None) -> None:
    """Compute and store measures for the months whose facts or scorecard changed."""
    from pipelines.run import compute_provider, provider_names

    check_month(month, "--month")
    if month and everything:
        raise BadInput("give --month or --all, not both")
    engine = open_engine(db_url)
    names = [provider_name] if provider_name else provider_names(engine)
    if not names:
        click.echo("no providers yet: add one with `steerco provider add NAME --kind it|legal`")
        return
    for name in names:
        report = compute_provider(engine, name, months=[month] if month else None, force=everything,
                                  progress=lambda msg: click.echo(msg, err=True))
        click.echo(report.summary())


def _row(record: dict) -> dict:
    record = dict(record)
    record["params"] = json.loads(record["params"])
    for key in ("value", "numerator", "denominator", "ci_low", "ci_high"):
        if record[key] is not None:
            record[key] = round(record[key], 10)
    return record


@click.command()
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--from", "first", metavar="YYYY-MM", help="First month (default: the first stored).")
@click.option("--to", "last", metavar="YYYY-MM", help="Last month (default: the last stored).")
@click.option("--measure", "measure_ids", metavar="ID", multiple=True, help="Only these measures (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@db_option
def measures(provider_name: str, first: str | None, last: str | None, measure_ids: tuple[str, ...], fmt: str,
             db_url: str | None) -> None:
    """Print a provider's stored monthly measure results (see docs/measures.md for the JSON shape)."""
    from scorecard.catalogue import measure as lookup
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.results import read_results

    check_month(first, "--from")
    check_month(last, "--to")
    for mid in measure_ids:
        lookup(mid, "--measure")
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        provider = (p.id, p.name)
    frame = read_results(engine, provider, first=first, last=last, measures=list(measure_ids) or None)
    if fmt == "json":
        click.echo(json.dumps([_row(r) for r in frame.to_dicts()], indent=1, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        frame.write_csv(buf)
        click.echo(buf.getvalue(), nl=False)
    elif frame.is_empty():
        click.echo(f"no results stored for {provider[1]}: import facts, load a scorecard, then `steerco compute`")
    else:
        rows = [[r["month"], r["measure"], r["params"] if r["params"] != "{}" else "",
                 "" if r["value"] is None else f"{r['value']:.4g}", r["n"], "yes" if r["provisional"] else ""]
                for r in frame.to_dicts()]
        echo_table(["month", "measure", "params", "value", "n", "provisional"], rows)


def today_month() -> str:
    return dt.date.today().strftime("%Y-%m")


@click.command()
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--month", metavar="YYYY-MM", help="Signals raised in this month (default: the latest with any).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def drift(provider_name: str, month: str | None, fmt: str, db_url: str | None) -> None:
    """List drift signals: measures that really moved, not noise (JSON shape: docs/drift.md)."""
    from scorecard.drift import signal_records
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.signals import read_signals

    check_month(month, "--month")
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        pid, name = p.id, p.name
    if month is None:
        latest = read_signals(engine, provider_ids=[pid])
        month = latest["month"].max() if not latest.is_empty() else None
    signals = read_signals(engine, provider_ids=[pid], month=month) if month else read_signals(engine, provider_ids=[pid])
    if fmt == "json":
        click.echo(json.dumps(signal_records(signals), indent=1, ensure_ascii=False))
    elif signals.is_empty():
        click.echo(f"no drift signals for {name}" + (f" in {month}" if month else "")
                   + " (signals are computed with the measures: `steerco compute`)")
    else:
        click.echo(f"{name} — drift signals raised in {month}, worst first:")
        for r in signals.to_dicts():
            click.echo(f"  [{r['direction']}] {r['sentence']}  ({r['rule']}, since {r['since']})")
