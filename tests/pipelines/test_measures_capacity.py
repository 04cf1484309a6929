"""capacity.p95_utilisation and capacity.months_to_exhaustion."""

from __future__ import annotations

import pytest
from scipy.stats import theilslopes

from scorecard import facts as F

from .measures_helpers import context, frame, param_sets, results, rows, utc, values


def sample(resource: str, at, used: float | None, capacity: float | None = 100.0) -> dict:
    return {"resource": resource, "at": at, "used": used, "capacity": capacity, "unit": "GB"}


def test_p95_in_the_month() -> None:
    samples = [sample("SAN", utc(2026, 1, d, 6), u) for d, u in zip(range(1, 6), (50, 60, 70, 80, 90))]
    samples += [
        sample("SAN", utc(2026, 1, 6, 6), 99.0, 0.0),        # no capacity: left out
        sample("SAN", utc(2026, 1, 7, 6), None),             # nothing measured: left out
        sample("SAN", utc(2026, 1, 31, 23, 30), 10.0),       # 00:30 Berlin on 1 February
        sample("SAN", utc(2026, 2, 2, 6), 30.0, 50.0),
    ]
    out = results(context(as_of=utc(2026, 2, 10)), capacity=frame(F.CAPACITY, samples))
    # January: .5 .6 .7 .8 .9 → h = 4 × .95 = 3.8 → .8 + .8 × (.9 − .8) = .88; February .1 and .6
    # → h = .95 → .1 + .95 × .5 = .575, provisional (the month is running)
    assert rows(out, "capacity.p95_utilisation", {"resource": "SAN"}) == [
        ("2026-01", pytest.approx(0.88), None, None, 5, False),
        ("2026-02", pytest.approx(0.575), None, None, 2, True)]
    assert param_sets(out, "capacity.months_to_exhaustion") == set()  # fewer than 3 months


def monthly(resource: str, values_: list[float], first: tuple[int, int] = (2025, 8)) -> list[dict]:
    """One sample a month (so the month's p95 is that value), mid-month."""
    y, m = first
    out = []
    for v in values_:
        out.append(sample(resource, utc(y, m, 15, 12), v * 100))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_months_to_exhaustion_from_a_theil_sen_trend() -> None:
    rising = [0.50, 0.52, 0.55, 0.56, 0.60, 0.61]            # 2025-08 … 2026-01
    samples = (monthly("rising", rising) + monthly("falling", [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
               + monthly("full", [0.9, 0.95, 1.0, 1.0, 1.0, 1.0]) + monthly("short", [0.5, 0.6], (2025, 12)))
    out = results(context(("2025-10", "2026-01")), capacity=frame(F.CAPACITY, samples))
    # the 15 pairwise slopes of the six points (x = 0 … 5) sorted:
    # .01 .01 .02 .02 .02 .02 .022 .0225 .025 .025 .025 .025 .02667 .03 .04 → median .0225;
    # from January's .61: (1 − .61) / .0225 = 17.33 months
    slope = theilslopes(rising, range(6)).slope
    assert slope == pytest.approx(0.0225)
    assert rows(out, "capacity.months_to_exhaustion", {"resource": "rising"}) == [
        ("2025-10", pytest.approx((1 - 0.55) / 0.025), None, None, 3, False),   # 3 points: slopes .02 .025 .03
        ("2026-01", pytest.approx(0.39 / 0.0225), None, None, 6, False)]
    # a falling trend never reaches 100%: a row without a value; at 100% already: 0
    assert values(out, "capacity.months_to_exhaustion", {"resource": "falling"}) == {"2025-10": None, "2026-01": None}
    assert values(out, "capacity.months_to_exhaustion", {"resource": "full"}) == {"2025-10": 0.0, "2026-01": 0.0}
    # two months only: no trend
    assert values(out, "capacity.months_to_exhaustion", {"resource": "short"}) == {}


def test_gaps_in_the_window_and_no_value_this_month() -> None:
    # 2025-08, 2025-10, 2026-01 (the window of January is 2025-08 … 2026-01): 3 points
    samples = [sample("gap", utc(2025, 8, 15), 40.0), sample("gap", utc(2025, 10, 15), 50.0),
               sample("gap", utc(2026, 1, 15), 80.0)]
    out = results(context(("2025-12", "2026-01")), capacity=frame(F.CAPACITY, samples))
    # slopes: (.5 − .4)/2 = .05, (.8 − .4)/5 = .08, (.8 − .5)/3 = .1 → .08; (1 − .8)/.08 = 2.5
    # December has no sample of its own: no row
    assert values(out, "capacity.months_to_exhaustion", {"resource": "gap"}) == {"2026-01": pytest.approx(2.5)}


def test_no_samples_no_rows() -> None:
    assert results(context(), capacity=frame(F.CAPACITY, [])).is_empty()
