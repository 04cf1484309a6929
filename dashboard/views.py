"""What the server-rendered pages share (review workspace, administration): the page frame,
role checks and refusals. Templates extend ``templates/app.html``.

Bad input re-renders a page with its message next to the form (status 200, nothing stored);
refusals get the error page with 400, 403 or 404; nothing shows a traceback.
"""

from __future__ import annotations

import datetime as dt

import dash
from flask import get_flashed_messages, render_template
from flask_wtf.csrf import generate_csrf

from dashboard import access
from scorecard.errors import Forbidden, SteercoError

HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}


def menu(who) -> list[tuple[str, str]]:
    """The main menu for ``who`` (None: logged out) as (name, path): the registered pages with
    ``nav`` not false, less those whose ``roles`` leave ``who`` out."""
    role = getattr(who, "role", None)
    return [(p["name"], p["relative_path"]) for p in dash.page_registry.values()
            if p.get("nav", True) and (p.get("roles") is None or role in p["roles"])]


def nav() -> list[tuple[str, str]]:
    """The main menu of the logged-in user."""
    return menu(access.user())


def render_page(template: str, status: int = 200, **context):
    """``template`` in the application frame, for the logged-in user."""
    who = access.user()
    return render_template(template, nav=nav(), who=who, csrf=generate_csrf(), messages=get_flashed_messages(),
                           **context), status


def require(roles: frozenset[str], doing: str):
    """The current user, if its role is one of ``roles``; Forbidden otherwise."""
    who = access.user()
    if who.role not in roles:
        raise Forbidden(f"only {' or '.join(sorted(roles))} users may {doing}")
    return who


def refuse(exc: SteercoError):
    """The error page for a refusal or a missing thing, with its status."""
    status = exc.http_status if exc.http_status in (400, 403, 404) else 500
    title = {400: "That request is not quite right", 403: "Not available to you",
             404: "Nothing here"}.get(status, "Something went wrong")
    return render_template("error.html", title=title, message=str(exc)), status


def when(value: dt.datetime | None) -> str:
    """A stored instant as shown on the pages: ``2026-11-22 09:30 UTC``."""
    return "—" if value is None else value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
