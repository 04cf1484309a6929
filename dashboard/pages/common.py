"""What every page shares: status badges, notices, pickers, links and the error guard.

Errors never reach the browser as tracebacks: :func:`guarded` turns a refused provider into a
refusal, a missing provider or month into a notice saying what to do next, and anything
unexpected into a friendly message (logged with its traceback on the server).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote, urlencode

from dash import dcc, html

from dashboard import ids
from dashboard.reports.rows import STATUS_SHAPE, STATUS_WORD
from scorecard.errors import BadInput, Forbidden, NotFound, SteercoError
from scorecard.months import parse_month

log = logging.getLogger(__name__)

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
NEXT_STEPS = ["Import facts with ", html.Code("steerco import tickets FILE --provider NAME"),
              ", load a scorecard with ", html.Code("steerco scorecard load FILE --provider NAME --effective YYYY-MM"),
              ", then run ", html.Code("steerco compute"), "."]
LOADING = {"type": "dot", "delay_show": 400, "color": "#1c4e80"}


def month_label(month: str) -> str:
    """``"2026-10"`` → ``"October 2026"``."""
    year, number = parse_month(month)
    return f"{MONTH_NAMES[number - 1]} {year}"


def check_month(month: str | None) -> str | None:
    """A month from a URL: None when absent, BadInput when malformed."""
    if month in (None, ""):
        return None
    parse_month(month)
    return month


def status_badge(status: str, **kwargs) -> html.Span:
    """The status as shape and word in its colour: ``■ red``."""
    return html.Span(f"{STATUS_SHAPE.get(status, '○')} {STATUS_WORD.get(status, status)}",
                     className=f"status status-{status}", **kwargs)


def href(path: str, **query: str | None) -> str:
    """``/measure?provider=…&measure=…``: query values encoded, empty ones left out."""
    given = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(given, quote_via=quote)}" if given else path


def search(**query: str | None) -> str:
    given = {k: v for k, v in query.items() if v not in (None, "")}
    return f"?{urlencode(given, quote_via=quote)}" if given else ""


def notice(title: str, *body, kind: str = "empty") -> html.Section:
    """An empty state or a refusal: what happened, in words, and what to do next."""
    role = {"role": "alert"} if kind in ("refused", "error") else {}
    return html.Section([html.H2(title), *[html.P(b) if isinstance(b, (str, list)) else b for b in body]],
                        className=f"notice notice-{kind}", id=ids.NOTICE, **role)


def refusal(message: str) -> html.Section:
    return notice("Not available to you", message, kind="refused")


def no_results(provider: str, month: str | None = None) -> html.Section:
    when = f" for {month_label(month)}" if month else " yet"
    return notice(f"No results for {provider}{when}", NEXT_STEPS)


def error_component(exc: BaseException) -> html.Section:
    """The component shown for an error; never a traceback."""
    if isinstance(exc, Forbidden):
        return refusal(str(exc))
    if isinstance(exc, NotFound):
        return notice("Nothing to show", str(exc))
    if isinstance(exc, BadInput):
        return notice("That address is not quite right", str(exc), kind="error")
    if isinstance(exc, SteercoError):
        return notice("Something went wrong", str(exc), kind="error")
    return notice("Something went wrong", "The error has been logged. Reload the page, or tell your administrator.",
                  kind="error")


def guarded(on_error: Callable[[html.Section], object]) -> Callable:
    """Run a layout or callback; on an error, return ``on_error(message component)`` instead."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except SteercoError as exc:
                log.info("%s refused: %s", fn.__name__, exc)
                return on_error(error_component(exc))
            except Exception as exc:  # the last line of defence: the user gets a message, the log the detail
                log.exception("%s failed", fn.__name__)
                return on_error(error_component(exc))
        return inner
    return wrap


def page(title: str, *children, lead: str | None = None, tools: Sequence = (), page_id: str | None = None):
    """A page: its heading, an optional lead, tools on the right (pickers, downloads), content."""
    head = [html.Div([html.H1(title, id=ids.PAGE_TITLE)] + ([html.P(lead, className="lead")] if lead else []),
                     className="page-title")]
    if tools:
        head.append(html.Div(list(tools), className="page-tools"))
    extra = {"id": page_id} if page_id else {}
    return html.Div([html.Div(head, className="page-head"), *children], className="page", **extra)


def picker(label: str, component_id: str, options: Iterable[dict], value: str | None, *,
           searchable: bool = False, **kwargs) -> html.Div:
    """A labelled dropdown (not clearable: a page always shows something)."""
    return html.Div([
        html.Label(label, htmlFor=component_id, className="picker-label"),
        dcc.Dropdown(id=component_id, options=list(options), value=value, clearable=False, searchable=searchable,
                     className="picker", **kwargs),
    ], className="picker-box")


def month_options(months: Iterable[str]) -> list[dict]:
    return [{"label": month_label(m), "value": m} for m in months]


def provider_options(refs) -> list[dict]:
    return [{"label": r.name, "value": r.name} for r in refs]


def html_table(header: Sequence, rows: Sequence[dict], *, table_id: str | None = None, caption: str | None = None,
               classes: str = "table compact") -> dcc.Markdown:
    """A long table as one HTML fragment (escaped by Jinja) rather than a component per cell,
    which Dash draws slowly. Rows are ``{"cells": [...], "class": …}``; a cell is text or a
    dict with ``text`` and optionally ``href`` (a link inside the app), ``class``, ``title``,
    ``header``. See dashboard/templates/report/_tables.html."""
    from dashboard.reports.templates import fragment

    return dcc.Markdown(fragment("data_table", list(header), list(rows), table_id=table_id, caption=caption,
                                 classes=classes, template="_tables.html"), dangerously_allow_html=True)


def table(header: Sequence, body: Sequence, *, table_id: str | None = None, caption: str | None = None,
          className: str = "table") -> html.Div:
    """A table that scrolls sideways on a narrow screen instead of squashing."""
    head = html.Thead(html.Tr([h if isinstance(h, html.Th) else html.Th(h, scope="col") for h in header]))
    parts = ([html.Caption(caption)] if caption else []) + [head, html.Tbody(list(body))]
    kwargs = {"id": table_id} if table_id else {}
    return html.Div(html.Table(parts, className=className, **kwargs), className="table-wrap")
