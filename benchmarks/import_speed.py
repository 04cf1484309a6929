"""How fast `steerco import` loads a large ServiceNow export, and how fast tickets read back.

Generates a ServiceNow incident CSV (one row per incident, day-first dates as many exports
write them), then runs the real CLI — `steerco --debug import tickets FILE --format
servicenow` — into a fresh SQLite database and, when a server is given, a fresh PostgreSQL
database: first the import into the empty database, then the same file again (nothing
changes). For each it prints the wall time, the CPU time and peak resident memory of the
import process (from wait4(2): the child alone) and where the time went, from the
`phase …` lines the import logs at DEBUG (start-up is the time to the CLI's first line,
"commit + exit" the time after the last phase). Then it reads every ticket back with
`sql.facts.read_facts`. With --repeat N it does all of it N times, each on a fresh
database, and prints the medians; note the load average printed with them (the machine
may be shared).

    python benchmarks/import_speed.py                        # 1,000,000 tickets, SQLite only
    python benchmarks/import_speed.py --rows 200000 --repeat 3 \\
        --postgres postgresql://postgres@127.0.0.1:55432/postgres

Targets (issue #3): 1,000,000 tickets into SQLite in ≤ 30 s with < 2 GB peak memory; into
PostgreSQL at least as fast; reading back ≥ 1,000,000 rows/s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import tickets  # noqa: E402
from scorecard import facts as F  # noqa: E402

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
STATES = {"open": "In Progress", "resolved": "Resolved", "closed": "Closed", "cancelled": "Canceled"}
PRIORITIES = {"P1": "1 - Critical", "P2": "2 - High", "P3": "3 - Moderate", "P4": "4 - Low"}


def servicenow_csv(n: int, path: Path, *, date_format: str = "%d-%m-%Y %H:%M:%S", shuffle: bool = False) -> None:
    """``n`` incidents as a ServiceNow list export (field names as headers, local times).

    As in ServiceNow, incidents are numbered in the order they were opened and the list is
    sorted by number; with ``shuffle`` the rows come in random order (the worst case for the
    database's indexes)."""
    t = tickets(n, provider="Bench").sort(F.OPENED_AT).with_columns(
        (pl.lit("INC") + pl.int_range(pl.len()).cast(pl.String).str.zfill(8)).alias(F.TICKET_ID))
    if shuffle:
        t = t.sample(fraction=1.0, shuffle=True, seed=7)
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


@dataclass
class Run:
    """One measured import: wall and CPU seconds, peak RSS in MB, the CLI's summary, time per phase."""

    wall: float
    cpu: float
    rss: float
    summary: str
    phases: dict[str, float] = field(default_factory=dict)

    def phase_line(self) -> str:
        return " · ".join(f"{name} {seconds:.1f}" for name, seconds in self.phases.items())


PHASE = re.compile(r"phase (\w+): ([\d.]+) s")


def run_measured(args: list[str]) -> Run:
    """Run the CLI, reading its output as it comes to time the phases; wall and CPU seconds
    (user + system) and peak RSS of the child alone, from wait4(2).

    CPU time is shown because wall time on a shared two-core machine depends on the
    neighbours; on PostgreSQL it does not include the database server's own work."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    phases: dict[str, float] = {}
    first = last = None
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.perf_counter() - start
        lines.append(line.rstrip())
        if first is None:
            first = now
            phases["start-up"] = now
        if match := PHASE.search(line):
            phases[match[1]] = phases.get(match[1], 0.0) + float(match[2])
            last = now
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n" + "\n".join(lines))
    if last is not None:
        phases["commit + exit"] = wall - last
    summary = lines[-1].split(": ", 1)[-1] if lines else ""
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, summary, phases)


def read_back(url: str) -> tuple[int, float]:
    from sqlalchemy import select

    from sql.engine import make_engine
    from sql.facts import read_facts
    from sql.models import Provider

    engine = make_engine(url)
    with engine.connect() as conn:
        pid = conn.scalar(select(Provider.id).where(Provider.name == "Bench"))
    start = time.perf_counter()
    frame = read_facts(engine, F.TICKETS, (pid, "Bench"))
    seconds = time.perf_counter() - start
    engine.dispose()
    return frame.height, seconds


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench(url: str, csv: Path, label: str) -> dict[str, Run | float]:
    """Both imports and the read-back on the fresh, empty database at ``url``."""
    print(f"{label}: load average {load()}")
    db = ["--db", url]
    subprocess.run([STEERCO, "init", *db], check=True, capture_output=True)
    subprocess.run([STEERCO, "provider", "add", "Bench", "--kind", "it", "--timezone", "Europe/London", *db],
                   check=True, capture_output=True)
    cmd = [STEERCO, "--debug", "import", "tickets", str(csv), "--provider", "Bench", "--format", "servicenow", *db]
    out: dict[str, Run | float] = {}
    for what in ("first", "again"):
        run = run_measured(cmd)
        out[what] = run
        print(f"{label}: {'first import   ' if what == 'first' else 'same file again'} {run.wall:6.1f} s wall, "
              f"{run.cpu:6.1f} s CPU, peak RSS {run.rss:6.0f} MB — {run.summary}")
        print(f"{label}:     {run.phase_line()}")
    rows, seconds = read_back(url)
    out["read"] = rows / seconds
    print(f"{label}: read_facts {rows:,} tickets in {seconds:.2f} s = {rows / seconds:,.0f} rows/s "
          f"(load average {load()})")
    return out


@contextmanager
def postgres_database(server: str, *, plain_role: bool = False) -> Iterator[str]:
    """A scratch database on ``server``, dropped afterwards. With ``plain_role`` it belongs to
    a new login role without superuser rights, which the URL connects as (the server must let
    it log in without a password, as a test server with ``trust`` does)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"steerco_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if plain_role:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' OWNER "{name}"' if plain_role else "")))
    url = admin_url.set(database=name, username=name if plain_role else admin_url.username)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if plain_role:
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def medians(label: str, runs: list[dict[str, Run | float]]) -> None:
    if len(runs) < 2:
        return
    print(f"{label}: median of {len(runs)}")
    for what, title in (("first", "first import   "), ("again", "same file again")):
        rs = [r[what] for r in runs]
        assert all(isinstance(r, Run) for r in rs)
        med = lambda values: statistics.median(values)  # noqa: E731
        phases = {name: med([r.phases.get(name, 0.0) for r in rs]) for name in rs[0].phases}  # type: ignore[union-attr]
        print(f"{label}:   {title} {med([r.wall for r in rs]):6.1f} s wall, {med([r.cpu for r in rs]):6.1f} s CPU, "  # type: ignore[union-attr]
              f"peak RSS {max(r.rss for r in rs):6.0f} MB (max)")  # type: ignore[union-attr]
        print(f"{label}:     " + " · ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items()))
    print(f"{label}:   read_facts {statistics.median([r['read'] for r in runs]):,.0f} rows/s")  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="incidents in the generated file (default 1,000,000)")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("STEERCO_BENCH_POSTGRES_URL"),
                        help="a server where a scratch database may be created (default: $STEERCO_BENCH_POSTGRES_URL)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="measure N times, each on a fresh database, and print the medians (default 1)")
    parser.add_argument("--iso-dates", action="store_true", help="write yyyy-mm-dd dates instead of day-first")
    parser.add_argument("--shuffle", action="store_true",
                        help="write the incidents in random order instead of by number (the worst case for indexes)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--plain-role", action="store_true",
                        help="import into PostgreSQL as a role without superuser rights that owns the scratch "
                             "database, as in production: the foreign key is then checked on every row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        start = time.perf_counter()
        servicenow_csv(args.rows, csv, date_format="%Y-%m-%d %H:%M:%S" if args.iso_dates else "%d-%m-%Y %H:%M:%S",
                       shuffle=args.shuffle)
        print(f"generated {args.rows:,} incidents, {csv.stat().st_size / 1e6:,.0f} MB, "
              f"in {time.perf_counter() - start:.1f} s")
        sqlite_runs, pg_runs = [], []
        for i in range(args.repeat):
            if not args.no_sqlite:
                path = Path(tmp) / f"bench{i}.db"
                sqlite_runs.append(bench(f"sqlite:///{path}", csv, "SQLite    "))
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            if args.postgres:
                with postgres_database(args.postgres, plain_role=args.plain_role) as url:
                    pg_runs.append(bench(url, csv, "PostgreSQL"))
        medians("SQLite    ", sqlite_runs)
        medians("PostgreSQL", pg_runs)


if __name__ == "__main__":
    main()
