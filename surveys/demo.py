"""The demo's surveys: invitations and responses for the demo providers' resolved tickets.

``build_survey_demo(engine, seed=…, end=…, actor=…)`` runs after the demo's tickets are
imported (``dashboard.demo``) and stores, for every provider in the database:

- survey settings (the provider kind's default questionnaire, invitations two hours after
  resolution, at most one per person in 30 days, duplicates excluded, one reminder after five
  days, links valid for 14 days) with automatic invitations on;
- invitations for the resolved tickets those rules select, sent by email (the addresses are
  gone, as they would be once sent), each with the hash of its link, and of its reminder's;
- responses from about a quarter of the invited (most within two days, some after the
  reminder), in the requester's language (English, French, German or Spanish), with ratings
  that hang together (one latent satisfaction per response) and comments from about 30%.

The known event (docs/demo.md, "Surveys"): Northwind's satisfaction dips for the four months
from the P2 staffing change, found in the tickets (2026-01 … 2026-04 in the default demo):
CSAT falls from about 86% to about 68% and NPS by about 40 points, then recovers; P2 requesters
stay a little less satisfied after it. Lexington's legal questionnaire is anonymous and steady.

Deterministic: the same seed, ``end`` and tickets give the same rows (link hashes included).
Everything happens before the data's "as of" (midnight after ``end`` in the provider's zone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from scorecard import facts as F
from scorecard.months import month_bounds, month_expr, shift_month
from sql.facts import read_facts
from sql.models import Provider
from sql.survey_models import SurveyAnswer, SurveyInvitation, SurveyLink, SurveyResponse
from surveys.library import ensure_questionnaire, questionnaire_by_id
from surveys.questionnaire import Questionnaire
from surveys.rules import write_settings

LANGS = np.array(["en", "fr", "de", "es"])
LANG_SHARE = np.array([0.6, 0.15, 0.15, 0.1])
DELAY = dt.timedelta(hours=2)
FATIGUE = dt.timedelta(days=30)
EXPIRY = dt.timedelta(days=14)
REMINDER = dt.timedelta(days=5)
CUTS = np.array([-1.5, -0.8, 0.0, 1.0])     # latent satisfaction → 1..5
BASE_MU, DIP_MU, SD = 1.2, 0.55, 1.1
DIP_LENGTH = 4
US = 1_000_000

COMMENTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "good": ["Quick and friendly, thank you!", "Sorted out within the hour. Great service.",
                 "The technician explained everything clearly.", "Very helpful, problem solved first time."],
        "mixed": ["Fixed in the end, but I had to explain the problem twice.",
                  "Fine, though it took a couple of days.", "OK. The portal updates could be clearer."],
        "bad": ["Nobody called me back; I had to chase twice.", "The issue came back the next day.",
                "Took far too long for something so simple."],
        "dip": ["My urgent issue took most of the day to fix.", "Felt like the desk was short-staffed this month.",
                "Waited hours for a P2 that stopped our whole team."],
    },
    "fr": {
        "good": ["Rapide et aimable, merci !", "Réglé en moins d'une heure, excellent service.",
                 "Le technicien a tout expliqué clairement."],
        "mixed": ["Résolu finalement, mais j'ai dû expliquer le problème deux fois.",
                  "Correct, même si cela a pris deux jours."],
        "bad": ["Personne ne m'a rappelé, j'ai dû relancer deux fois.", "Le problème est revenu le lendemain."],
        "dip": ["Mon incident urgent a pris presque toute la journée.", "On sent que l'équipe manque de monde."],
    },
    "de": {
        "good": ["Schnell und freundlich, danke!", "Innerhalb einer Stunde gelöst, super Service.",
                 "Der Techniker hat alles verständlich erklärt."],
        "mixed": ["Am Ende gelöst, aber ich musste das Problem zweimal erklären.",
                  "In Ordnung, hat aber zwei Tage gedauert."],
        "bad": ["Niemand hat zurückgerufen, ich musste zweimal nachfragen.", "Das Problem war am nächsten Tag wieder da."],
        "dip": ["Mein dringendes Problem hat fast den ganzen Tag gedauert.", "Das Team wirkt derzeit unterbesetzt."],
    },
    "es": {
        "good": ["Rápido y amable, ¡gracias!", "Resuelto en menos de una hora, un servicio excelente.",
                 "El técnico lo explicó todo con claridad."],
        "mixed": ["Se resolvió al final, pero tuve que explicar el problema dos veces.",
                  "Bien, aunque tardó un par de días."],
        "bad": ["Nadie me devolvió la llamada; tuve que insistir dos veces.", "El problema volvió al día siguiente."],
        "dip": ["Mi incidencia urgente tardó casi todo el día.", "Parece que al equipo le falta personal."],
    },
}


@dataclass
class SurveyDemoReport:
    provider: str
    invitations: int
    responses: int

    def summary(self) -> str:
        rate = self.responses / self.invitations if self.invitations else 0
        return f"{self.provider}: {self.invitations:,} survey invitations, {self.responses:,} responses ({rate:.0%})"


def _rng(seed: int, *names: str) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(["steerco-survey-demo", str(seed), *names]).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def dip_months(end: str, first_month: str, *, p2_change: str | None = None) -> list[str]:
    """The months of Northwind's satisfaction dip: four from the P2 staffing change (found in the
    tickets, ``p2_change_month``), else from ``end`` − 9; none if that falls in the baseline year."""
    start = p2_change or shift_month(end, -9)
    if start < shift_month(first_month, 12):
        return []
    return [shift_month(start, k) for k in range(DIP_LENGTH)]


def p2_change_month(tickets: pl.DataFrame, tz: str) -> str | None:
    """The first month after the baseline year from which P2 tickets take at least 1.6 times as
    long to resolve as in the baseline year, two months running (the demo's event 6)."""
    monthly = (tickets.filter((pl.col(F.PRIORITY) == "P2") & pl.col(F.RESOLVED_AT).is_not_null())
               .with_columns(month_expr(F.OPENED_AT, tz).alias("month"),
                             (pl.col(F.RESOLVED_AT) - pl.col(F.OPENED_AT)).dt.total_seconds().alias("seconds"))
               .group_by("month").agg(pl.col("seconds").median()).sort("month"))
    if monthly.height < 14:
        return None
    months, medians = monthly["month"].to_list(), monthly["seconds"].to_list()
    baseline = float(np.median(medians[:12]))
    for k in range(12, len(months) - 1):
        if medians[k] >= 1.6 * baseline and medians[k + 1] >= 1.6 * baseline:
            return months[k]
    return None


def _select(tickets: pl.DataFrame, as_of_us: int) -> pl.DataFrame:
    """The invited tickets: resolved, not duplicates, fatigue of 30 days per requester."""
    eligible = (tickets.filter(pl.col(F.STATUS).is_in(["resolved", "closed"]) & pl.col(F.RESOLVED_AT).is_not_null()
                               & (pl.col(F.CATEGORY).fill_null("") != "Duplicate"))
                .with_columns((pl.col(F.RESOLVED_AT).dt.epoch("us") + int(DELAY.total_seconds() * US)).alias("send_us"))
                .filter(pl.col("send_us") < as_of_us)
                .sort("send_us", F.TICKET_ID))
    last: dict[str, int] = {}
    keep = np.zeros(eligible.height, dtype=bool)
    window = int(FATIGUE.total_seconds() * US)
    for i, (who, when) in enumerate(zip(eligible[F.REQUESTER].to_list(), eligible["send_us"].to_list())):
        if who is None or when - last.get(who, -window) >= window:
            keep[i] = True
            if who is not None:
                last[who] = when
    return eligible.filter(pl.Series(keep))


def _unit(seed: int, who: str) -> float:
    """A number in [0, 1) fixed for a person (their language stays the same)."""
    return int(hashlib.sha256(f"{seed}\x1f{who}".encode()).hexdigest()[:12], 16) / 16 ** 12


def _ts(us: np.ndarray) -> list[dt.datetime]:
    base = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return [base + dt.timedelta(microseconds=int(v)) for v in us]


def _ratings(z: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    return 1 + (z[:, None] + rng.normal(0, noise, z.size)[:, None] > CUTS[None, :]).sum(axis=1)


def _build_provider(conn: Connection, engine: Engine, p: Provider, *, seed: int, end: str, actor: str) -> SurveyDemoReport:
    key = "legal" if p.kind == "legal" else "helpdesk"
    write_settings(conn, p.id, p.kind, actor=actor, target=p.name, questionnaire=key, auto_invite=True,
                   delay_hours=2.0, sample_rate=1.0, fatigue_days=30, expiry_days=14, reminder_days=5,
                   exclude_categories=("Duplicate",))
    qid = ensure_questionnaire(conn, key, actor=actor)
    q = questionnaire_by_id(conn, qid)
    tickets = read_facts(engine, F.TICKETS, (p.id, p.name))
    if tickets.is_empty():
        return SurveyDemoReport(p.name, 0, 0)
    first = tickets.select(month_expr(F.OPENED_AT, p.timezone).min()).item()
    as_of = month_bounds(end, p.timezone)[1]
    as_of_us = int((as_of - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).total_seconds()) * US
    chosen = _select(tickets, as_of_us)
    n = chosen.height
    rng = _rng(seed, p.name)
    send = chosen["send_us"].to_numpy()
    expires = send + int(EXPIRY.total_seconds() * US)
    send_month = chosen.select(month_expr(pl.from_epoch(pl.col("send_us"), "us").dt.replace_time_zone("UTC"),
                                          p.timezone)).to_series()
    dips = set(dip_months(end, first, p2_change=p2_change_month(tickets, p.timezone))) if p.kind == "it" else set()
    in_dip = send_month.is_in(list(dips)).to_numpy() if dips else np.zeros(n, dtype=bool)
    p2_after = (chosen[F.PRIORITY] == "P2").to_numpy() & (send_month >= min(dips)).to_numpy() if dips \
        else np.zeros(n, dtype=bool)
    # who answers, and when: most within two days, some only after the reminder
    respond = rng.random(n) < np.clip(rng.normal(0.25, 0.02, n), 0.15, 0.35)
    early = rng.random(n) < 0.72
    delay_days = np.where(early, rng.exponential(0.6, n).clip(0, 4.9), 5 + rng.exponential(1.2, n).clip(0, 8.9))
    answered_us = send + (delay_days * 86_400 * US).astype(np.int64)
    answered = respond & (answered_us < as_of_us) & (answered_us < expires)
    reminded = (~answered | (delay_days >= 5)) & (send + int(REMINDER.total_seconds() * US) < np.minimum(as_of_us, expires))
    reminded &= ~(answered & (delay_days < 5))
    status = np.where(answered, "answered", np.where(expires <= as_of_us, "expired", "pending"))
    shares = np.cumsum(LANG_SHARE)
    langs = {who: LANGS[min(int(np.searchsorted(shares, _unit(seed, who), side="right")), len(LANGS) - 1)]
             for who in set(chosen[F.REQUESTER].drop_nulls().to_list())}
    lang = np.array([langs.get(w, "en") for w in chosen[F.REQUESTER].to_list()])
    rows = []
    months = send_month.to_list()
    sent_ts, exp_ts, ans_ts = _ts(send), _ts(expires), _ts(answered_us)
    rem_ts = _ts(send + int(REMINDER.total_seconds() * US))
    for i, r in enumerate(chosen.select(F.TICKET_ID, F.REQUESTER, F.PRIORITY, F.CATEGORY, F.RESOLVED_AT,
                                        F.REOPEN_COUNT).iter_rows()):
        rows.append(dict(
            provider_id=p.id, questionnaire_id=qid, ticket_id=r[0], cycle=0, requester_key=r[1], priority=r[2],
            category=r[3], resolved_at=r[4], ticket_reopens=r[5], status=str(status[i]), delivery="email",
            email=None, language=str(lang[i]), created_at=r[4], created_by=actor, send_after=sent_ts[i],
            expires_at=exp_ts[i], sent_at=sent_ts[i], sent_month=months[i],
            reminded_at=rem_ts[i] if reminded[i] else None,
            answered_at=ans_ts[i] if answered[i] and not q.anonymous else None,
            closed_at=exp_ts[i] if status[i] == "expired" else None, send_attempts=1 + int(reminded[i]),
            last_error=None))
    ids = _insert(conn, SurveyInvitation, rows)
    hashes = rng.bytes(32 * (n + int(reminded.sum()))).hex()
    later = np.flatnonzero(reminded)
    links = [dict(invitation_id=ids[i], token_hash=hashes[64 * i:64 * i + 64], channel="email", issued_at=sent_ts[i])
             for i in range(n)]
    links += [dict(invitation_id=ids[i], token_hash=hashes[64 * (n + j):64 * (n + j) + 64], channel="reminder",
                   issued_at=rem_ts[i]) for j, i in enumerate(later)]
    _insert(conn, SurveyLink, links, returning=False)
    _responses(conn, p, q, qid, chosen, ids, answered, answered_us, in_dip, p2_after, lang, rng)
    return SurveyDemoReport(p.name, n, int(answered.sum()))


def _responses(conn: Connection, p: Provider, q: Questionnaire, qid: int, chosen: pl.DataFrame, ids: list[int],
               answered: np.ndarray, answered_us: np.ndarray, in_dip: np.ndarray, p2_after: np.ndarray,
               lang: np.ndarray, rng: np.random.Generator) -> None:
    idx = np.flatnonzero(answered)
    m = idx.size
    if m == 0:
        return
    reopened = (chosen[F.REOPEN_COUNT].fill_null(0).to_numpy()[idx] > 0)
    mu = np.where(in_dip[idx], DIP_MU, BASE_MU) - 0.4 * p2_after[idx] - 0.8 * reopened
    z = rng.normal(mu, SD)
    month = (pl.from_epoch(pl.Series(answered_us[idx]), "us").dt.replace_time_zone("UTC").to_frame("at")
             .select(month_expr("at", p.timezone)).to_series().to_list())
    when = _ts(answered_us[idx])
    prio, cat = chosen[F.PRIORITY].to_list(), chosen[F.CATEGORY].to_list()
    responses = [dict(provider_id=p.id, questionnaire_id=qid, invitation_id=None if q.anonymous else ids[i],
                      month=month[k], submitted_at=None if q.anonymous else when[k], language=str(lang[i]),
                      priority=prio[i], category=cat[i]) for k, i in enumerate(idx)]
    response_ids = _insert(conn, SurveyResponse, responses)
    values: dict[str, np.ndarray] = {}
    for question in q.questions:
        if question.type == "rating":
            extra = -0.4 * in_dip[idx] if question.key in ("speed", "turnaround") else 0.0
            values[question.key] = (_ratings(z, rng, 0.01) if question.measure else _ratings(z + extra, rng, 0.6))
        elif question.type == "nps":
            values[question.key] = np.clip(np.rint(5.5 + 2.0 * z + rng.normal(0, 1.2, m)), 0, 10).astype(int)
        elif question.type == "yes_no":
            values[question.key] = (z + rng.normal(0, 1.0, m) > -1.5).astype(int)
    skip = rng.random((m, len(q.questions)))
    pick = rng.random((m, len(q.questions)))
    dip_mood = in_dip[idx] & (z < 0.6) & (rng.random(m) < 0.6)
    moods = np.where(dip_mood, "dip", np.where(z > 0.8, "good", np.where(z > -0.3, "mixed", "bad")))
    answers = []
    for j, question in enumerate(q.questions):
        keep = np.ones(m, dtype=bool) if question.required else \
            skip[:, j] >= (0.7 if question.type == "text" else 0.15)
        for k in np.flatnonzero(keep):
            if question.type in ("rating", "nps", "yes_no"):
                value, text = int(values[question.key][k]), None
            elif question.type == "choice":
                value, text = None, question.options[int(pick[k, j] * len(question.options))].key
            else:
                pool = COMMENTS[str(lang[idx[k]])][str(moods[k])]
                value, text = None, pool[int(pick[k, j] * len(pool))]
            answers.append(dict(response_id=response_ids[k], question=question.key, value=value, text=text))
    _insert(conn, SurveyAnswer, answers, returning=False)


def _insert(conn: Connection, model, rows: list[dict], *, returning: bool = True) -> list[int]:
    """Insert in bulk; with ``returning``, ids are given explicitly (after the largest one in
    use) so that they are known without a round trip per row; PostgreSQL's sequence follows."""
    if not rows:
        return []
    ids: list[int] = []
    if returning:
        first = (conn.scalar(select(func.max(model.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
        rows = [{**row, "id": i} for row, i in zip(rows, ids)]
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(model), rows[start:start + 10_000])
    if returning and conn.dialect.name == "postgresql":
        table = model.__tablename__
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    return ids


def build_survey_demo(engine: Engine, *, seed: int, end: str, actor: str) -> list[SurveyDemoReport]:
    """Store the demo's survey settings, invitations and responses for every provider (any
    earlier demo survey data of theirs is replaced). Returns one report per provider."""
    reports = []
    with engine.begin() as conn:
        providers = conn.execute(select(Provider.id, Provider.name, Provider.kind, Provider.timezone)
                                 .order_by(Provider.name)).all()
        for p in providers:
            conn.execute(delete(SurveyResponse).where(SurveyResponse.provider_id == p.id))
            conn.execute(delete(SurveyInvitation).where(SurveyInvitation.provider_id == p.id))
            reports.append(_build_provider(conn, engine, p, seed=seed, end=end, actor=actor))
    return reports

