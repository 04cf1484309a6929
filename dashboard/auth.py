"""Logins: hashed passwords, Flask-Login sessions, a rate limit on guessing, the login page.

Every route needs a logged-in user except the login page, the health check, static assets,
the public survey form and the JSON API (which checks bearer tokens itself); see ``guard``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import func, select, text
from dashboard.passwords import hash_password, verify_password
from sql import repo
from sql.engine import session_scope
from sql.models import LoginAttempt

log = logging.getLogger(__name__)

LOCKOUT_WINDOW = dt.timedelta(minutes=15)
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.health", "static", "_dash_assets.static"})
# /s/: the survey form (its links are the credential); /api/: the JSON API (bearer tokens, dashboard.api).
PUBLIC_PREFIXES = ("/assets/", "/static/", "/s/", "/api/")
# A hash to compare against when the account does not exist, so both cases take as long.
_DUMMY_HASH = hash_password("steerco-no-such-user")

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()
csrf = CSRFProtect()


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of a password hash, kept in the session: a new password (set by the
    user's administrator) changes it, which ends every session opened with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CurrentUser(UserMixin):
    id: int
    email: str
    role: str
    provider_id: int | None
    provider_name: str | None
    stamp: str = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.stamp}"

    @classmethod
    def of(cls, u) -> CurrentUser:
        """The session user of stored user ``u``."""
        return cls(u.id, u.email, u.role, u.provider_id, u.provider.name if u.provider else None,
                   password_stamp(u.password_hash))

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _engine():
    return current_app.extensions["steerco.engine"]


@login_manager.user_loader
def load_user(user_id: str) -> CurrentUser | None:
    """The session's user, if still active and with the password the session was opened with
    (role and provider are read afresh on every request, so changes apply at once)."""
    uid_text, _, stamp = user_id.partition(":")
    try:
        uid = int(uid_text)
    except ValueError:
        return None
    with session_scope(_engine()) as session:
        u = repo.get_user(session, uid)
        if u is None or not u.active or not hmac.compare_digest(stamp, password_stamp(u.password_hash)):
            return None
        return CurrentUser.of(u)


def _client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _too_many_failures(session, address: str, email: str) -> bool:
    since = dt.datetime.now(dt.timezone.utc) - LOCKOUT_WINDOW
    limit = current_app.config["STEERCO_LOGIN_ATTEMPTS"]
    failures = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
    by_address = session.scalar(failures.where(LoginAttempt.address == address))
    by_email = session.scalar(failures.where(LoginAttempt.email == email))
    # An address may mistype a few accounts; one account may be attacked from many addresses.
    return by_address >= limit * 4 or by_email >= limit


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url)
        return render_template("login.html", error=None, email="", next=next_url)
    csrf.protect()
    email = (request.form.get("email") or "").strip().lower()[:320]
    password = request.form.get("password") or ""
    address = _client_address()
    with session_scope(_engine()) as session:
        if _too_many_failures(session, address, email):
            log.warning("login refused for %s from %s: too many failures", email, address)
            return render_template("login.html", email=email, next=next_url,
                                   error="Too many failed attempts. Wait 15 minutes and try again."), 429
        user = repo.find_user(session, email) if email else None
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password) and bool(user and user.active)
        session.add(LoginAttempt(address=address, email=email, succeeded=ok))
        if ok:
            loaded = CurrentUser.of(user)
    if not ok:
        return render_template("login.html", email=email, next=next_url,
                               error="Wrong email or password."), 200
    login_user(loaded)
    log.info("login %s", email)
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    csrf.protect()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/health")
def health():
    try:
        with _engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # report, never raise: this is what a load balancer polls
        log.error("health check failed: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def guard():
    """Refuse anonymous requests: pages redirect to the login, Dash endpoints and POSTs get 401."""
    if current_user.is_authenticated:
        return None
    if request.endpoint in PUBLIC_ENDPOINTS or request.path.startswith(PUBLIC_PREFIXES):
        return None
    if request.method not in ("GET", "HEAD") or request.path.startswith("/_dash-"):
        return jsonify(error={"status": 401, "message": "log in first"}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _csrf_failed(exc: CSRFError):
    return render_template("error.html", title="This form has expired",
                           message="Reload the page and try again."), 400


def init_auth(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # forms call csrf.protect() themselves
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.before_request(guard)
    app.register_error_handler(CSRFError, _csrf_failed)
