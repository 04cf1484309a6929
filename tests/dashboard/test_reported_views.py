"""Provider-reported figures on the pages and exports: beside the measured value on the
Measure page, flagged on the Scorecard and in what needs attention, in the XLSX."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook

from dashboard import ids
from pipelines.reported import import_reported
from pipelines.scoring import scored_month
from scorecard.catalogue import PROPORTION
from scorecard.display import value_text
from scorecard.reconcile import read_reported
from tests.dashboard.dash_client import IT, by_id, call, client_as, demo_app, html_tables, open_page, \
    scorecard_table, text_of

__all__ = ["demo_app"]
MONTH = "2026-10"
P2 = '{"priority":"P2"}'


def _record(engine, rows: list[dict]) -> None:
    figures = read_reported(rows, source="test")
    import_reported(engine, IT, figures, source="test", actor="prov@example.com")


def _quiet_green(engine):
    """A green measure of the month that is not otherwise in 'needs attention'."""
    for _p, _o, m in scored_month(engine, IT, MONTH).measures():
        if m.status == "green" and m.value is not None and m.value > 0.5 and m.spec.info.kind == PROPORTION:
            return m
    pytest.fail("the demo has no green proportion in 2026-10")


def test_the_measure_page_puts_the_reported_figure_beside_the_measured_one(demo_app, demo_engine):
    _record(demo_engine, [{"measure": "sla.resolution_met", "params": "priority=P2", "month": MONTH, "value": "97%",
                           "note": "<b>their</b> October report"},
                          {"measure": "sla.resolution_met", "params": "priority=P2", "month": "2026-09",
                           "value": "0.5"}])
    measured = {m.spec.params_key: m for _p, _o, m in scored_month(demo_engine, IT, MONTH).measures()
                if m.spec.measure == "sla.resolution_met"}[P2]
    page = open_page(client_as(demo_app, "executive"), "/measure",
                     f"?provider={IT}&measure=sla.resolution_met&params={P2}&month={MONTH}")
    section = text_of(by_id(page, ids.MEASURE_REPORTED))
    assert "a difference beyond 1 point is flagged" in section
    rows = html_tables(page)[ids.MEASURE_REPORTED + "-table"]["rows"]
    assert rows[0] == ["Month", "Reported", "Measured", "Verdict", "Difference", "Note", "Recorded"]
    by_month = {r[0]: r for r in rows[1:]}
    october = by_month[MONTH]
    assert october[1] == value_text(0.97, "%") and october[2] == value_text(measured.value, "%")
    assert october[3] == "⚠ beyond the tolerance" and october[4] == measured.reconciliation.text
    assert october[5] == "<b>their</b> October report"  # text, not markup
    assert october[6].startswith("prov@example.com, ")
    assert set(by_month) == {MONTH, "2026-09"}


def test_the_scorecard_flags_a_disputed_figure_and_lists_it_for_attention(demo_app, demo_engine):
    quiet = _quiet_green(demo_engine)
    wrong = quiet.value - 0.2
    _record(demo_engine, [{"measure": quiet.spec.measure, "params": quiet.spec.params_key, "month": MONTH,
                           "value": str(wrong)}])
    answer = call(client_as(demo_app, "executive"), [(ids.SC_BODY, "children"), (ids.SC_URL, "search"),
                                                      (ids.SC_COMMENT_MEASURE, "options")],
                  [(ids.SC_PROVIDER, "value", IT), (ids.SC_MONTH, "value", MONTH),
                   (ids.SC_COMMENTS_VERSION, "data", 0)])
    tree = answer[ids.SC_BODY]["children"]
    cells = scorecard_table(tree).rows[(quiet.spec.measure, quiet.spec.params_key)]
    rec = scored_month(demo_engine, IT, MONTH)
    text = next(m for _p, _o, m in rec.measures() if m.spec.key == quiet.spec.key).reconciliation.text
    assert f"⚠ {text}" in cells[0] and "beyond the tolerance" in text
    attention = html.unescape(text_of(by_id(tree, ids.SC_ATTENTION)))
    assert f"the provider's figure differs: {text}" in attention


def test_the_spreadsheet_has_the_reported_column(demo_app, demo_engine, monkeypatch):
    from dashboard.reports import monthly, render

    monkeypatch.setattr(render, "figures_to_svg", lambda figures, **_kw: {})
    monkeypatch.setattr(monthly, "figures_to_svg", lambda figures, **_kw: {})
    _record(demo_engine, [{"measure": "sla.resolution_met", "params": "priority=P2", "month": MONTH,
                           "value": "97%"}])
    response = client_as(demo_app, "executive").get(f"/export/monthly.xlsx?provider={IT}&month={MONTH}")
    book = load_workbook(io.BytesIO(response.get_data()))
    response.close()
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[3]]
    rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=4)]
    reported = {(r["measure"], r["params"]): r["provider-reported"] for r in rows if r["level"] == "measure"}
    assert reported[("sla.resolution_met", P2)].startswith(f"reported {value_text(0.97, '%')}, measured ")
    assert sum(v is not None for v in reported.values()) == 1
