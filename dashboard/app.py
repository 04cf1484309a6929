"""The application factory: Flask for logins and plain pages, Dash for the dashboard."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import dash
from dash import Dash, dcc, html
from flask import Flask, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine

from dashboard import ids
from dashboard import admin_data_views, admin_views, survey_admin_views
from dashboard.api import init_api
from dashboard.auth import guard, init_auth
from dashboard.exports import init_exports
from dashboard.review_views import init_reviews
from dashboard.survey_form import init_survey_form
from dashboard.views import menu
from dashboard.settings import Config

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def create_app(config: Config, engine: Engine) -> Flask:
    """A ready WSGI app on ``engine``; ``config.secret_key`` must be set."""
    if not config.secret_key:
        raise ValueError("create_app needs a secret key")
    server = Flask("dashboard", template_folder=str(HERE / "templates"), static_folder=None)
    server.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_NAME="steerco_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=config.session_hours),
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,
        STEERCO_LOGIN_ATTEMPTS=config.login_attempts,
    )
    server.extensions["steerco.engine"] = engine
    server.extensions["steerco.config"] = config
    init_auth(server)
    init_survey_form(server)
    init_api(server)
    init_exports(server)
    init_reviews(server)
    admin_views.init(server)
    admin_data_views.init(server)
    survey_admin_views.init(server)
    _register_error_pages(server)

    app = Dash(
        "dashboard",
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(HERE / "assets"),
        title="steerco",
        update_title=None,
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    from dashboard.pages import register_all

    register_all(app)
    app.layout = _shell
    server.extensions["steerco.dash"] = app
    _finish_dash_setup(server)
    return server


def _finish_dash_setup(server: Flask) -> None:
    """Run Dash's first-request setup now. Dash marks it done before it is, so two threads
    racing on a fresh worker's first requests could serve a half-set-up app (500s, and
    "DashRenderer is not defined" in the browser)."""
    with server.test_request_context("/"):
        for func in server.before_request_funcs.get(None, []):
            if func is not guard:
                func()


def _shell():
    """The frame around every page: brand, navigation, who is logged in, logout."""
    user = current_user if current_user and current_user.is_authenticated else None
    nav = [dcc.Link(name, href=path, className="nav-link") for name, path in menu(user)]
    who = []
    if user is not None:
        scope = f" · {user.provider_name}" if user.provider_name else ""
        who = [
            html.Span(f"{user.email} ({user.role}{scope})", className="who", id=ids.WHO),
            html.Form([
                dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                html.Button("Log out", type="submit", className="link-button", id=ids.LOGOUT),
            ], method="POST", action="/logout", className="logout-form"),
        ]
    return html.Div([
        html.Header([
            html.A("steerco", href="/", className="brand"),
            html.Nav(nav, className="nav", **{"aria-label": "Main"}),
            html.Div(who, className="user-box"),
        ], className="topbar"),
        html.Main(dcc.Loading(dash.page_container, type="dot", delay_show=500, color="#1c4e80",
                              target_components={"_pages_content": "children"}),
                  className="content", id=ids.CONTENT),
    ])


def _register_error_pages(server: Flask) -> None:
    @server.errorhandler(404)
    def not_found(_exc):
        return render_template("error.html", title="Page not found",
                               message="There is no page at this address."), 404

    @server.errorhandler(500)
    def server_error(_exc):
        return render_template("error.html", title="Something went wrong",
                               message="The error has been logged. Try again, or tell your administrator."), 500
