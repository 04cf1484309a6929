"""The annual competence review (DESIGN.md §7, docs/review.md), pure: rubrics, ratings and
the workflow's rules, the year's evidence summarised by area, attachment checks, and the
comparison with last year's review. Storage is ``sql.reviews``; gathering the stored
evidence is ``pipelines.review_evidence``; pages, CLI and report are in ``dashboard``.
"""

from scorecard.review.comparison import AreaSide, compare_areas
from scorecard.review.documents import ACCEPTED, MAX_BYTES, CheckedDocument, check_document
from scorecard.review.evidence import Target, summarise_year, theil_sen
from scorecard.review.rubric import Area, Level, MeasureLink, Rubric, load_rubric
from scorecard.review.workflow import (
    DECLARATION,
    DECLARATION_KEYS,
    DRAFT,
    NEEDS_RATIONALE,
    SIGNED,
    STATUSES,
    SUBMITTED,
    AreaRating,
    Declaration,
    Recommendation,
    ReviewLocked,
    check_area_rating,
    check_declaration,
    check_recommendation,
    check_summary,
    check_year,
    missing_for_submission,
    parse_date,
    parse_rating,
    require_status,
)

__all__ = [
    "ACCEPTED", "DECLARATION", "DECLARATION_KEYS", "DRAFT", "MAX_BYTES", "NEEDS_RATIONALE", "SIGNED", "STATUSES",
    "SUBMITTED", "Area", "AreaRating", "AreaSide", "CheckedDocument", "Declaration", "Level", "MeasureLink",
    "Recommendation", "ReviewLocked", "Rubric", "Target", "check_area_rating", "check_declaration",
    "check_document", "check_recommendation", "check_summary", "check_year", "compare_areas", "load_rubric",
    "missing_for_submission", "parse_date", "parse_rating", "require_status", "summarise_year", "theil_sen",
]
