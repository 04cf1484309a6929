"""Build the demo database: schema, providers, facts through the import path, users, secret.

Then survey invitations and responses, the example scorecards, every month computed, the
annual reviews written from that evidence (a signed one for last year, a draft for this
year), and a second compute for the months the reviews' improvement actions fall in — so
that ``steerco demo && steerco serve`` always shows a full dashboard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from sqlalchemy import Engine, delete, select

from dashboard.passwords import hash_password
from pipelines.demo import generate_demo
from pipelines.ingest import ImportResult, import_frame
from pipelines.review_demo import build_review_demo
from pipelines.run import ComputeReport, compute_provider
from scorecard.definition import load_scorecard
from scorecard.errors import BadInput
from sql import repo
from sql.engine import session_scope
from sql.keys import DEMO_SECRET, PSEUDONYM_KEY, ensure_meta_secret, get_meta_value, set_meta_value
from sql.models import Provider, User
from sql.schema import upgrade
from sql.scorecards import add_version
from surveys.demo import build_survey_demo

DEMO_MARK = "demo"
# (email, role, provider, password): demo only, printed for the person exploring it.
DEMO_USERS: tuple[tuple[str, str, str | None, str], ...] = (
    ("admin@demo.steerco", "admin", None, "demo-admin-password"),
    ("exec@demo.steerco", "executive", None, "demo-executive-password"),
    ("cio@demo.steerco", "reviewer", None, "demo-reviewer-password"),
    ("northwind@demo.steerco", "provider", "Northwind IT Services", "demo-provider-password"),
)


@dataclass
class DemoReport:
    seed: int
    start: str
    end: str
    imports: list[ImportResult] = field(default_factory=list)
    computed: list[ComputeReport] = field(default_factory=list)
    surveys: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"Demo built for {self.start} … {self.end} (seed {self.seed}) in {self.seconds:.1f} s:"]
        lines += [f"  {r.provider}: {r.written.total:,} {r.fact}" for r in self.imports]
        lines += [f"  {s.summary()}" for s in self.surveys]
        lines += [f"  {c.summary()}" for c in self.computed]
        lines += [f"  {r}" for r in self.reviews]
        return "\n".join(lines)


def _prepare(engine: Engine) -> None:
    """An empty or earlier demo database is fine; one with someone's real data is refused."""
    with engine.begin() as conn:
        was_demo = get_meta_value(conn, DEMO_MARK) is not None
    with session_scope(engine) as session:
        if session.scalar(select(Provider.id).limit(1)) is None and session.scalar(select(User.id).limit(1)) is None:
            return
        if not was_demo:
            raise BadInput("this database already holds providers or users: build the demo in a new one, "
                           "e.g. steerco demo --db sqlite:///demo.db")
        session.execute(delete(User))
        session.execute(delete(Provider))


def build_demo(engine: Engine, *, seed: int, months: int, end: str, actor: str,
               progress: Callable[[str], None] = lambda _msg: None,
               as_of: dt.datetime | None = None) -> DemoReport:
    """Build the demo; ``as_of`` (default: now) is when its measures are computed."""
    started = time.perf_counter()
    upgrade(engine)
    _prepare(engine)
    progress(f"generating {months} months of demo data ending {end} (seed {seed}) …")
    data = generate_demo(seed=seed, months=months, end=end)
    report = DemoReport(seed=seed, start=data.start, end=data.end)
    with engine.begin() as conn:
        ensure_meta_secret(conn, DEMO_MARK)
        ensure_meta_secret(conn, DEMO_SECRET)
        # The same seed must give the same stored data, pseudonyms included.
        set_meta_value(conn, PSEUDONYM_KEY, hashlib.sha256(f"steerco-demo-{seed}".encode()).hexdigest())
    with session_scope(engine) as session:
        for p in data.providers:
            repo.add_provider(session, p.name, p.kind, p.timezone, actor=actor)
    for p in data.providers:
        for fact_name, frame in p.facts.items():
            progress(f"importing {frame.height:,} {fact_name} rows for {p.name} …")
            with engine.begin() as conn:
                report.imports.append(import_frame(conn, p.name, fact_name, frame,
                                                   source=f"demo:{fact_name}", actor=actor))
    progress("adding survey invitations and responses …")
    report.surveys = build_survey_demo(engine, seed=seed, end=data.end, actor=actor)
    example = {"it": "it_managed_services.toml", "legal": "legal_outsourcing.toml"}
    with session_scope(engine) as session:
        for p in data.providers:
            text = resources.files("scorecard.examples").joinpath(example[p.kind]).read_text(encoding="utf-8")
            load_scorecard(text, source=example[p.kind])  # the shipped examples must stay valid
            add_version(session, repo.get_provider(session, p.name).id, p.name, data.start, text, actor=actor)
    for p in data.providers:
        progress(f"computing {data.months} months of measures for {p.name} …")
        report.computed.append(compute_provider(engine, p.name, as_of=as_of))
    progress("writing the annual reviews from the computed evidence …")
    report.reviews = build_review_demo(engine, end=data.end, actor=actor)
    # Signing made improvement actions, which feed governance.actions_on_time: compute again
    # (only the months whose facts changed are recomputed).
    report.computed += [compute_provider(engine, p.name, as_of=as_of) for p in data.providers]
    with session_scope(engine) as session:
        for email, role, provider, password in DEMO_USERS:
            repo.add_user(session, email, role, hash_password(password), provider=provider, actor=actor)
    report.seconds = time.perf_counter() - started
    return report
