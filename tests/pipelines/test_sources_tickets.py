"""Ticket exports of each tool to canonical tickets, checked value by value on sample files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import parse_mapping, read_source
from pipelines.sources.readers import ROW
from scorecard import facts as F
from scorecard.errors import BadInput, InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
UTC = dt.timezone.utc


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def read(name: str | bytes, *, zone: str = "Europe/London", **kw):
    data = name if isinstance(name, bytes) else FIXTURES / name
    return read_source("tickets", data, source="f" if isinstance(name, bytes) else name, default_timezone=zone, **kw)


def row(src, ticket_id: str) -> dict:
    return src.frame.filter(pl.col(F.TICKET_ID) == ticket_id).drop(ROW).to_dicts()[0]


def test_servicenow_snapshot_maps_every_column():
    src = read("servicenow_snapshot.csv")
    assert src.format == "servicenow" and src.skipped == {} and src.frame.height == 7
    assert src.frame.columns == [ROW, *[c for c in F.TICKETS.names if c != F.PROVIDER]]
    assert row(src, "INC0010002") == {
        "ticket_id": "INC0010002", "kind": "incident", "opened_at": utc(2016, 2, 3, 22, 40),
        "first_response_at": None, "resolved_at": utc(2016, 2, 5, 9), "closed_at": None, "status": "resolved",
        "priority": "P2", "category": "Network", "channel": "email", "requester": "Bud Richman",
        "requester_group": None, "assignee_group": "Network", "reassignment_count": 2, "reopen_count": 0,
        "hours_spent": None}
    by_id = dict(src.frame.select(F.TICKET_ID, pl.struct(F.STATUS, F.PRIORITY, ROW)).rows())
    assert by_id == {
        "INC0010001": {"status": "closed", "priority": "P3", ROW: 2},
        "INC0010002": {"status": "resolved", "priority": "P2", ROW: 3},  # its description spans lines 3–4
        "INC0010003": {"status": "open", "priority": "P4", ROW: 5},
        "INC0010004": {"status": "closed", "priority": "P1", ROW: 6},
        "INC0010005": {"status": "open", "priority": "P4", ROW: 7},  # On Hold, 5 - Planning
        "INC0010006": {"status": "cancelled", "priority": "P4", ROW: 8},
        "INC0010007": {"status": "open", "priority": "P4", ROW: 9},
    }


def test_servicenow_update_log_keeps_the_latest_state_of_each_incident():
    src = read("servicenow_events.csv")
    assert src.skipped == {"earlier updates of an incident": 6}
    assert src.frame.select(F.TICKET_ID, F.STATUS, F.RESOLVED_AT, F.CLOSED_AT, F.REASSIGNMENT_COUNT).rows() == [
        ("INC0000045", "closed", utc(2016, 2, 29, 11, 29), utc(2016, 3, 5, 12), 0),  # sys_mod_count 4 of 0–4
        ("INC0000047", "open", None, None, 1),  # Awaiting User Info
        ("INC0000057", "resolved", utc(2016, 3, 13, 10), None, 0),
        ("INC0000060", "cancelled", None, None, 0),
        ("INC0000061", "open", None, None, 0),
    ]
    assert row(src, "INC0000057")["reopen_count"] == 1 and row(src, "INC0000057")["priority"] == "P1"
    assert row(src, "INC0000061")["priority"] == "P4"  # 5 - Planning
    assert row(src, "INC0000045")["first_response_at"] is None  # not in a plain export: no guess


def test_servicenow_labels_and_month_first_dates():
    src = read("servicenow_monthfirst.csv")
    assert src.frame.select(F.TICKET_ID, F.OPENED_AT, F.RESOLVED_AT, F.CLOSED_AT).rows() == [
        ("INC0020001", utc(2016, 2, 29, 13, 16), utc(2016, 2, 29, 15, 5), utc(2016, 3, 3, 15, 5)),
        ("INC0020002", utc(2016, 3, 1, 9, 2), utc(2016, 3, 1, 12), None),
        ("INC0020003", utc(2016, 3, 12, 23, 59), None, None),
    ]
    assert src.columns[F.OPENED_AT] == "Opened" and src.columns[F.STATUS] == "State"


def test_servicenow_first_response_comes_from_u_first_response_when_present():
    data = (b"number,state,opened_at,u_first_response,priority\n"
            b"INC1,In Progress,2016-02-29 09:00:00,2016-02-29 09:12:00,2 - High\n")
    assert row(read(data), "INC1")["first_response_at"] == utc(2016, 2, 29, 9, 12)


def test_servicenow_rows_tied_on_the_latest_update_but_different_are_refused():
    data = (b"number,incident_state,opened_at,priority,sys_mod_count,sys_updated_at\n"
            b"INC1,New,29/2/2016 01:16,3 - Moderate,0,29/2/2016 01:16\n"
            b"INC1,Resolved,29/2/2016 01:16,3 - Moderate,1,29/2/2016 09:00\n"
            b"INC1,Closed,29/2/2016 01:16,3 - Moderate,1,29/2/2016 09:00\n")
    with pytest.raises(InvalidInput) as err:
        read(data)
    text = str(err.value)
    assert "f: 2 problems in tickets, nothing was imported" in text
    assert "f, row 3, column 'number': this incident has several rows with the same sys_mod_count and " \
           "sys_updated_at and different values" in text and "(value 'INC1')" in text


def test_jira_service_management_export():
    src = read("jira_jsm.csv")
    assert src.format == "jira"
    assert row(src, "ITSD-101") == {
        "ticket_id": "ITSD-101", "kind": "incident", "opened_at": utc(2024, 1, 5, 9, 15),
        "first_response_at": utc(2024, 1, 5, 9, 32), "resolved_at": utc(2024, 1, 5, 16, 40), "closed_at": None,
        "status": "resolved", "priority": "P2", "category": "Get IT help", "channel": None,
        "requester": "5b10a2844c20165700ede21g", "requester_group": "Finance", "assignee_group": None,
        "reassignment_count": None, "reopen_count": None, "hours_spent": 1.5}
    assert src.frame.select(F.TICKET_ID, F.KIND, F.STATUS, F.PRIORITY, ROW).rows() == [
        ("ITSD-101", "incident", "resolved", "P2", 2),  # a comment spans lines 2–3
        ("ITSD-102", "service_request", "open", "P3", 4),
        ("ITSD-103", "incident", "closed", "P1", 5),
        ("ITSD-104", "incident", "cancelled", "P4", 6),  # Closed, but resolved as Won't Do
        ("ITSD-105", "service_request", "open", "P4", 7),  # Escalated, Lowest
    ]


JIRA_CUSTOM = (b"Issue key,Issue Type,Status,Status Category,Priority,Resolution,Created\n"
               b"SD-1,Incident,With vendor,In Progress,High,,05/Jan/24 9:15 AM\n"
               b"SD-2,Incident,Fixed in release,Done,High,Done,05/Jan/24 9:16 AM\n"
               b"SD-3,Incident,Parked by CAB,To Do,High,,05/Jan/24 9:17 AM\n"
               b"SD-4,Incident,Waiting for support,Done,High,,05/Jan/24 9:18 AM\n")


def test_jira_statuses_of_custom_workflows_are_read_by_their_category():
    src = read(JIRA_CUSTOM)
    assert src.frame.select(F.TICKET_ID, F.STATUS).rows() == [
        ("SD-1", "open"), ("SD-2", "resolved"), ("SD-3", "open"),
        ("SD-4", "open"),  # a status Jira names keeps its meaning, whatever its category says
    ]
    mapped = read(JIRA_CUSTOM, mapping=parse_mapping('[status]\n"Fixed in release" = "closed"\n', source="m.toml"))
    assert mapped.frame[F.STATUS].to_list() == ["open", "closed", "open", "open"]


def test_jira_status_without_a_category_column_must_be_known():
    data = (b"Issue key,Issue Type,Status,Priority,Resolution,Created\n"
            b"SD-1,Incident,With vendor,High,,05/Jan/24 9:15 AM\n"
            b"SD-2,Incident,Fixed in release,High,Done,05/Jan/24 9:16 AM\n"
            b"SD-4,Incident,Waiting for support,High,,05/Jan/24 9:18 AM\n")
    with pytest.raises(InvalidInput) as err:
        read(data)
    text = str(err.value)
    assert "f: 2 problems in tickets" in text
    assert "row 2, column 'Status': unknown status" in text and "(value 'With vendor')" in text
    assert "row 3, column 'Status': unknown status" in text and "(value 'Fixed in release')" in text


def test_zendesk_export_in_latin1_with_metrics():
    src = read("zendesk_latin1.csv")
    assert src.format == "zendesk"
    assert row(src, "4712") == {
        "ticket_id": "4712", "kind": "problem", "opened_at": utc(2024, 3, 4, 9), "first_response_at": utc(2024, 3, 4, 9, 4),
        "resolved_at": utc(2024, 3, 4, 11), "closed_at": None, "status": "closed", "priority": "P1", "category": None,
        "channel": "mail", "requester": "ana.lopez@example.com", "requester_group": "Acme España",
        "assignee_group": "Tier 2", "reassignment_count": 2, "reopen_count": 1, "hours_spent": None}
    assert row(src, "4711")["requester_group"] == "Müller GmbH"
    assert src.frame.select(F.STATUS, F.PRIORITY, F.FIRST_RESPONSE_AT).rows() == [
        ("resolved", "P3", utc(2024, 3, 4, 8, 30)), ("closed", "P1", utc(2024, 3, 4, 9, 4)),
        ("open", "P4", None), ("open", "P2", utc(2024, 3, 6, 10, 35))]


def test_freshservice_export_with_bom_semicolons_and_day_first_dates():
    src = read("freshservice_semicolon_bom.csv")
    assert src.format == "freshservice"
    assert row(src, "INC-1203") == {
        "ticket_id": "INC-1203", "kind": "incident", "opened_at": utc(2024, 1, 21, 7, 45),
        "first_response_at": utc(2024, 1, 21, 7, 50), "resolved_at": utc(2024, 1, 21, 9, 15), "closed_at": None,
        "status": "resolved", "priority": "P1", "category": "Network", "channel": "phone",
        "requester": "tom.hardy@example.com", "requester_group": "Sales", "assignee_group": "Network",
        "reassignment_count": 2, "reopen_count": 1, "hours_spent": 2.25}
    assert src.frame[F.KIND].to_list() == ["incident", "service_request", "incident", "incident"]
    assert src.frame[F.HOURS_SPENT].to_list() == [1.5, None, 2.25, pytest.approx(5 / 60)]


def test_canonical_csv_as_it_is():
    src = read("tickets_canonical.csv", zone="America/New_York")
    assert src.format == "csv"
    assert src.frame.select(F.TICKET_ID, F.OPENED_AT, F.CLOSED_AT, F.HOURS_SPENT).rows() == [
        ("T-1", utc(2026, 1, 5, 9), None, 1.5),
        ("T-2", utc(2026, 1, 6, 19, 30), None, None),  # naive: New York time
        ("T-3", utc(2026, 1, 7, 7), utc(2026, 1, 9, 9), 3.25),
    ]


def test_a_mapping_file_describes_any_columns_values_and_categories():
    mapping = parse_mapping((FIXTURES / "legacy_mapping.toml").read_text(), source="legacy_mapping.toml")
    src = read("legacy_tickets.tsv", mapping=mapping)
    assert src.format == "csv"
    assert src.frame.select(F.TICKET_ID, F.OPENED_AT, F.STATUS, F.PRIORITY, F.CATEGORY, F.KIND).rows() == [
        ("L-001", utc(2026, 3, 1, 8), "resolved", "P2", "Netzwerk", "incident"),
        ("L-002", utc(2026, 3, 2, 9, 15), "open", "P3", "duplicate", "incident"),
        ("L-003", utc(2026, 3, 29, 1, 30), "resolved", "P1", "how-to", "incident"),  # CEST began at 02:00
        ("L-004", utc(2026, 3, 15, 15), "cancelled", "P4", '=HYPERLINK("http://evil.example/x","Klick")', "incident"),
    ]
    assert src.columns[F.OPENED_AT] == "Logged"


def test_a_mapping_extends_a_tools_vocabulary():
    data = b"Id,Status,Priority,Created at,Solved at,Via\n1,Open,,2024-03-04 08:12,,Mail\n2,Solved,Normal,2024-03-04 08:12,2024-03-04 09:00,Mail\n"
    assert read(data).frame[F.PRIORITY].to_list() == [None, "P3"]  # to be refused as missing when stored
    src = read(data, mapping=parse_mapping('[priority]\n"" = "P3"\n', source="m.toml"))
    assert src.frame[F.PRIORITY].to_list() == ["P3", "P3"]


def test_xlsx_and_parquet_read_like_the_csv():
    csv_src = read("servicenow_snapshot.csv")
    text = pl.read_csv(FIXTURES / "servicenow_snapshot.csv", infer_schema=False)
    wb = openpyxl.Workbook()
    wb.active.append(text.columns)
    for values in text.rows():
        wb.active.append(list(values))
    buf = io.BytesIO()
    wb.save(buf)
    xlsx_src = read(buf.getvalue())
    multi_line = pl.col(ROW) > 3
    assert_frame_equal(xlsx_src.frame.drop(ROW), csv_src.frame.drop(ROW))
    assert xlsx_src.frame[ROW].to_list() == list(range(2, 9))  # spreadsheet rows, one per incident
    assert csv_src.frame.filter(multi_line)[ROW].to_list() == list(range(5, 10))
    buf = io.BytesIO()
    text.write_parquet(buf)
    assert_frame_equal(read(buf.getvalue()).frame.drop(ROW), csv_src.frame.drop(ROW))


@pytest.mark.parametrize("data, message", [
    (b"number,opened_at,priority\nINC1,2016-02-29 01:16,1 - Critical\n",
     "f: a required column is missing: 'incident_state' or 'state' or 'incident state' (status) for a ServiceNow "
     "incident export"),
    (b"ref,logged\nA,2016-02-29\n", "f: cannot tell which tool exported this file (columns: 'ref', 'logged')"),
])
def test_files_that_cannot_be_mapped_are_refused(data, message):
    with pytest.raises(BadInput) as err:
        read(data)
    assert str(err.value).startswith(message)


def test_unknown_values_are_named_with_row_column_and_value():
    data = (b"number,state,opened_at,priority\n"
            b"INC1,New,2016-02-29 01:16,3 - Moderate\n"
            b"INC2,Parked,2016-02-29 01:16,9 - Whenever\n")
    with pytest.raises(InvalidInput) as err:
        read(data)
    lines = str(err.value).splitlines()
    assert lines[0] == "f: 2 problems in tickets, nothing was imported"
    assert lines[1].startswith("  f, row 3, column 'priority': unknown priority (known: 1, 2, 3, 4, 5, critical, ")
    assert lines[1].endswith("add it to a --mapping file) (value '9 - Whenever')")
    assert lines[2].startswith("  f, row 3, column 'state': unknown status (known: ")
    assert lines[2].endswith("(value 'Parked')")
