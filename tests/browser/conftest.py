"""A running ``steerco serve`` on a demo database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env["STEERCO_DATABASE_URL"] = f"sqlite:///{folder / 'demo.db'}"
    built = subprocess.run([STEERCO, "demo", "--end", "2026-10"], env=env, cwd=folder,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    port = _free_port()
    log = open(folder / "serve.log", "w")
    proc = subprocess.Popen([STEERCO, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("steerco serve did not start:\n" + (folder / "serve.log").read_text())
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


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
