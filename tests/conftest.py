"""Shared fixtures: databases (SQLite and a real PostgreSQL server), the CLI, apps.

PostgreSQL tests use the server named by ``STEERCO_TEST_POSTGRES_URL`` (an account that may
create databases). Each test gets a fresh database cloned from a migrated template. Without
the variable those tests are skipped, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.cli import cli
from sql.engine import make_engine
from sql.schema import upgrade

PG_ENV = "STEERCO_TEST_POSTGRES_URL"
IN_CI = bool(os.environ.get("CI"))


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"{PG_ENV} is not set under CI: the PostgreSQL tests must run, not skip")
        return None
    return url


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict]:
    """The PostgreSQL server, with a migrated template database to clone."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"no PostgreSQL server: set {PG_ENV}=postgresql://USER@HOST:PORT/postgres")
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    admin_engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    template = f"steerco_tpl_{uuid.uuid4().hex[:8]}"
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{template}"'))
    tpl_engine = make_engine(admin_url.set(database=template).render_as_string(hide_password=False))
    upgrade(tpl_engine)
    tpl_engine.dispose()
    yield {"admin": admin_engine, "url": admin_url, "template": template}
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    admin_engine.dispose()


def _fresh_pg(pg_server: dict, *, migrated: bool) -> Iterator[str]:
    name = f"steerco_t_{uuid.uuid4().hex[:10]}"
    source = f' TEMPLATE "{pg_server["template"]}"' if migrated else ""
    with pg_server["admin"].connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
    try:
        yield pg_server["url"].set(database=name).render_as_string(hide_password=False)
    finally:
        with pg_server["admin"].connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database with no schema, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steerco.db'}"
    else:
        yield from _fresh_pg(request.getfixturevalue("pg_server"), migrated=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """The URL of a database at the newest schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'steerco.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    else:
        yield from _fresh_pg(request.getfixturevalue("pg_server"), migrated=True)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'steerco.db'}"
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()
    return url


class Cli:
    """Runs ``steerco`` in-process through its real entry point (the click group)."""

    def __init__(self, db_url: str | None = None) -> None:
        self.db_url = db_url

    def __call__(self, *args: str, input: str | None = None, db: bool = True):
        argv = list(args)
        if db and self.db_url and "--db" not in argv:
            argv += ["--db", self.db_url]
        runner = CliRunner()
        result = runner.invoke(cli, argv, input=input, prog_name="steerco", catch_exceptions=False)
        return result


@pytest.fixture
def run_cli(db_url) -> Cli:
    return Cli(db_url)


SECRET = "test-secret-key-" + "x" * 32


DEMO_AS_OF = "2026-11-22T00:00:00+00:00"


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_template(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A small computed demo (14 months to 2026-10, seed 5) built once per backend: (backend, where)."""
    import datetime as dt

    from dashboard.demo import build_demo

    as_of = dt.datetime.fromisoformat(DEMO_AS_OF)
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo-template") / "demo.db"
        engine = make_engine(f"sqlite:///{path}")
        build_demo(engine, seed=5, months=14, end="2026-10", actor="test", as_of=as_of)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield "sqlite", str(path)
    else:
        pg = request.getfixturevalue("pg_server")
        name = f"steerco_demo_{uuid.uuid4().hex[:8]}"
        with pg["admin"].connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(pg["url"].set(database=name).render_as_string(hide_password=False))
        build_demo(engine, seed=5, months=14, end="2026-10", actor="test", as_of=as_of)
        engine.dispose()
        yield "postgresql", name
        with pg["admin"].connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def demo_url(demo_template, request, tmp_path) -> Iterator[str]:
    """A private copy of the demo template for one test."""
    import shutil

    backend, where = demo_template
    if backend == "sqlite":
        copy = tmp_path / "demo.db"
        shutil.copyfile(where, copy)
        yield f"sqlite:///{copy}"
        return
    pg = request.getfixturevalue("pg_server")
    name = f"steerco_t_{uuid.uuid4().hex[:10]}"
    with pg["admin"].connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{where}"'))
    try:
        yield pg["url"].set(database=name).render_as_string(hide_password=False)
    finally:
        with pg["admin"].connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def demo_engine(demo_url):
    eng = make_engine(demo_url)
    yield eng
    eng.dispose()
