"""steerco demo: a realistic database to explore steerco with."""

from __future__ import annotations

import datetime as dt

import click

from dashboard.cli.common import actor, db_option, open_engine


@click.command()
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed: the same seed gives the same data.")
@click.option("--months", default=36, show_default=True, type=click.IntRange(13, 120),
              help="How many months of history to generate.")
@click.option("--end", "end_month", default=None, metavar="YYYY-MM",
              help="The last month of data (default: last complete month).")
@db_option
def demo(seed: int, months: int, end_month: str | None, db_url: str | None) -> None:
    """Build a demo database: an IT and a legal provider with years of data and known events.

    Refuses a database that already holds other data. Then run `steerco serve`.
    """
    from dashboard.demo import DEMO_USERS, build_demo
    from pipelines.demo import default_end

    engine = open_engine(db_url, migrated=False)
    end_month = end_month or default_end(dt.date.today())
    report = build_demo(engine, seed=seed, months=months, end=end_month, actor=actor(),
                        progress=lambda msg: click.echo(msg, err=True))
    click.echo(report.summary())
    click.echo("\nA secret key was generated for this demo database (outside the demo, set STEERCO_SECRET_KEY).")
    click.echo("Start the dashboard with `steerco serve` and log in at http://127.0.0.1:8050/ as:")
    for email, role, _provider, password in DEMO_USERS:
        click.echo(f"  {role:<10} {email:<32} password: {password}")
