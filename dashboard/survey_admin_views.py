"""Questionnaire management for administrators: plain server-rendered pages and forms
(Flask + Jinja, CSRF-protected), in the frame of ``templates/app.html``.

| route | what |
|---|---|
| ``GET /admin/questionnaires`` | every loaded version (mode, languages, questions, which providers' new invitations use it, invitations and responses), the shipped ones not loaded yet, each provider's survey settings, and the upload form |
| ``POST /admin/questionnaires`` | load a new version from a TOML file, checked exactly as ``steerco survey questionnaire load`` checks it (one shared function, ``surveys.library.store_questionnaire``): every problem named with its key and line, nothing stored on error, a loaded version never changed (a change is a new version) |
| ``GET /admin/questionnaires/<key>/<version>`` | one version: its questions with type, required, measure and every translation side by side; its TOML |
| ``GET /admin/questionnaires/<key>/<version>/source`` | the TOML as loaded, to download, change and load as the next version |
| ``GET/POST /admin/questionnaires/providers/<id>`` | a provider's questionnaire (its newest version is used for new invitations) and invitation rules, audited (``survey.settings``) |

Administrators only, on every route and method; anything else gets the error page (403).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, Response, flash, redirect, request
from sqlalchemy import func, select

from dashboard import access, views
from dashboard.auth import csrf
from scorecard.errors import BadInput, InvalidInput, NotFound, SteercoError
from sql.models import Provider
from sql.survey_models import SurveyInvitation, SurveyQuestionnaire, SurveyResponse
from surveys.i18n import LANGUAGE_NAMES, LANGUAGES
from surveys.library import ensure_questionnaire, list_questionnaires, questionnaire_by_id, store_questionnaire
from surveys.questionnaire import shipped_sources
from surveys.rules import SurveySettings, read_settings, write_settings

log = logging.getLogger(__name__)
bp = Blueprint("survey_admin", __name__)
ADMIN = frozenset({"admin"})
PATH = "/admin/questionnaires"
MAX_UPLOAD = 1024 * 1024
NUMBERS = {"delay_hours": float, "sample_rate": float, "fatigue_days": int, "expiry_days": int,
           "reminder_days": int, "max_age_days": int}


# ---------------------------------------------------------------------- reading

def version_rows(conn) -> list[dict]:
    """Every loaded version (``list_questionnaires``, as the CLI lists them) with its id, the
    providers whose new invitations use it, and its invitations and responses."""
    q, i, r = SurveyQuestionnaire, SurveyInvitation, SurveyResponse
    ids = {(k, v): qid for qid, k, v in conn.execute(select(q.id, q.key, q.version))}
    invited = dict(conn.execute(select(i.questionnaire_id, func.count()).group_by(i.questionnaire_id)).all())
    answered = dict(conn.execute(select(r.questionnaire_id, func.count()).group_by(r.questionnaire_id)).all())
    listed = list_questionnaires(conn)
    newest: dict[str, int] = {}
    for row in listed:
        newest[row["key"]] = max(newest.get(row["key"], 0), row["version"])
    users = providers_by_questionnaire(conn)
    out = []
    for row in listed:
        qid = ids[(row["key"], row["version"])]
        out.append({**row, "id": qid, "invitations": invited.get(qid, 0), "responses": answered.get(qid, 0),
                    "newest": row["version"] == newest[row["key"]],
                    "used_by": users.get(row["key"], []) if row["version"] == newest[row["key"]] else [],
                    "languages": row["languages"].split(",")})
    return out


def provider_settings(conn) -> list[tuple[object, SurveySettings]]:
    providers = conn.execute(select(Provider.id, Provider.name, Provider.kind).order_by(Provider.name)).all()
    return [(p, read_settings(conn, p.id, p.kind)) for p in providers]


def providers_by_questionnaire(conn) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p, settings in provider_settings(conn):
        out.setdefault(settings.questionnaire, []).append(p.name)
    return out


def questionnaire_keys(conn) -> list[str]:
    """Keys a provider may choose: those loaded and those that ship with steerco."""
    loaded = conn.scalars(select(SurveyQuestionnaire.key).distinct()).all()
    return sorted(set(loaded) | set(shipped_sources()))


# ---------------------------------------------------------------------- where a problem is in the file

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")


def _assigns(line: str, name: str) -> bool:
    """``name = …`` or a dotted ``name.en = …``."""
    return re.match(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*[=.]", line) is not None


def locate(text: str, where: str | None) -> int | None:
    """The line (from 1) of the TOML ``text`` that a problem's key points at
    (``version``, ``title.fr``, ``questions.satisfaction.high``, ``questions[2].key``), or None."""
    if not where:
        return None
    lines = text.splitlines()
    heads = [(i, m.group(2).strip(), m.group(1) == "[[") for i, line in enumerate(lines)
             if (m := _HEADER.match(line))]
    bounds = [h[0] for h in heads] + [len(lines)]
    sections = [(name, array, start, bounds[n + 1]) for n, (start, name, array) in enumerate(heads)]
    top_end = heads[0][0] if heads else len(lines)
    parts = where.split(".")
    first = re.match(r"^([a-z_0-9]+)(?:\[(\d+)\])?$", parts[0])
    if first is None:
        return None
    name, index = first.group(1), first.group(2)
    if name != "questions":
        for i in range(top_end):
            if _assigns(lines[i], name):
                return i + 1
        for sname, _array, start, end in sections:
            if sname == name:
                for i in range(start + 1, end):
                    if len(parts) > 1 and _assigns(lines[i], parts[1]):
                        return i + 1
                return start + 1
        return None
    blocks = []   # each [[questions]] with the [[questions.options]] tables that follow it
    for sname, array, start, end in sections:
        if sname == "questions" and array:
            blocks.append([start, end])
        elif sname.startswith("questions.") and blocks:
            blocks[-1][1] = end
    if not blocks:
        return None
    if index is not None:
        block, rest = (blocks[int(index)] if int(index) < len(blocks) else None), parts[1:]
    else:
        key = parts[1] if len(parts) > 1 else None
        block = next((b for b in blocks if key and any(
            re.match(rf"^\s*key\s*=\s*[\"']{re.escape(key)}[\"']", lines[i]) for i in range(b[0], b[1]))), None)
        rest = parts[2:]
    if block is None:
        return blocks[0][0] + 1
    if rest:
        field = re.sub(r"\[\d+\]$", "", rest[0])
        if field == "options" and len(rest) > 1:
            for i in range(block[0], block[1]):
                if re.search(rf"key\s*=\s*[\"']{re.escape(rest[1])}[\"']", lines[i]):
                    return i + 1
        elif len(rest) > 1:
            for i in range(block[0], block[1]):
                if _assigns(lines[i], f"{field}.{rest[1]}"):
                    return i + 1
        for i in range(block[0], block[1]):
            if _assigns(lines[i], field) or (field == "options" and "questions.options" in lines[i]):
                return i + 1
    return block[0] + 1


def upload_problems(exc: BadInput, text: str | None) -> list[dict]:
    """Each problem of a refused file as {line, key, message} for the page."""
    if not isinstance(exc, InvalidInput) or not exc.problems:
        return []
    out = []
    for p in exc.problems:
        shown = "" if p.value is None else f" (value {str(p.value)[:80]!r})"
        out.append({"line": locate(text or "", p.column), "key": p.column, "message": p.message + shown})
    return out


# ---------------------------------------------------------------------- pages

def _list_page(status: int = 200, *, upload_error: BadInput | None = None, text: str | None = None):
    with access.engine().connect() as conn:
        rows = version_rows(conn)
        settings = provider_settings(conn)
        loaded = {r["key"] for r in rows}
    shipped = [k for k in shipped_sources() if k not in loaded]
    error = None
    if upload_error is not None:
        summary = upload_error.summary if isinstance(upload_error, InvalidInput) else str(upload_error)
        error = {"summary": summary, "problems": upload_problems(upload_error, text)}
    return views.render_page("survey_admin/list.html", status, versions=rows, settings=settings,
                             shipped=shipped, error=error, languages=LANGUAGE_NAMES)


def _uploaded() -> tuple[str, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadInput("choose the questionnaire's TOML file to load")
    content = upload.stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise BadInput(f"{upload.filename}: larger than 1 MB; a questionnaire is a short text file")
    try:
        return content.decode("utf-8"), upload.filename
    except UnicodeDecodeError:
        raise BadInput(f"{upload.filename}: not a UTF-8 text file; save the questionnaire as UTF-8 TOML") from None


@bp.route(PATH, methods=["GET", "POST"])
def questionnaires():
    try:
        who = views.require(ADMIN, "manage questionnaires")
        if request.method == "GET":
            return _list_page()
        csrf.protect()
        text = None
        try:
            text, name = _uploaded()
            with access.engine().begin() as conn:
                q, _qid, created = store_questionnaire(conn, text, source=name, actor=who.email)
        except BadInput as exc:
            log.info("questionnaire upload refused: %s", exc)
            return _list_page(upload_error=exc, text=text)
    except SteercoError as exc:
        return views.refuse(exc)
    if created:
        flash(f"Loaded {q.ref}: {len(q.questions)} questions, {q.mode}, in {', '.join(q.languages)}.")
    else:
        flash(f"{q.ref} was already loaded with exactly this text: nothing changed.")
    return redirect(f"{PATH}/{q.key}/{q.version}", code=303)


def _version(conn, key: str, version: int):
    row = conn.execute(select(SurveyQuestionnaire.id, SurveyQuestionnaire.sha256, SurveyQuestionnaire.source,
                              SurveyQuestionnaire.loaded_at, SurveyQuestionnaire.loaded_by)
                       .where(SurveyQuestionnaire.key == key, SurveyQuestionnaire.version == version)).first()
    if row is None:
        raise NotFound(f"no version {version} of questionnaire {key[:64]!r} is loaded")
    return row


@bp.route(f"{PATH}/<key>/<int:version>")
def version_page(key: str, version: int):
    try:
        views.require(ADMIN, "manage questionnaires")
        with access.engine().connect() as conn:
            row = _version(conn, key, version)
            q = questionnaire_by_id(conn, row.id, row.sha256)
            info = next(r for r in version_rows(conn) if r["id"] == row.id)
        return views.render_page("survey_admin/version.html", q=q, info=info, source=row.source,
                                 loaded_at=row.loaded_at, loaded_by=row.loaded_by, languages=LANGUAGE_NAMES)
    except SteercoError as exc:
        return views.refuse(exc)


@bp.route(f"{PATH}/<key>/<int:version>/source")
def version_source(key: str, version: int):
    try:
        views.require(ADMIN, "manage questionnaires")
        with access.engine().connect() as conn:
            row = _version(conn, key, version)
    except SteercoError as exc:
        return views.refuse(exc)
    response = Response(row.source, mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{key}-v{version}.toml"'
    return response


# ---------------------------------------------------------------------- a provider's settings

def parse_settings(form, keys: list[str]) -> dict:
    """The settings form as typed values; BadInput naming every field that is not a value."""
    problems, out = [], {}
    choice = (form.get("questionnaire") or "").strip()
    if choice not in keys:
        problems.append(f"questionnaire: choose one of {', '.join(keys)}")
    out["questionnaire"] = choice
    out["auto_invite"] = form.get("auto_invite") == "on"
    for name, kind in NUMBERS.items():
        raw = (form.get(name) or "").strip()
        try:
            out[name] = kind(raw)
        except ValueError:
            problems.append(f"{name}: {'a whole number' if kind is int else 'a number'} is needed, not {raw[:40]!r}")
    language = form.get("language") or ""
    if language not in LANGUAGES:
        problems.append(f"language: choose one of {', '.join(LANGUAGES)}")
    out["language"] = language
    for name in ("exclude_categories", "staff_groups"):
        out[name] = tuple(v.strip() for v in re.split(r"[,\n]", form.get(name) or "") if v.strip())
    if problems:
        raise BadInput("; ".join(problems))
    return out


def _provider(conn, provider_id: int):
    p = conn.execute(select(Provider.id, Provider.name, Provider.kind).where(Provider.id == provider_id)).first()
    if p is None:
        raise NotFound(f"there is no provider {provider_id}")
    return p


def _settings_page(provider_id: int, *, error: str | None = None, values: dict | None = None, status: int = 200):
    with access.engine().connect() as conn:
        p = _provider(conn, provider_id)
        current = read_settings(conn, p.id, p.kind)
        keys = questionnaire_keys(conn)
        newest = {r["key"]: r["version"] for r in version_rows(conn) if r["newest"]}
    shown = values if values is not None else {
        **current.as_dict(), "delay_hours": f"{current.delay_hours:g}", "sample_rate": f"{current.sample_rate:g}",
        "exclude_categories": ", ".join(current.exclude_categories), "staff_groups": ", ".join(current.staff_groups)}
    return views.render_page("survey_admin/settings.html", status, provider=p, values=shown, keys=keys,
                             newest=newest, error=error, languages=LANGUAGE_NAMES)


@bp.route(f"{PATH}/providers/<int:provider_id>", methods=["GET", "POST"])
def settings(provider_id: int):
    try:
        who = views.require(ADMIN, "change survey settings")
        if request.method == "GET":
            return _settings_page(provider_id)
        csrf.protect()
        try:
            with access.engine().begin() as conn:
                p = _provider(conn, provider_id)
                wanted = parse_settings(request.form, questionnaire_keys(conn))
                current = read_settings(conn, p.id, p.kind).as_dict()
                changes = {k: v for k, v in wanted.items()
                           if (list(v) if isinstance(v, tuple) else v) != current[k]}
                if "questionnaire" in changes:
                    ensure_questionnaire(conn, changes["questionnaire"], actor=who.email)
                if changes:
                    write_settings(conn, p.id, p.kind, actor=who.email, target=p.name, **changes)
        except BadInput as exc:
            log.info("survey settings of provider %s refused: %s", provider_id, exc)
            return _settings_page(provider_id, error=str(exc), values=request.form.to_dict())
    except SteercoError as exc:
        return views.refuse(exc)
    flash(f"Saved the survey settings of {p.name}: changed {', '.join(sorted(changes))}." if changes
          else f"Nothing changed in the survey settings of {p.name}.")
    return redirect(f"{PATH}#providers", code=303)


@bp.after_request
def _headers(response):
    if request.path.startswith(PATH):
        for name, value in views.HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init(app: Flask) -> None:
    app.register_blueprint(bp)
