"""What every CLI command shares: the --db option, opening the database, error handling."""

from __future__ import annotations

import getpass
import json
import sys
import traceback
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from dashboard import settings
from scorecard.errors import SteercoError
from sql.engine import make_engine, parse_url
from sql.schema import NotInitialised, require_current

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (default: $STEERCO_DATABASE_URL, else sqlite:///steerco.db).")


def fail(message: str, code: int) -> None:
    click.echo(f"steerco: {message}", err=True)
    sys.exit(code)


def run_guarded(fn: Callable[[], Any], *, debug: bool = False) -> Any:
    """Run a CLI entry point, turning every error into one clear line and an exit code."""
    try:
        return fn()
    except SteercoError as exc:
        fail(str(exc), exc.exit_code)
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        fail(f"database error: {reason}", 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # the last line of defence: no traceback for users
        if debug:
            traceback.print_exc()
        fail(f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", 1)


def load_settings(db_url: str | None, **overrides: Any) -> settings.Config:
    return settings.load(database_url=db_url, **overrides)


def open_engine(db_url: str | None, *, migrated: bool = True) -> Engine:
    """The engine for --db or the configured URL; refuses an uninitialised database."""
    config = load_settings(db_url)
    url = parse_url(config.database_url)
    if migrated and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        raise NotInitialised(f"there is no database at {url.database}: run `steerco init` (or `steerco demo`) first")
    engine = make_engine(config.database_url)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(engine.dispose)
    if migrated:
        require_current(engine)
    return engine


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
