"""This year's ratings beside last year's, area by area, with what changed (pure).

Areas are matched by their key, so a renamed area keeps its history; an area that is new
in this year's rubric, or was dropped from it, says so. "What changed" is the rating's
move, the share of measured months on target in the area's evidence, and the drift
signals that pointed to worse, each year against the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scorecard.review.workflow import AreaRating


@dataclass(frozen=True)
class AreaSide:
    """One year's view of an area: its rating and its evidence summary (an evidence area dict)."""

    name: str
    rating: AreaRating
    evidence: Mapping | None = None


def _share(ev: Mapping | None) -> float | None:
    return None if ev is None else ev.get("share_on_target")


def _pct(x: float | None) -> str:
    return "no measured months" if x is None else f"{x * 100:.0f} % of measured months on target"


def compare_areas(current: Sequence[tuple[str, AreaSide]], previous: Mapping[str, AreaSide] | None) -> list[dict]:
    """Rows, one per area of this year's rubric then any area only last year had."""
    previous = previous or {}
    rows = []
    for key, now in current:
        before = previous.get(key)
        rows.append(_row(key, now, before, has_previous=bool(previous)))
    for key, before in previous.items():
        if key not in {k for k, _ in current}:
            rows.append({"key": key, "name": before.name, "previous": before.rating.shown, "current": "—",
                         "change": None, "direction": "dropped",
                         "what": "No longer in this year's rubric.", "previous_rationale": before.rating.rationale,
                         "current_rationale": ""})
    return rows


def _row(key: str, now: AreaSide, before: AreaSide | None, *, has_previous: bool) -> dict:
    row = {"key": key, "name": now.name, "current": now.rating.shown,
           "previous": before.rating.shown if before else "—", "change": None, "direction": None,
           "previous_rationale": before.rating.rationale if before else "", "current_rationale": now.rating.rationale}
    notes: list[str] = []
    if not has_previous:
        row["direction"] = "first"
        notes.append("No signed review of the year before to compare with.")
    elif before is None:
        row["direction"] = "new"
        notes.append("A new area this year.")
    else:
        a, b = before.rating.rating, now.rating.rating
        if a is not None and b is not None:
            row["change"] = b - a
            row["direction"] = "up" if b > a else "down" if b < a else "same"
            notes.append({"up": f"Up {b - a} from {a} to {b}.", "down": f"Down {a - b} from {a} to {b}.",
                          "same": f"Unchanged at {b}."}[row["direction"]])
        else:
            row["direction"] = "incomparable"
            notes.append(f"Was {before.rating.shown}, now {now.rating.shown}.")
        s0, s1 = _share(before.evidence), _share(now.evidence)
        if s0 is not None or s1 is not None:
            notes.append(f"Evidence: {_pct(s0)} last year, {_pct(s1)} this year.")
        w0 = (before.evidence or {}).get("worse_signals", 0)
        w1 = (now.evidence or {}).get("worse_signals", 0)
        if w0 or w1:
            notes.append(f"Drift signals towards worse: {w0} last year, {w1} this year.")
    row["what"] = " ".join(notes)
    return row
