"""Load test of the public survey form: many respondents submitting at once, nothing lost.

Starts a real `steerco serve` (gunicorn, threaded workers) on a fresh database, makes the
invitations, then runs N concurrent clients, each like a browser with its own keep-alive
connection and cookie: GET /s/<token> (the form, its CSRF token and session cookie), then POST
the answers. Afterwards it checks in the database that every submission was stored exactly
once, and reports the sustained rate and the latencies.

    python benchmarks/survey_load.py                       # 5,000 responses, 100 clients, SQLite, 2 workers
    python benchmarks/survey_load.py --responses 20000 --clients 200 --workers 4 \\
        --postgres postgresql://postgres@127.0.0.1:55432/postgres

Target (issue #6): 100 concurrent clients, 5,000 responses, 2 workers on SQLite: every response
stored exactly once, no error responses, at least 200 submissions per second. It exits 1 when
a response is missing, duplicated or an error was returned. Run on an otherwise idle machine;
the clients share it with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import os
import platform
import queue
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from sql import repo  # noqa: E402
from sql.engine import make_engine, session_scope  # noqa: E402
from sql.models import Provider  # noqa: E402
from sql.schema import upgrade  # noqa: E402
from sql.survey_models import SurveyInvitation, SurveyLink, SurveyResponse  # noqa: E402
from surveys.library import ensure_questionnaire  # noqa: E402
from surveys.tokens import new_token, token_hash  # noqa: E402

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"
SECRET = "load-test-secret-" + "x" * 32
CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
ANSWERS = {"questionnaire": "helpdesk@1", "satisfaction": "4", "speed": "5", "resolved": "yes", "recommend": "9",
           "comment": "Quick and friendly, thank you!"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, n: int) -> list[str]:
    """A provider and ``n`` pending invitations, each with one link; returns the tokens."""
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        repo.add_provider(s, "Load Test IT", "it", "Europe/London", actor="benchmark")
    now = dt.datetime.now(dt.timezone.utc)
    tokens = [new_token() for _ in range(n)]
    with engine.begin() as conn:
        pid = conn.scalar(select(Provider.id).where(Provider.name == "Load Test IT"))
        qid = ensure_questionnaire(conn, "helpdesk", actor="benchmark")
        conn.execute(insert(SurveyInvitation), [dict(
            id=i + 1, provider_id=pid, questionnaire_id=qid, ticket_id=f"LT{i:06d}", cycle=0, status="pending",
            delivery="link", created_at=now, created_by="benchmark", send_after=now, sent_at=now,
            sent_month=now.strftime("%Y-%m"), expires_at=now + dt.timedelta(days=1), send_attempts=0,
            priority="P3", category="Software") for i in range(n)])
        conn.execute(insert(SurveyLink), [dict(invitation_id=i + 1, token_hash=token_hash(t), channel="csv",
                                               issued_at=now) for i, t in enumerate(tokens)])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('survey_invitations', 'id'), "
                              "(SELECT max(id) FROM survey_invitations))"))
    engine.dispose()
    return tokens


class Client(threading.Thread):
    """One respondent's browser: a keep-alive connection and a cookie, answering surveys from a queue."""

    def __init__(self, host: str, port: int, work: queue.Queue, results: list) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.work, self.results = host, port, work, results
        self.cookie = ""
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                cookie = response.getheader("Set-Cookie")
                if cookie:
                    self.cookie = cookie.split(";", 1)[0]
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2 or method == "POST":
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        while True:
            try:
                token = self.work.get_nowait()
            except queue.Empty:
                break
            path = f"/s/{token}"
            record = {"token": token}
            try:
                t0 = time.perf_counter()
                status, page = self.request("GET", path)
                t1 = time.perf_counter()
                record.update(get_status=status, get_s=t1 - t0)
                match = CSRF.search(page)
                if status != 200 or match is None:
                    record["error"] = f"GET {status}"
                else:
                    form = urllib.parse.urlencode({**ANSWERS, "csrf_token": match.group(1).decode()})
                    status, page = self.request("POST", path, form)
                    t2 = time.perf_counter()
                    record.update(post_status=status, post_s=t2 - t1, done=t2)
                    if status != 200 or b"Thank you!" not in page:
                        record["error"] = f"POST {status}"
            except Exception as exc:  # noqa: BLE001 (counted and reported, never hidden)
                record["error"] = f"{type(exc).__name__}: {exc}"
            self.results.append(record)
        self.conn.close()


class Respondent:
    """The same respondent on asyncio streams: a light client, so that the server gets the CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookie = b""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1".encode(), f"Host: {self.host}:{self.port}".encode()]
        if self.cookie:
            head.append(b"Cookie: " + self.cookie)
        if method == "POST":
            head += [b"Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}".encode()]
        self.writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"set-cookie":
                self.cookie = value.strip().split(b";", 1)[0]
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def answer(self, tokens: list[str], results: list) -> None:
        while tokens:
            token = tokens.pop()
            path = f"/s/{token}"
            record: dict = {"token": token}
            try:
                t0 = time.perf_counter()
                status, page = await self.request("GET", path)
                t1 = time.perf_counter()
                record.update(get_status=status, get_s=t1 - t0)
                match = CSRF.search(page)
                if status != 200 or match is None:
                    record["error"] = f"GET {status}"
                else:
                    form = urllib.parse.urlencode({**ANSWERS, "csrf_token": match.group(1).decode()}).encode()
                    status, page = await self.request("POST", path, form)
                    t2 = time.perf_counter()
                    record.update(post_status=status, post_s=t2 - t1, done=t2)
                    if status != 200 or b"Thank you!" not in page:
                        record["error"] = f"POST {status}"
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
                await self.close()
            results.append(record)
        await self.close()


async def run_asyncio(port: int, tokens: list[str], clients: int, results: list) -> None:
    queue_ = list(reversed(tokens))
    await asyncio.gather(*(Respondent("127.0.0.1", port).answer(queue_, results) for _ in range(clients)))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--responses", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--client", choices=["asyncio", "threads"], default="asyncio",
                    help="asyncio: one light event loop (default); threads: a thread and http.client per client.")
    ap.add_argument("--postgres", metavar="ADMIN_URL", help="Use a new database on this PostgreSQL server instead of SQLite.")
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="steerco-load-"))
    admin = dbname = None
    if args.postgres:
        admin = create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        dbname = f"steerco_load_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        url = args.postgres.rsplit("/", 1)[0] + f"/{dbname}"
        backend = "PostgreSQL"
    else:
        url = f"sqlite:///{folder / 'load.db'}"
        backend = f"SQLite {sqlite3.sqlite_version}"
    try:
        print(f"preparing {args.responses:,} invitations on {backend} …", flush=True)
        tokens = prepare(url, args.responses)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
        env.update(STEERCO_DATABASE_URL=url, STEERCO_SECRET_KEY=SECRET, STEERCO_LOG_LEVEL="WARNING")
        log = open(folder / "serve.log", "w")
        server = subprocess.Popen([STEERCO, "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        print((folder / "serve.log").read_text(), file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            results: list[dict] = []
            print(f"{args.clients} clients ({args.client}) submitting through `steerco serve --workers "
                  f"{args.workers}` …", flush=True)
            started = time.perf_counter()
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            if args.client == "asyncio":
                asyncio.run(run_asyncio(port, tokens, args.clients, results))
            else:
                work: queue.Queue = queue.Queue()
                for t in tokens:
                    work.put(t)
                clients = [Client("127.0.0.1", port, work, results) for _ in range(args.clients)]
                for c in clients:
                    c.start()
                for c in clients:
                    c.join()
            elapsed = time.perf_counter() - started
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        server_cpu = sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in ("ru_utime", "ru_stime"))

        engine = make_engine(url)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(SurveyResponse))
            distinct = conn.scalar(select(func.count(func.distinct(SurveyResponse.invitation_id))))
            answered = conn.scalar(select(func.count()).select_from(SurveyInvitation)
                                   .where(SurveyInvitation.status == "answered"))
        engine.dispose()
        errors = [r for r in results if "error" in r]
        ok = [r for r in results if "error" not in r]
        gets = [r["get_s"] * 1000 for r in results if "get_s" in r]
        posts = [r["post_s"] * 1000 for r in results if "post_s" in r]
        print()
        print(f"machine:     {machine()}")
        print(f"date:        {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
        print(f"database:    {backend}; gunicorn {args.workers} workers × 4 threads; {args.clients} clients "
              f"({args.client})")
        print(f"submitted:   {len(ok):,} of {args.responses:,} in {elapsed:.1f} s "
              f"= {len(ok) / elapsed:,.0f} submissions/s (each a GET of the form and a POST)")
        print(f"latency ms:  GET p50 {percentile(gets, 50):.0f} p95 {percentile(gets, 95):.0f} "
              f"p99 {percentile(gets, 99):.0f}; POST p50 {percentile(posts, 50):.0f} "
              f"p95 {percentile(posts, 95):.0f} p99 {percentile(posts, 99):.0f}")
        cpus = os.cpu_count() or 1
        per = (server_cpu + client_cpu) / max(len(ok), 1)
        print(f"CPU:         server {server_cpu:.1f} s ({server_cpu / max(len(ok), 1) * 1000:.1f} ms a submission, "
              f"start-up included), clients {client_cpu:.1f} s; on an idle machine that is about "
              f"{cpus / per:,.0f} submissions/s (load average now {os.getloadavg()[0]:.1f} on {cpus} CPUs)")
        print(f"stored:      {stored:,} responses for {distinct:,} invitations; {answered:,} invitations answered")
        print(f"errors:      {len(errors)}" + (f" (first: {errors[0]['error']})" if errors else ""))
        good = not errors and stored == distinct == answered == args.responses
        print("result:      " + ("OK: every response stored exactly once, no errors" if good else "FAILED"))
        return 0 if good else 1
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
