"""steerco scorecard: load, check, list and show agreed scorecards."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashboard.cli.common import actor, db_option, echo_json, echo_table, open_engine
from dashboard.cli.measures import check_month
from scorecard.errors import BadInput

STATUS_MARK = {"green": "● green", "amber": "▲ amber", "red": "■ red", "grey": "○ no data"}


def _read_text(path: str) -> tuple[str, str]:
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        return p.read_text(encoding="utf-8-sig"), path
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a UTF-8 text file") from None


def store_version(session, card, provider_name: str, effective: str, *, actor: str):
    """Store a validated scorecard as the provider's version from ``effective`` on: (version, created).

    The rules of `scorecard load`, shared with the administration page: the file names this
    provider and runs in its time zone; an identical text for the month changes nothing.
    """
    from sql.repo import get_provider
    from sql.scorecards import add_version

    p = get_provider(session, provider_name)
    if card.provider.name != p.name:
        raise BadInput(f"{card.source} is the scorecard of {card.provider.name!r}, not of {p.name!r}")
    if card.provider.timezone != p.timezone:
        raise BadInput(f"{card.source} runs in {card.provider.timezone} but provider {p.name!r} is set to "
                       f"{p.timezone}: the two must agree on when a month starts")
    return add_version(session, p.id, p.name, effective, card.text, actor=actor)


@click.group()
def scorecard() -> None:
    """Agreed scorecards: targets, weights, SLA policies and service credits, by version."""


@scorecard.command("check")
@click.argument("file")
def scorecard_check(file: str) -> None:
    """Validate a scorecard FILE without storing it."""
    from scorecard.definition import load_scorecard

    text, source = _read_text(file)
    card = load_scorecard(text, source=source)
    click.echo(f"{source}: a valid scorecard for {card.provider.name} with {len(card.measures())} measures")


@scorecard.command("load")
@click.argument("file")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--effective", metavar="YYYY-MM", required=True, help="The first month this version applies to.")
@db_option
def scorecard_load(file: str, provider_name: str, effective: str, db_url: str | None) -> None:
    """Add FILE as the provider's scorecard version from month --effective on.

    Months before it keep being scored under the version in force then.
    """
    from scorecard.definition import load_scorecard
    from sql.engine import session_scope

    check_month(effective, "--effective")
    text, source = _read_text(file)
    card = load_scorecard(text, source=source)
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        version, created = store_version(session, card, provider_name, effective, actor=actor())
    if created:
        click.echo(f"loaded scorecard for {card.provider.name} effective {effective} "
                   f"({len(card.measures())} measures); run `steerco compute` to score its months")
    else:
        click.echo(f"this scorecard is already loaded for {card.provider.name} effective {effective}: nothing changed")


@scorecard.command("list")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@db_option
def scorecard_list(provider_name: str, db_url: str | None) -> None:
    """List the provider's scorecard versions."""
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.scorecards import list_versions

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        rows = [[v.effective_month, v.sha256[:12], v.loaded_at.strftime("%Y-%m-%d %H:%M"), v.loaded_by]
                for v in list_versions(session, p.id)]
    if rows:
        echo_table(["effective", "sha256", "loaded", "by"], rows)
    else:
        click.echo(f"{provider_name} has no scorecard yet: `steerco scorecard load FILE --provider "
                   f"{provider_name!r} --effective YYYY-MM`")


def _fmt(score: float | None) -> str:
    return "" if score is None else f"{score:.1f}"


@scorecard.command("show")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--month", metavar="YYYY-MM", required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def scorecard_show(provider_name: str, month: str, fmt: str, db_url: str | None) -> None:
    """Show a month's scorecard: targets, results, statuses, scores and service credits.

    The JSON shape is documented in docs/scorecards.md.
    """
    from pipelines.scoring import scored_month

    check_month(month, "--month")
    engine = open_engine(db_url)
    scored = scored_month(engine, provider_name, month)
    data = scored.to_dict()
    if fmt == "json":
        echo_json(data)
        return
    click.echo(f"{data['provider']} — {month}: score {_fmt(data['score'])} {STATUS_MARK[data['status']]}"
               f" ({data['no_data_count']} of {data['measure_count']} measures without data)")
    rows = []
    for p in data["perspectives"]:
        rows.append([p["name"], "", "", "", STATUS_MARK[p["status"]], _fmt(p["score"]), ""])
        for o in p["objectives"]:
            rows.append(["  " + o["name"], "", "", "", STATUS_MARK[o["status"]], _fmt(o["score"]), ""])
            for m in o["measures"]:
                t = m["text"]
                value = (t["value"] or "—") + (" (provisional)" if m["provisional"] else "")
                change = "" if m["movement"] in (None, "unchanged") else m["movement"]
                rows.append(["    " + m["label"], t["goal"] or "", t["red_flag"] or "", value,
                             STATUS_MARK[m["status"]], _fmt(m["score"]), change])
    echo_table(["", "goal", "red flag", "result", "status", "score", "since last month"], rows)
    credits = data["credits"]
    click.echo("")
    click.echo(f"Service credits: {credits['text']}" if credits["text"] else "Service credits:")
    for line in credits["lines"]:
        click.echo(f"  {line['text']}")
