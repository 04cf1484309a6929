"""checks.pass_rate per check type."""

from __future__ import annotations

import pytest

from scorecard import facts as F

from .measures_helpers import context, frame, param_sets, results, rows, utc


def check(kind, at, passed):
    return {"check_type": kind, "subject": "job", "at": at, "passed": passed}


CHECKS = [
    check("backup", utc(2026, 1, 2, 1), True), check("backup", utc(2026, 1, 3, 1), True),
    check("backup", utc(2026, 1, 4, 1), False), check("backup", utc(2026, 1, 5, 1), True),
    check("backup", utc(2026, 1, 6, 1), None),                    # no result: left out
    check("backup", utc(2026, 1, 31, 23, 30), False),             # 00:30 Berlin, 1 February
    check("qc_review", utc(2026, 1, 20, 15), True),
    check("backup", utc(2026, 2, 20, 1), True),                   # after as_of
]


def test_pass_rate_per_check_type() -> None:
    out = results(context(as_of=utc(2026, 2, 10)), checks=frame(F.CHECKS, CHECKS))
    # backup January: 3 of 4 (Wilson); February so far: 0 of 1, provisional
    got = rows(out, "checks.pass_rate", {"check_type": "backup"},
               ("month", "value", "numerator", "denominator", "n", "ci_low", "ci_high", "provisional"))
    assert got == [
        ("2026-01", 0.75, 3.0, 4.0, 4, pytest.approx(0.3006, abs=1e-4), pytest.approx(0.9544, abs=1e-4), False),
        ("2026-02", 0.0, 0.0, 1.0, 1, 0.0, pytest.approx(0.7935, abs=1e-4), True)]
    assert param_sets(out, "checks.pass_rate") == {'{"check_type":"backup"}', '{"check_type":"qc_review"}'}


def test_no_checks_no_rows() -> None:
    assert results(context(), checks=frame(F.CHECKS, [])).is_empty()
