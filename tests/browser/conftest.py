"""A running ``steerco serve`` on a demo database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.web import STEERCO, served

__all__ = ["STEERCO"]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """``steerco serve`` on a fresh ``steerco demo`` database (data to 2026-10), with its own secret."""
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")} | {"STEERCO_DATABASE_URL": url}
    built = subprocess.run([STEERCO, "demo", "--end", "2026-10"], env=env, cwd=folder,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    with served(url, folder) as base:
        yield base


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing under CI: install Debian's chromium")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser context; the test fails on any console error, and leaves a screenshot."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"browser console errors: {errors}"
