"""Answers: checked field by field against the questionnaire, stored once per invitation.

``check_answers`` never raises for a person's mistakes: it returns the answers it could read
(to show them again) and a message code per field. ``store_response`` consumes the invitation
and inserts the response in the caller's transaction; of two racing submissions exactly one
finds the invitation still pending (``UPDATE … WHERE status = 'pending'``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, func, insert, select, update

from scorecard.months import month_bounds, month_of
from sql.models import Provider
from sql.survey_models import (SurveyAnswer, SurveyInvitation, SurveyLink, SurveyQuestionnaire, SurveyResponse,
                               SurveyThrottle)
from surveys.library import questionnaire_by_id
from surveys.questionnaire import Question, Questionnaire
from surveys.throttle import WINDOW
from surveys.tokens import same_hash, token_hash

FORM_FIELDS = frozenset({"csrf_token", "lang", "questionnaire"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
YES_NO = {"yes": 1, "no": 0}


@dataclass(frozen=True)
class FieldError:
    """A message for one field: a key of ``surveys.i18n.MESSAGES`` and its values."""

    code: str
    values: dict[str, object] = field(default_factory=dict)
    malformed: bool = False  # could not come from the form as served (a tampered or broken request)


@dataclass
class Checked:
    answers: dict[str, int | str]                 # what will be stored, by question key
    shown: dict[str, str]                         # what to show again in the form, by question key
    errors: dict[str, FieldError]                 # by question key
    form_errors: list[FieldError]                 # about the whole form

    @property
    def ok(self) -> bool:
        return not self.errors and not self.form_errors

    @property
    def malformed(self) -> bool:
        return any(e.malformed for e in [*self.errors.values(), *self.form_errors])


def clean_text(text: str) -> str:
    """Free text as stored: line breaks normalised, invisible control characters removed, trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _check_one(q: Question, raw: str) -> tuple[int | str | None, FieldError | None]:
    if q.type == "text":
        text = clean_text(raw)
        if len(text) > q.max_length:
            return None, FieldError("err_too_long", {"max": q.max_length, "n": len(text)}, True)
        return (text or None), None
    if q.type == "choice":
        return (raw, None) if raw in q.option_keys() else (None, FieldError("err_choice", malformed=True))
    if q.type == "yes_no":
        return (YES_NO[raw], None) if raw in YES_NO else (None, FieldError("err_yes_no", malformed=True))
    low, high = q.scale  # type: ignore[misc]
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw), None
    return None, FieldError("err_range", {"low": low, "high": high}, True)


def check_answers(q: Questionnaire, form: Mapping[str, Sequence[str]]) -> Checked:
    """Check a submitted form (field → values) against questionnaire ``q``."""
    result = Checked({}, {}, {}, [])
    sent_for = list(form.get("questionnaire", []))
    if sent_for != [q.ref]:
        result.form_errors.append(FieldError("err_other_questionnaire", malformed=True))
    keys = {question.key for question in q.questions}
    unknown = sorted(set(form) - keys - FORM_FIELDS)
    if unknown:
        result.form_errors.append(FieldError("err_unknown_fields", {"fields": ", ".join(unknown[:5])}, True))
    for question in q.questions:
        values = [v for v in form.get(question.key, []) if v.strip()]
        if len(values) > 1:
            result.errors[question.key] = FieldError("err_repeated", malformed=True)
            continue
        if not values:
            if question.required:
                result.errors[question.key] = FieldError("err_required")
            continue
        raw = values[0]
        result.shown[question.key] = raw
        value, error = _check_one(question, raw)
        if error is not None:
            result.errors[question.key] = error
        elif value is not None:
            result.answers[question.key] = value
    return result


@dataclass(frozen=True)
class Target:
    """The invitation a response is for, as the form found it by its token."""

    invitation_id: int
    provider_id: int
    timezone: str
    questionnaire_id: int
    priority: str | None
    category: str | None


# The statements of the hot path, built once (SQLAlchemy then reuses their compiled form).
_INV = SurveyInvitation
_CONSUME = (update(_INV)
            .where(_INV.id == bindparam("inv_id"), _INV.status == "pending", _INV.expires_at > bindparam("now"))
            .values(status="answered", answered_at=bindparam("answered_at"), email=None, closed_at=None))
_INSERT_RESPONSE = insert(SurveyResponse)
_INSERT_ANSWERS = insert(SurveyAnswer)
_T = SurveyThrottle
_GUESSES = (select(func.count()).select_from(_T)
            .where(_T.address == bindparam("address"), _T.at >= bindparam("since"), _T.kind == "unknown")
            .scalar_subquery())
_REJECTED = (select(func.count()).select_from(_T)
             .where(_T.invitation_id == _INV.id, _T.at >= bindparam("since"), _T.kind == "rejected")
             .scalar_subquery())
_FIND = (select(SurveyLink.token_hash, _INV.id, _INV.provider_id, _INV.questionnaire_id, _INV.status,
                _INV.expires_at, _INV.language, _INV.priority, _INV.category, Provider.timezone,
                SurveyQuestionnaire.sha256, _GUESSES.label("guesses"), _REJECTED.label("rejected"))
         .join(_INV, _INV.id == SurveyLink.invitation_id)
         .join(Provider, Provider.id == _INV.provider_id)
         .join(SurveyQuestionnaire, SurveyQuestionnaire.id == _INV.questionnaire_id)
         .where(SurveyLink.token_hash == bindparam("token_hash")))
_months: dict[str, tuple[dt.datetime, dt.datetime, str]] = {}


def current_month(now: dt.datetime, timezone: str) -> str:
    """``month_of(now, timezone)``, remembering the month's bounds (the form asks every time)."""
    known = _months.get(timezone)
    if known is None or not known[0] <= now < known[1]:
        month = month_of(now, timezone)
        start, end = month_bounds(month, timezone)
        _months[timezone] = known = (start, end, month)
    return known[2]


def store_response(conn: Connection, target: Target, q: Questionnaire, answers: Mapping[str, int | str],
                   language: str, *, now: dt.datetime) -> bool:
    """Consume the invitation and store the response; False when it was no longer pending
    (answered by a racing submission, voided or expired), and then nothing is written."""
    consumed = conn.execute(_CONSUME, {"inv_id": target.invitation_id, "now": now,
                                       "answered_at": None if q.anonymous else now}).rowcount
    if consumed != 1:
        return False
    response_id = conn.execute(_INSERT_RESPONSE, {
        "provider_id": target.provider_id, "questionnaire_id": target.questionnaire_id,
        "invitation_id": None if q.anonymous else target.invitation_id,
        "month": current_month(now, target.timezone), "submitted_at": None if q.anonymous else now,
        "language": language, "priority": target.priority, "category": target.category}).inserted_primary_key[0]
    rows = [{"response_id": response_id, "question": key,
             "value": value if isinstance(value, int) else None,
             "text": value if isinstance(value, str) else None} for key, value in answers.items()]
    if rows:
        conn.execute(_INSERT_ANSWERS, rows)
    return True


@dataclass(frozen=True)
class Found:
    """What a link leads to: its invitation's state, the questionnaire, where to store answers."""

    target: Target
    state: str                  # pending | answered | void | expired
    language: str | None        # the invitation's language, if it named one
    questionnaire: Questionnaire
    guesses: int = 0            # unknown links recently opened from the asking address (surveys.throttle)
    rejected: int = 0           # recently rejected submissions on this invitation


def find_link(conn: Connection, token: str, *, now: dt.datetime, address: str = "") -> Found | None:
    """The invitation behind ``token`` (looked up by its hash), or None for an unknown token.
    With ``address``, the recent failures that ``surveys.throttle`` limits come in the same query."""
    wanted = token_hash(token)
    row = conn.execute(_FIND, {"token_hash": wanted, "address": address, "since": now - WINDOW}).first()
    if row is None or not same_hash(row.token_hash, wanted):
        return None
    state = row.status
    if state == "pending" and row.expires_at <= now:
        state = "expired"
    q = questionnaire_by_id(conn, row.questionnaire_id, row.sha256)
    target = Target(row.id, row.provider_id, row.timezone, row.questionnaire_id, row.priority, row.category)
    return Found(target, state, row.language, q, row.guesses, row.rejected)
