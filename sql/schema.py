"""Create and upgrade the schema with Alembic; check that a database is ready to use."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from scorecard.errors import SteercoError

MIGRATIONS = Path(__file__).with_name("migrations")


class NotInitialised(SteercoError):
    """The database has no steerco schema, or an older one."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the database to the newest schema; returns (before, after) revisions."""
    before = current_revision(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at the newest schema, saying what to run."""
    rev = current_revision(engine)
    if rev is None:
        raise NotInitialised("the database has no steerco schema yet: run `steerco init` first")
    if rev != head_revision():
        raise NotInitialised(f"the database schema is at {rev}, this steerco needs {head_revision()}: run `steerco init` to upgrade")
