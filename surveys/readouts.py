"""What the Surveys page reads from the survey tables: response rates by sending month, rating
distributions, breakdowns and the month's comments, with the five-response rule applied here.

Counts only: satisfaction (``survey.csat``) and NPS (``survey.nps``) are the stored measure
results, never recomputed here. The rules:

- a month resting on fewer than ``MIN_GROUP`` answered invitations shows no answered count and
  no rate (as ``steerco survey report``);
- a breakdown group (a priority, a category) with fewer than ``MIN_GROUP`` responses is
  withheld, and when that leaves exactly one group withheld, the next smallest is withheld too,
  so that no withheld group can be worked out by subtracting the others from the total;
- a month with fewer than ``MIN_GROUP`` responses shows no comments at all, nor a distribution;
- a comment of an anonymous questionnaire carries no ticket, priority, category or time: only
  its text, language and ratings. A confidential one carries its ticket (the provider may
  follow it up), never a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, case, func, select

from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyQuestionnaire, SurveyResponse
from surveys.exports import MIN_GROUP
from surveys.library import questionnaire_by_id

NPS_GROUPS = (("detractors", 0, 6), ("passives", 7, 8), ("promoters", 9, 10))
BREAKDOWNS = ("priority", "category")
NOT_RECORDED = "not recorded"
RATES_SCHEMA = pl.Schema({"month": pl.String(), "invited": pl.Int64(), "answered": pl.Int64(), "open": pl.Int64(),
                          "response_rate": pl.Float64(), "withheld": pl.Boolean()})


@dataclass(frozen=True)
class QuestionInfo:
    key: str
    type: str            # rating (1–5) or nps (0–10)
    label: str           # the question's text in the questionnaire's first language
    position: int
    measure: str | None


@dataclass(frozen=True)
class Distribution:
    """How one question was answered in a period: ``counts`` by value (every value of the scale)."""

    counts: dict[int, int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def shares(self) -> dict[int, float]:
        n = self.n
        return {v: (c / n if n else 0.0) for v, c in self.counts.items()}

    def groups(self) -> dict[str, int]:
        """NPS groups: detractors (0–6), passives (7–8), promoters (9–10)."""
        return {name: sum(c for v, c in self.counts.items() if lo <= v <= hi) for name, lo, hi in NPS_GROUPS}


@dataclass(frozen=True)
class Comment:
    text: str
    question: str
    language: str
    rating: int | None           # the overall 1–5 question (survey.csat)
    recommend: int | None        # the 0–10 question (survey.nps)
    anonymous: bool
    ticket_id: str | None = None  # confidential only
    priority: str | None = None
    category: str | None = None
    submitted_at: dt.datetime | None = None


def survey_months(conn: Connection, provider_id: int) -> list[str]:
    """Months with survey data (responses, or invitations sent), latest first."""
    r, i = SurveyResponse, SurveyInvitation
    answered = conn.scalars(select(r.month).where(r.provider_id == provider_id).distinct()).all()
    sent = conn.scalars(select(i.sent_month).where(i.provider_id == provider_id, i.sent_month.is_not(None),
                                                    i.status != "void").distinct()).all()
    return sorted(set(answered) | set(sent), reverse=True)


def response_rates(conn: Connection, provider_id: int, first: str, last: str) -> pl.DataFrame:
    """Per sending month from ``first`` to ``last``: invitations sent (voided ones left out: they
    could not be answered), answered, still open, and the rate (``RATES_SCHEMA``). A month with
    fewer than five answered has ``answered`` and ``response_rate`` null and ``withheld`` true."""
    i = SurveyInvitation
    rows = conn.execute(
        select(i.sent_month, func.count(),
               func.sum(case((i.status == "answered", 1), else_=0)),
               func.sum(case((i.status == "pending", 1), else_=0)))
        .where(i.provider_id == provider_id, i.sent_month.is_not(None), i.status != "void",
               i.sent_month >= first, i.sent_month <= last)
        .group_by(i.sent_month).order_by(i.sent_month)).all()
    frame = pl.DataFrame([(m, int(n), int(a or 0), int(o or 0)) for m, n, a, o in rows],
                         schema={"month": pl.String(), "invited": pl.Int64(), "answered": pl.Int64(),
                                 "open": pl.Int64()}, orient="row")
    few = pl.col("answered") < MIN_GROUP
    return frame.with_columns(
        pl.when(few).then(None).otherwise(pl.col("answered") / pl.col("invited")).alias("response_rate"),
        few.alias("withheld"),
    ).with_columns(pl.when(few).then(None).otherwise(pl.col("answered")).alias("answered")).select(
        RATES_SCHEMA.names()).cast(dict(RATES_SCHEMA))  # type: ignore[arg-type]


def response_counts(conn: Connection, provider_id: int, first: str, last: str) -> dict[str, int]:
    """Responses by response month (the month the measures count them in)."""
    r = SurveyResponse
    rows = conn.execute(select(r.month, func.count()).where(r.provider_id == provider_id, r.month >= first,
                                                            r.month <= last).group_by(r.month)).all()
    return {m: int(n) for m, n in rows}


def rating_questions(conn: Connection, provider_id: int, first: str, last: str) -> list[QuestionInfo]:
    """The 1–5 and 0–10 questions answered from ``first`` to ``last``, in questionnaire order; a
    question asked by several versions is labelled as the newest asks it."""
    r, q = SurveyResponse, SurveyQuestionnaire
    used = conn.execute(select(q.id, q.sha256).where(q.id.in_(
        select(r.questionnaire_id).where(r.provider_id == provider_id, r.month >= first, r.month <= last)))
        .order_by(q.key, q.version)).all()
    found: dict[str, QuestionInfo] = {}
    for qid, sha in used:
        questionnaire = questionnaire_by_id(conn, qid, sha)
        lang = "en" if "en" in questionnaire.languages else questionnaire.languages[0]
        for position, question in enumerate(questionnaire.questions, start=1):
            if question.type in ("rating", "nps"):
                found[question.key] = QuestionInfo(question.key, question.type, question.text[lang], position,
                                                   question.measure)
    return sorted(found.values(), key=lambda x: (x.type == "nps", x.position, x.key))


def rating_distributions(conn: Connection, provider_id: int, questions: Iterable[QuestionInfo], first: str,
                         last: str) -> dict[str, Distribution]:
    """Answers from ``first`` to ``last`` (response months) per question key, every value of its scale."""
    a, r, qq = SurveyAnswer, SurveyResponse, SurveyQuestion
    rows = conn.execute(
        select(a.question, qq.type, a.value, func.count())
        .join(r, r.id == a.response_id)
        .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
        .where(r.provider_id == provider_id, r.month >= first, r.month <= last, qq.type.in_(["rating", "nps"]),
               a.value.is_not(None))
        .group_by(a.question, qq.type, a.value)).all()
    out: dict[str, Distribution] = {}
    for question in questions:
        scale = range(1, 6) if question.type == "rating" else range(11)
        counts = {v: 0 for v in scale}
        for key, qtype, value, n in rows:
            if key == question.key and qtype == question.type and value in counts:
                counts[value] += int(n)
        out[question.key] = Distribution(counts)
    return out


def withheld_groups(sizes: dict[str, int]) -> set[str]:
    """The groups not to show: fewer than five responses, and the next smallest group when only
    one would be withheld (else the total minus the others would give it away)."""
    small = {g for g, n in sizes.items() if n < MIN_GROUP}
    rest = sorted((n, g) for g, n in sizes.items() if g not in small)
    if len(small) == 1 and rest:
        small.add(rest[0][1])
    return small


@dataclass(frozen=True)
class BreakdownRow:
    group: str
    responses: int | None                    # None: withheld
    satisfaction: Distribution | None        # the survey.csat question, 1–5
    recommend: Distribution | None           # the survey.nps question, 0–10
    withheld: str | None = None              # "few": under five responses; "complement": hides another


def breakdown(conn: Connection, provider_id: int, month: str, by: str) -> list[BreakdownRow]:
    """The month's responses by ``by`` (priority or category): how many, and how the overall
    satisfaction and recommendation questions were answered; small groups withheld."""
    if by not in BREAKDOWNS:
        raise ValueError(f"by must be one of {BREAKDOWNS}")
    r, a, qq = SurveyResponse, SurveyAnswer, SurveyQuestion
    column = getattr(r, by)
    sizes = {(g if g is not None else NOT_RECORDED): int(n) for g, n in conn.execute(
        select(column, func.count()).where(r.provider_id == provider_id, r.month == month).group_by(column)).all()}
    rows = conn.execute(
        select(column, qq.measure, a.value, func.count())
        .join(a, a.response_id == r.id)
        .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
        .where(r.provider_id == provider_id, r.month == month, qq.measure.in_(["survey.csat", "survey.nps"]),
               a.value.is_not(None))
        .group_by(column, qq.measure, a.value)).all()
    hidden = withheld_groups(sizes)
    out = []
    for group in sorted(sizes, key=lambda g: (g == NOT_RECORDED, g)):
        if group in hidden:
            reason = "few" if sizes[group] < MIN_GROUP else "complement"
            out.append(BreakdownRow(group, None, None, None, reason))
            continue
        dists = {}
        for measure, scale in (("survey.csat", range(1, 6)), ("survey.nps", range(11))):
            counts = {v: 0 for v in scale}
            for g, m, value, n in rows:
                if (g if g is not None else NOT_RECORDED) == group and m == measure and value in counts:
                    counts[value] += int(n)
            dists[measure] = Distribution(counts) if sum(counts.values()) else None
        out.append(BreakdownRow(group, sizes[group], dists["survey.csat"], dists["survey.nps"]))
    return out


def month_comments(conn: Connection, provider_id: int, month: str) -> list[Comment] | None:
    """The free-text answers of the month's responses, lowest rating first; None when the month
    has fewer than five responses (then no comment is shown at all)."""
    r, a, qq, q, i = SurveyResponse, SurveyAnswer, SurveyQuestion, SurveyQuestionnaire, SurveyInvitation
    total = conn.scalar(select(func.count()).select_from(r).where(r.provider_id == provider_id, r.month == month))
    if (total or 0) < MIN_GROUP:
        return None
    texts = conn.execute(
        select(r.id, q.id, q.sha256, q.mode, a.question, a.text, r.language, r.priority, r.category, r.submitted_at,
               i.ticket_id)
        .join(q, q.id == r.questionnaire_id)
        .join(a, a.response_id == r.id)
        .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
        .outerjoin(i, i.id == r.invitation_id)
        .where(r.provider_id == provider_id, r.month == month, qq.type == "text", a.text.is_not(None),
               a.text != "")).all()
    scores: dict[tuple[int, str], int] = {
        (rid, measure): value for rid, measure, value in conn.execute(
            select(r.id, qq.measure, a.value)
            .join(a, a.response_id == r.id)
            .join(qq, (qq.questionnaire_id == r.questionnaire_id) & (qq.key == a.question))
            .where(r.provider_id == provider_id, r.month == month, qq.measure.is_not(None), a.value.is_not(None)))}
    labels: dict[tuple[int, str], str] = {}
    out = []
    for rid, qid, sha, mode, key, text, language, priority, category, submitted_at, ticket in texts:
        if (qid, key) not in labels:
            questionnaire = questionnaire_by_id(conn, qid, sha)
            lang = "en" if "en" in questionnaire.languages else questionnaire.languages[0]
            labels[(qid, key)] = questionnaire.question(key).text[lang]
        anonymous = mode == "anonymous"
        common = {"text": text, "question": labels[(qid, key)], "language": language,
                  "rating": scores.get((rid, "survey.csat")), "recommend": scores.get((rid, "survey.nps")),
                  "anonymous": anonymous}
        if anonymous:
            out.append(Comment(**common))
        else:
            out.append(Comment(**common, ticket_id=ticket, priority=priority, category=category,
                               submitted_at=submitted_at))
    big = 99
    return sorted(out, key=lambda c: (c.rating if c.rating is not None else big,
                                      c.recommend if c.recommend is not None else big, c.language, c.text))
