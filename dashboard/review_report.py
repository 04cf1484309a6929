"""The competence review as a report: HTML (Jinja), the ratings chart (Plotly → SVG with
kaleido) and PDF (WeasyPrint), like the monthly board pack (``dashboard.reports``).

:func:`review_report` serves the download on the review page and ``steerco review export``.
It shows: the summary, the ratings chart and the comparison with last year, each area's
rating with its rationale, findings and evidence, the recommendations, the independence
declaration and the sign-off. A review that is not signed says so on every page.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from dashboard.reports.figures import AMBER, FONT, GREEN, GREY, INK, RED, base_layout
from dashboard.reports.monthly import Report, html_to_pdf
from dashboard.reports.render import figures_to_svg
from pipelines.review_evidence import ReviewView, review_view
from scorecard.display import PERCENT_UNITS, value_text
from scorecard.errors import BadInput

TEMPLATES = Path(__file__).resolve().parent / "templates" / "review"
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
RATING_COLOURS = {0: RED, 1: RED, 2: AMBER, 3: "#1c4e80", 4: GREEN, 5: GREEN}
STATUS_TEXT = {"draft": "Draft — not signed", "submitted": "Submitted — awaiting sign-off", "signed": "Signed"}
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def filename(view: ReviewView, fmt: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in view.provider).strip("-").lower()
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"steerco-review-{safe or 'provider'}-{view.year}-v{view.version}.{fmt}"


# ---------------------------------------------------------------------- evidence as text

def slope_text(x: float, unit: str, currency: str | None) -> str:
    """A monthly trend: "+0.25 points a month" for percentages, "−3.1 h a month"; "flat" when it rounds to 0."""
    if unit in PERCENT_UNITS:
        size = f"{abs(x) * 100:.2f}"
        shown = f"{size} points"
    else:
        shown = value_text(abs(x), unit, currency=currency)
        size = shown if unit != "money" else f"{abs(x):.2f}"
    if float("".join(c for c in size if c.isdigit() or c == ".") or 0) == 0:
        return "flat"
    return f"{'+' if x > 0 else '−'}{shown} a month"


def credit_text(area_evidence: dict | None) -> str:
    """"P2 resolution in 10 months, P1 resolution in 2 — £198,000", or "" without credits."""
    credits = (area_evidence or {}).get("credits") or {}
    counts: dict[str, int] = {}
    for line in credits.get("lines", []):
        counts[line["label"]] = counts.get(line["label"], 0) + 1
    if not counts:
        return ""
    parts = [f"{label} in {n} month{'s' if n != 1 else ''}" for label, n in counts.items()]
    return f"{', '.join(parts)} — {credits['total_text']}"


def evidence_rows(area_evidence: dict | None, currency: str | None) -> list[dict]:
    """One display row per measure series of an area's evidence."""
    rows = []
    for s in (area_evidence or {}).get("measures", []):
        unit = s["unit"]
        if s["months_with_target"]:
            target = f"{s['on_target']} of {s.get('judged', s['on_target'] + s['amber'] + s['red'])}"
            detail = ", ".join(f"{n} {w}" for n, w in ((s["amber"], "amber"), (s["red"], "red"), (s["grey"], "no data"))
                               if n)
        else:
            target, detail = "no target", "not on the scorecard" if s["months_with_data"] else ""
        trend, trend_movement = "", s["quarter_movement"]
        if s["first_quarter"] is not None and s["last_quarter"] is not None:
            trend = f"{s['text']['first_quarter']} → {s['text']['last_quarter']}"
            if s["text"]["first_quarter"] == s["text"]["last_quarter"]:
                trend_movement = "steady"
        slope = "" if s["slope"] is None else slope_text(s["slope"], unit, currency)
        slope_movement = None if slope in ("", "flat") else s["slope_movement"]
        episodes = s["signals"]["episodes"]
        worse = [e for e in episodes if e["direction"] == "worse"]
        drift = "; ".join(f"worse since {e['since']} ({e['months']} month{'s' if e['months'] != 1 else ''})"
                          for e in worse[:2])
        if not drift and episodes:
            drift = f"better since {episodes[0]['since']}"
        basis = {"pooled": "whole year", "total": "year total", "mean": "monthly mean"}.get(s["year_basis"], "")
        rows.append({
            "label": s["label"], "link": s["link"], "months": s["months_with_data"], "target": target,
            "target_detail": detail, "red": s["red"], "year": s["text"]["year_value"], "basis": basis,
            "trend": trend, "trend_movement": trend_movement, "slope": slope,
            "slope_movement": slope_movement, "drift": drift, "worse": bool(worse),
            "sentence": worse[-1]["sentence"] if worse else "",
            "worst": f"{s['worst']['text']} in {s['worst']['month']}" if s["worst"] else "",
        })
    return rows


def area_headline(area_evidence: dict | None) -> str:
    if not area_evidence or not area_evidence.get("measures"):
        return "No measures are linked to this area: the evidence is the documents and the reviewer's judgement."
    parts = []
    if area_evidence["judged"]:
        parts.append(f"{area_evidence['on_target']} of {area_evidence['judged']} measured months on target "
                     f"({area_evidence['share_on_target'] * 100:.0f} %)")
    if area_evidence["red"]:
        parts.append(f"{area_evidence['red']} red")
    if area_evidence["grey"]:
        parts.append(f"{area_evidence['grey']} month{'s' if area_evidence['grey'] != 1 else ''} with a target "
                     "but no data")
    if area_evidence["worse_signals"]:
        parts.append(f"{area_evidence['worse_signals']} drift signal{'s' if area_evidence['worse_signals'] != 1 else ''}"
                     " towards worse")
    credits = area_evidence.get("credits") or {}
    if credits.get("total"):
        parts.append(f"service credits {credits['total_text']}")
    return "; ".join(parts) + "." if parts else "The linked measures have no targets on the scorecard."


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


_env.filters["size"] = size_text


# ---------------------------------------------------------------------- the chart

def ratings_figure(view: ReviewView) -> go.Figure:
    """Each area's rating as a bar (0–5), last year's as an open diamond."""
    names = [a["name"] for a in view.areas][::-1]
    ratings = [a["rating"] for a in view.areas][::-1]
    values = [r.rating if r.rating is not None else 0 for r in ratings]
    texts = [("not assessed" if r.not_assessed else "not rated") if r.rating is None else
             f"{r.rating} · {view.rubric.level(r.rating).name}" for r in ratings]
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", name=f"{view.year}", text=texts,
                           textposition="outside", cliponaxis=False,
                           marker={"color": [RATING_COLOURS.get(r.rating, GREY) for r in ratings]},
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    previous = {row["key"]: row["previous"] for row in view.comparison}
    prev = [previous.get(a["key"]) for a in view.areas][::-1]
    prev_x = [int(p) if isinstance(p, str) and p.isdigit() else None for p in prev]
    if any(x is not None for x in prev_x):
        fig.add_trace(go.Scatter(y=names, x=prev_x, mode="markers", name=f"{view.year - 1}",
                                 marker={"symbol": "diamond-open", "size": 12, "color": INK, "line": {"width": 2}},
                                 hovertemplate="%{y}: %{x} last year<extra></extra>"))
    fig.update_xaxes(range=[0, 6.4], dtick=1, title={"text": "capability level (0–5)"}, tickvals=list(range(6)))
    fig.update_yaxes(title={"text": None}, automargin=True)
    base_layout(fig, height=70 + 38 * len(names))
    fig.update_layout(font=FONT, showlegend=any(x is not None for x in prev_x), bargap=0.35,
                      margin={"l": 20, "r": 30, "t": 16, "b": 50})
    return fig


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ---------------------------------------------------------------------- rendering

def review_html(view: ReviewView, *, charts: bool = True, base_url: str | None = None,
                now: dt.datetime | None = None) -> str:
    """The review as one self-contained HTML page (the chart embedded as SVG). With ``base_url``
    (steerco's address), each measure links to its page there."""
    chart = None
    charts_missing = False
    if charts:
        drawn = figures_to_svg({"ratings": ratings_figure(view)}, width=900)
        chart = _svg_uri(drawn["ratings"]) if "ratings" in drawn else None
        charts_missing = chart is None
    now = now or dt.datetime.now(dt.timezone.utc)
    currency = view.evidence.get("currency")
    areas = [{**a, "rows": evidence_rows(a["evidence"], currency), "headline": area_headline(a["evidence"]),
              "credits": credit_text(a["evidence"])} for a in view.areas]
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _env.get_template("report.html").render(
        view=view, areas=areas, chart=chart, charts_missing=charts_missing, css=css,
        base_url=base_url.rstrip("/") if base_url else None,
        status_text=STATUS_TEXT.get(view.status, view.status), area_names={a["key"]: a["name"] for a in view.areas},
        generated=now.strftime("%Y-%m-%d %H:%M UTC"), mean=view.mean_rating)


def review_report(engine: Engine, review_id: int, fmt: str, *, charts: bool = True, base_url: str | None = None,
                  now: dt.datetime | None = None) -> Report:
    """Review ``review_id`` as ``fmt`` (pdf or html); an HTML report links its measures to
    ``base_url`` when given (a PDF never links: it outlives the address)."""
    if fmt not in FORMATS:
        raise BadInput(f"a review is exported as .pdf or .html, not .{str(fmt)[:10]}")
    view = review_view(engine, review_id)
    html = review_html(view, charts=charts, base_url=base_url if fmt == "html" else None, now=now)
    content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    return Report(content, filename(view, fmt), FORMATS[fmt])
