"""The Jinja environment of steerco's reports (dashboard/templates/report), autoescaping HTML.

Shared by the board pack and the Scorecard page: the page shows the scorecard table and the
attention list as one HTML fragment (``fragment``) instead of hundreds of Dash components,
which the browser draws in a fraction of the time. Every value is escaped by Jinja; the only
raw markup is the sparklines' SVG, which steerco draws itself (``sparkline.sparkline_svg``).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "report"
env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context) -> str:
    return env.get_template(name).render(**context)


def fragment(macro: str, *args, template: str = "_scorecard.html", **kwargs) -> str:
    """One macro of ``template`` rendered on a single line (no blank line may end the HTML
    block when Markdown reads it)."""
    html = getattr(env.get_template(template).module, macro)(*args, **kwargs)
    return " ".join(line.strip() for line in str(html).splitlines() if line.strip())
