"""Administration: users and roles, API tokens, the audit log (server-rendered, administrators only).

| route | what |
|---|---|
| ``GET /admin/users``, ``POST /admin/users`` | the users; add one |
| ``GET /admin/users/<id>`` | one user: change role and provider, deactivate or reactivate, reset the password |
| ``POST /admin/users/<id>/role``, ``/active``, ``/password`` | those changes |
| ``GET /admin/tokens``, ``POST /admin/tokens`` | the API tokens; create one (its value is shown once) |
| ``POST /admin/tokens/<id>/revoke`` | revoke a token: the API refuses it from then on |
| ``GET /admin/audit``, ``GET /admin/audit.csv`` | the audit log, filtered and paged; as CSV |

Only administrators: anyone else gets the 403 page (before anything is read or changed, and
for POSTs before the CSRF check). Every form is a CSRF-protected POST; bad input re-renders
the page with a message next to each wrong field and changes nothing (status 200); every change
writes an audit entry. The rules are the CLI's (``steerco user add``, ``steerco token create``),
implemented once in ``sql.repo``, ``sql.admin`` and ``dashboard.api``. The hub is the Dash
page ``/admin`` (``dashboard.pages.admin``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, flash, redirect, request

from dashboard import access, views
from dashboard.views import when
from dashboard.api import SCOPES, create_token, revoke_token
from dashboard.auth import csrf
from dashboard.passwords import MIN_PASSWORD, check_password_strength, hash_password
from scorecard.errors import BadInput, SteercoError
from sql import admin as store
from sql.engine import session_scope
from sql.models import ROLES
from surveys.exports import neutralise

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)
ADMIN = frozenset({"admin"})
HEADERS = views.HEADERS
ROLE_HELP = {
    "admin": "imports data, agrees scorecards and targets, manages users and tokens",
    "executive": "reads every provider's scorecard and comments on it",
    "reviewer": "the retained CIO: runs the annual competence reviews",
    "provider": "sees only its own provider's scorecard and may comment on it",
}
SCOPE_HELP = {"survey-invitations": "create and void survey invitations (POST /api/v1/survey-invitations)"}
CSV_COLUMNS = ("at", "actor", "action", "target", "details")


def detail_text(entry: dict) -> str:
    """An audit entry's details as ``key: value · key: value``."""
    found = store.details(entry)
    return " · ".join(f"{k}: {'—' if v is None else v}" for k, v in found.items())


def _page(template: str, status: int = 200, **context):
    return views.render_page(template, status, when=when, role_names=store.ROLE_NAMES, **context)


def _admin(doing: str):
    return views.require(ADMIN, doing)


def _post(doing: str, change, bad):
    """A form's POST: administrators only, then the CSRF check, then ``change(who)``; bad input
    becomes ``bad(errors)`` (``errors`` by field; ``form`` for the form as a whole)."""
    try:
        who = _admin(doing)
        csrf.protect()
        try:
            return change(who)
        except store.FieldErrors as exc:
            log.info("admin: %s refused: %s", doing, exc)
            return bad(exc.fields)
        except BadInput as exc:
            log.info("admin: %s refused: %s", doing, exc)
            return bad({"form": str(exc)})
    except SteercoError as exc:
        return views.refuse(exc)


def _done(message: str, where: str):
    flash(message)
    return redirect(where, code=303)


def _new_password(form) -> tuple[str, dict[str, str]]:
    """The password of a form (``password`` and ``password_confirm``) and what is wrong with it."""
    password, again = form.get("password", ""), form.get("password_confirm", "")
    errors: dict[str, str] = {}
    try:
        check_password_strength(password)
    except BadInput as exc:
        errors["password"] = str(exc)
    else:
        if again != password:
            errors["password_confirm"] = "the two passwords differ: type the same password twice"
    return password, errors


# ---------------------------------------------------------------------- users

def _users_page(errors: dict | None = None, values: dict | None = None):
    with session_scope(access.engine()) as session:
        users = store.list_users(session)
        providers = store.provider_names(session)
    return _page("admin/users.html", users=users, providers=providers, roles=ROLES, role_help=ROLE_HELP,
                 errors=errors or {}, values=values or {}, min_password=MIN_PASSWORD)


@bp.route("/admin/users", methods=["GET"])
def users():
    try:
        _admin("manage users")
        return _users_page()
    except SteercoError as exc:
        return views.refuse(exc)


@bp.route("/admin/users", methods=["POST"])
def add_user():
    form = request.form
    values = {k: form.get(k, "") for k in ("email", "role", "provider")}

    def change(who):
        password, errors = _new_password(form)
        hashed = "" if errors else hash_password(password)
        with session_scope(access.engine()) as session:
            user = store.add_user(session, values["email"], values["role"], hashed, values["provider"] or None,
                                  actor=who.email, errors=errors)
            email, role = user.email, user.role
        scope = f" for {values['provider']}" if values["provider"] else ""
        return _done(f"Added {email} as {store.ROLE_NAMES[role].lower()}{scope}. They can log in now.",
                     "/admin/users")

    return _post("add users", change, lambda errors: _users_page(errors, values))


def _user_page(user_id: int, *, form: str = "", errors: dict | None = None, values: dict | None = None):
    who = access.user()
    with session_scope(access.engine()) as session:
        user = store.get_user(session, user_id)
        shown = {"id": user.id, "email": user.email, "role": user.role, "active": user.active,
                 "provider": user.provider.name if user.provider else "", "created_at": user.created_at}
        providers = store.provider_names(session)
    return _page("admin/user.html", user=shown, providers=providers, roles=ROLES, role_help=ROLE_HELP,
                 is_self=user_id == who.id, form=form, errors=errors or {}, values=values or {},
                 min_password=MIN_PASSWORD)


@bp.route("/admin/users/<int:user_id>")
def user(user_id: int):
    try:
        _admin("manage users")
        return _user_page(user_id)
    except SteercoError as exc:
        return views.refuse(exc)


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
def user_role(user_id: int):
    values = {k: request.form.get(k, "") for k in ("role", "provider")}

    def change(who):
        with session_scope(access.engine()) as session:
            user = store.get_user(session, user_id)
            changed = store.change_role(session, user, values["role"], values["provider"] or None,
                                        actor=who.email, actor_id=who.id)
            email = user.email
        scope = f" for {values['provider']}" if values["provider"] else ""
        text = (f"{email} is now {store.ROLE_NAMES[values['role']].lower()}{scope}." if changed
                else f"Nothing changed: {email} already is {store.ROLE_NAMES[values['role']].lower()}{scope}.")
        return _done(text, f"/admin/users/{user_id}")

    return _post("change roles", change,
                 lambda errors: _user_page(user_id, form="role", errors=errors, values=values))


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    wanted = request.form.get("active", "")

    def change(who):
        if wanted not in ("0", "1"):
            raise store.FieldErrors({"active": "say whether to deactivate or reactivate the user"})
        with session_scope(access.engine()) as session:
            user = store.get_user(session, user_id)
            changed = store.set_active(session, user, wanted == "1", actor=who.email, actor_id=who.id)
            email = user.email
        if not changed:
            text = f"Nothing changed: {email} already is {'active' if wanted == '1' else 'deactivated'}."
        elif wanted == "1":
            text = f"Reactivated {email}: they can log in again."
        else:
            text = f"Deactivated {email}: they cannot log in, and their open sessions have ended."
        return _done(text, f"/admin/users/{user_id}")

    return _post("deactivate users", change, lambda errors: _user_page(user_id, form="active", errors=errors))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    def change(who):
        password, errors = _new_password(request.form)
        with session_scope(access.engine()) as session:
            user = store.get_user(session, user_id)
            if errors:
                raise store.FieldErrors(errors)
            store.set_password(session, user, hash_password(password), actor=who.email)
            email = user.email
        return _done(f"Set a new password for {email}. Give it to them in person or by another safe channel.",
                     f"/admin/users/{user_id}")

    return _post("reset passwords", change, lambda errors: _user_page(user_id, form="password", errors=errors))


# ---------------------------------------------------------------------- API tokens

def _tokens_page(errors: dict | None = None, values: dict | None = None, created: dict | None = None,
                 status: int = 200):
    with session_scope(access.engine()) as session:
        tokens = store.list_tokens(session)
        providers = store.provider_names(session)
    return _page("admin/tokens.html", status, tokens=tokens, providers=providers, scopes=SCOPES,
                 scope_help=SCOPE_HELP, errors=errors or {}, values=values or {}, created=created)


@bp.route("/admin/tokens", methods=["GET"])
def tokens():
    try:
        _admin("manage API tokens")
        return _tokens_page()
    except SteercoError as exc:
        return views.refuse(exc)


@bp.route("/admin/tokens", methods=["POST"])
def add_token():
    values = {k: request.form.get(k, "").strip() for k in ("name", "scope", "provider")}

    def change(who):
        if values["scope"] not in SCOPES:
            raise store.FieldErrors({"scope": f"choose what the token may do: {', '.join(SCOPES)}"})
        with session_scope(access.engine()) as session:
            pid = store.provider_id(session, values["provider"]) if values["provider"] else None
            try:  # exactly what `steerco token create` does: only the token's hash is stored
                secret = create_token(session.connection(), values["name"], values["scope"], provider_id=pid,
                                      actor=who.email)
            except BadInput as exc:  # the scope is checked above: what is left is about the name
                raise store.FieldErrors({"name": str(exc)}) from None
        log.info("admin: %s created API token %r", who.email, values["name"])
        created = {**values, "secret": secret}
        return _tokens_page(created=created)

    return _post("create API tokens", change, lambda errors: _tokens_page(errors, values))


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    def change(who):
        with session_scope(access.engine()) as session:
            token = store.get_token(session, token_id)
            name = token.name
            if token.revoked_at is not None:
                return _done(f"Nothing changed: the token {name!r} was already revoked.", "/admin/tokens")
            revoke_token(session.connection(), name, actor=who.email)
        return _done(f"Revoked the token {name!r}: the API refuses it from now on.", "/admin/tokens")

    return _post("revoke API tokens", change, lambda errors: _tokens_page({"form": "; ".join(errors.values())}))


# ---------------------------------------------------------------------- the audit log

def _filter_from_query() -> tuple[store.AuditFilter | None, dict, dict]:
    raw = {k: request.args.get(k, "") for k in ("actor", "action", "target", "from", "to")}
    try:
        flt = store.audit_filter(raw["actor"], raw["action"], raw["target"], raw["from"], raw["to"])
    except store.FieldErrors as exc:
        return None, raw, exc.fields
    return flt, raw, {}


def _page_number(errors: dict) -> int:
    text = request.args.get("page", "1").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        errors["page"] = f"not a page number: {text[:20]!r} (pages are numbered from 1)"
        return 1
    return int(text)


@bp.route("/admin/audit")
def audit():
    try:
        _admin("read the audit log")
        flt, raw, errors = _filter_from_query()
        number = _page_number(errors)
        rows, total, actions = [], 0, []
        with session_scope(access.engine()) as session:
            actions = store.audit_actions(session)
            if flt is not None and not errors:
                rows, total = store.audit_page(session, flt, number)
        pages = max(1, -(-total // store.AUDIT_PAGE_SIZE))
        query = flt.query() if flt else {}

        def link(n: int) -> str:
            return "/admin/audit?" + urlencode({**query, "page": n})

        return _page("admin/audit.html", rows=[{**r, "detail": detail_text(r)} for r in rows], total=total,
                     number=number, pages=pages, size=store.AUDIT_PAGE_SIZE, values=raw, errors=errors,
                     actions=actions, filtered=bool(query), link=link,
                     csv_link="/admin/audit.csv" + ("?" + urlencode(query) if query else ""))
    except SteercoError as exc:
        return views.refuse(exc)


def audit_csv_text(rows: list[dict]) -> str:
    """The entries as CSV, every cell that a spreadsheet would read as a formula neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        at = r["at"].astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        writer.writerow([neutralise(v) for v in (at, r["actor"], r["action"], r["target"],
                                                 json.dumps(store.details(r), sort_keys=True, ensure_ascii=False))])
    return out.getvalue()


@bp.route("/admin/audit.csv")
def audit_csv():
    try:
        who = _admin("download the audit log")
        flt, _raw, errors = _filter_from_query()
        if flt is None:
            raise BadInput("the filter is not right: " + "; ".join(errors.values()))
        with session_scope(access.engine()) as session:
            rows = store.audit_entries(session, flt)
    except SteercoError as exc:
        return views.refuse(exc)
    log.info("admin: %s downloaded %d audit entries", who.email, len(rows))
    response = Response(audit_csv_text(rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = f"steerco-audit-{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.after_request
def _headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init(app: Flask) -> None:
    app.register_blueprint(bp)
