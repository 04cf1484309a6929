"""Downloads: the monthly board pack (PDF, HTML) and the scorecard and measures (XLSX).

``GET /export/monthly.<pdf|xlsx|html>?provider=NAME&month=YYYY-MM``. Login required (the
auth guard), the provider checked by :func:`dashboard.access.resolve_provider` like every
page: a provider user asking for another provider gets 403, never the file.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, render_template, request

from dashboard import access
from dashboard.reports.monthly import FORMATS, monthly_report
from scorecard.errors import BadInput, SteercoError
from scorecard.months import parse_month
from sql import browse

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__)


def _refuse(exc: SteercoError):
    status = exc.http_status if exc.http_status in (400, 403, 404) else 500
    title = {400: "That request is not quite right", 403: "Not available to you",
             404: "Nothing to export"}.get(status, "Something went wrong")
    return render_template("error.html", title=title, message=str(exc)), status


@bp.route("/export/monthly.<fmt>")
def monthly(fmt: str):
    try:
        if fmt not in FORMATS:
            raise BadInput(f"no export as .{fmt[:10]}: use .pdf, .xlsx or .html")
        ref = access.resolve_provider(request.args.get("provider"))
        month = request.args.get("month") or None
        if month is None:
            months = browse.result_months(access.engine(), [ref.id])[ref.id]
            if not months:
                raise BadInput(f"no results for {ref.name} yet: run `steerco compute` first")
            month = months[0]
        parse_month(month)
        report = monthly_report(access.engine(), (ref.id, ref.name), ref.timezone, month, fmt)
    except SteercoError as exc:
        log.info("export refused: %s", exc)
        return _refuse(exc)
    log.info("export %s for %s %s by %s", fmt, ref.name, month, access.user().email)
    response = Response(report.content, mimetype=report.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_exports(app: Flask) -> None:
    app.register_blueprint(bp)
