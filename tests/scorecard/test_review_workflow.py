"""The rules of a review: ratings and rationales, recommendations, the declaration, statuses."""

from __future__ import annotations

import datetime as dt

import pytest

from scorecard.errors import BadInput
from scorecard.review import (
    DECLARATION_KEYS,
    AreaRating,
    ReviewLocked,
    check_area_rating,
    check_declaration,
    check_recommendation,
    check_year,
    missing_for_submission,
    parse_date,
    parse_rating,
    require_status,
)


@pytest.mark.parametrize("raw, expected", [("0", (0, False)), ("5", (5, False)), (3, (3, False)), (" 2 ", (2, False)),
                                           ("", (None, False)), (None, (None, False)), ("na", (None, True)),
                                           ("N/A", (None, True))])
def test_ratings_read_from_forms_and_the_cli(raw, expected):
    assert parse_rating(raw) == expected


@pytest.mark.parametrize("raw", ["6", "-1", 7, "3.5", "three", True, "1e1", "05x"])
def test_ratings_outside_0_to_5_are_refused_clearly(raw):
    with pytest.raises(BadInput, match="a capability rating is a whole number from 0 to 5"):
        parse_rating(raw)


@pytest.mark.parametrize("rating", ["0", "1", "5", "na"])
def test_the_extremes_and_not_assessed_need_a_rationale(rating):
    with pytest.raises(BadInput, match="Security"):
        check_area_rating(rating, rationale="  ", area_name="Security")
    ok = check_area_rating(rating, rationale="Because the evidence shows it.", area_name="Security")
    assert ok.rationale == "Because the evidence shows it." and ok.done


@pytest.mark.parametrize("rating", ["2", "3", "4", ""])
def test_the_middle_ratings_may_go_without(rating):
    checked = check_area_rating(rating, findings=" two findings \r\n", notes="n")
    assert checked == AreaRating(int(rating) if rating else None, False, "", "two findings", "n")
    assert checked.shown == (rating or "not rated")


def test_texts_have_limits():
    with pytest.raises(BadInput, match="at most 20,000 characters"):
        check_area_rating("3", rationale="x" * 20_001)
    with pytest.raises(BadInput, match="NUL"):
        check_area_rating("3", notes="a\x00b")


AREAS = ["service_desk", "security"]


def test_a_recommendation_needs_an_owner_and_a_date_not_best_effort():
    rec = check_recommendation(area_key="security", text="Patch within 14 days", owner="Head of operations",
                               due="2026-03-31", year=2025, area_keys=AREAS)
    assert rec.due_on == dt.date(2026, 3, 31) and rec.owner == "Head of operations"
    for due, message in (("best effort", "must be a date \\(YYYY-MM-DD\\), not 'best effort'"),
                         ("", "the due date is required"), ("2026-02-30", "not a real date"),
                         ("31/03/2026", "must be a date"), ("2031-01-01", "between 2025-01-01 and 2030-12-31"),
                         ("2024-12-31", "between 2025-01-01")):
        with pytest.raises(BadInput, match=message):
            check_recommendation(area_key="security", text="t", owner="o", due=due, year=2025, area_keys=AREAS)
    with pytest.raises(BadInput, match="needs an owner"):
        check_recommendation(area_key="security", text="t", owner=" ", due="2026-01-01", year=2025, area_keys=AREAS)
    with pytest.raises(BadInput, match="needs some text"):
        check_recommendation(area_key="security", text="", owner="o", due="2026-01-01", year=2025, area_keys=AREAS)
    with pytest.raises(BadInput, match="choose the area"):
        check_recommendation(area_key="nope", text="t", owner="o", due="2026-01-01", year=2025, area_keys=AREAS)


def test_the_declaration_must_be_affirmed_in_full():
    with pytest.raises(BadInput, match="declare your independence before signing.*3 not affirmed"):
        check_declaration("Acme IT", [])
    with pytest.raises(BadInput, match="1 not affirmed.*referral fees"):
        check_declaration("Acme IT", ["no_financial_interest", "no_other_relationship"])
    d = check_declaration("Acme IT", list(DECLARATION_KEYS) + ["ignored"], "My brother works at a vendor.")
    assert len(d.statements) == 3 and all("Acme IT" in s for s in d.statements)
    assert "no financial interest" in d.statements[0] and "referral fees" in d.statements[1]
    assert d.to_dict()["disclosures"] == "My brother works at a vendor."


def test_statuses_say_what_to_do():
    with pytest.raises(ReviewLocked, match="is signed and cannot be changed; to correct it, amend it"):
        require_status("signed", ("draft",), "change its ratings", "the 2025 review of X (version 1)")
    with pytest.raises(ReviewLocked, match="return it to draft to change its ratings"):
        require_status("submitted", ("draft",), "change its ratings", "it")
    with pytest.raises(BadInput, match="only a submitted review can be"):
        require_status("draft", ("submitted",), "sign it", "it")
    require_status("draft", ("draft",), "x", "it")


def test_what_stops_a_submission():
    names = {"a": "Area A", "b": "Area B"}
    assert missing_for_submission("", {}, names) == ["a summary for the board",
                                                     'a rating (or "not assessed") for Area A, Area B']
    done = {"a": AreaRating(3), "b": AreaRating(None, True, "n/a here")}
    assert missing_for_submission("Fine.", done, names) == []


def test_years_and_dates():
    assert check_year("2025", this_year=2026) == 2025
    for bad in ("2027", "1999", "twenty", "", None):
        with pytest.raises(BadInput, match="year"):
            check_year(bad, this_year=2026)
    assert parse_date(dt.date(2026, 1, 2), "x") == dt.date(2026, 1, 2)
