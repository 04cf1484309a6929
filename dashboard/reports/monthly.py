"""The monthly board pack of a provider: HTML (Jinja), PDF (WeasyPrint) and XLSX.

One entry point, :func:`monthly_report`, serves the download links (``dashboard.exports``)
and ``steerco report monthly``. Everything comes from storage; charts are Plotly figures
drawn to SVG by kaleido and embedded, so the HTML and PDF fetch nothing from anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from dashboard.reports.data import MonthView, load_month
from dashboard.reports.figures import heatmap_figure, lines_figure, trend_figure
from dashboard.reports.render import figures_to_svg
from dashboard.reports.data import scorecard_labels
from dashboard.reports.rows import attention, group_signals, status_counts
from dashboard.reports.service import ServiceView, load_service
from dashboard.reports.templates import TEMPLATES, render
from scorecard.errors import BadInput
from scorecard.months import parse_month, shift_month
from sql.results import read_results

FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TREND_MONTHS = 24
MAX_TRENDS = 8


@dataclass
class Report:
    content: bytes
    filename: str
    mimetype: str


def filename(provider: str, month: str, fmt: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in provider).strip("-").lower()
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"steerco-{safe or 'provider'}-{month}.{fmt}"


def trend_rows(view: MonthView) -> list[dict]:
    """The measures charted in the pack: those that need attention (red, amber and worse,
    drifting worse), at most ``MAX_TRENDS``."""
    return [item["row"] for item in attention(view.rows)][:MAX_TRENDS]


def report_figures(engine: Engine, view: MonthView, service: ServiceView | None) -> list[dict]:
    """The pack's charts as ``{name, title, caption, figure}``, in reading order."""
    out: list[dict] = []
    rows = trend_rows(view)
    if rows:
        first = shift_month(view.month, -(TREND_MONTHS - 1))
        frame = read_results(engine, (view.provider_id, view.provider), first=first, last=view.month,
                             measures=sorted({r["measure"] for r in rows}))
        for i, row in enumerate(rows):
            s = frame.filter((pl.col("measure") == row["measure"]) & (pl.col("params") == row["params_key"]))
            fig = trend_figure(s["month"].to_list(), s["value"].to_list(), unit=row["unit"], label=row["name"],
                               goal=row["goal"], red_flag=row["red_flag"], stretch=row["stretch"],
                               direction=row["direction"], ci_low=s["ci_low"].to_list(),
                               ci_high=s["ci_high"].to_list(), provisional=s["provisional"].to_list(),
                               currency=view.currency, height=300)
            why = f"{row['value_text']} against a goal of {row['goal_text']} and a red flag of {row['red_flag_text']}."
            if row["drift"] and row["drift"]["direction"] == "worse":
                why += " " + row["drift"]["sentence"]
            out.append({"name": f"trend-{i}", "title": row["name"], "status": row["status"],
                        "status_text": row["status_text"], "caption": why, "figure": fig})
    if service is not None and service.grid["services"]:
        g = service.grid
        out.append({"name": "availability", "title": "Availability against each service's target",
                    "status": None, "status_text": None,
                    "caption": "● meets the target · ▲ below it · ■ past the scorecard's red flag · ○ no data.",
                    "figure": heatmap_figure(g["services"], g["months"], g["values"], g["statuses"])})
    if service is not None and service.p95_series:
        out.append({"name": "capacity", "title": "Capacity: utilisation (95th percentile) by resource",
                    "status": None, "status_text": None,
                    "caption": "Runway and the forecast month each resource is full are in the table below.",
                    "figure": lines_figure(service.p95_series, unit="%", limit=1.0, limit_label="full (100 %)")})
    return out


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def monthly_html(engine: Engine, provider: tuple[int, str], timezone: str, month: str, *,
                 charts: bool = True, now: dt.datetime | None = None) -> str:
    """The board pack as one self-contained HTML page (charts embedded as SVG)."""
    parse_month(month)
    view = load_month(engine, provider, month)
    service = load_service(engine, provider, timezone, month)
    figures = report_figures(engine, view, service) if charts else []
    widths = {f["name"]: 640 if f["name"].startswith("trend") else 1000 for f in figures}
    drawn = figures_to_svg({f["name"]: f["figure"] for f in figures}, widths=widths) if figures else {}
    for f in figures:
        f["svg_uri"] = _svg_uri(drawn[f["name"]]) if f["name"] in drawn else None
    now = now or dt.datetime.now(dt.timezone.utc)
    labelled = {(r["measure"], r["params_key"]): r["name"] for r in view.rows if r["level"] == "measure"}
    comments = [{**c, "label": labelled.get((c["measure"], c["params"]), c["measure"])} for c in view.comments]
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    labels = scorecard_labels(engine, [provider], month)
    drifting = group_signals(view.signals, labels, scorecard_only=True)
    everything = group_signals(view.signals)
    return render("monthly.html",
        view=view, head=view.head, rows=view.rows, counts=status_counts(view.rows), attention=attention(view.rows),
        credits=view.credits, signals=drifting, other_series=len(everything) - len(drifting), comments=comments,
        figures=figures,
        charts_missing=bool(figures) and not drawn, service=service, css=css,
        generated=now.strftime("%Y-%m-%d %H:%M UTC"))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint, allowed to read nothing but the ``data:`` URIs embedded in the page."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def monthly_report(engine: Engine, provider: tuple[int, str], timezone: str, month: str, fmt: str, *,
                   now: dt.datetime | None = None) -> Report:
    """The month's report in ``fmt`` (pdf, html or xlsx)."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown report format {fmt!r}: use pdf, html or xlsx")
    parse_month(month)
    if fmt == "xlsx":
        from dashboard.reports.xlsx import monthly_workbook

        content = monthly_workbook(engine, provider, month, now=now)
    else:
        html = monthly_html(engine, provider, timezone, month, now=now)
        content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    return Report(content, filename(provider[1], month, fmt), FORMATS[fmt])
