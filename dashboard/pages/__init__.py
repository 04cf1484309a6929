"""Dash pages, one module each; ``register_all`` registers them in menu order."""

from __future__ import annotations

import dash


def register_all() -> None:
    from dashboard.pages import home

    dash.register_page(home.__name__, path="/", name="Overview", layout=home.layout, title="steerco")
