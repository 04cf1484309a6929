"""The WSGI entry point for gunicorn: ``gunicorn 'dashboard.wsgi:create()'``.

Settings come from the environment (``STEERCO_*``), as for the CLI.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from dashboard import settings
from dashboard.app import create_app
from scorecard.errors import BadInput
from sql.engine import make_engine
from sql.keys import DEMO_SECRET, get_meta_value
from sql.schema import require_current


def resolve_secret(config: settings.Config, engine: Engine) -> tuple[str, str]:
    """The secret key and where it came from: the environment, or the demo database."""
    if config.secret_key:
        return config.secret_key, "environment"
    with engine.connect() as conn:
        demo = get_meta_value(conn, DEMO_SECRET)
    if demo:
        return demo, "demo"
    raise BadInput("STEERCO_SECRET_KEY is not set: set it to a random string of at least 32 characters "
                   "(python -c 'import secrets; print(secrets.token_hex(32))')")


def create(database_url: str | None = None, secret_key: str | None = None):
    config = settings.load(database_url=database_url, secret_key=secret_key)
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(config.database_url)
    require_current(engine)
    secret, _origin = resolve_secret(config, engine)
    return create_app(settings.load(database_url=config.database_url, secret_key=secret), engine)
