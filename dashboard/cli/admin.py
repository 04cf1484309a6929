"""steerco init, provider add/list, user add."""

from __future__ import annotations

import sys

import click

from dashboard.passwords import check_password_strength, hash_password
from dashboard.cli.common import actor, db_option, echo_json, echo_table, open_engine
from scorecard.errors import BadInput
from sql import repo
from sql.engine import redact, session_scope
from sql.models import PROVIDER_KINDS, ROLES
from sql.schema import upgrade


@click.command()
@db_option
def init(db_url: str | None) -> None:
    """Create the database schema, or upgrade it to this version of steerco."""
    engine = open_engine(db_url, migrated=False)
    before, after = upgrade(engine)
    where = redact(engine.url)
    if before == after:
        click.echo(f"{where}: schema already at {after}")
    else:
        click.echo(f"{where}: schema {'created' if before is None else 'upgraded from ' + before} at {after}")


@click.group()
def provider() -> None:
    """Add and list the providers whose services you govern."""


@provider.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(PROVIDER_KINDS), required=True,
              help="it: IT managed services; legal: legal process outsourcing.")
@click.option("--timezone", default="UTC", show_default=True,
              help="IANA time zone in which the provider's months and business hours run.")
@db_option
def provider_add(name: str, kind: str, timezone: str, db_url: str | None) -> None:
    """Add provider NAME."""
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = repo.add_provider(session, name, kind, timezone, actor=actor())
        click.echo(f"added provider {p.name!r} ({p.kind}, {p.timezone})")


@provider.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def provider_list(fmt: str, db_url: str | None) -> None:
    """List providers."""
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rows = [{"name": p.name, "kind": p.kind, "timezone": p.timezone} for p in repo.list_providers(session)]
    if fmt == "json":
        echo_json(rows)
    elif rows:
        echo_table(["name", "kind", "timezone"], [list(r.values()) for r in rows])
    else:
        click.echo("no providers yet: add one with `steerco provider add NAME --kind it|legal`")


@click.group()
def user() -> None:
    """Manage the people who may log in."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="admin, executive, reviewer, or provider (sees only its own provider).")
@click.option("--provider", "provider_name", metavar="NAME", help="The provider of a provider user.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of a prompt.")
@db_option
def user_add(email: str, role: str, provider_name: str | None, password_stdin: bool, db_url: str | None) -> None:
    """Add a user who logs in with EMAIL. The password is never taken on the command line."""
    engine = open_engine(db_url)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise BadInput("no terminal to ask for a password: pipe it in with --password-stdin")
    check_password_strength(password)
    with session_scope(engine) as session:
        u = repo.add_user(session, email, role, hash_password(password), provider=provider_name, actor=actor())
        scope = f" for provider {provider_name!r}" if provider_name else ""
        click.echo(f"added {u.role} {u.email}{scope}")
