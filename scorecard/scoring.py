"""Scores, statuses and roll-ups of a month's results (DESIGN.md §4).

A measure scores 10/3 at its red flag and 20/3 at its goal, linearly between and beyond,
clamped to 0–10, whichever way is better::

    score = 10/3 · (1 + (value − red_flag) / (goal − red_flag)),  clamped to [0, 10]

Its status: **green** meets the goal (≥ goal when higher is better, ≤ when lower), **red**
is strictly past the red flag, **amber** lies between — a value exactly at the red flag is
amber (and scores 10/3) — and **grey** has no data. A met stretch is flagged.

Objectives, perspectives and the whole scorecard score as the weighted mean of their
children that have data, and count the measures below them that have none. Their status
follows the score: ≥ 20/3 green, ≥ 10/3 amber, below red, grey when no child has data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scorecard.catalogue import HIGHER
from scorecard.credits import CreditStatement, compute_credits
from scorecard.definition import MeasureSpec, Objective, Perspective, Scorecard
from scorecard.display import decimals_to_compare, threshold_text, value_text
from scorecard.errors import BadInput
from scorecard.reconcile import Reconciliation, reconcile

RED_SCORE = 10 / 3
GOAL_SCORE = 20 / 3
GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
_EPS = 1e-9  # weighted means of exact scores may miss a threshold by a rounding error

Key = tuple[str, str]  # (measure id, params key)


@dataclass(frozen=True)
class ResultValue:
    """One stored result (a row of ``catalogue.RESULT_SCHEMA``) as scoring needs it."""

    value: float | None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    provisional: bool = False
    numerator: float | None = None
    denominator: float | None = None

    @property
    def has_data(self) -> bool:
        return self.value is not None and not math.isnan(self.value)

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> ResultValue:
        return cls(value=row.get("value"), n=row.get("n"), ci_low=row.get("ci_low"),
                   ci_high=row.get("ci_high"), provisional=bool(row.get("provisional") or False),
                   numerator=row.get("numerator"), denominator=row.get("denominator"))


def results_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[Key, ResultValue]:
    """One month's result rows (``measure``, ``params``, ``value``, …) keyed for scoring."""
    out: dict[Key, ResultValue] = {}
    months: set[object] = set()
    for row in rows:
        key = (str(row["measure"]), str(row.get("params") or "{}"))
        if key in out:
            raise BadInput(f"two results for {key[0]} {key[1]}: give the rows of one month")
        months.add(row.get("month"))
        out[key] = ResultValue.from_row(row)
    if len(months - {None}) > 1:
        raise BadInput(f"results of several months given ({', '.join(sorted(map(str, months - {None})))}); "
                       "score one month at a time")
    return out


def _finite(d: dict) -> dict:
    """JSON has no NaN or infinity: such numbers become null (the text keeps "never")."""
    def clean(v: object) -> object:
        if isinstance(v, dict):
            return _finite(v)
        return None if isinstance(v, float) and not math.isfinite(v) else v
    return {k: clean(v) for k, v in d.items()}


# ---------------------------------------------------------------------- one measure

def measure_score(value: float, goal: float, red_flag: float) -> float:
    """10/3 at the red flag, 20/3 at the goal, linear, clamped to 0–10 (either direction)."""
    if goal == red_flag:
        raise BadInput("goal and red flag must differ")
    return min(10.0, max(0.0, RED_SCORE * (1 + (value - red_flag) / (goal - red_flag))))


def measure_status(value: float | None, goal: float, red_flag: float, direction: str) -> str:
    if value is None or math.isnan(value):
        return GREY
    up = direction == HIGHER
    if (value >= goal) if up else (value <= goal):
        return GREEN
    if (value < red_flag) if up else (value > red_flag):
        return RED
    return AMBER


def rollup_status(score: float | None) -> str:
    if score is None:
        return GREY
    if score >= GOAL_SCORE - _EPS:
        return GREEN
    if score >= RED_SCORE - _EPS:
        return AMBER
    return RED


def _mean(pairs: list[tuple[float, float | None]]) -> float | None:
    """Weighted mean of the scores that exist; None when none does."""
    scored = [(w, s) for w, s in pairs if s is not None]
    if not scored:
        return None
    return sum(w * s for w, s in scored) / sum(w for w, _ in scored)


def _movement(change: float | None, direction: str) -> str | None:
    if change is None:
        return None
    if abs(change) <= 1e-12:
        return "unchanged"
    return "better" if (change > 0) == (direction == HIGHER) else "worse"


# ---------------------------------------------------------------------- the tree

@dataclass(frozen=True)
class ScoredMeasure:
    spec: MeasureSpec
    result: ResultValue | None
    score: float | None
    status: str
    stretch_met: bool | None
    previous: ResultValue | None = None
    previous_score: float | None = None
    reconciliation: Reconciliation | None = None

    @property
    def value(self) -> float | None:
        return self.result.value if self.result is not None and self.result.has_data else None

    @property
    def previous_value(self) -> float | None:
        return self.previous.value if self.previous is not None and self.previous.has_data else None

    @property
    def change(self) -> float | None:
        """Value minus the previous month's value, in the measure's units."""
        if self.value is None or self.previous_value is None:
            return None
        change = self.value - self.previous_value
        return change if math.isfinite(change) else None

    @property
    def score_change(self) -> float | None:
        return None if self.score is None or self.previous_score is None else self.score - self.previous_score

    @property
    def movement(self) -> str | None:
        """"better", "worse" or "unchanged" since the previous month, by the direction."""
        return _movement(self.change, self.spec.direction)

    def to_dict(self, currency: str | None = None) -> dict:
        s, info, r = self.spec, self.spec.info, self.result
        has = r is not None and r.has_data
        unit = info.unit

        def shown(x: float | None) -> str | None:
            return threshold_text(x, unit, currency=currency)

        change = self.change
        decimals = decimals_to_compare(s.goal, unit, self.value)
        return _finite({
            "measure": s.measure, "params": dict(s.params), "params_key": s.params_key, "label": s.label,
            "kind": info.kind, "unit": unit, "direction": s.direction, "weight": s.weight,
            "goal": s.goal, "red_flag": s.red_flag, "stretch": s.stretch,
            "value": self.value, "n": r.n if has else None, "ci_low": r.ci_low if has else None,
            "ci_high": r.ci_high if has else None, "provisional": bool(has and r.provisional),
            "score": self.score, "status": self.status, "stretch_met": self.stretch_met,
            "previous_value": self.previous_value, "change": change, "previous_score": self.previous_score,
            "score_change": self.score_change, "movement": self.movement,
            "reported": None if self.reconciliation is None else self.reconciliation.to_dict(),
            "text": {
                "value": value_text(self.value, unit, currency=currency, decimals=decimals),
                "goal": shown(s.goal), "red_flag": shown(s.red_flag), "stretch": shown(s.stretch),
                "previous_value": None if self.previous_value is None else
                value_text(self.previous_value, unit, currency=currency, decimals=decimals),
            },
        })


@dataclass(frozen=True)
class _Node:
    name: str
    weight: float
    score: float | None
    status: str
    measure_count: int
    no_data_count: int
    previous_score: float | None

    @property
    def score_change(self) -> float | None:
        return None if self.score is None or self.previous_score is None else self.score - self.previous_score

    def _head(self) -> dict:
        return {"name": self.name, "weight": self.weight, "score": self.score, "status": self.status,
                "measure_count": self.measure_count, "no_data_count": self.no_data_count,
                "previous_score": self.previous_score, "score_change": self.score_change}


@dataclass(frozen=True)
class ScoredObjective(_Node):
    measures: tuple[ScoredMeasure, ...] = ()

    def to_dict(self, currency: str | None = None) -> dict:
        return self._head() | {"measures": [m.to_dict(currency) for m in self.measures]}


@dataclass(frozen=True)
class ScoredPerspective(_Node):
    objectives: tuple[ScoredObjective, ...] = ()

    def to_dict(self, currency: str | None = None) -> dict:
        return self._head() | {"objectives": [o.to_dict(currency) for o in self.objectives]}


@dataclass(frozen=True)
class ScoredScorecard:
    scorecard: Scorecard
    month: str | None
    score: float | None
    status: str
    measure_count: int
    no_data_count: int
    previous_score: float | None
    perspectives: tuple[ScoredPerspective, ...]
    credits: CreditStatement

    @property
    def score_change(self) -> float | None:
        return None if self.score is None or self.previous_score is None else self.score - self.previous_score

    def measures(self) -> list[tuple[ScoredPerspective, ScoredObjective, ScoredMeasure]]:
        return [(p, o, m) for p in self.perspectives for o in p.objectives for m in o.measures]

    def to_dict(self) -> dict:
        """The JSON shape of docs/scorecards.md (``steerco scorecard show --format json``)."""
        sc, cur = self.scorecard, self.scorecard.provider.currency
        return {
            "provider": sc.provider.name, "kind": sc.provider.kind, "timezone": sc.provider.timezone,
            "currency": cur, "month": self.month,
            "scorecard": {"source": sc.source, "sha256": sc.fingerprint},
            "score": self.score, "status": self.status, "measure_count": self.measure_count,
            "no_data_count": self.no_data_count, "previous_score": self.previous_score,
            "score_change": self.score_change,
            "perspectives": [p.to_dict(cur) for p in self.perspectives],
            "credits": self.credits.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)


def score_measure(spec: MeasureSpec, result: ResultValue | None, *, previous: ResultValue | None = None,
                  reported: float | None = None, currency: str | None = None) -> ScoredMeasure:
    has = result is not None and result.has_data
    value = result.value if has else None
    score = measure_score(value, spec.goal, spec.red_flag) if has else None
    stretch_met = None
    if has and spec.stretch is not None:
        stretch_met = value >= spec.stretch if spec.direction == HIGHER else value <= spec.stretch
    prev_score = None
    if previous is not None and previous.has_data:
        prev_score = measure_score(previous.value, spec.goal, spec.red_flag)
    rec = None
    if reported is not None:
        rec = reconcile(value, reported, spec.tolerance, unit=spec.info.unit, currency=currency)
    return ScoredMeasure(spec, result, score, measure_status(value, spec.goal, spec.red_flag, spec.direction),
                         stretch_met, previous, prev_score, rec)


def _objective(o: Objective, results: Mapping[Key, ResultValue], previous: Mapping[Key, ResultValue],
               reported: Mapping[Key, float], currency: str | None) -> ScoredObjective:
    ms = tuple(score_measure(m, results.get(m.key), previous=previous.get(m.key),
                             reported=reported.get(m.key), currency=currency) for m in o.measures)
    score = _mean([(m.spec.weight, m.score) for m in ms])
    prev = _mean([(m.spec.weight, m.previous_score) for m in ms])
    return ScoredObjective(o.name, o.weight, score, rollup_status(score), len(ms),
                           sum(m.score is None for m in ms), prev, ms)


def _perspective(p: Perspective, results, previous, reported, currency) -> ScoredPerspective:
    objs = tuple(_objective(o, results, previous, reported, currency) for o in p.objectives)
    score = _mean([(o.weight, o.score) for o in objs])
    prev = _mean([(o.weight, o.previous_score) for o in objs])
    counts = sum(o.measure_count for o in objs), sum(o.no_data_count for o in objs)
    return ScoredPerspective(p.name, p.weight, score, rollup_status(score), *counts, prev, objs)


def score_scorecard(scorecard: Scorecard, results: Mapping[Key, ResultValue], *,
                    previous: Mapping[Key, ResultValue] | None = None,
                    reported: Mapping[Key, float] | None = None,
                    month: str | None = None) -> ScoredScorecard:
    """Score one month: ``results`` (and the previous month's, for changes) keyed by
    (measure id, params key); ``reported`` holds provider-reported values to reconcile.
    Previous scores use this scorecard's targets, so a change is never a change of target."""
    previous, reported = previous or {}, reported or {}
    cur = scorecard.provider.currency
    ps = tuple(_perspective(p, results, previous, reported, cur) for p in scorecard.perspectives)
    score = _mean([(p.weight, p.score) for p in ps])
    prev = _mean([(p.weight, p.previous_score) for p in ps])
    credits = compute_credits(scorecard.credits, results, monthly_fee=scorecard.provider.monthly_fee,
                              currency=cur, month=month)
    return ScoredScorecard(scorecard, month, score, rollup_status(score), sum(p.measure_count for p in ps),
                           sum(p.no_data_count for p in ps), prev, ps, credits)
