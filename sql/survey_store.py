"""Survey facts out of the database as Polars frames: for the measures (``survey.csat``,
``survey.nps``, ``survey.response_rate``), the drift engine, the report and the exports.

``read_survey_facts(engine, provider_id)`` returns exactly the two frames that
``pipelines.measures.survey`` declares (``RESPONSES`` and ``INVITATIONS``; a test keeps the
schemas equal), ready to pass to ``compute_all`` with the other facts:

``survey_responses`` (``RESPONSES_FACT``): one row per answer to a questionnaire's *measure*
    questions — the overall 1–5 satisfaction question (``scale`` "1-5", the one marked
    ``measure = "survey.csat"``) and the 0–10 recommendation question (``scale`` "0-10",
    ``measure = "survey.nps"``). Other 1–5 questions (speed, courtesy, …) are left out so that
    ``survey.csat`` with params ``{}`` is the overall question, as DESIGN.md §3 defines it.
    ``questionnaire`` is ``key@version``. ``answered_at`` is when the response was submitted;
    an anonymous questionnaire keeps only the month, so its responses carry the first instant
    of that month in the provider's time zone (which puts them in the right month).

``survey_invitations`` (``INVITATIONS_FACT``): one row per invitation sent (voided ones left
    out: they could not be answered). ``responded_at`` is when it was answered, null if not;
    an answered invitation of an anonymous questionnaire keeps no time, so it carries its
    ``sent_at`` (it counts as answered in its cohort, which is all the rate needs).

``read_survey_tables`` gives the fuller frames behind the report and the exports
(``INVITATION_SCHEMA``, ``RESPONSE_SCHEMA``, ``ANSWER_SCHEMA``: statuses, months, priority,
category, every numeric and choice answer), never a person's data; ``read_survey_ratings``
gives the ratings in the drift engine's ``SURVEY_RATING_SCHEMA``.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, Engine, Select, select

from scorecard.catalogue import params_key
from scorecard.drift.settings import SURVEY_RATING_SCHEMA
from scorecard.facts import UTC_TS
from scorecard.months import month_bounds
from sql.models import Provider
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyQuestionnaire, SurveyResponse

INVITATION_SCHEMA = pl.Schema({
    "provider": pl.String(), "invitation_id": pl.Int64(), "questionnaire": pl.String(), "version": pl.Int64(),
    "status": pl.String(), "delivery": pl.String(), "priority": pl.String(), "category": pl.String(),
    "resolved_at": UTC_TS, "created_at": UTC_TS, "send_after": UTC_TS, "sent_at": UTC_TS,
    "sent_month": pl.String(), "reminded_at": UTC_TS, "expires_at": UTC_TS,
})
RESPONSE_SCHEMA = pl.Schema({
    "provider": pl.String(), "response_id": pl.Int64(), "questionnaire": pl.String(), "version": pl.Int64(),
    "mode": pl.String(), "month": pl.String(), "submitted_at": UTC_TS, "language": pl.String(),
    "priority": pl.String(), "category": pl.String(),
})
ANSWER_SCHEMA = pl.Schema({
    "response_id": pl.Int64(), "question": pl.String(), "type": pl.String(), "measure": pl.String(),
    "value": pl.Int64(), "option": pl.String(),
})
RESPONSES_FACT = pl.Schema({
    "provider": pl.String(), "questionnaire": pl.String(), "question": pl.String(), "scale": pl.String(),
    "answered_at": UTC_TS, "rating": pl.Int32(),
})
INVITATIONS_FACT = pl.Schema({"provider": pl.String(), "sent_at": UTC_TS, "responded_at": UTC_TS})
SCALES = {"survey.csat": "1-5", "survey.nps": "0-10"}


def _frame(conn: Connection, stmt: Select, schema: pl.Schema, *, provider: str | None = None) -> pl.DataFrame:
    columns = [c for c in schema.names() if c != "provider"]
    rows = conn.execute(stmt).all()
    inner = {c: schema[c] for c in columns}
    frame = pl.DataFrame(rows, schema=inner, orient="row") if rows else pl.DataFrame(schema=inner)
    if "provider" in schema:
        frame = frame.select(pl.lit(provider, pl.String()).alias("provider"), *columns)
    return frame


def _provider_name(conn: Connection, provider_id: int) -> str:
    name = conn.scalar(select(Provider.name).where(Provider.id == provider_id))
    if name is None:
        raise LookupError(f"no provider with id {provider_id}")
    return name


def _invitations(conn: Connection, provider_id: int, name: str) -> pl.DataFrame:
    i, q = SurveyInvitation, SurveyQuestionnaire
    stmt = (select(i.id, q.key, q.version, i.status, i.delivery, i.priority, i.category, i.resolved_at, i.created_at,
                   i.send_after, i.sent_at, i.sent_month, i.reminded_at, i.expires_at)
            .join(q, q.id == i.questionnaire_id).where(i.provider_id == provider_id).order_by(i.id))
    return _frame(conn, stmt, INVITATION_SCHEMA, provider=name)


def _responses(conn: Connection, provider_id: int, name: str) -> pl.DataFrame:
    r, q = SurveyResponse, SurveyQuestionnaire
    stmt = (select(r.id, q.key, q.version, q.mode, r.month, r.submitted_at, r.language, r.priority, r.category)
            .join(q, q.id == r.questionnaire_id).where(r.provider_id == provider_id).order_by(r.id))
    return _frame(conn, stmt, RESPONSE_SCHEMA, provider=name)


def _answers(conn: Connection, provider_id: int) -> pl.DataFrame:
    a, r, qq = SurveyAnswer, SurveyResponse, SurveyQuestion
    stmt = (select(a.response_id, a.question, qq.type, qq.measure, a.value, a.text)
            .join(r, r.id == a.response_id)
            .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
            .where(r.provider_id == provider_id, qq.type != "text")
            .order_by(a.response_id, qq.position))
    return _frame(conn, stmt, ANSWER_SCHEMA).with_columns(
        pl.when(pl.col("type") == "choice").then(pl.col("option")).otherwise(None).alias("option"))


def read_survey_tables(engine: Engine | Connection, provider_id: int) -> dict[str, pl.DataFrame]:
    """``invitations``, ``responses`` and ``answers`` of a provider (schemas above), in one
    transaction."""
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return read_survey_tables(conn, provider_id)
    conn = engine
    name = _provider_name(conn, provider_id)
    return {"invitations": _invitations(conn, provider_id, name),
            "responses": _responses(conn, provider_id, name),
            "answers": _answers(conn, provider_id)}


def _month_starts(months: list[str], tz: str) -> dict[str, object]:
    return {m: month_bounds(m, tz)[0] for m in months}


def read_survey_facts(engine: Engine | Connection, provider_id: int) -> dict[str, pl.DataFrame]:
    """The facts ``pipelines.measures.survey`` computes from: ``survey_responses`` and
    ``survey_invitations`` (see the module docstring)."""
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return read_survey_facts(conn, provider_id)
    conn = engine
    name = _provider_name(conn, provider_id)
    tz = conn.scalar(select(Provider.timezone).where(Provider.id == provider_id))
    a, r, qq, q = SurveyAnswer, SurveyResponse, SurveyQuestion, SurveyQuestionnaire
    rows = conn.execute(
        select(q.key, q.version, a.question, qq.measure, r.submitted_at, r.month, a.value)
        .join(r, r.id == a.response_id)
        .join(q, q.id == r.questionnaire_id)
        .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
        .where(r.provider_id == provider_id, qq.measure.in_(list(SCALES)), a.value.is_not(None))
        .order_by(a.response_id, qq.position)).all()
    raw = pl.DataFrame(rows, schema={"key": pl.String(), "version": pl.Int64(), "question": pl.String(),
                                     "measure": pl.String(), "submitted_at": UTC_TS, "month": pl.String(),
                                     "rating": pl.Int64()}, orient="row")
    starts = _month_starts(raw.filter(pl.col("submitted_at").is_null())["month"].unique().to_list(), tz)
    responses = raw.select(
        pl.lit(name, pl.String()).alias("provider"),
        pl.format("{}@{}", "key", "version").alias("questionnaire"),
        pl.col("question"),
        pl.col("measure").replace_strict(SCALES, return_dtype=pl.String()).alias("scale"),
        pl.coalesce(pl.col("submitted_at"),
                    pl.col("month").replace_strict(starts, default=None, return_dtype=UTC_TS)).alias("answered_at"),
        pl.col("rating").cast(pl.Int32()),
    )
    i = SurveyInvitation
    sent = conn.execute(select(i.sent_at, i.answered_at, i.status)
                        .where(i.provider_id == provider_id, i.sent_at.is_not(None), i.status != "void")
                        .order_by(i.id)).all()
    raw_inv = pl.DataFrame(sent, schema={"sent_at": UTC_TS, "answered_at": UTC_TS, "status": pl.String()},
                           orient="row")
    invitations = raw_inv.select(
        pl.lit(name, pl.String()).alias("provider"), pl.col("sent_at"),
        pl.when(pl.col("status") == "answered").then(pl.coalesce("answered_at", "sent_at"))
        .otherwise(None).alias("responded_at"))
    return {"survey_responses": responses.cast(dict(RESPONSES_FACT)),  # type: ignore[arg-type]
            "survey_invitations": invitations.cast(dict(INVITATIONS_FACT))}  # type: ignore[arg-type]


def survey_ratings(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Each rating in ``SURVEY_RATING_SCHEMA``: 1–5 questions under ``survey.csat`` (the overall
    question with params ``{}``, the others with ``{"question": key}``), 0–10 under ``survey.nps``."""
    answers = tables["answers"].filter(pl.col("type").is_in(["rating", "nps"]) & pl.col("value").is_not_null())
    responses = tables["responses"].select("provider", "response_id", "month")
    csat_main = params_key({})
    frame = answers.join(responses, on="response_id", how="inner").with_columns(
        pl.when(pl.col("type") == "nps").then(pl.lit("survey.nps")).otherwise(pl.lit("survey.csat")).alias("measure"),
        pl.when(pl.col("measure").is_not_null()).then(pl.lit(csat_main))
        .otherwise(pl.concat_str(pl.lit('{"question":"'), pl.col("question"), pl.lit('"}'))).alias("params"),
    ).filter((pl.col("type") == "rating") | (pl.col("params") == csat_main))
    return frame.select(pl.col("provider"), pl.col("measure"), pl.col("params"), pl.col("month"),
                        pl.col("value").alias("rating")).cast(dict(SURVEY_RATING_SCHEMA))  # type: ignore[arg-type]


def read_survey_ratings(engine: Engine | Connection, provider_id: int) -> pl.DataFrame:
    """The ratings the drift engine compares with its baseline (``SURVEY_RATING_SCHEMA``)."""
    return survey_ratings(read_survey_tables(engine, provider_id))


def read_survey_export(engine: Engine | Connection, provider_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For exports: the responses (with the ticket of confidential ones) and every answer,
    free text included, long (response_id, question, position, type, value, text)."""
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return read_survey_export(conn, provider_id)
    conn = engine
    name = _provider_name(conn, provider_id)
    r, q, i = SurveyResponse, SurveyQuestionnaire, SurveyInvitation
    schema = pl.Schema({**dict(RESPONSE_SCHEMA), "ticket_id": pl.String()})
    responses = _frame(conn, select(r.id, q.key, q.version, q.mode, r.month, r.submitted_at, r.language, r.priority,
                                    r.category, i.ticket_id)
                       .join(q, q.id == r.questionnaire_id).outerjoin(i, i.id == r.invitation_id)
                       .where(r.provider_id == provider_id).order_by(r.id), schema, provider=name)
    a, qq = SurveyAnswer, SurveyQuestion
    long_schema = pl.Schema({"response_id": pl.Int64(), "question": pl.String(), "position": pl.Int64(),
                             "type": pl.String(), "value": pl.Int64(), "text": pl.String()})
    answers = _frame(conn, select(a.response_id, a.question, qq.position, qq.type, a.value, a.text)
                     .join(r, r.id == a.response_id)
                     .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
                     .where(r.provider_id == provider_id).order_by(a.response_id, qq.position), long_schema)
    return responses, answers
