"""How fast `steerco import` loads a large ServiceNow export, and how fast tickets read back.

Generates a ServiceNow incident CSV (one row per incident, day-first dates as many exports
write them), then runs the real CLI — `steerco import tickets FILE --format servicenow` —
into SQLite and, when a server is given, PostgreSQL; prints wall time and the peak resident
memory of the import process, then reads every ticket back with `sql.facts.read_facts`.

    python benchmarks/import_speed.py                        # 1,000,000 tickets, SQLite only
    python benchmarks/import_speed.py --rows 200000 \\
        --postgres postgresql://postgres@127.0.0.1:55432/postgres

Targets (issue #3): 1,000,000 tickets into SQLite in ≤ 30 s with < 2 GB peak memory; into
PostgreSQL at least as fast; reading back ≥ 1,000,000 rows/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import tickets  # noqa: E402
from scorecard import facts as F  # noqa: E402

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
STATES = {"open": "In Progress", "resolved": "Resolved", "closed": "Closed", "cancelled": "Canceled"}
PRIORITIES = {"P1": "1 - Critical", "P2": "2 - High", "P3": "3 - Moderate", "P4": "4 - Low"}


def servicenow_csv(n: int, path: Path, *, date_format: str = "%d-%m-%Y %H:%M:%S") -> None:
    """``n`` incidents as a ServiceNow list export (field names as headers, local times)."""
    t = tickets(n, provider="Bench")
    stamp = lambda c: pl.col(c).dt.convert_time_zone("Europe/London").dt.strftime(date_format)  # noqa: E731
    out = t.select(
        pl.col(F.TICKET_ID).alias("number"),
        pl.col(F.STATUS).replace_strict(STATES).alias("incident_state"),
        (pl.col(F.STATUS) == "open").alias("active").cast(pl.String).str.to_lowercase(),
        pl.col(F.REASSIGNMENT_COUNT).alias("reassignment_count"),
        pl.col(F.REOPEN_COUNT).alias("reopen_count"),
        (pl.col(F.REASSIGNMENT_COUNT) + 2).alias("sys_mod_count"),
        pl.col(F.REQUESTER).str.replace("user", "Caller ").alias("caller_id"),
        stamp(F.OPENED_AT).alias("opened_at"),
        stamp(F.OPENED_AT).alias("sys_created_at"),
        pl.coalesce(stamp(F.CLOSED_AT), stamp(F.RESOLVED_AT), stamp(F.OPENED_AT)).alias("sys_updated_at"),
        pl.col(F.CHANNEL).replace({"portal": "Self-service"}).str.to_titlecase().alias("contact_type"),
        pl.col(F.CATEGORY).alias("category"),
        pl.lit("?").alias("subcategory"),
        pl.col(F.PRIORITY).replace_strict(PRIORITIES).alias("priority"),
        pl.col(F.ASSIGNEE_GROUP).alias("assignment_group"),
        pl.lit("?").alias("assigned_to"),
        pl.lit("true").alias("made_sla"),
        pl.col(F.STATUS).replace_strict({"open": "?", "resolved": "Solved (Permanently)", "closed": "Solved (Permanently)",
                                         "cancelled": "?"}).alias("closed_code"),
        stamp(F.RESOLVED_AT).fill_null("?").alias("resolved_at"),
        stamp(F.CLOSED_AT).fill_null("?").alias("closed_at"),
    )
    out.write_csv(path)


def run_measured(args: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of the child, and its output.

    CPU time is shown because wall time on a shared two-core machine depends on the neighbours;
    it does not include the database server's own work on PostgreSQL."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    output = proc.stdout.read() if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{output}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output.strip()


def read_back(url: str) -> tuple[int, float]:
    from sql.engine import make_engine
    from sql.facts import read_facts
    from sql.models import Provider
    from sqlalchemy import select

    engine = make_engine(url)
    with engine.connect() as conn:
        pid = conn.scalar(select(Provider.id).where(Provider.name == "Bench"))
    start = time.perf_counter()
    frame = read_facts(engine, F.TICKETS, (pid, "Bench"))
    seconds = time.perf_counter() - start
    engine.dispose()
    return frame.height, seconds


def bench(url: str, csv: Path, label: str) -> None:
    print(f"{label}: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    db = ["--db", url]
    subprocess.run([STEERCO, "init", *db], check=True, capture_output=True)
    subprocess.run([STEERCO, "provider", "add", "Bench", "--kind", "it", "--timezone", "Europe/London", *db],
                   check=True, capture_output=True)
    cmd = [STEERCO, "import", "tickets", str(csv), "--provider", "Bench", "--format", "servicenow", *db]
    for what in ("first import   ", "same file again"):
        wall, cpu, rss, out = run_measured(cmd)
        print(f"{label}: {what} {wall:6.1f} s wall, {cpu:6.1f} s CPU, peak RSS {rss:6.0f} MB — "
              f"{out.splitlines()[-1].split(': ', 1)[-1]}")
    rows, seconds = read_back(url)
    print(f"{label}: read_facts {rows:,} tickets in {seconds:.2f} s = {rows / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("STEERCO_BENCH_POSTGRES_URL"),
                        help="a server where a scratch database may be created (default: $STEERCO_BENCH_POSTGRES_URL)")
    parser.add_argument("--iso-dates", action="store_true", help="write yyyy-mm-dd dates instead of day-first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        start = time.perf_counter()
        servicenow_csv(args.rows, csv, date_format="%Y-%m-%d %H:%M:%S" if args.iso_dates else "%d-%m-%Y %H:%M:%S")
        print(f"generated {args.rows:,} incidents, {csv.stat().st_size / 1e6:,.0f} MB, "
              f"in {time.perf_counter() - start:.1f} s")
        bench(f"sqlite:///{Path(tmp) / 'bench.db'}", csv, "SQLite    ")
        if args.postgres:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin_url = make_url(args.postgres).set(drivername="postgresql+psycopg")
            name = f"steerco_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                bench(admin_url.set(database=name).render_as_string(hide_password=False), csv, "PostgreSQL")
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
