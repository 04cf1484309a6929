"""What the dashboard's browser tests share: logging in, the served database, screenshots for the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
WAIT = 60_000
PASSWORDS = {role: (email, password) for email, role, _provider, password in DEMO_USERS}
IT = "Northwind IT Services"
LEGAL = "Lexington Legal Process"
MONTH = "2026-10"


def login(page, base: str, role: str, then: str = "/") -> None:
    email, password = PASSWORDS[role]
    page.goto(f"{base}/login?next={then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def screenshot(page, name: str) -> None:
    """A picture of the page for the README (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def served_db(demo_server, tmp_path_factory) -> str:
    """The URL of the database behind ``demo_server`` (built by ``steerco demo`` in its folder)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("served*/demo.db"))
    assert found, "the served demo database was not found"
    return f"sqlite:///{found[-1]}"


@pytest.fixture(scope="session")
def with_signals(served_db) -> str:
    """The served demo with its drift signals stored: ``steerco compute`` stores them; a demo
    computed by an older steerco gets them here the same way (``scorecard.drift.detect_drift``
    against each scorecard's baseline, ``sql.signals``)."""
    from pipelines.scoring import load_versions
    from scorecard.drift import detect_drift
    from sql.engine import make_engine
    from sql.repo import list_providers
    from sql.engine import session_scope
    from sql.results import read_results
    from sql.signals import read_signals, replace_signals

    engine = make_engine(served_db)
    try:
        if read_signals(engine, month=MONTH).height:
            return served_db
        with session_scope(engine) as s:
            providers = [(p.id, p.name) for p in list_providers(s)]
        for pid, name in providers:
            results = read_results(engine, (pid, name))
            card = next(iter(load_versions(engine, pid)))[1].scorecard
            signals = detect_drift(results, baseline=card.baseline)
            with engine.begin() as conn:
                replace_signals(conn, pid, sorted(set(results["month"])), signals, run_id=None)
    finally:
        engine.dispose()
    return served_db
