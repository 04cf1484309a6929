"""survey.csat, survey.nps, survey.response_rate (frames of pipelines.measures.survey)."""

from __future__ import annotations

import math

import pytest

from pipelines.measures.survey import INVITATIONS, RESPONSES

from .measures_helpers import context, frame, param_sets, results, rows, utc, values

Z = 1.959963984540054


def answer(question, scale, rating, at=utc(2026, 1, 10, 12)):
    return {"questionnaire": "v1", "question": question, "scale": scale, "answered_at": at, "rating": rating}


ANSWERS = [
    *(answer("satisfaction", "1-5", r) for r in (5, 4, 3, 1)),
    *(answer("speed", "1-5", r) for r in (4, 2)),
    answer("satisfaction", "1-5", 6), answer("satisfaction", "1-5", 0),       # off the scale
    answer("satisfaction", "1-5", 5, utc(2026, 1, 31, 23, 30)),                # 1 February in Berlin
    *(answer("recommend", "0-10", r) for r in (10, 9, 8, 7, 6, 0, 10, 11)),    # 11 is off the scale
]


def test_csat() -> None:
    out = results(context(as_of=utc(2026, 2, 10)), survey_responses=frame(RESPONSES, ANSWERS))
    # January, 1–5 answers: 5 4 3 1 4 2 → 4 or 5: three of six; February: 5 → 1/1
    assert rows(out, "survey.csat") == [("2026-01", 0.5, 3.0, 6.0, 6, False), ("2026-02", 1.0, 1.0, 1.0, 1, True)]
    assert values(out, "survey.csat", {"question": "satisfaction"}) == {"2026-01": 0.5, "2026-02": 1.0}
    assert values(out, "survey.csat", {"question": "speed"}) == {"2026-01": 0.5}
    assert '{"question":"recommend"}' not in param_sets(out, "survey.csat")


def test_nps_and_its_interval() -> None:
    out = results(context(), survey_responses=frame(RESPONSES, ANSWERS))
    # 10 9 8 7 6 0 10 → n = 7, promoters 3 (9–10), detractors 2 (0–6): NPS = 100 × 1/7 = 14.29
    # var = (3/7 + 2/7 − (1/7)²) / 7 = (35/49 − 1/49) / 7 = 34/343; half = z × √(34/343) = .6171
    half = Z * math.sqrt(34 / 343)
    assert rows(out, "survey.nps", cols=("month", "value", "numerator", "denominator", "n", "ci_low", "ci_high")) == [
        ("2026-01", pytest.approx(100 / 7), 1.0, 7.0, 7,
         pytest.approx(100 * (1 / 7 - half)), pytest.approx(100 * (1 / 7 + half)))]
    assert round(100 * (1 / 7 - half), 2) == -47.42


def test_nps_interval_stays_within_the_scale() -> None:
    two = [answer("recommend", "0-10", 10), answer("recommend", "0-10", 0)]
    # NPS 0, var = (1 − 0) / 2 → half = 1.96 × .707 = 1.386: clipped to ±100
    out = results(context(("2026-01",)), survey_responses=frame(RESPONSES, two))
    assert rows(out, "survey.nps", cols=("value", "ci_low", "ci_high")) == [(0.0, -100.0, 100.0)]


def test_response_rate_by_sending_month() -> None:
    invitations = [
        {"sent_at": utc(2026, 1, 5), "responded_at": utc(2026, 1, 20)},
        {"sent_at": utc(2026, 1, 6), "responded_at": utc(2026, 2, 3)},      # counts for January
        {"sent_at": utc(2026, 1, 7), "responded_at": utc(2026, 3, 1)},      # after as_of: not yet
        {"sent_at": utc(2026, 1, 8), "responded_at": None},
        {"sent_at": utc(2026, 1, 31, 23), "responded_at": None},            # 00:00 Berlin, February
    ]
    ctx = context(as_of=utc(2026, 2, 10))
    out = results(ctx, survey_invitations=frame(INVITATIONS, invitations))
    # January 2 of 4, provisional until 14 days after its end (2026-02-14 23:00 UTC)
    assert rows(out, "survey.response_rate") == [
        ("2026-01", 0.5, 2.0, 4.0, 4, True), ("2026-02", 0.0, 0.0, 1.0, 1, True)]
    out = results(context(as_of=utc(2026, 2, 15)), survey_invitations=frame(INVITATIONS, invitations))
    assert rows(out, "survey.response_rate", cols=("month", "provisional"))[0] == ("2026-01", False)


def test_no_survey_frames_no_rows() -> None:
    assert results(context(), survey_responses=frame(RESPONSES, [])).is_empty()
    assert results(context(), survey_invitations=frame(INVITATIONS, [])).is_empty()


def test_a_negative_nps_keeps_its_sign_in_the_numerator() -> None:
    # 0 3 6 9 → promoters 1, detractors 3: NPS = 100 × (1 − 3) / 4 = −50, numerator −2 (not 2³² − 2)
    four = [answer("recommend", "0-10", r) for r in (0, 3, 6, 9)]
    out = results(context(("2026-01",)), survey_responses=frame(RESPONSES, four))
    assert rows(out, "survey.nps", cols=("value", "numerator", "denominator")) == [(-50.0, -2.0, 4.0)]
