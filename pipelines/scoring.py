"""Score a stored month: the scorecard version in force, its stored results, the month before."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from scorecard.definition import Scorecard, load_scorecard
from scorecard.errors import NotFound
from scorecard.months import shift_month
from scorecard.scoring import ScoredScorecard, results_from_rows, score_scorecard
from scorecard.versions import ScorecardVersions
from sql.engine import session_scope
from sql.models import ScorecardVersion
from sql.repo import get_provider
from sql.reported import reported_values
from sql.results import read_results


@dataclass(frozen=True)
class StoredVersion:
    id: int
    effective_month: str
    scorecard: Scorecard


def load_versions(engine: Engine, provider_id: int) -> ScorecardVersions[StoredVersion]:
    """Every stored scorecard version of a provider, parsed, by effective month."""
    with session_scope(engine) as session:
        rows = session.execute(select(ScorecardVersion.id, ScorecardVersion.effective_month,
                                      ScorecardVersion.source)
                               .where(ScorecardVersion.provider_id == provider_id)).all()
    return ScorecardVersions([(eff, StoredVersion(vid, eff, load_scorecard(src, source=f"scorecard version {eff}")))
                              for vid, eff, src in rows])


def scored_month(engine: Engine, provider_name: str, month: str) -> ScoredScorecard:
    """The scorecard of ``month`` scored on the stored results, with changes since the month before
    and the provider's reported figures reconciled."""
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        provider = (p.id, p.name)
    version = load_versions(engine, provider[0]).in_force(month, backdate_first=True)
    if version is None:
        raise NotFound(f"{provider[1]} has no scorecard yet: load one with "
                       "`steerco scorecard load FILE --provider NAME --effective YYYY-MM`")
    before = shift_month(month, -1)
    frame = read_results(engine, provider, first=before, last=month)
    if frame.filter(frame["month"] == month).is_empty():
        raise NotFound(f"no results stored for {provider[1]} in {month}: run `steerco compute` "
                       "(results exist only for months with imported facts)")
    rows = frame.to_dicts()
    current = results_from_rows(r for r in rows if r["month"] == month)
    previous = results_from_rows(r for r in rows if r["month"] == before)
    return score_scorecard(version.scorecard, current, previous=previous, month=month,
                           reported=reported_values(engine, provider[0], month))
