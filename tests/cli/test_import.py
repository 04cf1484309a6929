"""steerco import: every format and kind into SQLite and PostgreSQL, idempotent, audited, with a dry run."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy import func, select

import pipelines.sources
from dashboard.cli import imports
from scorecard import facts as F
from sql.engine import make_engine
from sql.facts import read_facts
from sql.models import AuditEntry, Provider, Resource, Service
from tests.conftest import Cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
UTC = dt.timezone.utc


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def fixture(name: str) -> str:
    return str(FIXTURES / name)


@pytest.fixture
def acme(run_cli: Cli) -> Cli:
    """The CLI on a database with provider Acme (Europe/London)."""
    out = run_cli("provider", "add", "Acme", "--kind", "it", "--timezone", "Europe/London")
    assert out.exit_code == 0, out.output
    return run_cli


def fingerprint(db_url: str) -> dict:
    """Row counts and a checksum of every fact of every provider, and the audit log's length."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            providers = conn.execute(select(Provider.id, Provider.name).order_by(Provider.id)).all()
            state: dict = {
                "audit_log": conn.scalar(select(func.count()).select_from(AuditEntry)),
                "services": conn.execute(select(Service.provider_id, Service.name).order_by(Service.name)).all(),
                "resources": conn.execute(select(Resource.provider_id, Resource.name, Resource.unit)
                                          .order_by(Resource.name)).all(),
            }
        for name, fact in F.FACTS.items():
            for provider in providers:
                frame = read_facts(engine, fact, (provider[0], provider[1]))
                frame = frame.sort(frame.columns, nulls_last=True)
                state[f"{provider[1]}/{name}"] = (frame.height, hashlib.sha256(frame.write_csv().encode()).hexdigest())
        return state
    finally:
        engine.dispose()


def tickets(db_url: str, provider: str = "Acme") -> pl.DataFrame:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            pid = conn.scalar(select(Provider.id).where(Provider.name == provider))
        return read_facts(engine, F.TICKETS, (pid, provider)).sort(F.TICKET_ID)
    finally:
        engine.dispose()


def facts_only(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "audit_log"}


def test_help_describes_the_command(run_cli: Cli):
    out = run_cli("import", "--help", db=False)
    assert out.exit_code == 0
    for text in ("KIND", "FILE", "--provider NAME", "--format", "servicenow", "--mapping FILE", "--date-format FMT",
                 "--timezone ZONE", "--resource NAME", "--capacity N", "--unit U", "--dry-run", "--db URL"):
        assert text in out.output, text


def test_import_again_changes_nothing_and_a_newer_export_updates(acme: Cli):
    first = acme("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (f"imported 7 tickets rows for Acme from {fixture('servicenow_snapshot.csv')}: "
                                    "7 new, 0 updated, 0 unchanged")
    before = fingerprint(acme.db_url)
    again = acme("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    assert again.exit_code == 0 and "0 new, 0 updated, 7 unchanged" in again.stdout
    after = fingerprint(acme.db_url)
    assert facts_only(after) == facts_only(before) and after["audit_log"] == before["audit_log"] + 1
    newer = acme("import", "tickets", fixture("servicenow_newer.csv"), "--provider", "Acme")
    assert newer.exit_code == 0 and "8 tickets rows" in newer.stdout and "1 new, 3 updated, 4 unchanged" in newer.stdout
    back = tickets(acme.db_url)
    assert back.height == 8
    assert back.select(F.TICKET_ID, F.STATUS, F.CLOSED_AT).filter(pl.col(F.TICKET_ID) <= "INC0010003").rows() == [
        ("INC0010001", "closed", utc(2016, 2, 4, 10, 15)),
        ("INC0010002", "closed", utc(2016, 2, 8, 9)),
        ("INC0010003", "resolved", None),
    ]
    requesters = back[F.REQUESTER].to_list()
    assert all(r.startswith("p_") for r in requesters) and "Abel Tuter" not in requesters


def test_update_log_keeps_latest_states_and_reports_what_it_skipped(acme: Cli):
    out = acme("import", "tickets", fixture("servicenow_events.csv"), "--provider", "Acme", "--format", "servicenow")
    assert out.exit_code == 0, out.output
    assert out.stdout.strip().endswith("5 new, 0 updated, 0 unchanged, skipped 6 earlier updates of an incident")
    assert tickets(acme.db_url)[F.STATUS].to_list() == ["closed", "open", "resolved", "cancelled", "open"]


@pytest.mark.parametrize("name, args, count, ticket_id, values", [
    ("servicenow_monthfirst.csv", [], 3, "INC0020001", {"opened_at": utc(2016, 2, 29, 13, 16), "priority": "P2"}),
    ("jira_jsm.csv", ["--format", "jira"], 5, "ITSD-104", {"status": "cancelled", "kind": "incident"}),
    ("zendesk_latin1.csv", [], 4, "4711", {"requester_group": "Müller GmbH", "first_response_at": utc(2024, 3, 4, 8, 30)}),
    ("freshservice_semicolon_bom.csv", [], 4, "INC-1201", {"hours_spent": 1.5, "closed_at": utc(2024, 1, 8, 16)}),
    ("tickets_canonical.csv", ["--format", "csv"], 3, "T-3", {"opened_at": utc(2026, 1, 7, 7), "reopen_count": 1}),
    ("legacy_tickets.tsv", ["--mapping", fixture("legacy_mapping.toml")], 4, "L-002",
     {"category": "duplicate", "opened_at": utc(2026, 3, 2, 9, 15)}),
])
def test_each_format_imports(acme: Cli, name, args, count, ticket_id, values):
    out = acme("import", "tickets", fixture(name), "--provider", "Acme", *args)
    assert out.exit_code == 0, out.output
    assert f"{count} new, 0 updated, 0 unchanged" in out.stdout
    row = tickets(acme.db_url).filter(pl.col(F.TICKET_ID) == ticket_id).to_dicts()[0]
    assert {k: row[k] for k in values} == values
    again = acme("import", "tickets", fixture(name), "--provider", "Acme", *args)
    assert f"0 new, 0 updated, {count} unchanged" in again.stdout


@pytest.mark.parametrize("kind, name, args, expected", [
    ("outages", "outages.csv", [], 3),
    ("probes", "probes.csv", [], 3),
    ("capacity", "capacity.csv", [], 3),
    ("capacity", "capacity_series.csv", ["--resource", "SAN-02", "--capacity", "50", "--unit", "TB"], 3),
    ("spend", "spend.csv", [], 2),
    ("projects", "projects.csv", [], 2),
    ("checks", "checks.csv", [], 4),
])
def test_every_kind_imports(acme: Cli, kind, name, args, expected):
    out = acme("import", kind, fixture(name), "--provider", "Acme", *args)
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith(f"imported {expected} {kind} rows for Acme") and f"{expected} new" in out.stdout
    before = fingerprint(acme.db_url)
    assert before[f"Acme/{kind}"][0] == expected
    again = acme("import", kind, fixture(name), "--provider", "Acme", *args)
    assert f"0 new, 0 updated, {expected} unchanged" in again.stdout
    assert facts_only(fingerprint(acme.db_url)) == facts_only(before)


def test_registered_services_and_resources(acme: Cli):
    acme("import", "outages", fixture("outages.csv"), "--provider", "Acme")
    acme("import", "capacity", fixture("capacity_series.csv"), "--provider", "Acme", "--resource", "SAN-02",
         "--capacity", "50", "--unit", "TB")
    state = fingerprint(acme.db_url)
    assert [name for _, name in state["services"]] == ["ERP", "Email", "VPN"]
    assert [(name, unit) for _, name, unit in state["resources"]] == [("SAN-02", "TB")]


def _xlsx_of(csv_name: str) -> bytes:
    text = pl.read_csv(FIXTURES / csv_name, infer_schema=False)
    wb = openpyxl.Workbook()
    wb.active.append(text.columns)
    for values in text.rows():
        wb.active.append(list(values))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_parquet_and_standard_input_give_the_same_tickets(acme: Cli, tmp_path):
    acme("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    expected = fingerprint(acme.db_url)
    xlsx = tmp_path / "export.xlsx"
    xlsx.write_bytes(_xlsx_of("servicenow_snapshot.csv"))
    parquet = tmp_path / "export.parquet"
    pl.read_csv(FIXTURES / "servicenow_snapshot.csv", infer_schema=False).write_parquet(parquet)
    for path in (xlsx, parquet):
        out = acme("import", "tickets", str(path), "--provider", "Acme")
        assert out.exit_code == 0 and "0 new, 0 updated, 7 unchanged" in out.stdout, out.output
    data = (FIXTURES / "servicenow_snapshot.csv").read_bytes()
    out = acme("import", "tickets", "-", "--provider", "Acme", input=data)
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("imported 7 tickets rows for Acme from <stdin>: 0 new, 0 updated, 7 unchanged")
    assert facts_only(fingerprint(acme.db_url)) == facts_only(expected)


def test_spreadsheet_formulas_are_stored_as_literal_text(acme: Cli, tmp_path):
    formula = '=HYPERLINK("http://evil.example/x","Click me")'
    csv = tmp_path / "tickets.csv"
    csv.write_text('ticket_id,opened_at,status,priority,category\n'
                   f'T-1,2026-01-05 09:00,open,P3,"{formula.replace(chr(34), chr(34) * 2)}"\n')
    assert acme("import", "tickets", str(csv), "--provider", "Acme").exit_code == 0
    wb = openpyxl.Workbook()
    wb.active.append(["ticket_id", "opened_at", "status", "priority", "category"])
    wb.active.append(["T-2", dt.datetime(2026, 1, 6, 10), "open", "P3", formula])  # a real formula cell
    xlsx = tmp_path / "tickets.xlsx"
    wb.save(xlsx)
    out = acme("import", "tickets", str(xlsx), "--provider", "Acme")
    assert out.exit_code == 0, out.output
    assert tickets(acme.db_url)[F.CATEGORY].to_list() == [formula, formula]


def test_dry_run_counts_and_writes_nothing(acme: Cli):
    acme("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    before = fingerprint(acme.db_url)
    out = acme("import", "tickets", fixture("servicenow_newer.csv"), "--provider", "Acme", "--dry-run")
    assert out.exit_code == 0, out.output
    assert out.stdout.strip() == (f"would import 8 tickets rows for Acme from {fixture('servicenow_newer.csv')}: "
                                  "1 new, 3 updated, 4 unchanged (dry run: nothing was written)")
    assert fingerprint(acme.db_url) == before


def test_the_audit_log_records_what_who_and_when(acme: Cli):
    acme("import", "tickets", fixture("servicenow_events.csv"), "--provider", "Acme")
    engine = make_engine(acme.db_url)
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "import")).one()
    engine.dispose()
    assert entry.actor.startswith("cli") and entry.target == "Acme/tickets"
    assert abs(entry.at - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
    assert json.loads(entry.details) == {
        "fact": "tickets", "provider": "Acme", "source": fixture("servicenow_events.csv"), "rows": 5, "new": 5,
        "updated": 0, "unchanged": 0, "skipped": {"earlier updates of an incident": 6}, "dry_run": False}


def test_timezone_option_overrides_the_providers(acme: Cli):
    acme("import", "tickets", fixture("servicenow_monthfirst.csv"), "--provider", "Acme", "--timezone", "America/New_York")
    assert tickets(acme.db_url)[F.OPENED_AT][0] == utc(2016, 2, 29, 18, 16)


def test_progress_goes_to_stderr_for_large_files(acme: Cli, monkeypatch):
    monkeypatch.setattr(imports, "LARGE_FILE", 10)
    monkeypatch.setattr(pipelines.sources, "LARGE", 5)
    out = acme("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    assert out.exit_code == 0
    assert out.stderr.splitlines()[0].startswith(f"reading {fixture('servicenow_snapshot.csv')} (")
    assert out.stderr.splitlines()[1:] == ["validating 7 rows…", "writing…"]
    assert out.stdout.startswith("imported 7 tickets rows")


def test_a_large_export_round_trips_and_a_changed_copy_updates_only_what_changed(acme: Cli, tmp_path):
    n = 20_000
    ids = pl.int_range(0, n, eager=True)
    opened = pl.datetime_range(dt.datetime(2025, 1, 1), dt.datetime(2025, 12, 31), "15m", eager=True).head(n)
    frame = pl.DataFrame({
        "ticket_id": "T" + ids.cast(pl.String).str.zfill(6),
        "opened_at": opened.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": pl.Series(["open", "resolved", "closed", "cancelled"]).gather(ids % 4),
        "priority": "P" + (ids % 4 + 1).cast(pl.String),
        "requester": "user" + (ids % 500).cast(pl.String),
        "hours_spent": (ids % 7).cast(pl.Float64) / 4,
    })
    path = tmp_path / "big.csv"
    frame.write_csv(path)
    out = acme("import", "tickets", str(path), "--provider", "Acme")
    assert out.exit_code == 0 and f"{n:,} new" in out.stdout, out.output
    back = tickets(acme.db_url)
    assert back.height == n and back[F.TICKET_ID].to_list() == frame["ticket_id"].to_list()
    assert back[F.HOURS_SPENT].to_list() == frame["hours_spent"].to_list()
    assert back[F.OPENED_AT].to_list() == opened.dt.replace_time_zone("UTC").to_list()
    frame.with_columns(pl.when(ids < 100).then(pl.lit("closed")).otherwise(pl.col("status")).alias("status")) \
        .write_csv(path)
    again = acme("import", "tickets", str(path), "--provider", "Acme")
    assert "0 new, 75 updated, 19,925 unchanged" in again.stdout, again.output
