"""steerco survey … (questionnaires, settings, invitations, delivery, read-outs) and steerco token …"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click
from sqlalchemy import select

from dashboard.cli.common import actor, db_option, echo_json, echo_table, load_settings, open_engine
from scorecard.errors import BadInput, NotFound
from sql.engine import session_scope
from sql.models import ApiToken, Provider
from surveys.i18n import LANGUAGES

DEFAULT_BASE = "http://127.0.0.1:8050"


def _base_url(db_url: str | None, *, required: bool = False) -> str:
    url = load_settings(db_url).public_url
    if url:
        return url
    if required:
        raise BadInput("STEERCO_PUBLIC_URL is not set: links in emails need the address people reach steerco at, "
                       "e.g. export STEERCO_PUBLIC_URL=https://steerco.example.com")
    click.echo(f"note: STEERCO_PUBLIC_URL is not set; links use {DEFAULT_BASE}", err=True)
    return DEFAULT_BASE


def _provider(conn, name: str):
    from surveys.invitations import provider_ref

    return provider_ref(conn, name)


@click.group()
def survey() -> None:
    """Help-desk satisfaction surveys: questionnaires, invitations, delivery, responses."""


@survey.group()
def questionnaire() -> None:
    """Load and list questionnaire versions."""


@questionnaire.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def questionnaire_load(file: Path, db_url: str | None) -> None:
    """Load a questionnaire version from a TOML FILE (format: docs/surveys.md)."""
    from surveys.library import store_questionnaire

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {file}: {exc}") from None
    engine = open_engine(db_url)
    with engine.begin() as conn:
        q, _qid, created = store_questionnaire(conn, text, source=str(file), actor=actor())
    what = "loaded" if created else "already loaded, unchanged:"
    click.echo(f"{what} {q.ref} ({len(q.questions)} questions, {q.mode}, languages {', '.join(q.languages)})")


@questionnaire.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def questionnaire_list(fmt: str, db_url: str | None) -> None:
    """List the loaded questionnaire versions (the shipped ones load on first use)."""
    from surveys.library import list_questionnaires

    engine = open_engine(db_url)
    with engine.connect() as conn:
        rows = list_questionnaires(conn)
    if fmt == "json":
        echo_json(rows)
    elif rows:
        echo_table(["key", "version", "mode", "languages", "questions", "title"],
                   [[r["key"], r["version"], r["mode"], r["languages"], r["questions"], r["title"]] for r in rows])
    else:
        click.echo("no questionnaires loaded yet: the shipped helpdesk and legal ones load on first use, "
                   "or load one with `steerco survey questionnaire load FILE`")


def _csv_list(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


@survey.command("settings")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--questionnaire", "questionnaire_key", metavar="KEY", help="Questionnaire to use (newest version).")
@click.option("--auto-invite/--no-auto-invite", default=None, help="Invite after each ticket import.")
@click.option("--delay-hours", type=float, help="Hours after resolution before the first email.")
@click.option("--sample-rate", type=float, help="Share of eligible tickets invited, above 0 and at most 1.")
@click.option("--fatigue-days", type=int, help="At most one invitation per person in this many days (0: no limit).")
@click.option("--expiry-days", type=int, help="Days a link works after the invitation goes out.")
@click.option("--reminder-days", type=int, help="Days after the invitation for the one reminder (0: none).")
@click.option("--max-age-days", type=int, help="Tickets resolved longer ago than this are not invited.")
@click.option("--language", type=click.Choice(LANGUAGES), help="Language of messages when the invitation names none.")
@click.option("--exclude-categories", metavar="A,B", help="Ticket categories never surveyed (comma-separated; '' for none).")
@click.option("--staff-groups", metavar="A,B", help="Requester groups of the provider's own staff, never surveyed.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def settings_(provider_name: str, questionnaire_key: str | None, auto_invite: bool | None, delay_hours: float | None,
              sample_rate: float | None, fatigue_days: int | None, expiry_days: int | None,
              reminder_days: int | None, max_age_days: int | None, language: str | None,
              exclude_categories: str | None, staff_groups: str | None, fmt: str, db_url: str | None) -> None:
    """Show a provider's survey invitation rules, changing those given."""
    from surveys.library import ensure_questionnaire
    from surveys.rules import read_settings, write_settings

    changes = {k: v for k, v in dict(
        questionnaire=questionnaire_key, auto_invite=auto_invite, delay_hours=delay_hours, sample_rate=sample_rate,
        fatigue_days=fatigue_days, expiry_days=expiry_days, reminder_days=reminder_days,
        max_age_days=max_age_days, language=language, exclude_categories=_csv_list(exclude_categories),
        staff_groups=_csv_list(staff_groups)).items() if v is not None}
    engine = open_engine(db_url)
    with engine.begin() as conn:
        p = _provider(conn, provider_name)
        if questionnaire_key:
            ensure_questionnaire(conn, questionnaire_key, actor=actor())
        if changes:
            current = write_settings(conn, p.id, p.kind, actor=actor(), target=p.name, **changes)
        else:
            current = read_settings(conn, p.id, p.kind)
    data = current.as_dict()
    if fmt == "json":
        echo_json({"provider": p.name, **data})
    else:
        echo_table(["setting", "value"], [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in data.items()])


@survey.command("invite")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--ticket", "ticket_id", metavar="ID", required=True, help="An imported, resolved ticket.")
@click.option("--email", metavar="ADDR", help="Email the invitation (steerco survey send) instead of handing you the link.")
@click.option("--language", type=click.Choice(LANGUAGES), help="Language of the email and the form.")
@db_option
def invite(provider_name: str, ticket_id: str, email: str | None, language: str | None, db_url: str | None) -> None:
    """Invite the requester of one resolved ticket; prints the survey link."""
    from surveys.invitations import InviteRequest, imported_ticket, invite_ticket, link_url

    base = _base_url(db_url)
    engine = open_engine(db_url)
    with engine.begin() as conn:
        p = _provider(conn, provider_name)
        if imported_ticket(conn, p.id, ticket_id) is None:
            raise NotFound(f"no ticket {ticket_id!r} has been imported for {p.name}: import it first "
                           "(the ticketing tool can also invite through the API without an import)")
        outcome = invite_ticket(conn, p, InviteRequest(ticket_id, email=email, language=language),
                                actor=actor(), channel="cli")
    if not outcome.invited:
        click.echo(f"steerco: {ticket_id}: {outcome.message}", err=True)
        sys.exit(1)
    click.echo(link_url(base, outcome.token or ""))
    click.echo(f"{ticket_id}: {outcome.message}", err=True)


@survey.command("void")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--ticket", "ticket_id", metavar="ID", required=True)
@db_option
def void(provider_name: str, ticket_id: str, db_url: str | None) -> None:
    """Void the unanswered invitation of a reopened ticket (its links stop working)."""
    from surveys.invitations import void_ticket

    engine = open_engine(db_url)
    with engine.begin() as conn:
        p = _provider(conn, provider_name)
        n = void_ticket(conn, p.id, ticket_id)
    click.echo(f"{ticket_id}: {'voided its unanswered invitation' if n else 'no unanswered invitation to void'}")


@survey.command("send")
@click.option("--provider", "provider_name", metavar="NAME", help="Only this provider (default: all).")
@click.option("--dry-run", is_flag=True, help="Count what is due; send nothing.")
@db_option
def send(provider_name: str | None, dry_run: bool, db_url: str | None) -> None:
    """Email due invitations and reminders through STEERCO_SMTP_*; run it every few minutes.

    A refused or unreachable SMTP server leaves them pending, to be retried next time (exit 1).
    """
    from surveys.delivery import SmtpConfig, send_due

    config = load_settings(db_url)
    missing = [v for v, value in (("STEERCO_SMTP_HOST", config.smtp_host), ("STEERCO_SMTP_FROM", config.smtp_from))
               if not value]
    if missing and not dry_run:
        raise BadInput(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: survey emails need "
                       "an SMTP server and a sender (see the README's configuration table)")
    base = _base_url(db_url, required=not dry_run) if not dry_run else (config.public_url or DEFAULT_BASE)
    smtp = SmtpConfig(host=config.smtp_host or "", port=config.smtp_port, security=config.smtp_security,
                      user=config.smtp_user, password=config.smtp_password, sender=config.smtp_from or "",
                      timeout=config.smtp_timeout)
    engine = open_engine(db_url)
    provider_id = None
    if provider_name:
        with engine.connect() as conn:
            provider_id = _provider(conn, provider_name).id
    report = send_due(engine, smtp, base_url=base, provider_id=provider_id, dry_run=dry_run)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


def _output(out: Path | None, data: bytes) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)


@survey.command("links")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the CSV here (default: stdout).")
@click.option("--reminders", is_flag=True, help="Also give links for due reminders (one per invitation).")
@db_option
def links(provider_name: str, out: Path | None, reminders: bool, db_url: str | None) -> None:
    """A CSV of new survey links for the ticketing tool to send itself (marked sent now).

    Columns: ticket_id, message (invitation or reminder), language, link, expires_at.
    Each link is printed once: keep the file until the tool has sent them.
    """
    from surveys.delivery import LINK_COLUMNS, take_links
    from surveys.exports import neutralise

    base = _base_url(db_url)
    engine = open_engine(db_url)
    with engine.connect() as conn:
        provider_id = _provider(conn, provider_name).id
    rows = take_links(engine, provider_id, base_url=base, reminders=reminders)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(LINK_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in LINK_COLUMNS])
    _output(out, buf.getvalue().encode())
    click.echo(f"{len(rows)} links for {provider_name}", err=True)


@survey.command("responses")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout; xlsx needs --out).")
@db_option
def responses(provider_name: str, fmt: str, out: Path | None, db_url: str | None) -> None:
    """Export a provider's survey responses, one row each, one column per question.

    Cells that a spreadsheet would run as formulas are prefixed with ' in CSV and XLSX.
    """
    from surveys.exports import responses_table, write_table

    if fmt == "xlsx" and out is None:
        raise BadInput("--format xlsx needs --out FILE")
    engine = open_engine(db_url)
    with engine.connect() as conn:
        table = responses_table(conn, _provider(conn, provider_name).id)
    if out is not None:
        write_table(table, fmt, out)
        click.echo(f"wrote {table.height} responses to {out}", err=True)
    else:
        buf = io.BytesIO()
        write_table(table, fmt, buf)
        _output(None, buf.getvalue())


@survey.command("report")
@click.option("--provider", "provider_name", metavar="NAME", required=True)
@click.option("--by", type=click.Choice(["priority", "category"]), help="Break each month down further.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@db_option
def report_(provider_name: str, by: str | None, fmt: str, db_url: str | None) -> None:
    """Response rates by sending month, CSAT and NPS by response month.

    Any cell resting on fewer than five responses is withheld (shown as <5).
    """
    from surveys.exports import report, write_table

    engine = open_engine(db_url)
    with engine.connect() as conn:
        table = report(conn, _provider(conn, provider_name).id, by=by)
    if fmt == "json":
        echo_json(table.to_dicts())
    elif fmt == "csv":
        buf = io.BytesIO()
        write_table(table, "csv", buf)
        _output(None, buf.getvalue())
    elif table.is_empty():
        click.echo(f"no survey invitations or responses for {provider_name} yet")
    else:
        def cell(v, kind):
            if v is None:
                return "<5" if kind != "rate" else "—"
            return f"{v:.0%}" if kind == "pct" else (f"{v:+.0f}" if kind == "nps" else f"{v:,}")
        headers = table.columns
        kinds = {"response_rate": "pct", "csat": "pct", "nps": "nps", "answered": "n", "responses": "n", "sent": "n"}
        echo_table(headers, [[cell(v, kinds[c]) if c in kinds else v for c, v in zip(headers, row)]
                             for row in table.iter_rows()])


@click.group()
def token() -> None:
    """API tokens for other tools (e.g. the ticketing tool creating survey invitations)."""


@token.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(["survey-invitations"]), required=True, help="What the token may do.")
@click.option("--provider", "provider_name", metavar="NAME", help="Restrict the token to this provider.")
@db_option
def token_create(name: str, scope: str, provider_name: str | None, db_url: str | None) -> None:
    """Create an API token named NAME. The token is printed once; only its hash is kept."""
    from dashboard.api import create_token

    engine = open_engine(db_url)
    with engine.begin() as conn:
        provider_id = _provider(conn, provider_name).id if provider_name else None
        value = create_token(conn, name, scope, provider_id=provider_id, actor=actor())
    click.echo(value)
    where = f" for provider {provider_name!r}" if provider_name else " for every provider"
    click.echo(f"created API token {name!r} (scope {scope}{where}). It is shown only now: store it in the "
               "tool that uses it and send it as 'Authorization: Bearer TOKEN'.", err=True)


@token.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def token_list(fmt: str, db_url: str | None) -> None:
    """List API tokens (never their values)."""
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rows = session.execute(select(ApiToken.name, ApiToken.scope, Provider.name, ApiToken.created_at,
                                      ApiToken.created_by, ApiToken.last_used_at, ApiToken.revoked_at)
                               .outerjoin(Provider, Provider.id == ApiToken.provider_id)
                               .order_by(ApiToken.created_at)).all()
    data = [{"name": r[0], "scope": r[1], "provider": r[2],
             "created_at": r[3].isoformat(timespec="seconds"), "created_by": r[4],
             "last_used_at": r[5].isoformat(timespec="seconds") if r[5] else None,
             "revoked_at": r[6].isoformat(timespec="seconds") if r[6] else None} for r in rows]
    if fmt == "json":
        echo_json(data)
    elif data:
        echo_table(list(data[0]), [list(d.values()) for d in data])
    else:
        click.echo("no API tokens yet: create one with `steerco token create NAME --scope survey-invitations`")


@token.command("revoke")
@click.argument("name")
@db_option
def token_revoke(name: str, db_url: str | None) -> None:
    """Revoke the active API token named NAME; it stops working at once."""
    from dashboard.api import revoke_token

    engine = open_engine(db_url)
    with engine.begin() as conn:
        if not revoke_token(conn, name, actor=actor()):
            raise NotFound(f"no active API token named {name!r}")
    click.echo(f"revoked API token {name!r}")

