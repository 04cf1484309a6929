"""pipelines.measures.common and the compute_all contract: schema, params JSON, months."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from pipelines.measures import compute_all
from pipelines.measures.common import months_frame, wilson
from scorecard import facts as F
from scorecard.catalogue import RESULT_SCHEMA, params_key
from scorecard.errors import BadInput

from scorecard.sla import SlaPolicySet

from .measures_helpers import context, frame, param_sets, results, tickets, utc


@pytest.mark.parametrize(("x", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score)
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718), (29, 29, 0.8830, 1.0),
])
def test_wilson_matches_newcombe(x: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson("x", "n")
    got = pl.DataFrame({"x": [x], "n": [n]}).select(lo.alias("lo"), hi.alias("hi")).row(0)
    assert got == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_wilson_without_trials_is_null() -> None:
    lo, hi = wilson("x", "n")
    assert pl.DataFrame({"x": [0], "n": [0]}).select(lo.alias("lo"), hi.alias("hi")).row(0) == (None, None)


def test_result_schema_and_order() -> None:
    out = results(context(), tickets=tickets([{"opened_at": utc(2026, 1, 5)}]))
    assert out.schema == RESULT_SCHEMA
    assert list(out.columns) == list(RESULT_SCHEMA)
    assert out.select("measure", "params", "month").rows() == sorted(out.select("measure", "params", "month").rows())
    assert set(out["provider"]) == {"acme"}


def test_empty_inputs_give_an_empty_frame_of_the_schema() -> None:
    out = compute_all(context(), {}).collect()
    assert out.schema == RESULT_SCHEMA and out.is_empty()
    out = compute_all(context(), {"tickets": tickets([]), "spend": frame(F.SPEND, [])}).collect()
    assert out.schema == RESULT_SCHEMA and out.is_empty()
    no_months = context((), policies=POLICIES)
    assert compute_all(no_months, {"tickets": tickets([{"opened_at": utc(2026, 1, 5)}])}).collect().is_empty()


def test_params_are_canonical_json_whatever_the_names() -> None:
    odd = ['Qualitätsprüfung', 'say "hi"', "back\\slash", "日本"]
    out = results(context(), tickets=tickets([{"category": c, "opened_at": utc(2026, 1, 5)} for c in odd]))
    want = {params_key({"category": c}) for c in odd}
    assert want <= param_sets(out, "tickets.opened")
    assert params_key({"category": "Qualitätsprüfung"}) == '{"category":"Qualit\\u00e4tspr\\u00fcfung"}'
    assert params_key({"priority": "P3", "stat": "p90"}) in param_sets(
        results(context(policies=POLICIES), tickets=tickets([
            {"opened_at": utc(2026, 1, 5), "resolved_at": utc(2026, 1, 6)}])), "time.resolution")


POLICIES = SlaPolicySet.from_dict({"all": {"resolution": "4h", "calendar": "24x7"}})


def test_data_frames_are_accepted_too() -> None:
    lf = tickets([{"opened_at": utc(2026, 1, 5)}])
    a = compute_all(context(), {"tickets": lf}).collect()
    b = compute_all(context(), {"tickets": lf.collect()}).collect()
    assert a.equals(b)


def test_months_frame_finality() -> None:
    # January 2026 in Berlin ends 2026-01-31 23:00 UTC; 14 local days later: 2026-02-14 23:00 UTC
    def flags(as_of: datetime) -> tuple:
        return months_frame(context(("2026-01",), as_of=as_of)).select(
            "final", "final_reopen", "final_survey").collect().row(0)

    assert flags(utc(2026, 1, 31, 22, 59, 59)) == (False, False, False)
    assert flags(utc(2026, 1, 31, 23)) == (True, False, False)
    assert flags(utc(2026, 2, 14, 23)) == (True, False, False)
    assert flags(utc(2026, 2, 14, 23, 0, 0, 1)) == (True, True, True)
    bounds = months_frame(context(("2026-03",), as_of=utc(2026, 3, 10))).collect()
    # March has the spring change: 31 days − 1 h; the running month ends at as_of for now
    assert (bounds["end"][0] - bounds["start"][0]).total_seconds() == 31 * 86400 - 3600
    assert bounds["period_end"][0] == utc(2026, 3, 10)


def test_months_not_begun_have_no_rows() -> None:
    # 1 February 00:00 Berlin is 2026-01-31 23:00 UTC: February has begun a microsecond later
    lf = tickets([{"opened_at": utc(2026, 1, 5)}])
    spend = frame(F.SPEND, [{"month": m, "amount": 1.0} for m in ("2026-01", "2026-02")])
    out = results(context(as_of=utc(2026, 1, 31, 23)), tickets=lf, spend=spend)
    assert set(out["month"]) == {"2026-01"}
    out = results(context(as_of=utc(2026, 1, 31, 23, 0, 0, 1)), tickets=lf, spend=spend)
    assert set(out["month"]) == {"2026-01", "2026-02"}


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(BadInput, match="required column"):
        compute_all(context(), {"tickets": tickets([]).drop("opened_at")})
    with pytest.raises(BadInput, match="time-zone-aware"):
        compute_all(context(as_of=datetime(2026, 1, 1)), {"tickets": tickets([])})
