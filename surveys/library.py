"""Questionnaire versions in the database: load, list, find the latest, read one back.

A version is immutable once loaded: loading the same text again changes nothing, loading a
different text under an existing key and version is refused (bump ``version``). The shipped
defaults are loaded on first use (``ensure_questionnaire``).
"""

from __future__ import annotations

import hashlib
import json
import threading

from sqlalchemy import Connection, func, insert, select

from scorecard.errors import BadInput, NotFound
from sql.models import AuditEntry
from sql.survey_models import SurveyQuestion, SurveyQuestionnaire
from surveys.questionnaire import Questionnaire, parse_questionnaire, shipped_sources

_cache: dict[str, Questionnaire] = {}
_cache_lock = threading.Lock()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_questionnaire(conn: Connection, text: str, *, source: str, actor: str) -> tuple[Questionnaire, int, bool]:
    """Check and store a questionnaire version; returns (questionnaire, id, newly stored)."""
    q = parse_questionnaire(text, source=source)
    sha = _sha(text)
    existing = conn.execute(select(SurveyQuestionnaire.id, SurveyQuestionnaire.sha256).where(
        SurveyQuestionnaire.key == q.key, SurveyQuestionnaire.version == q.version)).first()
    if existing is not None:
        if existing.sha256 == sha:
            return q, existing.id, False
        raise BadInput(f"{source}: version {q.version} of questionnaire {q.key!r} is already loaded with "
                       f"different content; versions never change: give this one version {next_version(conn, q.key)}")
    qid = conn.execute(insert(SurveyQuestionnaire).values(
        key=q.key, version=q.version, title=q.title[q.languages[0]][:200], mode=q.mode,
        languages=",".join(q.languages), source=text, sha256=sha, loaded_by=actor)).inserted_primary_key[0]
    conn.execute(insert(SurveyQuestion), [
        {"questionnaire_id": qid, "position": i, "key": question.key, "type": question.type,
         "required": question.required, "measure": question.measure}
        for i, question in enumerate(q.questions, start=1)])
    conn.execute(insert(AuditEntry).values(actor=actor, action="survey.questionnaire.load", target=q.ref,
                                           details=json.dumps({"source": source, "sha256": sha})))
    return q, qid, True


def next_version(conn: Connection, key: str) -> int:
    return (conn.scalar(select(func.max(SurveyQuestionnaire.version)).where(SurveyQuestionnaire.key == key)) or 0) + 1


def latest_id(conn: Connection, key: str) -> int | None:
    return conn.scalar(select(SurveyQuestionnaire.id).where(SurveyQuestionnaire.key == key)
                       .order_by(SurveyQuestionnaire.version.desc()).limit(1))


def ensure_questionnaire(conn: Connection, key: str, *, actor: str) -> int:
    """The id of the newest version of ``key``, loading the shipped default when there is none."""
    qid = latest_id(conn, key)
    if qid is not None:
        return qid
    shipped = shipped_sources()
    if key not in shipped:
        raise NotFound(f"no questionnaire {key!r} is loaded: load one with `steerco survey questionnaire load FILE` "
                       f"(shipped: {', '.join(shipped)})")
    return store_questionnaire(conn, shipped[key], source=f"shipped {key}.toml", actor=actor)[1]


def questionnaire_by_id(conn: Connection, qid: int, sha256: str | None = None) -> Questionnaire:
    """A stored version, parsed once per process (versions never change, so the cache is by hash)."""
    if sha256 is not None and sha256 in _cache:
        return _cache[sha256]
    row = conn.execute(select(SurveyQuestionnaire.source, SurveyQuestionnaire.sha256, SurveyQuestionnaire.key,
                              SurveyQuestionnaire.version).where(SurveyQuestionnaire.id == qid)).first()
    if row is None:
        raise NotFound(f"no questionnaire with id {qid}")
    cached = _cache.get(row.sha256)
    if cached is None:
        cached = parse_questionnaire(row.source, source=f"questionnaire {row.key}@{row.version}")
        with _cache_lock:
            _cache[row.sha256] = cached
    return cached


def list_questionnaires(conn: Connection) -> list[dict]:
    rows = conn.execute(select(SurveyQuestionnaire.id, SurveyQuestionnaire.key, SurveyQuestionnaire.version,
                               SurveyQuestionnaire.title, SurveyQuestionnaire.mode, SurveyQuestionnaire.languages,
                               SurveyQuestionnaire.loaded_at, SurveyQuestionnaire.loaded_by,
                               func.count(SurveyQuestion.id).label("questions"))
                        .join(SurveyQuestion, SurveyQuestion.questionnaire_id == SurveyQuestionnaire.id)
                        .group_by(SurveyQuestionnaire.id)
                        .order_by(SurveyQuestionnaire.key, SurveyQuestionnaire.version)).all()
    return [{"key": r.key, "version": r.version, "title": r.title, "mode": r.mode, "languages": r.languages,
             "questions": r.questions, "loaded_at": r.loaded_at.isoformat(timespec="seconds"),
             "loaded_by": r.loaded_by} for r in rows]
