"""steerco serve: the dashboard under gunicorn."""

from __future__ import annotations

import click

from dashboard.cli.common import load_settings, open_engine


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn); each serves several requests at once with threads.")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL (default: $STEERCO_DATABASE_URL, else sqlite:///steerco.db).")
def serve(host: str, port: int, workers: int, db_url: str | None) -> None:
    """Serve the dashboard at http://HOST:PORT behind a login.

    Needs STEERCO_SECRET_KEY, except on a database made by `steerco demo`, which has its own.
    """
    from gunicorn.app.base import BaseApplication

    from dashboard.wsgi import resolve_secret

    config = load_settings(db_url)
    engine = open_engine(db_url)
    secret, origin = resolve_secret(config, engine)
    engine.dispose()
    if origin == "demo":
        click.echo("Using the secret key that `steerco demo` generated for this demo database.")
    click.echo(f"steerco is serving at http://{host}:{port}/ (Ctrl+C stops it)")
    url = config.database_url

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}", "workers": workers, "threads": 4, "worker_class": "gthread",
                "control_socket_disable": True, "timeout": 120, "graceful_timeout": 10,
                "accesslog": None, "errorlog": "-", "loglevel": config.log_level.lower(),
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from dashboard.wsgi import create

            return create(database_url=url, secret_key=secret)

    Server().run()
