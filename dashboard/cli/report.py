"""steerco report: the monthly board pack (PDF, HTML) or the scorecard and measures (XLSX) from the CLI."""

from __future__ import annotations

from pathlib import Path

import click

from dashboard.cli.common import db_option, open_engine
from dashboard.cli.measures import check_month
from scorecard.errors import BadInput

SUFFIXES = {".pdf": "pdf", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


@click.group()
def report() -> None:
    """Reports for the steering committee, the same as the dashboard's downloads."""


@report.command("monthly")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--month", metavar="YYYY-MM", required=True)
@click.option("--out", "out", metavar="FILE", required=True,
              help="FILE.pdf (board pack), FILE.html (the same as a web page) or FILE.xlsx (scorecard and measures).")
@db_option
def monthly(provider_name: str, month: str, out: str, db_url: str | None) -> None:
    """Write a provider's monthly report; the format follows the --out suffix.

    Charts are drawn with Chromium (kaleido finds Debian's /usr/bin/chromium by itself).
    """
    from dashboard.reports.monthly import monthly_report
    from sql.engine import session_scope
    from sql.repo import get_provider

    check_month(month, "--month")
    path = Path(out)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise BadInput(f"--out: {out} must end in .pdf, .html or .xlsx")
    if not path.parent.is_dir():
        raise BadInput(f"--out: there is no folder {str(path.parent)!r}")
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        provider, timezone = (p.id, p.name), p.timezone
    made = monthly_report(engine, provider, timezone, month, fmt)
    path.write_bytes(made.content)
    click.echo(f"wrote {path} ({len(made.content):,} bytes): {fmt.upper()} report for {provider[1]}, {month}")
