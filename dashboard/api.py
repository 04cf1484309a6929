"""The JSON API under ``/api/``: bearer tokens, not logins (docs/surveys.md § API).

Every answer that is not a success has one shape, whatever went wrong::

    {"error": {"status": 400, "message": "one sentence for a person", "fields": {"email": "…"}}}

``fields`` names each bad field of the request body (empty when the problem is not a field).
A request without a valid token gets 401 before anything else is looked at, on every path
under ``/api/`` (known or not).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import insert, select, update

from scorecard import facts as F
from scorecard.errors import BadInput, SteercoError
from sql.models import ApiToken, AuditEntry
from sql.repo import normalise_email
from surveys.i18n import LANGUAGES
from surveys.invitations import InviteRequest, ProviderRef, invite_ticket, link_url, provider_by_id, provider_ref, void_ticket
from surveys.tokens import same_hash, token_hash

log = logging.getLogger(__name__)
PREFIX = "/api/"
SCOPE_INVITATIONS = "survey-invitations"
SCOPES = (SCOPE_INVITATIONS,)
MAX_BODY = 64 * 1024
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
bp = Blueprint("api", __name__, url_prefix="/api")


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, dict(fields or {})


def error_response(status: int, message: str, fields: dict[str, str] | None = None):
    """The one error shape of the API."""
    response = jsonify(error={"status": status, "message": message, "fields": dict(fields or {})})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="steerco"'
    return response


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    provider_id: int | None

    @property
    def actor(self) -> str:
        return f"api:{self.name}"


def _engine():
    return current_app.extensions["steerco.engine"]


def _authenticate(scope: str) -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "an API token is required: send the header 'Authorization: Bearer TOKEN' "
                            "(an administrator creates tokens with `steerco token create`)")
    wanted = token_hash(token)
    with _engine().begin() as conn:
        row = conn.execute(select(ApiToken.id, ApiToken.name, ApiToken.scope, ApiToken.provider_id,
                                  ApiToken.token_hash, ApiToken.revoked_at)
                           .where(ApiToken.token_hash == wanted)).first()
        if row is None or row.revoked_at is not None or not same_hash(row.token_hash, wanted):
            raise ApiError(401, "this API token is not valid: it is unknown or was revoked")
        if row.scope != scope:
            raise ApiError(403, f"this API token has the scope {row.scope!r}; this endpoint needs {scope!r}")
        conn.execute(update(ApiToken).where(ApiToken.id == row.id)
                     .values(last_used_at=dt.datetime.now(dt.timezone.utc)))
    return Caller(row.id, row.name, row.provider_id)


def _json_body() -> dict:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, f"the request body is larger than {MAX_BODY // 1024} KiB")
    if request.mimetype != "application/json":
        raise ApiError(415, "send the request body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"the request body is larger than {MAX_BODY // 1024} KiB")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def _text(body: dict, name: str, fields: dict[str, str], *, required: bool = False, limit: int = 200) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            fields[name] = "required"
        return None
    if not isinstance(value, str) or not value.strip():
        fields[name] = "must be a non-empty string"
        return None
    if len(value) > limit:
        fields[name] = f"must be at most {limit} characters"
        return None
    return value.strip()


INVITE_FIELDS = {"provider", "ticket_id", "email", "language", "resolved_at", "status", "priority", "category",
                 "requester", "requester_group", "reopen_count"}


def _invite_request(body: dict) -> tuple[str | None, InviteRequest]:
    fields: dict[str, str] = {name: "unknown field" for name in sorted(set(body) - INVITE_FIELDS)}
    provider = _text(body, "provider", fields)
    ticket_id = _text(body, "ticket_id", fields, required=True)
    email = _text(body, "email", fields, limit=320)
    if email is not None:
        try:
            email = normalise_email(email)
        except BadInput:
            fields["email"] = "not an email address"
    language = _text(body, "language", fields, limit=16)
    if language is not None and language.lower() not in LANGUAGES:
        fields["language"] = f"must be one of {', '.join(LANGUAGES)}"
    resolved_at = None
    raw_resolved = _text(body, "resolved_at", fields, limit=40)
    if raw_resolved is not None:
        try:
            resolved_at = dt.datetime.fromisoformat(raw_resolved.replace("Z", "+00:00"))
        except ValueError:
            resolved_at = None
        if resolved_at is None or resolved_at.tzinfo is None:
            fields["resolved_at"] = "must be an ISO 8601 time with a zone, e.g. 2026-05-04T09:30:00Z"
            resolved_at = None
        else:
            resolved_at = resolved_at.astimezone(dt.timezone.utc)
    status = _text(body, "status", fields, limit=16)
    if status is not None and status not in F.TICKET_STATUSES:
        fields["status"] = f"must be one of {', '.join(F.TICKET_STATUSES)}"
    priority = _text(body, "priority", fields, limit=8)
    if priority is not None and priority not in F.PRIORITIES:
        fields["priority"] = f"must be one of {', '.join(F.PRIORITIES)}"
    reopen_count = body.get("reopen_count")
    if reopen_count is not None and (not isinstance(reopen_count, int) or isinstance(reopen_count, bool)
                                     or reopen_count < 0):
        fields["reopen_count"] = "must be a whole number, 0 or more"
    request_ = InviteRequest(
        ticket_id=ticket_id or "", email=email, language=language.lower() if language else None,
        resolved_at=resolved_at, status=status, priority=priority,
        category=_text(body, "category", fields), requester=_text(body, "requester", fields, limit=320),
        requester_group=_text(body, "requester_group", fields), reopen_count=reopen_count)
    if fields:
        raise ApiError(400, "the request has invalid fields", fields)
    return provider, request_


def _provider_for(conn, caller: Caller, name: str | None) -> ProviderRef:
    if caller.provider_id is not None:
        bound = provider_by_id(conn, caller.provider_id)
        if name is not None and name != bound.name:
            raise ApiError(403, f"this API token may only invite for provider {bound.name!r}", {"provider": "not allowed"})
        return bound
    if name is None:
        raise ApiError(400, "name the provider: this token is not bound to one", {"provider": "required"})
    try:
        return provider_ref(conn, name)
    except SteercoError:
        raise ApiError(404, f"no provider named {name!r}", {"provider": "unknown provider"}) from None


def _base_url() -> str:
    return getattr(current_app.extensions.get("steerco.config"), "public_url", None) or request.host_url.rstrip("/")


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _create_invitation(caller: Caller):
    name, req = _invite_request(_json_body())
    with _engine().begin() as conn:
        provider = _provider_for(conn, caller, name)
        try:
            outcome = invite_ticket(conn, provider, req, actor=caller.actor, channel="api")
        except BadInput as exc:
            field = getattr(exc, "field", None)
            raise ApiError(400, str(exc), {field: str(exc)} if field else {}) from None
        except SteercoError as exc:  # e.g. the provider's questionnaire is not loaded
            raise ApiError(exc.http_status, str(exc)) from None
    if not outcome.invited:
        return jsonify(invited=False, ticket_id=outcome.ticket_id, reason=outcome.reason,
                       message=outcome.message), 200
    return jsonify(invited=True, invitation={
        "id": outcome.invitation_id, "ticket_id": outcome.ticket_id, "provider": provider.name,
        "link": link_url(_base_url(), outcome.token or ""), "delivery": outcome.delivery,
        "language": outcome.language, "send_after": _iso(outcome.send_after),
        "expires_at": _iso(outcome.expires_at)}), 201


def _void_invitation(caller: Caller):
    body = _json_body()
    fields: dict[str, str] = {name: "unknown field" for name in sorted(set(body) - {"provider", "ticket_id"})}
    name = _text(body, "provider", fields)
    ticket_id = _text(body, "ticket_id", fields, required=True)
    if fields:
        raise ApiError(400, "the request has invalid fields", fields)
    with _engine().begin() as conn:
        provider = _provider_for(conn, caller, name)
        voided = void_ticket(conn, provider.id, ticket_id or "")
    return jsonify(ticket_id=ticket_id, provider=provider.name, voided=voided), 200


def _guarded(scope: str, allowed: str, action):
    try:
        caller = _authenticate(scope)
        if request.method != allowed:
            raise ApiError(405, f"use {allowed} on this endpoint")
        return action(caller)
    except ApiError as exc:
        return error_response(exc.status, exc.message, exc.fields)
    except Exception:  # never a traceback or an HTML page to an API client
        log.exception("API request %s %s failed", request.method, request.path)
        return error_response(500, "the request failed on the server; the error has been logged")


@bp.route("/v1/survey-invitations", methods=METHODS)
def survey_invitations():
    """Invite the requester of a resolved ticket (POST)."""
    return _guarded(SCOPE_INVITATIONS, "POST", _create_invitation)


@bp.route("/v1/survey-invitations/void", methods=METHODS)
def survey_invitations_void():
    """Void the unanswered invitation of a reopened ticket (POST)."""
    return _guarded(SCOPE_INVITATIONS, "POST", _void_invitation)


@bp.route("/", methods=METHODS, defaults={"_rest": ""})
@bp.route("/<path:_rest>", methods=METHODS)
def unknown(_rest: str):
    return _guarded(SCOPE_INVITATIONS, request.method, lambda _caller: error_response(404, "no such API endpoint"))


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_api(app: Flask) -> None:
    app.register_blueprint(bp)


def create_token(conn, name: str, scope: str, *, provider_id: int | None, actor: str) -> str:
    """Create an API token; returns the token, which is shown once and stored only as a hash."""
    name = name.strip()
    if not name or len(name) > 200:
        raise BadInput("a token needs a name of 1 to 200 characters (say which tool uses it)")
    if scope not in SCOPES:
        raise BadInput(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    taken = conn.scalar(select(ApiToken.id).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
    if taken is not None:
        raise BadInput(f"an active token named {name!r} exists: revoke it first or choose another name")
    token = "stc_" + secrets.token_urlsafe(32)
    conn.execute(insert(ApiToken).values(name=name, token_hash=token_hash(token), scope=scope,
                                         provider_id=provider_id, created_by=actor))
    conn.execute(insert(AuditEntry).values(actor=actor, action="token.create", target=name,
                                           details=json.dumps({"scope": scope, "provider_id": provider_id})))
    return token


def revoke_token(conn, name: str, *, actor: str) -> int:
    done = conn.execute(update(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
                        .values(revoked_at=dt.datetime.now(dt.timezone.utc))).rowcount
    if done:
        conn.execute(insert(AuditEntry).values(actor=actor, action="token.revoke", target=name, details="{}"))
    return done
