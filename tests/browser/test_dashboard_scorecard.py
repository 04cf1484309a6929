"""Executives read the scorecard in a browser: exactly the CLI's values, and a drill to the control chart."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import quote

import pytest

from tests.browser.conftest import STEERCO
from tests.browser.dashboard_helpers import IT, MONTH, WAIT, login, screenshot, served_db, with_signals

pytestmark = pytest.mark.browser
__all__ = ["served_db", "with_signals"]
ROWS = """rows => rows.map(r => ({measure: r.dataset.measure, params: r.dataset.params,
    cells: Array.from(r.children).map(c => c.innerText.trim()),
    value: r.querySelector('.value').innerText.trim()}))"""


def test_the_scorecard_shows_exactly_what_scorecard_show_prints(page, demo_server, with_signals):
    shown = subprocess.run([STEERCO, "scorecard", "show", "--provider", IT, "--month", MONTH, "--format", "json",
                            "--db", with_signals], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    login(page, demo_server, "executive", then=f"/?provider={quote(IT)}&month={MONTH}")
    page.locator("#sc-table").wait_for(timeout=WAIT)
    assert page.locator("#sc-score").inner_text() == f"{data['score']:.1f}"
    rows = {(r["measure"], r["params"]): r for r in page.eval_on_selector_all("tr[data-measure]", ROWS)}
    measures = [m for p in data["perspectives"] for o in p["objectives"] for m in o["measures"]]
    assert len(rows) == len(measures) == 30
    for m in measures:
        row = rows[(m["measure"], m["params_key"])]
        assert row["cells"][0].startswith(m["label"])
        assert row["value"] == m["text"]["value"]
        assert row["cells"][1] == m["text"]["goal"] and row["cells"][2] == m["text"]["red_flag"]
        assert row["cells"][5] == ("—" if m["score"] is None else f"{m['score']:.1f}")
    assert data["credits"]["text"] in page.locator("#sc-credits").inner_text()
    assert f"month={MONTH}" in page.url and "provider=Northwind%20IT%20Services" in page.url
    screenshot(page, "scorecard")


def test_a_red_measure_drills_down_to_its_control_chart(page, demo_server, with_signals):
    login(page, demo_server, "reviewer", then=f"/?provider={quote(IT)}&month={MONTH}")
    red = page.locator("tr.row-red th a").filter(has_text="P2 resolved within 8 hours")
    red.wait_for(timeout=WAIT)
    red.click()
    page.locator("#measure-page").wait_for(timeout=WAIT)
    assert page.locator("#page-title").inner_text() == "P2 resolved within 8 hours"
    assert "/measure?" in page.url and "sla.resolution_met" in page.url
    chart = page.locator("#measure-control-chart .main-svg").first
    chart.wait_for(timeout=WAIT)
    legend = page.locator("#measure-control-chart").inner_text()
    assert "Upper limit" in legend and "Monthly value" in legend and "CUSUM" in legend
    assert "Not judged" not in page.locator("#measure-page").inner_text()
    page.locator("#measure-trend .main-svg").first.wait_for(timeout=WAIT)
    assert "goal 80 %" in page.locator("#measure-trend").inner_text()
    assert page.locator("#measure-numbers tbody tr").count() == 36
    assert "By priority" in page.locator("#measure-breakdown").inner_text()
    screenshot(page, "measure")
