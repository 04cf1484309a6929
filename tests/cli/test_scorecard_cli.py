"""steerco scorecard load/check/list/show, compute and measures through the CLI."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tests.conftest import Cli

IT = "Northwind IT Services"
EXAMPLE = resources.files("scorecard.examples").joinpath("it_managed_services.toml")
KEYS = ["provider", "measure", "params", "month", "value", "numerator", "denominator", "n", "ci_low", "ci_high",
        "provisional"]


@pytest.fixture
def demo_cli(demo_url):
    return Cli(demo_url)


def test_measures_json_has_exactly_the_documented_keys(demo_cli):
    out = demo_cli("measures", "--provider", IT, "--from", "2026-10", "--measure", "time.resolution",
                   "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert rows and all(list(r) == KEYS for r in rows)
    p2 = [r for r in rows if r["params"] == {"priority": "P2", "stat": "median"}]
    assert len(p2) == 1 and p2[0]["month"] == "2026-10" and p2[0]["value"] > 0 and p2[0]["n"] > 0
    overall = {json.dumps(r["params"], sort_keys=True) for r in rows if "priority" not in r["params"]
               and "category" not in r["params"]}
    assert overall == {'{"stat": "median"}', '{"stat": "p90"}'}


def test_measures_csv_and_table(demo_cli):
    csv = demo_cli("measures", "--provider", IT, "--to", "2025-09", "--format", "csv").output.splitlines()
    assert csv[0].split(",") == KEYS and all(",2025-09," in line for line in csv[1:]) and len(csv) > 100
    table = demo_cli("measures", "--provider", IT, "--from", "2026-10", "--measure", "tickets.opened").output
    assert table.splitlines()[0].split() == ["month", "measure", "params", "value", "n", "provisional"]


def test_scorecard_show_json_matches_the_stored_results(demo_cli):
    data = json.loads(demo_cli("scorecard", "show", "--provider", IT, "--month", "2026-10",
                               "--format", "json").output)
    measures = json.loads(demo_cli("measures", "--provider", IT, "--from", "2026-10", "--to", "2026-10",
                                   "--format", "json").output)
    by_key = {(r["measure"], json.dumps(r["params"], sort_keys=True)): r for r in measures}
    shown = [m for p in data["perspectives"] for o in p["objectives"] for m in o["measures"]]
    assert data["month"] == "2026-10" and data["status"] in ("green", "amber", "red")
    assert len(shown) == data["measure_count"] >= 25
    for m in shown:
        stored = by_key.get((m["measure"], json.dumps(m["params"], sort_keys=True)))
        if stored is None:
            assert m["status"] == "grey" and m["value"] is None
        else:
            assert m["value"] == pytest.approx(stored["value"], rel=1e-9)
    reopen = next(m for m in shown if m["measure"] == "quality.reopen_rate")
    assert reopen["status"] == "red"  # the documented reopen-rate rise from 2025-07
    assert data["credits"]["total"] >= 0 and "lines" in data["credits"]


def test_scorecard_show_table(demo_cli):
    out = demo_cli("scorecard", "show", "--provider", IT, "--month", "2026-03")
    assert out.exit_code == 0
    assert out.output.startswith(f"{IT} — 2026-03: score ")
    lines = out.output.splitlines()
    p2 = next(line for line in lines if "P2 resolved within 8 hours" in line)
    assert "80 %" in p2 and any(mark in p2 for mark in ("● green", "▲ amber", "■ red"))
    assert "Service credits:" in out.output


def test_scorecard_show_errors(demo_cli):
    missing = demo_cli("scorecard", "show", "--provider", IT, "--month", "2020-01")
    assert missing.exit_code == 2 and "no results stored for Northwind IT Services in 2020-01" in missing.output
    bad = demo_cli("scorecard", "show", "--provider", IT, "--month", "2026-13")
    assert bad.exit_code == 2 and "--month: not a month: '2026-13'" in bad.output
    nobody = demo_cli("scorecard", "show", "--provider", "Nobody", "--month", "2026-01")
    assert nobody.exit_code == 2 and "no provider named 'Nobody'" in nobody.output


def test_scorecard_load_is_idempotent_and_versions_are_not_edited(demo_cli, tmp_path):
    again = demo_cli("scorecard", "load", str(EXAMPLE), "--provider", IT, "--effective", "2025-09")
    assert again.exit_code == 0 and "nothing changed" in again.output
    edited = tmp_path / "edited.toml"
    edited.write_text(EXAMPLE.read_text() + "\n# a change\n")
    refused = demo_cli("scorecard", "load", str(edited), "--provider", IT, "--effective", "2025-09")
    assert refused.exit_code == 2 and "already has a scorecard version effective 2025-09" in refused.output
    later = demo_cli("scorecard", "load", str(edited), "--provider", IT, "--effective", "2026-07")
    assert later.exit_code == 0 and "effective 2026-07" in later.output
    listed = demo_cli("scorecard", "list", "--provider", IT).output.splitlines()
    assert [line.split()[0] for line in listed[2:]] == ["2025-09", "2026-07"]
    recompute = demo_cli("compute", "--provider", IT)
    assert "computed 4 months (2026-07 … 2026-10)" in recompute.output


def test_scorecard_load_refuses_bad_files(demo_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('measure = "quality.reopen_rate"', 'measure = "quality.reopen_rat"', 1))
    out = demo_cli("scorecard", "load", str(bad), "--provider", IT, "--effective", "2026-01")
    assert out.exit_code == 2
    assert f"{bad}, row " in out.output and "unknown measure 'quality.reopen_rat'" in out.output
    other = demo_cli("scorecard", "load", str(EXAMPLE), "--provider", "Lexington Legal Process",
                     "--effective", "2026-01")
    assert other.exit_code == 2 and "is the scorecard of 'Northwind IT Services', not of 'Lexington" in other.output
    assert demo_cli("scorecard", "check", str(EXAMPLE), db=False).exit_code == 0
    assert demo_cli("scorecard", "check", str(tmp_path / "none.toml"), db=False).exit_code == 2


SIGNAL_KEYS = ["provider", "measure", "params", "month", "rule", "chart", "direction", "since", "value", "center",
               "lcl", "ucl", "sentence", "severity", "p_value", "measure_name", "unit", "rule_description"]


def test_drift_lists_the_stored_signals_of_a_month(demo_cli, demo_url):
    import polars as pl

    from sql.engine import make_engine
    from sql.signals import SIGNAL_FRAME_SCHEMA, replace_signals

    def signal(measure, params, severity, sentence):
        return {"provider": IT, "measure": measure, "params": params, "month": "2026-09", "rule": "CUSUM",
                "chart": "p", "direction": "worse", "since": "2026-07", "value": 0.09, "center": 0.04,
                "lcl": 0.01, "ucl": 0.07, "sentence": sentence, "severity": severity, "p_value": None}
    frame = pl.DataFrame([signal("quality.reopen_rate", "{}", 6.0, "Reopened tickets rose."),
                          signal("sla.resolution_met", '{"priority":"P2"}', 9.0, "P2 resolution fell.")],
                         schema=SIGNAL_FRAME_SCHEMA, orient="row")
    engine = make_engine(demo_url)
    with engine.begin() as conn:
        replace_signals(conn, 1, ["2026-09"], frame, run_id=None)
    engine.dispose()
    listed = json.loads(demo_cli("drift", "--provider", IT, "--month", "2026-09", "--format", "json").output)
    assert [list(r) for r in listed] == [SIGNAL_KEYS, SIGNAL_KEYS]
    assert [(r["measure"], r["params"]) for r in listed] == [("sla.resolution_met", {"priority": "P2"}),
                                                             ("quality.reopen_rate", {})]  # worst first
    assert listed[0]["measure_name"] == "Resolution SLA met"
    table = demo_cli("drift", "--provider", IT, "--month", "2026-09").output.splitlines()
    assert table[0] == f"{IT} — drift signals raised in 2026-09, worst first:"
    assert table[1] == "  [worse] P2 resolution fell.  (CUSUM, since 2026-07)"
    quiet = demo_cli("drift", "--provider", IT, "--month", "2020-01")
    assert quiet.exit_code == 0 and "no drift signals for Northwind IT Services in 2020-01" in quiet.output
