"""The documented CSV layouts of outages, probes, capacity, spend, projects and checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.sources import parse_mapping, read_source
from pipelines.sources.readers import ROW
from scorecard.errors import BadInput, InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
UTC = dt.timezone.utc


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def read(kind: str, name: str | bytes, **kw):
    data = name if isinstance(name, bytes) else FIXTURES / name
    return read_source(kind, data, source="f" if isinstance(name, bytes) else name,
                       default_timezone=kw.pop("zone", "Europe/London"), **kw)


def rows(src) -> list[tuple]:
    return src.frame.drop(ROW).rows()


def test_outages_with_defaults_for_planned_and_impact():
    assert rows(read("outages", "outages.csv")) == [
        ("Email", utc(2026, 3, 1, 10), utc(2026, 3, 1, 11, 30), False, 1.0),
        ("VPN", utc(2026, 3, 3, 22), utc(2026, 3, 4, 2), True, 0.5),
        ("ERP", utc(2026, 3, 10, 8, 15), None, False, 1.0),  # still going on; impact left empty
    ]
    assert rows(read("outages", b"service,start,end\nWeb,2026-03-01 10:00,2026-03-01 10:30\n")) == [
        ("Web", utc(2026, 3, 1, 10), utc(2026, 3, 1, 10, 30), False, 1.0)]


def test_probes():
    assert rows(read("probes", "probes.csv")) == [
        ("VPN", utc(2026, 3, 1), True), ("VPN", utc(2026, 3, 1, 0, 5), False), ("Email", utc(2026, 3, 1), True)]


def test_capacity_samples_and_a_monitoring_series():
    assert rows(read("capacity", "capacity.csv")) == [
        ("SAN-01", utc(2026, 3, 1), 80.5, 100.0, "TB"), ("SAN-01", utc(2026, 3, 2), 81.0, 100.0, "TB"),
        ("M365 licences", utc(2026, 3, 1), 940.0, 1000.0, "licences")]
    series = read("capacity", "capacity_series.csv", resource="SAN-02", capacity=50.0, unit="TB")
    assert series.format == "series"
    assert rows(series) == [("SAN-02", utc(2026, 3, 1), 41.5, 50.0, "TB"),
                            ("SAN-02", utc(2026, 3, 1, 1), 41.75, 50.0, "TB"),
                            ("SAN-02", utc(2026, 3, 1, 2), 42.0, 50.0, "TB")]
    with pytest.raises(BadInput, match="a capacity series needs --capacity"):
        read("capacity", "capacity_series.csv", fmt="series", resource="SAN-02")


def test_spend_projects_and_checks():
    assert rows(read("spend", "spend.csv")) == [("2026-01", 41250.0, 42000.0, 310.5, "EUR"),
                                                ("2026-02", 43980.5, 42000.0, 322.0, "EUR")]
    assert rows(read("projects", "projects.csv")) == [
        ("ERP upgrade", dt.date(2026, 1, 31), dt.date(2026, 6, 30), dt.date(2026, 7, 31), 35.0, 250000.0, 262000.0),
        ("Laptop refresh", dt.date(2026, 1, 31), dt.date(2026, 3, 31), dt.date(2026, 3, 31), 80.0, 90000.0, 88000.0)]
    assert rows(read("checks", "checks.csv")) == [
        ("backup", "nightly-fileserver", utc(2026, 3, 1, 2), True), ("backup", "nightly-sql", utc(2026, 3, 1, 2, 30), False),
        ("patch", "SRV-DB01", utc(2026, 3, 2, 9), True), ("qc_review", "Matter 2026-014", utc(2026, 3, 3, 15), True)]


def test_a_mapping_names_other_columns():
    mapping = parse_mapping('[columns]\nservice = "Monitor"\nat = "Checked"\nup = "Result"\n', source="m.toml")
    src = read("probes", b"Monitor;Checked;Result\nWeb;2026-03-01 10:00;OK\n", mapping=mapping)
    assert rows(src) == [("Web", utc(2026, 3, 1, 10), True)]
    with pytest.raises(BadInput, match=r"m.toml: \[columns\] names 'server', not columns of probes files"):
        read("probes", b"a\n1\n", mapping=parse_mapping('[columns]\nserver = "x"\n', source="m.toml"))


def test_bad_cells_are_named():
    data = b"check_type,subject,at,passed\nbackup,a,2026-03-01 02:00,maybe\nbackup,b,soon,true\n"
    with pytest.raises(InvalidInput) as err:
        read("checks", data)
    text = str(err.value)
    assert "f: 2 problems in checks, nothing was imported" in text
    assert "f, row 2, column 'passed': not a yes/no value" in text and "(value 'maybe')" in text
    assert "f, row 3, column 'at': not a date and time" in text
    with pytest.raises(InvalidInput, match=r"row 2, column 'amount': not a number .* \(value '1.234,50'\)"):
        read("spend", b"month;amount\n2026-01;1.234,50\n")


def test_tickets_formats_are_not_for_other_kinds():
    with pytest.raises(BadInput, match="--format servicenow is for tickets; spend files come as csv"):
        read("spend", "spend.csv", fmt="servicenow")
