"""The month's scorecard and measures as an XLSX workbook (openpyxl).

Sheets: Scorecard (the tree with targets, results, statuses, scores), Credits, Measures
(every stored result of the twelve months up to the month), Drift and Comments. Numbers are
numbers (proportions as fractions with a percentage format); every text that a spreadsheet
would read as a formula (starting with =, +, -, @, a tab or a carriage return) is written
with a leading apostrophe (a shown negative amount such as "-30.0" excepted), so a comment
can never run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine

from dashboard.reports.data import load_month
from dashboard.reports.rows import signal_rows
from scorecard.catalogue import CATALOGUE
from scorecard.display import PERCENT_UNITS
from scorecard.months import shift_month
from sql.results import read_results

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_AMOUNT = re.compile(r"-\d[\d,]*(\.\d+)?( ?%| (h|min|months|tickets|outages|points))?")  # "-30.0", "-1.5 h": shown values, not formulas
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
STATUS_FONT = {"green": Font(color="1E7B4C", bold=True), "amber": Font(color="A86200", bold=True),
               "red": Font(color="B42318", bold=True), "grey": Font(color="6B7785")}


def safe(value: object) -> object:
    """A cell value made safe: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NEGATIVE_AMOUNT.fullmatch(value):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], *, widths: dict[int, int] | None = None,
           formats: dict[int, str] | None = None, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([safe(h) for h in header])
    for cell in ws[1]:
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
    for row in rows:
        ws.append([safe(v) for v in row])
    for col, fmt in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(i, max(10, min(40, len(h) + 4)))
    ws.freeze_panes = "A2"
    return ws


def _fmt(unit: str) -> str:
    return "0.0%" if unit in PERCENT_UNITS else "#,##0.00"


def monthly_workbook(engine: Engine, provider: tuple[int, str], month: str, *, now: dt.datetime | None = None) -> bytes:
    view = load_month(engine, provider, month)
    wb = Workbook()
    rows, units = [], []
    for r in view.rows:
        if r["level"] != "measure":
            rows.append([r["level"], r["name"], None, None, None, None, None, None, None,
                         r["status"], r["score"], None, None, None, None, None, None, None, None, None])
            units.append(None)
            continue
        rows.append(["measure", r["name"], r["measure"], r["params_key"], r["goal"], r["red_flag"], r["stretch"],
                     r["value"], r["value_text"], r["status"], r["score"], r["change"], r["movement"], r["n"],
                     r["ci_low"], r["ci_high"], "yes" if r["provisional"] else "no",
                     r["drift"]["sentence"] if r["drift"] else None, r["comment_count"], r["reported_text"]])
        units.append(r["unit"])
    header = ["level", "name", "measure", "params", "goal", "red flag", "stretch", "value", "value (as shown)",
              "status", "score", "change since last month", "movement", "n", "interval low", "interval high",
              "provisional", "drift signal", "comments", "provider-reported"]
    ws = _sheet(wb, "Scorecard", header, rows, widths={2: 48, 4: 28, 9: 16, 18: 60, 20: 60}, first=True)
    for i, unit in enumerate(units, start=2):
        if unit is not None:
            for col in (5, 6, 7, 8, 12, 15, 16):
                ws.cell(row=i, column=col).number_format = _fmt(unit)
        ws.cell(row=i, column=11).number_format = "0.0"
        status = ws.cell(row=i, column=10)
        status.font = STATUS_FONT.get(str(status.value), Font())
        if ws.cell(row=i, column=1).value != "measure":
            ws.cell(row=i, column=2).font = HEAD_FONT
    ws.insert_rows(1, amount=2)
    ws["A1"] = safe(f"{view.provider} · {month} · overall score "
                    f"{view.head['score_text']} ({view.head['status_text']}); {view.head['coverage_text']}")
    ws["A1"].font = Font(bold=True, size=13)
    ws.freeze_panes = "A4"

    c = view.data["credits"]
    credit_rows = [[line["label"], line["measure"], json.dumps(line["params"], sort_keys=True), line["value"],
                    line["threshold"], line["percent"], line["amount"], "yes" if line["provisional"] else "no",
                    line["text"]] for line in c["lines"]]
    credit_rows.append(["Total", None, None, None, None, c["cap_percent"], c["total"],
                        "yes" if c["provisional"] else "no", c["text"]])
    _sheet(wb, "Credits", ["rule", "measure", "params", "value", "threshold", "percent of fee", "amount",
                           "provisional", "arithmetic"], credit_rows, widths={1: 30, 9: 80}, formats={7: "#,##0.00"})

    first = shift_month(month, -11)
    results = read_results(engine, provider, first=first, last=month).sort(["measure", "params", "month"])
    measure_rows = [[r["measure"], CATALOGUE[r["measure"]].name if r["measure"] in CATALOGUE else r["measure"],
                     r["params"], r["month"], r["value"], r["numerator"], r["denominator"], r["n"], r["ci_low"],
                     r["ci_high"], "yes" if r["provisional"] else "no",
                     CATALOGUE[r["measure"]].unit if r["measure"] in CATALOGUE else ""]
                    for r in results.iter_rows(named=True)]
    _sheet(wb, "Measures", ["measure", "name", "params", "month", "value", "numerator", "denominator", "n",
                            "interval low", "interval high", "provisional", "unit"], measure_rows,
           widths={1: 34, 2: 30, 3: 34})

    signal_list = [[s["label"], s["measure"], s["params"], s["rule_text"], s["direction"], s["since"], s["value"],
                    s["sentence"]] for s in signal_rows(view.signals)]
    _sheet(wb, "Drift", ["series", "measure", "params", "rule", "direction", "since", "value", "sentence"],
           signal_list, widths={1: 40, 8: 90})

    labelled = {(r["measure"], r["params_key"]): r["name"] for r in view.rows if r["level"] == "measure"}
    comment_rows = [[labelled.get((cm["measure"], cm["params"]), cm["measure"]), cm["author"], cm["author_role"],
                     cm["at"].strftime("%Y-%m-%d %H:%M UTC"), cm["text"]] for cm in view.comments]
    ws = _sheet(wb, "Comments", ["measure", "author", "role", "at (UTC)", "comment"], comment_rows,
                widths={1: 40, 2: 28, 5: 90})
    for (cell,) in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    wb.properties.creator = "steerco"
    wb.properties.title = f"{view.provider} {month}"
    if now is not None:
        wb.properties.created = now.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
