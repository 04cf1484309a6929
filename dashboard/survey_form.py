"""The public survey form at ``/s/<token>``: plain HTML, no login, no JavaScript.

GET shows the questionnaire in the respondent's language (``?lang=``, else the invitation's,
else the browser's Accept-Language); ``?r=N`` pre-fills the first rating (one click from the
email). POST checks the CSRF token and every answer; a mistake re-renders the form with a
message per field and the answers kept, and nothing is stored. Statuses: 200 form, thank-you
page and a form with missing answers; 400 a malformed form (out-of-range values, unknown
fields, another questionnaire's form, an expired CSRF token); 404 an unknown link; 410 a
used, expired or void link; 413 too large; 415 not a form; 429 too many failures.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from flask import Blueprint, Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf

from dashboard.auth import csrf
from surveys import throttle
from surveys.i18n import LANGUAGE_NAMES, LANGUAGES, choose_language, message, number
from surveys.questionnaire import Questionnaire
from surveys.responses import Checked, FieldError, Found, check_answers, find_link, store_response
from surveys.tokens import looks_like_token

log = logging.getLogger(__name__)
bp = Blueprint("survey", __name__)
MAX_BODY = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}


def _engine():
    return current_app.extensions["steerco.engine"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _address() -> str:
    return (request.remote_addr or "unknown")[:64]


# Pages that depend only on the questionnaire and the language are rendered once per process
# (a blank form, with a placeholder for its CSRF token; the notices): the form is the hot path.
_pages: dict[tuple, str] = {}
_CSRF_SLOT = "\x00csrf\x00"


def _notice(kind: str, status: int, lang: str | None = None, *, body: str | None = None):
    lang = lang or choose_language(LANGUAGES, chosen=request.args.get("lang"),
                                   accept_language=request.headers.get("Accept-Language"))
    key = ("notice", kind, lang, body)
    page = _pages.get(key)
    if page is None:
        page = _pages[key] = render_template("survey/notice.html", lang=lang, kind=kind,
                                             title=message(lang, f"{kind}_title"),
                                             body=body or message(lang, f"{kind}_body"))
    return page, status


def _render_form(found: Found, lang: str, *, shown: dict[str, str], errors: dict[str, FieldError],
                 form_errors: list[FieldError], status: int = 200):
    q: Questionnaire = found.questionnaire
    if not shown and not errors and not form_errors:
        key = ("form", id(q), lang)
        page = _pages.get(key)
        if page is None:
            page = _pages[key] = _form_html(q, lang, shown={}, errors={}, form_errors=[], csrf=_CSRF_SLOT)
        return page.replace(_CSRF_SLOT, generate_csrf()), status
    return _form_html(q, lang, shown=shown, errors=errors, form_errors=form_errors, csrf=generate_csrf()), status


def _form_html(q: Questionnaire, lang: str, *, shown: dict[str, str], errors: dict[str, FieldError],
               form_errors: list[FieldError], csrf: str) -> str:
    t = functools.partial(message, lang)
    error_texts = {key: t(e.code, **_numbers(lang, e.values)) for key, e in errors.items()}
    anchors = {question.key: (f"q-{question.key}" if question.type == "text"
                              else f"q-{question.key}-{_first_value(question)}") for question in q.questions}
    return render_template(
        "survey/form.html", lang=lang, t=t, q=q, shown=shown, errors=error_texts, anchors=anchors,
        form_errors=[t(e.code, **_numbers(lang, e.values)) for e in form_errors], csrf_token=lambda: csrf,
        number=functools.partial(number, lang),
        languages=[(code, LANGUAGE_NAMES[code]) for code in q.languages])


def _numbers(lang: str, values: dict[str, object]) -> dict[str, object]:
    return {k: number(lang, v) if isinstance(v, int) and v >= 1000 else v for k, v in values.items()}


def _first_value(question) -> str:
    if question.type == "choice":
        return question.options[0].key
    if question.type == "yes_no":
        return "yes"
    return str(question.values[0])


def _prefill(q: Questionnaire) -> dict[str, str]:
    raw = request.args.get("r", "")
    first = q.first_scale_question()
    if first is not None and raw.isascii() and raw.isdigit() and int(raw) in first.values:
        return {first.key: str(int(raw))}
    return {}


@bp.route("/s/<token>", methods=["GET", "POST"])
def survey(token: str):
    now, address = _now(), _address()
    if request.method == "POST" and request.content_length is not None and request.content_length > MAX_BODY:
        return _too_large()
    engine = _engine()
    with engine.connect() as conn:
        found = find_link(conn, token, now=now, address=address) if looks_like_token(token) else None
        if found is None:
            guessing = throttle.address_blocked(conn, address, now=now)
        else:
            guessing = found.guesses >= throttle.UNKNOWN_PER_ADDRESS
    if guessing:
        return _notice("limited", 429)
    if found is None:
        with engine.begin() as conn:
            throttle.record_unknown(conn, address, now=now)
        log.info("survey: unknown link opened from %s", address)
        return _notice("unknown", 404)
    q = found.questionnaire
    chosen = request.args.get("lang") or (request.form.get("lang") if request.mimetype == FORM_TYPE else None)
    lang = choose_language(q.languages, chosen=chosen, invitation=found.language,
                           accept_language=request.headers.get("Accept-Language"))
    if found.state != "pending":
        return _notice(found.state, 410, lang)
    if request.method == "GET":
        return _render_form(found, lang, shown=_prefill(q), errors={}, form_errors=[])
    if request.mimetype != FORM_TYPE:
        return _notice("unreadable", 415, lang)
    if found.rejected >= throttle.FAILED_PER_INVITATION:
        return _notice("limited", 429, lang)
    return _submit(found, token, lang, now, address)


def _too_large():
    lang = choose_language(LANGUAGES, chosen=request.args.get("lang"),
                           accept_language=request.headers.get("Accept-Language"))
    return _notice("unreadable", 413, lang, body=message(lang, "too_large_body"))


def _submit(found: Found, token: str, lang: str, now: dt.datetime, address: str):
    form = request.form.to_dict(flat=False)
    checked: Checked = check_answers(found.questionnaire, form)
    try:
        csrf.protect()
    except CSRFError:
        checked.form_errors.insert(0, FieldError("err_expired_form", malformed=True))
    if not checked.ok:
        with _engine().begin() as conn:
            throttle.record_rejected(conn, address, found.target.invitation_id, now=now)
        return _render_form(found, lang, shown=checked.shown, errors=checked.errors,
                            form_errors=checked.form_errors, status=400 if checked.malformed else 200)
    with _engine().begin() as conn:
        stored = store_response(conn, found.target, found.questionnaire, checked.answers, lang, now=now)
    if not stored:
        with _engine().connect() as conn:
            again = find_link(conn, token, now=_now())
        state = again.state if again is not None and again.state != "pending" else "answered"
        return _notice(state, 410, lang)
    return _notice("thanks", 200, lang)


@bp.after_request
def _headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_survey_form(app: Flask) -> None:
    app.register_blueprint(bp)
