"""Downloads and `steerco report monthly`: a real PDF board pack, an XLSX with the scored values."""

from __future__ import annotations

import io
import json
import re
import zlib

import pytest
from openpyxl import load_workbook

from dashboard import ids
from dashboard.reports import render
from pipelines.scoring import scored_month
from tests.conftest import Cli
from tests.dashboard.dash_client import IT, LEGAL, call, client_as, demo_app

__all__ = ["demo_app"]
MONTH = "2026-10"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF whose objects may sit in compressed object streams."""
    count = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            inflated = zlib.decompressobj().decompress(data[match.end():match.end() + 4_000_000])
        except zlib.error:
            continue
        count += len(re.findall(rb"/Type\s*/Page(?![s\w])", inflated))
    return count


@pytest.fixture
def no_charts(monkeypatch):
    """Reports without Chromium: the charts are drawn in one test per backend, not in every one."""
    monkeypatch.setattr(render, "figures_to_svg", lambda figures, **_kw: {})
    import dashboard.reports.monthly as monthly

    monkeypatch.setattr(monthly, "figures_to_svg", lambda figures, **_kw: {})


def post_comment(client, text: str) -> None:
    key = json.dumps(["sla.resolution_met", '{"priority":"P2"}'])
    answer = call(client, [(ids.SC_COMMENTS_VERSION, "data"), (ids.SC_COMMENT_FEEDBACK, "children"),
                           (ids.SC_COMMENT_TEXT, "value")], [(ids.SC_COMMENT_POST, "n_clicks", 1)],
                  [(ids.SC_PROVIDER, "value", IT), (ids.SC_MONTH, "value", MONTH),
                   (ids.SC_COMMENT_MEASURE, "value", key), (ids.SC_COMMENT_TEXT, "value", text),
                   (ids.SC_COMMENTS_VERSION, "data", 0)])
    assert answer[ids.SC_COMMENTS_VERSION]["data"] == 1


def test_board_pack_pdf_downloads_with_its_charts(demo_app):
    client = client_as(demo_app, "executive")
    response = client.get(f"/export/monthly.pdf?provider={IT}&month={MONTH}")
    data = response.get_data()
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="steerco-northwind-it-services-2026-10.pdf"'
    response.close()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) >= 3
    assert len(data) > 60_000  # the charts are in it, not just text


def test_board_pack_html_holds_the_scored_values_and_comments_as_text(demo_app, demo_engine, no_charts):
    client = client_as(demo_app, "executive")
    post_comment(client, '<img src=x onerror=alert(1)> "quoted"')
    response = client.get(f"/export/monthly.html?provider={IT}&month={MONTH}")
    html = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = scored_month(demo_engine, IT, MONTH).to_dict()
    assert f'<span class="big">{data["score"]:.1f}</span>' in html
    for p in data["perspectives"]:
        for o in p["objectives"]:
            for m in o["measures"]:
                assert m["label"] in html and m["text"]["value"] in html
    assert data["credits"]["text"].replace("£", "£") in html
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;quoted&#34;" in html and "<img src=x" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched from anywhere


def test_xlsx_holds_the_scorecard_measures_and_neutralised_comments(demo_app, demo_engine, no_charts):
    client = client_as(demo_app, "reviewer")
    post_comment(client, '=HYPERLINK("http://evil.example","click")')
    response = client.get(f"/export/monthly.xlsx?provider={IT}&month={MONTH}")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.get_data()))
    response.close()
    assert book.sheetnames == ["Scorecard", "Credits", "Measures", "Drift", "Comments"]
    data = scored_month(demo_engine, IT, MONTH).to_dict()
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[3]]
    rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=4)]
    measures = {(r["measure"], r["params"]): r for r in rows if r["level"] == "measure"}
    for p in data["perspectives"]:
        for o in p["objectives"]:
            for m in o["measures"]:
                row = measures[(m["measure"], m["params_key"])]
                assert row["name"] == m["label"] and row["value (as shown)"] == m["text"]["value"]
                for key in ("value", "score"):
                    assert row[key] == (None if m[key] is None else pytest.approx(m[key], rel=1e-12, abs=1e-15))
                assert row["status"] == m["status"] and row["goal"] == pytest.approx(m["goal"])
    assert str(sheet["A1"].value).startswith(f"{IT} · {MONTH} · overall score {data['score']:.1f}")
    credits = [[c.value for c in row] for row in book["Credits"].iter_rows(min_row=2)]
    assert credits[-1][0] == "Total" and credits[-1][6] == pytest.approx(data["credits"]["total"])
    assert credits[-1][8] == data["credits"]["text"]
    measures_sheet = list(book["Measures"].iter_rows(min_row=2, values_only=True))
    assert {r[3] for r in measures_sheet} == {f"2025-{m:02d}" for m in range(11, 13)} | {
        f"2026-{m:02d}" for m in range(1, 11)}
    comment = book["Comments"]["E2"]
    assert comment.value == '\'=HYPERLINK("http://evil.example","click")' and comment.data_type == "s"
    for row in book["Scorecard"].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_cli_writes_the_same_reports(demo_url, tmp_path, no_charts):
    run = Cli(demo_url)
    for suffix in ("xlsx", "html", "pdf"):
        out = tmp_path / f"pack.{suffix}"
        result = run("report", "monthly", "--provider", LEGAL, "--month", MONTH, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert f"wrote {out}" in result.output and out.stat().st_size > 1000
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF-")
    assert load_workbook(tmp_path / "pack.xlsx")["Scorecard"]["A1"].value.startswith(LEGAL)
    assert "Lexington Legal Process" in (tmp_path / "pack.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--out", "pack.docx"], "must end in .pdf, .html or .xlsx"),
    (["--out", "/no/such/folder/pack.pdf"], "there is no folder"),
    (["--month", "2026-13", "--out", "pack.pdf"], "not a month"),
    (["--provider", "Nobody", "--out", "pack.pdf"], "no provider named 'Nobody'"),
    (["--month", "2019-01", "--out", "pack.xlsx"], "no results stored for"),
])
def test_cli_refuses_bad_requests_in_one_line(demo_url, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    base = {"--provider": IT, "--month": MONTH}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = [x for pair in base.items() for x in pair]
    result = Cli(demo_url)("report", "monthly", *argv)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_export_of_a_month_without_results_is_a_friendly_404(demo_app):
    client = client_as(demo_app, "executive")
    response = client.get(f"/export/monthly.xlsx?provider={IT}&month=2019-01")
    assert response.status_code == 404 and "no results stored" in response.get_data(as_text=True)
    response.close()
    bad = client.get(f"/export/monthly.docx?provider={IT}&month={MONTH}")
    assert bad.status_code == 400
    bad.close()


def test_spreadsheet_cells_that_look_like_formulas_are_neutralised():
    from dashboard.reports.xlsx import safe

    for text in ('=1+1', '+SUM(A1)', '-2+3+cmd|" /C calc"!A0', '@SUM(A1)', '\t=1', '\r=1', '-1 cmd'):
        assert safe(text) == "'" + text
    for text in ("-30.0", "-1.5 h", "-12 %", "£100", "ok = fine", 3.5, None):
        assert safe(text) == text
    assert safe(float("nan")) is None
