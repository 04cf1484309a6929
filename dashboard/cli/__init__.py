"""The ``steerco`` command line.

Exit codes: 0 success, 1 a runtime failure (database unreachable, unexpected error),
2 bad usage or bad input. Errors are one clear line on stderr, never a traceback
(``--debug`` shows one for bug reports).
"""

from __future__ import annotations

import logging
import sys

import click

from dashboard.cli import admin, demo, imports, measures, report, scorecards, serve, survey
from dashboard.cli import reported, review
from dashboard.cli.common import run_guarded

log = logging.getLogger(__name__)


class SteercoGroup(click.Group):
    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("standalone_mode", True)
        debug = "--debug" in sys.argv[1:] or "--debug" in (kwargs.get("args") or [])
        return run_guarded(lambda: super(SteercoGroup, self).main(*args, **kwargs), debug=debug)


@click.group(cls=SteercoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="steerco", prog_name="steerco")
@click.option("--debug", is_flag=True, help="Show full tracebacks of unexpected errors (for bug reports).")
def cli(debug: bool) -> None:
    """steerco: govern outsourced providers with monthly balanced scorecards.

    Every command that touches data takes --db URL (default: $STEERCO_DATABASE_URL,
    else sqlite:///steerco.db in the current folder).
    """
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


cli.add_command(admin.init)
cli.add_command(admin.provider)
cli.add_command(admin.user)
cli.add_command(demo.demo)
cli.add_command(imports.import_)
cli.add_command(measures.compute)
cli.add_command(measures.measures)
cli.add_command(report.report)
cli.add_command(measures.drift)
cli.add_command(scorecards.scorecard)
cli.add_command(serve.serve)
cli.add_command(survey.survey)
cli.add_command(survey.token)
cli.add_command(review.review)
cli.add_command(reported.reported)


def main() -> None:
    cli(prog_name="steerco")
