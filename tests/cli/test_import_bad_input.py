"""steerco import refuses bad input with one clear message, exit code 2, and changes nothing at all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from tests.cli.test_import import FIXTURES, fingerprint, fixture
from tests.conftest import Cli

SNAPSHOT = (FIXTURES / "servicenow_snapshot.csv").read_bytes()
HEADER = SNAPSHOT.split(b"\n", 1)[0] + b"\n"
GOOD = ('"INC0090001","Mail","New","true","2016-02-01 08:05:12","","","3 - Moderate","2 - Medium","2 - Medium",'
        '"Software","Email","Phone","Abel Tuter","Abel Tuter","Service Desk","","0","0","true","2016-02-01 08:05:12",'
        '"0",""\n')


def incident(**changes: str) -> bytes:
    """One incident line of the snapshot layout, with some fields changed."""
    names = HEADER.decode().strip().replace('"', "").split(",")
    values = dict(zip(names, next(csv.reader([GOOD]))))
    values.update(changes)
    return (",".join(f'"{values[n]}"' for n in names) + "\n").encode()


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["number", "state", "opened_at", "priority"])
    wb.active.append(["INC1", "New", "2016-02-01 08:05", "3 - Moderate"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CASES = {
    "empty file": (b"", [], ["the file is empty"]),
    "header only": (HEADER, [], ["the file has a header but no rows"]),
    "unknown format": (SNAPSHOT, ["--format", "remedy"], ["Invalid value for '--format': 'remedy' is not one of"]),
    "unrecognised export": (b"Ref,Logged\nA-1,2016-02-01\n", [],
                            ["cannot tell which tool exported this file (columns: 'Ref', 'Logged')",
                             "--format servicenow|jira|zendesk|freshservice|csv"]),
    "required column missing": (b"number,state,priority\nINC1,New,3 - Moderate\n", ["--format", "servicenow"],
                                ["a required column is missing: 'opened_at' or 'opened' (opened_at)"]),
    "unparseable date": (HEADER + incident() + incident(number="INC0090002", opened_at="next Tuesday"), [],
                         ["1 problem in tickets, nothing was imported",
                          "row 3, column 'opened_at': not a date and time", "(value 'next Tuesday')"]),
    "ambiguous dates": (fixture("servicenow_ambiguous.csv"), [],
                        ["cannot tell whether the dates are day-first or month-first (column 'opened_at', "
                         "e.g. '01/02/2016 09:00'", "--date-format day-first"]),
    "resolved before opened": (HEADER + incident() + incident(number="INC0090002", state="Resolved",
                                                             resolved_at="2016-01-31 08:00:00"), [],
                               ["problems in tickets, nothing was imported",
                                "row 3, column 'resolved_at': resolved before the ticket was opened"]),
    "unknown priority": (HEADER + incident(priority="9 - Whenever"), [],
                         ["row 2, column 'priority': unknown priority", "(value '9 - Whenever')"]),
    "unknown status": (HEADER + incident(state="Parked"), [],
                       ["row 2, column 'state': unknown status", "add it to a --mapping file", "(value 'Parked')"]),
    "missing priority": (b"ticket_id,opened_at,status,priority\nT-1,2026-01-05 09:00,open,\n", [],
                         ["row 2, column 'priority': a value is required"]),
    "conflicting duplicate in a snapshot": (
        b"number,state,opened_at,closed_at,priority\n"
        b"INC1,New,2016-02-01 08:05,,3 - Moderate\n"
        b"INC2,New,2016-02-01 09:05,,3 - Moderate\n"
        b"INC1,Closed,2016-02-01 08:05,2016-02-02 08:00,3 - Moderate\n", [],
        ["row 4, column 'number': the same key appears more than once with different values", "(value 'INC1')"]),
    "conflicting rows of an update log": (
        b"number,incident_state,opened_at,priority,sys_mod_count,sys_updated_at\n"
        b"INC1,Resolved,29/2/2016 01:16,3 - Moderate,1,29/2/2016 09:00\n"
        b"INC1,Closed,29/2/2016 01:16,3 - Moderate,1,29/2/2016 09:00\n", [],
        ["row 2, column 'number': this incident has several rows with the same sys_mod_count"]),
    "binary file": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), [], ["this is a binary file, not CSV, XLSX or Parquet"]),
    "truncated xlsx": (_xlsx()[:900], [], ["not a readable XLSX workbook; it may be truncated or damaged"]),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), [], ["old Excel .xls workbook; save it as .xlsx"]),
    "time skipped by the clocks": (HEADER + incident(opened_at="2016-03-27 01:30:00"), [],
                                   ["row 2, column 'opened_at': this local time does not exist in time zone "
                                    "Europe/London (the clocks went forward)"]),
    "ragged line": (HEADER + incident()[:-1] + b',"extra"\n', [],
                    ["row 2: more fields than the 23 columns of the header"]),
    "bad mapping": (SNAPSHOT, ["--mapping", "MAPPING"], ["[priority] 'Sev 1' = 'urgent': use one of P1, P2, P3, P4"]),
    "missing file": (None, [], ["no-such-export.csv: no such file"]),
    "unknown time zone": (SNAPSHOT, ["--timezone", "Mars/Olympus"], ["unknown time zone 'Mars/Olympus'"]),
    "unknown provider": (SNAPSHOT, ["--provider", "Globex"], ["no provider named 'Globex'; known providers: Acme"]),
}


@pytest.fixture
def seeded(run_cli: Cli) -> Cli:
    """A database holding Acme's tickets, so that 'unchanged' means something."""
    assert run_cli("provider", "add", "Acme", "--kind", "it", "--timezone", "Europe/London").exit_code == 0
    out = run_cli("import", "tickets", fixture("servicenow_snapshot.csv"), "--provider", "Acme")
    assert out.exit_code == 0, out.output
    return run_cli


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_changes_nothing(seeded: Cli, tmp_path: Path, case: str):
    data, args, messages = CASES[case]
    if data is None:
        path = str(tmp_path / "no-such-export.csv")
    elif isinstance(data, str):
        path = data
    else:
        path = str(tmp_path / ("export.xlsx" if data.startswith(b"PK") else "export.csv"))
        Path(path).write_bytes(data)
    args = [str(tmp_path / "m.toml") if a == "MAPPING" else a for a in args]
    (tmp_path / "m.toml").write_text('[priority]\n"Sev 1" = "urgent"\n')
    before = fingerprint(seeded.db_url)
    if "--provider" not in args:
        args += ["--provider", "Acme"]
    out = seeded("import", "tickets", path, *args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output
    for message in messages:
        assert message in out.stderr, (message, out.stderr)
    assert out.stdout == ""
    assert fingerprint(seeded.db_url) == before


def test_many_problems_are_shown_up_to_a_limit_then_counted(seeded: Cli, tmp_path: Path):
    lines = [incident(number=f"INC{n:07d}", priority="0 - Now") for n in range(30)]
    path = tmp_path / "export.csv"
    path.write_bytes(HEADER + b"".join(lines))
    before = fingerprint(seeded.db_url)
    out = seeded("import", "tickets", str(path), "--provider", "Acme")
    assert out.exit_code == 2
    shown = out.stderr.splitlines()
    assert shown[0] == f"steerco: {path}: 30 problems in tickets, nothing was imported"
    assert len(shown) == 1 + 20 + 1 and shown[-1] == "  … and 10 more problems"
    assert shown[1].startswith(f"  {path}, row 2, column 'priority': unknown priority")
    assert fingerprint(seeded.db_url) == before


def test_the_message_names_the_date_option_that_settles_ambiguity(seeded: Cli):
    out = seeded("import", "tickets", fixture("servicenow_ambiguous.csv"), "--provider", "Acme",
                 "--date-format", "day-first")
    assert out.exit_code == 0, out.output
    assert "3 new" in out.stdout
