"""How fast the Scorecard page answers: its callbacks, and the page in headless Chromium.

Builds a database with five providers, 36 months and a 40-measure scorecard each (the
36-month demo's Northwind, its scorecard extended by ten category and priority breakdowns,
cloned four times with its results, drift signals and three comments a month; Lexington is
dropped),
then

- POSTs the Scorecard page's callbacks to ``/_dash-update-component`` through the Flask test
  client, logged in as an executive, for every provider and the last twelve months (the body
  callback, the month options callback, and the router's layout of ``/``), and prints the
  median, 95th percentile and maximum of each;
- serves the database with ``steerco serve``, logs in with Playwright driving Debian's
  Chromium, and times ``page.goto(/?provider=…&month=…)`` until the scorecard table is
  visible, for ``--navigations`` provider/month pairs (the first one cold).

    python benchmarks/dashboard_speed.py                 # both parts
    python benchmarks/dashboard_speed.py --no-browser    # callbacks only

Targets (issue 7): the callbacks answer in under 150 ms at the 95th percentile; the page is
usable within 2 s of navigation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from dashboard import ids, settings  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.demo import DEMO_USERS, build_demo  # noqa: E402
from pipelines.scoring import load_versions  # noqa: E402
from scorecard.definition import load_scorecard  # noqa: E402
from scorecard.drift import detect_drift  # noqa: E402
from scorecard.months import month_range, shift_month  # noqa: E402
from sql.engine import make_engine  # noqa: E402
from sql.results import read_results  # noqa: E402
from sql.signals import replace_signals  # noqa: E402

END = "2026-10"
IT = "Northwind IT Services"
CLONES = 4
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CATEGORIES = ["Access", "Duplicate", "Email", "Hardware", "How-to", "Network", "Server", "Software"]
EXTRA = "\n".join([
    "", "[[perspectives]]", 'name = "Breakdowns"', "weight = 1", "",
    "[[perspectives.objectives]]", 'name = "Resolution by category"', "weight = 1", "",
    *[line for c in CATEGORIES for line in (
        "[[perspectives.objectives.measures]]", 'measure = "sla.resolution_met"', f'params = {{ category = "{c}" }}',
        f'label = "{c} tickets resolved in time"', 'goal = "80%"', 'red_flag = "70%"', "")],
    "[[perspectives.objectives]]", 'name = "Reopens by priority"', "weight = 1", "",
    *[line for p in ("P1", "P2") for line in (
        "[[perspectives.objectives.measures]]", 'measure = "quality.reopen_rate"', f'params = {{ priority = "{p}" }}',
        f'label = "{p} resolutions reopened"', 'goal = "5%"', 'red_flag = "8%"', "")],
])


def build(folder: Path) -> str:
    """The benchmark database: five providers × 36 months × 40 scorecard measures."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    print("building the 36-month demo …", flush=True)
    build_demo(engine, seed=7, months=36, end=END, actor="bench", as_of=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))
    with engine.begin() as conn:
        nw = conn.execute(text("SELECT id FROM providers WHERE name = :n"), {"n": IT}).scalar_one()
        source = conn.execute(text("SELECT source FROM scorecard_versions WHERE provider_id = :p"), {"p": nw}).scalar_one()
        extended = source + EXTRA
        card = load_scorecard(extended, source="bench.toml")
        assert len(card.measures()) == 40, len(card.measures())
        conn.execute(text("UPDATE scorecard_versions SET source = :s WHERE provider_id = :p"), {"s": extended, "p": nw})
        conn.execute(text("DELETE FROM users WHERE provider_id IS NOT NULL AND provider_id != :p"), {"p": nw})
        conn.execute(text("DELETE FROM providers WHERE id != :p"), {"p": nw})
    with engine.begin() as conn:
        if not conn.execute(text("SELECT count(*) FROM drift_signals WHERE provider_id = :p"), {"p": nw}).scalar():
            # a steerco whose compute run does not store signals yet: store them as it would
            results = read_results(engine, (nw, IT))
            replace_signals(conn, nw, sorted(set(results["month"])), detect_drift(results, baseline=card.baseline),
                            run_id=None)
        signals = conn.execute(text("SELECT count(*) FROM drift_signals WHERE provider_id = :p"), {"p": nw}).scalar()
        for i in range(2, CLONES + 2):
            name = f"{IT} {i}"
            pid = conn.execute(text(
                "INSERT INTO providers (name, kind, timezone, settings, created_at) "
                "SELECT :n, kind, timezone, settings, created_at FROM providers WHERE id = :p RETURNING id"),
                {"n": name, "p": nw}).scalar_one()
            conn.execute(text(
                "INSERT INTO scorecard_versions (provider_id, effective_month, source, sha256, loaded_at, loaded_by) "
                "SELECT :q, effective_month, replace(source, :old, :new), sha256, loaded_at, loaded_by "
                "FROM scorecard_versions WHERE provider_id = :p"),
                {"q": pid, "p": nw, "old": f'name = "{IT}"', "new": f'name = "{name}"'})
            conn.execute(text(
                "INSERT INTO measure_results (provider_id, measure, params, month, value, numerator, denominator, n, "
                "ci_low, ci_high, provisional) SELECT :q, measure, params, month, value, numerator, denominator, n, "
                "ci_low, ci_high, provisional FROM measure_results WHERE provider_id = :p"), {"q": pid, "p": nw})
            conn.execute(text(
                "INSERT INTO drift_signals (provider_id, measure, params, month, rule, chart, direction, since, value, "
                "center, lcl, ucl, severity, p_value, sentence) SELECT :q, measure, params, month, rule, chart, "
                "direction, since, value, center, lcl, ucl, severity, p_value, sentence FROM drift_signals "
                "WHERE provider_id = :p"), {"q": pid, "p": nw})
        for pid in conn.execute(text("SELECT id FROM providers")).scalars().all():
            for month in month_range(shift_month(END, -11), END):
                for k in range(3):
                    conn.execute(text(
                        "INSERT INTO comments (provider_id, measure, params, month, author, author_role, at, text) "
                        "VALUES (:p, 'sla.resolution_met', '{\"priority\":\"P2\"}', :m, 'exec@demo.steerco', "
                        "'executive', :at, :t)"),
                        {"p": pid, "m": month, "at": 1_790_000_000_000_000 + k, "t": f"Comment {k} on {month}."})
        counts = conn.execute(text("SELECT count(DISTINCT provider_id), count(*) FROM measure_results")).one()
    versions = load_versions(engine, nw)
    assert len(next(iter(versions))[1].scorecard.measures()) == 40
    engine.dispose()
    print(f"  {counts[0]} providers, {counts[1]:,} stored results, {signals:,} signals per provider", flush=True)
    return url


def dash_call(client, outputs, inputs, state=()):
    out = [{"id": i, "property": p} for i, p in outputs]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1 else
            f"{outputs[0][0]}.{outputs[0][1]}", "outputs": out if len(outputs) > 1 else out[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{i}.{p}" for i, p, _v in inputs]}
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    response.close()
    return elapsed


def summary(name: str, seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    row = {"what": name, "n": len(ms), "median_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1),
           "max_ms": round(ms[-1], 1)}
    print(f"  {name:<34} n={row['n']:<4} median {row['median_ms']:>7.1f} ms   p95 {row['p95_ms']:>7.1f} ms   "
          f"max {row['max_ms']:>7.1f} ms", flush=True)
    return row


def time_callbacks(url: str, rounds: int) -> list[dict]:
    import re

    engine = make_engine(url)
    app = create_app(settings.load({}, secret_key="bench-secret-" + "x" * 32), engine)
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    page.close()
    email, password = next((e, pw) for e, role, _p, pw in DEMO_USERS if role == "executive")
    client.post("/login", data={"email": email, "password": password, "csrf_token": token}).close()
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM providers ORDER BY name")).scalars().all()
    months = month_range(shift_month(END, -11), END)
    body, options, layout = [], [], []
    body_outputs = [(ids.SC_BODY, "children"), (ids.SC_URL, "search"), (ids.SC_COMMENT_MEASURE, "options")]
    dash_call(client, body_outputs, [(ids.SC_PROVIDER, "value", names[0]), (ids.SC_MONTH, "value", END),
                                     (ids.SC_COMMENTS_VERSION, "data", 0)])  # warm-up: first request sets up Dash
    for _ in range(rounds):
        for name in names:
            for month in months:
                body.append(dash_call(client, body_outputs, [(ids.SC_PROVIDER, "value", name),
                                                             (ids.SC_MONTH, "value", month),
                                                             (ids.SC_COMMENTS_VERSION, "data", 0)]))
            options.append(dash_call(client, [(ids.SC_MONTH, "options"), (ids.SC_MONTH, "value")],
                                     [(ids.SC_PROVIDER, "value", name)], [(ids.SC_MONTH, "value", END)]))
            layout.append(dash_call(client, [("_pages_content", "children"), ("_pages_store", "data")],
                                    [("_pages_location", "pathname", "/"),
                                     ("_pages_location", "search", f"?provider={quote(name)}&month={END}")]))
    engine.dispose()
    print("Scorecard callbacks (Flask test client, POST /_dash-update-component):")
    return [summary("scorecard body (update_sc_body)", body), summary("month options", options),
            summary("page layout (router)", layout), summary("all scorecard callbacks", body + options + layout)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_browser(url: str, folder: Path, navigations: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    steerco = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env["STEERCO_DATABASE_URL"] = url
    port = _free_port()
    log = open(folder / "serve.log", "w")
    server = subprocess.Popen([steerco, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=folder,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        with engine_names(url) as names, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            page = context.new_page()
            email, password = next((e, pw) for e, role, _p, pw in DEMO_USERS if role == "executive")
            page.goto(f"{base}/login")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/")
            months = month_range(shift_month(END, -11), END)
            timings = []
            for i in range(navigations):
                target = f"{base}/?provider={quote(names[i % len(names)])}&month={months[-1 - i % len(months)]}"
                started = time.perf_counter()
                page.goto(target)
                page.locator(f"#{ids.SC_TABLE}").wait_for(state="visible", timeout=60_000)
                timings.append(time.perf_counter() - started)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print("Scorecard page in headless Chromium (goto → scorecard table visible):")
    rows = [summary("first navigation (cold)", timings[:1])]
    if len(timings) > 1:
        rows.append(summary("later navigations", timings[1:]))
    return rows


class engine_names:
    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> list[str]:
        self.engine = make_engine(self.url)
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT name FROM providers ORDER BY name")).scalars().all()

    def __exit__(self, *exc) -> None:
        self.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="passes over providers × months (default 2)")
    parser.add_argument("--navigations", type=int, default=10, help="page loads in Chromium (default 10)")
    parser.add_argument("--no-browser", action="store_true", help="time the callbacks only")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep", metavar="DIR", help="build the database in DIR and keep it; reuse it if it is there")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="steerco-dashboard-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        url = f"sqlite:///{folder / 'bench.db'}" if (folder / "bench.db").exists() else build(folder)
        rows = time_callbacks(url, args.rounds)
        if not args.no_browser:
            rows += time_browser(url, folder, args.navigations)
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": os.uname().nodename, "cpus": os.cpu_count(),
                                                   "date": dt.date.today().isoformat(), "rows": rows}, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
