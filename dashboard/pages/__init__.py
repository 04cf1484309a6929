"""Dash pages, one module each; ``register_all`` registers them in menu order with their callbacks.

Callbacks are registered on each app (``app.callback``), not globally, so every app the
factory makes — one per test — has them. The menu follows ``order``; a page
registered with ``roles`` shows in the menu only to those roles (its layout still checks).
"""

from __future__ import annotations

import dash


def register_all(app: dash.Dash) -> None:
    from dashboard.pages import drift, measure, providers, scorecard, service

    dash.register_page(scorecard.__name__, path="/", name="Scorecard", order=0, layout=scorecard.layout,
                       title="Scorecard · steerco")
    dash.register_page(drift.__name__, path="/drift", name="Drift", order=1, layout=drift.layout,
                       title="Drift · steerco")
    dash.register_page(service.__name__, path="/service", name="Service", order=2, layout=service.layout,
                       title="Service · steerco")
    dash.register_page(providers.__name__, path="/providers", name="Providers", order=3, layout=providers.layout,
                       title="Providers · steerco")
    dash.register_page(measure.__name__, path="/measure", name="Measure", order=9, layout=measure.layout,
                       title="Measure · steerco", nav=False)
    from dashboard.pages import reviews

    dash.register_page(reviews.__name__, path="/reviews", name="Reviews", order=5, layout=reviews.layout,
                       title="Reviews · steerco")
    from dashboard.pages import admin, surveys

    dash.register_page(surveys.__name__, path="/surveys", name="Surveys", order=4, layout=surveys.layout,
                       title="Surveys · steerco")
    dash.register_page(admin.__name__, path="/admin", name="Administration", order=10, layout=admin.layout,
                       title="Administration · steerco", roles=("admin",))
    for module in (scorecard, drift, service, providers, measure, surveys, admin):
        module.register_callbacks(app)
