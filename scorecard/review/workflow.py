"""The rules of a review: ratings, rationales, recommendations, the workflow and the
independence declaration (DESIGN.md §7, docs/review.md).

A review moves **draft → submitted → signed**. A draft is edited; *submit* freezes its
evidence and content for sign-off (*return to draft* undoes that); *sign* needs the
independence declaration and a reviewer, records who and when, and makes the review
immutable. A signed review is changed only by an *amendment*: a new draft version that
refers to it and, once signed, supersedes it.

Ratings are whole numbers 0–5, or "not assessed". A rationale is required for the
extremes — **0, 1 and 5** — and for "not assessed": the lowest ratings trigger action
and the highest claims an optimising practice, so each must say why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scorecard.errors import BadInput

DRAFT, SUBMITTED, SIGNED = "draft", "submitted", "signed"
STATUSES = (DRAFT, SUBMITTED, SIGNED)
RATINGS = tuple(range(6))
NEEDS_RATIONALE = frozenset({0, 1, 5})
NOT_ASSESSED = "na"
MAX_TEXT = 20_000
MAX_SHORT = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReviewLocked(BadInput):
    """A signed review (or a submitted one, for edits) cannot be changed."""


@dataclass(frozen=True)
class AreaRating:
    """What the reviewer says about one area."""

    rating: int | None = None          # 0–5, None when not rated yet (or not assessed)
    not_assessed: bool = False
    rationale: str = ""
    findings: str = ""
    notes: str = ""

    @property
    def done(self) -> bool:
        return self.rating is not None or self.not_assessed

    @property
    def shown(self) -> str:
        if self.not_assessed:
            return "not assessed"
        return "not rated" if self.rating is None else str(self.rating)


def check_year(raw: object, *, this_year: int) -> int:
    """A review year: a whole number, not after this year."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isdigit():
        raise BadInput(f"a review year is a whole number such as {this_year - 1}, got {text[:20]!r}")
    year = int(text)
    if not FIRST_YEAR <= year <= min(LAST_YEAR, this_year):
        raise BadInput(f"a review year lies between {FIRST_YEAR} and {this_year}, got {year}")
    return year


def parse_rating(raw: object) -> tuple[int | None, bool]:
    """A rating from a form or the CLI: (rating, not_assessed). ``""``/None: not rated;
    ``"na"``: not assessed; otherwise a whole number 0–5."""
    if raw is None:
        return None, False
    if isinstance(raw, bool):
        raise BadInput(f"a capability rating is a whole number from 0 to 5, got {raw!r}")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().lower()
        if text == "":
            return None, False
        if text in (NOT_ASSESSED, "n/a", "not assessed"):
            return None, True
        if not re.fullmatch(r"[+-]?\d{1,3}", text):
            raise BadInput(f"a capability rating is a whole number from 0 to 5 (or \"na\" for not assessed), "
                           f"got {str(raw)[:20]!r}")
        value = int(text)
    if value not in RATINGS:
        raise BadInput(f"a capability rating is a whole number from 0 to 5, got {value}")
    return value, False


def _text(raw: object, what: str, limit: int = MAX_TEXT) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise BadInput(f"the {what} contains a NUL character")
    if len(text) > limit:
        raise BadInput(f"the {what} is at most {limit:,} characters, this one has {len(text):,}")
    return text


def check_area_rating(rating: object, *, rationale: object = "", findings: object = "", notes: object = "",
                      area_name: str = "this area") -> AreaRating:
    """Validate what the reviewer entered for an area; BadInput says what to fix."""
    value, not_assessed = parse_rating(rating)
    why = _text(rationale, "rationale")
    if not why and value in NEEDS_RATIONALE:
        meaning = {0: "the practice is missing", 1: "the practice is ad hoc",
                   5: "the practice is optimising"}[value]
        raise BadInput(f"a rating of {value} for {area_name} needs a rationale: say what evidence shows "
                       f"{meaning} (ratings 0, 1 and 5 always need one)")
    if not why and not_assessed:
        raise BadInput(f"say why {area_name} is not assessed (a rationale is required)")
    return AreaRating(value, not_assessed, why, _text(findings, "findings"), _text(notes, "notes"))


def check_summary(raw: object) -> str:
    return _text(raw, "summary")


def parse_date(raw: object, what: str) -> dt.date:
    """A calendar date written YYYY-MM-DD; anything else ("best effort", "Q3") is refused."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise BadInput(f"the {what} is required: give a date (YYYY-MM-DD)")
    if not _DATE.fullmatch(text):
        raise BadInput(f"the {what} must be a date (YYYY-MM-DD), not {text[:40]!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"the {what} {text!r} is not a real date") from None


@dataclass(frozen=True)
class Recommendation:
    area_key: str
    text: str
    owner: str
    due_on: dt.date


def check_recommendation(*, area_key: str, text: object, owner: object, due: object, year: int,
                         area_keys: Iterable[str]) -> Recommendation:
    """A recommendation: an area of the rubric, what to do, an owner and a due date — a date,
    not "best effort" — from the review year on, at most five years after it."""
    keys = list(area_keys)
    if area_key not in keys:
        raise BadInput(f"choose the area the recommendation belongs to (one of: {', '.join(keys)})")
    what = _text(text, "recommendation")
    if not what:
        raise BadInput("a recommendation needs some text: what should be done")
    who = _text(owner, "owner", MAX_SHORT)
    if not who:
        raise BadInput("a recommendation needs an owner: the person or role who will do it")
    due_on = parse_date(due, "due date")
    if not year <= due_on.year <= year + 5:
        raise BadInput(f"the due date {due_on.isoformat()} should fall between {year}-01-01 and {year + 5}-12-31")
    return Recommendation(area_key, what, who, due_on)


def missing_for_submission(summary: str, ratings: Mapping[str, AreaRating], area_names: Mapping[str, str]) -> list[str]:
    """What still stops a draft from being submitted (empty: ready)."""
    missing = []
    if not summary.strip():
        missing.append("a summary for the board")
    unrated = [name for key, name in area_names.items() if not ratings.get(key, AreaRating()).done]
    if unrated:
        missing.append("a rating (or \"not assessed\") for " + ", ".join(unrated))
    return missing


def require_status(status: str, allowed: Iterable[str], doing: str, label: str) -> None:
    allowed = tuple(allowed)
    if status in allowed:
        return
    if status == SIGNED:
        raise ReviewLocked(f"{label} is signed and cannot be changed; to correct it, amend it "
                           "(an amendment is a new version that refers to this one)")
    if status == SUBMITTED:
        raise ReviewLocked(f"{label} is submitted for sign-off: return it to draft to {doing}")
    raise BadInput(f"cannot {doing}: {label} is a {status}, and only a {' or '.join(allowed)} review can be")


# ---------------------------------------------------------------------- independence

DECLARATION = (
    ("no_financial_interest",
     "I have no financial interest in {provider}: no shares, loans, investments or other financial stake, "
     "held by me or by my close family."),
    ("no_referral_fees",
     "I receive no referral fees, commissions, rebates or other benefits from {provider}, or from any vendor "
     "whose products or services it recommends or resells."),
    ("no_other_relationship",
     "I have no employment, contract or family relationship with {provider} that could impair my "
     "independent judgement, other than this engagement and anything disclosed below."),
)
DECLARATION_KEYS = tuple(k for k, _ in DECLARATION)


@dataclass(frozen=True)
class Declaration:
    statements: tuple[str, ...]
    disclosures: str

    def to_dict(self) -> dict:
        return {"statements": list(self.statements), "disclosures": self.disclosures}


def check_declaration(provider: str, accepted: Iterable[str], disclosures: object = "") -> Declaration:
    """The reviewer's independence declaration: every statement must be affirmed."""
    given = set(accepted)
    missing = [text.format(provider=provider) for key, text in DECLARATION if key not in given]
    if missing:
        raise BadInput("declare your independence before signing: affirm every statement of the declaration "
                       f"({len(missing)} not affirmed, e.g. \u201c{missing[0]}\u201d)")
    return Declaration(tuple(text.format(provider=provider) for _, text in DECLARATION),
                       _text(disclosures, "disclosures"))
