"""Everything a month's scorecard view needs, read from storage (never recomputed).

One function for the Scorecard page, the board pack, the XLSX and ``steerco report``: the
scored month — the same as ``pipelines.scoring.scored_month`` (``steerco scorecard show``):
the version in force, its stored results and the month before, scored by
``scorecard.scoring.score_scorecard`` — with twelve months of the scorecard's results for
sparklines (read in the same query), the month's stored drift signals and its comments.

Parsed scorecards are kept by the SHA-256 of their text (the same text always parses to the
same scorecard), so a page view does not parse TOML; tests check the page against
``steerco scorecard show``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import polars as pl
from markupsafe import Markup
from sqlalchemy import Engine

from dashboard.reports.rows import credit_rows, headline, scorecard_rows
from dashboard.reports.sparkline import spark_title, sparkline_svg
from pipelines.scoring import StoredVersion
from scorecard.definition import Scorecard, load_scorecard
from scorecard.display import value_text
from scorecard.errors import NotFound
from scorecard.months import month_range, shift_month
from scorecard.scoring import ScoredScorecard, results_from_rows, score_scorecard
from scorecard.versions import ScorecardVersions
from sql.browse import read_series, scorecard_sources
from sql.comments import list_comments
from sql.reported import reported_values
from sql.signals import read_signals

HISTORY_MONTHS = 12
_PARSED: OrderedDict[str, Scorecard] = OrderedDict()
_PARSED_MAX = 64
_LOCK = threading.Lock()


def _parsed(source: str, effective: str) -> Scorecard:
    sha256 = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with _LOCK:
        card = _PARSED.get(sha256)
        if card is not None:
            _PARSED.move_to_end(sha256)
            return card
    card = load_scorecard(source, source=f"scorecard version {effective}")
    with _LOCK:
        _PARSED[sha256] = card
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return card


def versions(engine: Engine, provider_id: int) -> ScorecardVersions[StoredVersion]:
    """The provider's stored scorecard versions, parsed once per text."""
    return ScorecardVersions([(eff, StoredVersion(vid, eff, _parsed(src, eff)))
                              for vid, eff, _sha, src in scorecard_sources(engine, provider_id)])


def in_force(engine: Engine, provider: tuple[int, str], month: str) -> Scorecard:
    version = versions(engine, provider[0]).in_force(month, backdate_first=True)
    if version is None:
        raise NotFound(f"{provider[1]} has no scorecard yet: load one with "
                       "`steerco scorecard load FILE --provider NAME --effective YYYY-MM`")
    return version.scorecard


def score_month(engine: Engine, provider: tuple[int, str], month: str,
                months: int = HISTORY_MONTHS) -> tuple[ScoredScorecard, pl.DataFrame]:
    """The scored month (as ``pipelines.scoring.scored_month``) and the stored results of the
    scorecard's measures over the ``months`` months up to it."""
    card = in_force(engine, provider, month)
    window = month_range(shift_month(month, -(months - 1)), month)
    frame = read_series(engine, provider, list(card.result_keys()), first=window[0], last=month)
    if frame.filter(pl.col("month") == month).is_empty():
        raise NotFound(f"no results stored for {provider[1]} in {month}: run `steerco compute` "
                       "(results exist only for months with imported facts)")
    before = shift_month(month, -1)
    rows = frame.filter(pl.col("month").is_in([before, month])).to_dicts()
    current = results_from_rows(r for r in rows if r["month"] == month)
    previous = results_from_rows(r for r in rows if r["month"] == before)
    reported = reported_values(engine, provider[0], month)
    return score_scorecard(card, current, previous=previous, month=month, reported=reported), frame


@dataclass
class MonthView:
    """A provider's month, ready to show: headline, rows, credits, signals, comments."""

    provider_id: int
    provider: str
    month: str
    scored: ScoredScorecard
    data: dict
    rows: list[dict]
    signals: list[dict]
    comments: list[dict]
    credits: dict
    head: dict
    months: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str | None:
        return self.data.get("currency")


def history(frame: pl.DataFrame, month: str, keys: list[tuple[str, str]],
            months: int = HISTORY_MONTHS) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """(measure, params) → the values of the ``months`` months up to ``month`` (None where missing)."""
    window = month_range(shift_month(month, -(months - 1)), month)
    wanted = set(keys)
    found: dict[tuple[str, str], dict[str, float | None]] = {}
    for measure, params, m, value in frame.select("measure", "params", "month", "value").iter_rows():
        if (measure, params) in wanted:
            found.setdefault((measure, params), {})[m] = value
    return {k: [(m, found.get(k, {}).get(m)) for m in window] for k in keys}


def load_month(engine: Engine, provider: tuple[int, str], month: str) -> MonthView:
    """The month's view; NotFound (with what to do next) when there is no scorecard or no result."""
    scored, frame = score_month(engine, provider, month)
    data = scored.to_dict()
    keys = [m.key for _p, _o, m in scored.scorecard.measures()]
    hist = history(frame, month, keys)
    signals = read_signals(engine, provider_ids=[provider[0]], month=month).to_dicts()
    comments = list_comments(engine, [provider[0]], month=month)
    rows = scorecard_rows(data, signals, comments, hist)
    for row in rows:
        if row["level"] == "measure":
            texts = [value_text(v, row["unit"], currency=data["currency"]) for v in row["spark_values"]]
            title = spark_title(row["name"], row["spark_months"], row["spark_values"], texts)
            row["spark_title"] = title
            # drawn by steerco with every text escaped: safe to embed as markup
            row["spark_svg"] = Markup(sparkline_svg(row["spark_values"], goal=row["goal"], status=row["status"],
                                                    title=title))
    return MonthView(provider_id=provider[0], provider=provider[1], month=month, scored=scored, data=data,
                     rows=rows, signals=signals, comments=comments, credits=credit_rows(data["credits"]),
                     head=headline(data), months=month_range(shift_month(month, -(HISTORY_MONTHS - 1)), month))


def scorecard_labels(engine: Engine, providers: list[tuple[int, str]], month: str) -> dict[tuple[str, str, str], str]:
    """(provider, measure, params) → the scorecard's label, for every series on the scorecard in
    force in ``month`` of each provider."""
    out: dict[tuple[str, str, str], str] = {}
    for pid, name in providers:
        version = versions(engine, pid).in_force(month, backdate_first=True)
        if version is None:
            continue
        for _p, _o, spec in version.scorecard.measures():
            out[(name, spec.measure, spec.params_key)] = spec.label
    return out
