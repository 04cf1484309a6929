"""Imports by upload and scorecard versions through the Flask test client, on SQLite and PostgreSQL:
the page's report is the command line's, bad input and dry runs store nothing, loads follow the
rules of `scorecard load`, versions are shown and compared, only administrators get in."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from sql.models import AuditEntry, ScorecardVersion
from tests.cli.test_cli import steerco
from tests.cli.test_import import FIXTURES, fingerprint
from tests.cli.test_import_bad_input import HEADER, incident
from tests.dashboard.conftest import USERS, csrf_from, login

PROVIDER = "Acme IT"  # Europe/London, made by the app fixture

SCORECARD = """\
[provider]
name = "Acme IT"
kind = "it"
timezone = "Europe/London"
currency = "GBP"
monthly_fee = 40000

[sla.policies.P1]
priorities = ["P1"]
response = "15m"
resolution = "4h"
calendar = "24x7"

# a comment with markup that must stay text: <script>alert(1)</script>
[[perspectives]]
name = "Users"

[[perspectives.objectives]]
name = "Fast fixes"

[[perspectives.objectives.measures]]
measure = "sla.resolution_met"
params = { priority = "P1" }
label = "P1 fixed in time"
goal = "95%"
red_flag = "90%"
"""

# three mistakes, on lines 11, 22 and 27
BAD_SCORECARD = (SCORECARD.replace('resolution = "4h"', 'resolution = "4 hours"')
                 .replace('measure = "sla.resolution_met"\nparams', 'measure = "sla.resolved_met"\nparams')
                 .replace('goal = "95%"\nred_flag = "90%"', 'goal = "95%"\nred_flag = "99%"\nweight = -1'))


@pytest.fixture
def db(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def as_user(app, role: str):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    return client


@pytest.fixture
def admin(app):
    return as_user(app, "admin")


def token(client, path: str = "/admin/imports") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def post(client, path: str, fields: dict, files: dict[str, tuple[bytes, str]] | None = None):
    """A multipart POST built in memory, with the page's CSRF token unless ``fields`` gives one."""
    parts = {k: FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")
             for k, (data, name) in (files or {}).items()}
    data = {"csrf_token": token(client), **fields}
    boundary, body = encode_multipart({k: v for k, v in data.items() if v is not None} | parts)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, data: bytes, name: str, *, kind: str = "tickets", action: str = "dry-run", **fields):
    return post(client, "/admin/imports", {"provider": PROVIDER, "kind": kind, "action": action, **fields},
                {"file": (data, name)})


def text_of(response) -> str:
    return response.get_data(as_text=True)


def report_text(response) -> list[str]:
    """The report as the page prints it for copying: the lines of ``<pre id="report-text">``."""
    found = re.search(r'<pre id="report-text">(.*?)</pre>', text_of(response), re.DOTALL)
    assert found, text_of(response)[:2000]
    return html.unescape(found.group(1)).split("\n")


def table_rows(response, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', text_of(response), re.DOTALL).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row] for row in cells]


def cli_import(tmp_path: Path, db: str, name: str, data: bytes, *args: str):
    """The real `steerco import` on the same database, run where ``name`` is, so messages name it alike."""
    (tmp_path / name).write_bytes(data)
    return steerco("import", args[0] if args else "tickets", name, "--provider", PROVIDER, *args[1:],
                   "--db", db, cwd=tmp_path)


def dash_csrf(client) -> str:
    """A valid CSRF token of ``client``'s session, from the logout form of the Dash shell."""
    def walk(node):
        if isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("name") == "csrf_token":
                return props["value"]
            return next((t for t in map(walk, node.values()) if t), None)
        if isinstance(node, list):
            return next((t for t in map(walk, node) if t), None)
        return None

    found = walk(client.get("/_dash-layout").get_json())
    assert found, "no CSRF token in the Dash shell"
    return found


def audit_count(engine, action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    with engine.connect() as conn:
        return conn.scalar(query)


# ---------------------------------------------------------------------- imports

def test_the_import_page_offers_the_cli_choices_accessibly(admin):
    page = admin.get("/admin/imports")
    body = text_of(page)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in body and 'name="csrf_token"' in body
    assert '<link rel="stylesheet" href="/assets/admin_data.css">' in body
    for field in ("provider", "kind", "file", "format", "mapping", "date_format", "timezone", "resource",
                  "capacity", "unit"):
        assert f'<label for="{field}">' in body and f'id="{field}" name="{field}"' in body, field
    for kind in ("tickets", "outages", "probes", "capacity", "spend", "projects", "checks"):
        assert f'<option value="{kind}"' in body
    for fmt in ("servicenow", "jira", "zendesk", "freshservice", "csv", "series"):
        assert f'<option value="{fmt}"' in body
    assert body.count("<fieldset>") == 3 and body.count("<legend>") == 3
    assert 'value="dry-run"' in body and "Validate only" in body and 'value="import"' in body
    assert "up to 200 MB" in body
    assert "No imports yet" in body  # the empty state says what to do
    css = admin.get("/assets/admin_data.css")
    assert css.status_code == 200 and b".ad-" in css.data
    css.close()


def test_a_servicenow_export_dry_run_then_import_audited_with_the_admin(admin, engine, db):
    data = (FIXTURES / "servicenow_snapshot.csv").read_bytes()
    before = fingerprint(db)
    dry = upload(admin, data, "servicenow_snapshot.csv")
    assert dry.status_code == 200
    assert report_text(dry) == [("would import 7 tickets rows for Acme IT from servicenow_snapshot.csv: "
                                "7 new, 0 updated, 0 unchanged (dry run: nothing was written)")]
    assert "Valid: this is what an import would do" in text_of(dry) and 'id="recompute"' not in text_of(dry)
    assert fingerprint(db) == before  # a dry run writes nothing, not even the audit log

    done = upload(admin, data, "/home/me/exports/servicenow_snapshot.csv", action="import")
    assert done.status_code == 200
    assert report_text(done) == [("imported 7 tickets rows for Acme IT from servicenow_snapshot.csv: "
                                 "7 new, 0 updated, 0 unchanged")]
    assert table_rows(done, "report-counts") == [["7", "0", "0", "none"]]
    after = fingerprint(db)
    assert after["Acme IT/tickets"][0] == 7 and after["audit_log"] == before["audit_log"] + 1
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert (entry.actor, entry.target) == (USERS["admin"], "Acme IT/tickets")
    assert json.loads(entry.details)["source"] == "servicenow_snapshot.csv"
    assert 'id="recompute"' in text_of(done)
    recent = table_rows(admin.get("/admin/imports"), "recent-imports")
    assert [row[1:8] for row in recent] == [[USERS["admin"], "Acme IT/tickets", "servicenow_snapshot.csv",
                                             "7", "7", "0", "0"]]

    again = upload(admin, (FIXTURES / "servicenow_newer.csv").read_bytes(), "newer.csv", action="import")
    assert report_text(again) == ["imported 8 tickets rows for Acme IT from newer.csv: 1 new, 3 updated, 4 unchanged"]


@pytest.mark.parametrize("kind, name, fields, expected", [
    ("tickets", "tickets_canonical.csv", {"format": "csv"}, "3 tickets rows"),
    ("tickets", "legacy_tickets.tsv", {"mapping": "legacy_mapping.toml"}, "4 tickets rows"),
    ("outages", "outages.csv", {}, "3 outages rows"),
    ("capacity", "capacity_series.csv", {"resource": "SAN-02", "capacity": "50", "unit": "TB"}, "3 capacity rows"),
])
def test_other_formats_and_kinds_import(admin, db, kind, name, fields, expected):
    files = {"file": ((FIXTURES / name).read_bytes(), name)}
    fields = dict(fields)  # the parameters are shared by both databases' runs
    if "mapping" in fields:
        files["mapping"] = ((FIXTURES / fields.pop("mapping")).read_bytes(), "legacy_mapping.toml")
    done = post(admin, "/admin/imports", {"provider": PROVIDER, "kind": kind, "action": "import", **fields}, files)
    (line,) = report_text(done)
    assert line.startswith(f"imported {expected} for Acme IT from {name}: ") and "0 updated, 0 unchanged" in line
    assert fingerprint(db)[f"Acme IT/{kind}"][0] == int(expected.split()[0])


BAD_FILES = {
    "many bad priorities": ("export.csv", HEADER + b"".join(incident(number=f"INC{n:07d}", priority="0 - Now")
                                                           for n in range(30)), ()),
    "an unparseable date in a canonical csv": (
        "tickets.csv", b"ticket_id,opened_at,status,priority\nT-1,2026-01-05 09:00,open,P3\nT-2,next Tuesday,open,P3\n",
        ("tickets", "--format", "csv")),
    "an unknown tool": ("export.csv", b"Ref,Logged\nA-1,2016-02-01\n", ()),
    "an empty file": ("empty.csv", b"", ()),
    "capacity beyond its size": ("capacity.csv", b"at,used\n2026-01-05 09:00,70\n2026-01-06 09:00,-1\n",
                                 ("capacity", "--resource", "SAN-09", "--capacity", "0", "--unit", "TB")),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_the_cli_report_and_stores_nothing(admin, db, tmp_path, case):
    name, data, args = BAD_FILES[case]
    before = fingerprint(db)
    fields = {"kind": args[0] if args else "tickets"}
    options = dict(zip(args[1::2], args[2::2]))
    fields |= {k.removeprefix("--").replace("-", "_"): v for k, v in options.items()}
    page = post(admin, "/admin/imports", {"provider": PROVIDER, "action": "import", **fields}, {"file": (data, name)})
    assert page.status_code == 200 and "Refused: nothing was imported" in text_of(page)
    cli = cli_import(tmp_path, db, name, data, *args)
    assert cli.returncode == 2 and cli.stdout == ""
    printed = cli.stderr.rstrip("\n").split("\n")
    assert printed[0].startswith("steerco: ")
    printed[0] = printed[0].removeprefix("steerco: ")
    assert report_text(page) == printed
    assert fingerprint(db) == before


def test_problems_are_listed_with_row_column_and_value_then_counted(admin, db):
    data = HEADER + b"".join(incident(number=f"INC{n:07d}", priority="0 - Now") for n in range(30))
    page = upload(admin, data, "export.csv", action="import")
    lines = report_text(page)
    assert lines[0] == "export.csv: 30 problems in tickets, nothing was imported"
    assert len(lines) == 22 and lines[-1] == "  … and 10 more problems"
    rows = table_rows(page, "report-problems")
    assert len(rows) == 20
    assert rows[0][:4] == ["export.csv", "2", "priority", "0 - Now"] and rows[0][4].startswith("unknown priority")
    assert "… and 10 more problems" in text_of(page)
    assert 'aria-describedby="file-hint report-headline"' in text_of(page)


def test_markup_in_a_file_is_shown_as_text(admin):
    data = b"ticket_id,opened_at,status,priority\nT-1,2026-01-05 09:00,open,<img src=x onerror=alert(1)>\n"
    page = upload(admin, data, "<i>x.csv", format="csv")
    body = text_of(page)
    assert "<img src=x" not in body and "<i>x" not in body
    assert "&lt;i&gt;x.csv, row 2, column &#39;priority&#39;: unknown priority" in body
    assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in body


def test_missing_choices_are_named(admin, db):
    before = fingerprint(db)
    no_file = post(admin, "/admin/imports", {"provider": PROVIDER, "kind": "tickets", "action": "import"})
    assert report_text(no_file) == ["choose the file to import (CSV, XLSX or Parquet)"]
    bad_kind = upload(admin, b"a\n1\n", "a.csv", kind="invoices")
    assert report_text(bad_kind)[0].startswith("unknown kind 'invoices'")
    no_such = post(admin, "/admin/imports", {"provider": "Globex", "kind": "tickets"}, {"file": (b"a\n1\n", "a.csv")})
    assert report_text(no_such) == ["there is no provider named 'Globex'"]
    bad_number = upload(admin, b"at,used\n", "c.csv", kind="capacity", capacity="lots")
    assert report_text(bad_number) == ["--capacity: not a number: 'lots'"]
    bad_mapping = post(admin, "/admin/imports", {"provider": PROVIDER, "kind": "tickets"},
                       {"file": (b"a\n1\n", "a.csv"), "mapping": (b'[priority]\n"Sev 1" = "urgent"\n', "m.toml")})
    assert "[priority] 'Sev 1' = 'urgent': use one of P1, P2, P3, P4" in report_text(bad_mapping)[0]
    assert fingerprint(db) == before


def test_an_upload_over_the_limit_gets_a_friendly_page(app, admin, db):
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024
    before = fingerprint(db)
    big = HEADER + incident() * 400
    page = upload(admin, big, "big.csv", action="import")
    assert page.status_code == 413
    body = text_of(page)
    assert "The file is too large" in body and "larger than 20 KB" in body and 'href="/admin/imports"' in body
    assert "Traceback" not in body
    assert fingerprint(db) == before


def test_pasted_text_over_the_form_limit_gets_a_friendly_page(admin, engine):
    page = load(admin, SCORECARD + "#" * 600_000)
    assert page.status_code == 413
    body = text_of(page)
    assert "The text is too long" in body and "at most 500 KB" in body and 'href="/admin/scorecards"' in body
    assert versions(engine) == []


def test_recompute_after_an_import_reports_what_it_did(admin, engine):
    upload(admin, (FIXTURES / "servicenow_snapshot.csv").read_bytes(), "snap.csv", action="import")
    done = post(admin, "/admin/imports/compute", {"provider": PROVIDER, "back": "imports"})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/imports"
    page = text_of(admin.get("/admin/imports"))
    assert re.search(r"Recomputed — Acme IT: computed \d+ months \(2016-\d\d( … 2016-\d\d)?\), [\d,]+ results, "
                     r"0 months unchanged", page), page[:3000]
    nothing = post(admin, "/admin/imports/compute", {"provider": "Lex Legal", "back": "scorecards"})
    assert nothing.headers["Location"] == "/admin/scorecards"
    assert "Lex Legal: no facts imported yet, nothing to compute." in text_of(admin.get("/admin/scorecards"))


# ---------------------------------------------------------------------- scorecards

def load(client, text: str | None = SCORECARD, *, effective: str = "2026-01", action: str = "load",
         provider: str = PROVIDER, file: tuple[bytes, str] | None = None):
    return post(client, "/admin/scorecards", {"provider": provider, "effective": effective, "action": action,
                                              "text": text}, {"file": file} if file else None)


def versions(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return conn.execute(select(ScorecardVersion.effective_month, ScorecardVersion.loaded_by)
                            .order_by(ScorecardVersion.effective_month)).all()


def error_message(response) -> str:
    found = re.search(r'<p class="ad-error-title">.*?Not (?:loaded|valid): (.*?)</p>', text_of(response), re.DOTALL)
    return html.unescape(found.group(1)) if found else ""


def test_a_version_loads_audited_and_is_listed_with_its_month(admin, engine):
    done = load(admin)
    assert done.status_code == 303 and done.headers["Location"].startswith("/admin/scorecards#provider-")
    assert versions(engine) == [("2026-01", USERS["admin"])]
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "scorecard.load")).one()
    assert (entry.actor, entry.target) == (USERS["admin"], PROVIDER)
    assert json.loads(entry.details)["effective"] == "2026-01"
    page = text_of(admin.get("/admin/scorecards"))
    assert "Loaded the scorecard for Acme IT effective 2026-01 (1 measures)" in page
    assert "from 2026-01 on" in page and USERS["admin"] in page
    again = load(admin)
    assert again.status_code == 303 and versions(engine) == [("2026-01", USERS["admin"])]
    assert "already loaded for Acme IT effective 2026-01: nothing changed" in text_of(admin.get("/admin/scorecards"))
    assert audit_count(engine, "scorecard.load") == 1


def test_a_file_upload_loads_like_pasted_text(admin, engine):
    done = load(admin, None, file=(("\ufeff" + SCORECARD).encode(), "acme.toml"), effective="2026-03")
    assert done.status_code == 303 and versions(engine) == [("2026-03", USERS["admin"])]


def test_check_validates_without_storing(admin, engine):
    page = load(admin, action="check", effective="")
    assert page.status_code == 200
    assert "pasted text: a valid scorecard for Acme IT with 1 measures." in html.unescape(text_of(page))
    page = load(admin, action="check", effective="2026-01")
    assert "; it can be loaded for Acme IT effective 2026-01." in text_of(page)
    assert versions(engine) == [] and audit_count(engine, "scorecard.load") == 0
    load(admin)
    other = load(admin, SCORECARD.replace('goal = "95%"', 'goal = "96%"'), action="check", effective="2026-01")
    assert "already has a scorecard version effective 2026-01" in error_message(other)
    assert "</span> Not valid: " in text_of(other)
    assert versions(engine) == [("2026-01", USERS["admin"])]


def test_a_bad_scorecard_lists_file_line_and_key_like_scorecard_check(admin, engine, tmp_path):
    before = audit_count(engine)
    page = load(admin, None, file=(BAD_SCORECARD.encode(), "acme.toml"))
    assert page.status_code == 200
    assert error_message(page) == "acme.toml: 3 problems in the scorecard, nothing was loaded"
    assert "</span> Not loaded: " in text_of(page)
    rows = table_rows(page, "scorecard-problems")
    assert [r[:3] for r in rows] == [["acme.toml", "11", "sla.policies.P1.resolution"],
                                     ["acme.toml", "22", "perspectives[0].objectives[0].measures[0].measure"],
                                     ["acme.toml", "27", "perspectives[0].objectives[0].measures[0].weight"]]
    assert rows[1][3] == "unknown measure 'sla.resolved_met' (did you mean 'sla.response_met'?)"
    (tmp_path / "acme.toml").write_text(BAD_SCORECARD)
    cli = steerco("scorecard", "check", "acme.toml", cwd=tmp_path)
    assert cli.returncode == 2
    printed = cli.stderr.rstrip("\n").split("\n")
    assert printed[0] == "steerco: " + error_message(page)
    assert printed[1:] == [f"  {file}, row {line}, column {key!r}: {message}" for file, line, key, message in rows]
    assert 'aria-describedby="sc-file-hint scorecard-error"' in text_of(page)
    assert versions(engine) == [] and audit_count(engine) == before


@pytest.mark.parametrize("change, effective, provider, message, field", [
    (None, "2026-13", PROVIDER, "effective month: not a month: '2026-13' (expected YYYY-MM)", "effective"),
    (None, "", PROVIDER, "effective month: give the first month this version applies to (YYYY-MM)", "effective"),
    (None, "2026-01", "Lex Legal", "pasted text is the scorecard of 'Acme IT', not of 'Lex Legal'", "provider"),
    (('timezone = "Europe/London"', 'timezone = "Europe/Paris"'), "2026-01", PROVIDER,
     ("pasted text runs in Europe/Paris but provider 'Acme IT' is set to Europe/London: the two must agree on when "
     "a month starts"), "provider"),
    (("", ""), "2026-01", PROVIDER, "choose a scorecard file (TOML) or paste its text", "source"),
])
def test_the_rules_of_scorecard_load(admin, engine, change, effective, provider, message, field):
    text = SCORECARD if change is None else ("" if change == ("", "") else SCORECARD.replace(*change))
    page = load(admin, text, effective=effective, provider=provider)
    assert page.status_code == 200 and error_message(page) == message
    described = {"effective": 'id="effective"', "provider": 'id="sc-provider"', "source": 'id="sc-text"'}[field]
    tag = re.search(rf"<[^>]*{described}[^>]*>", text_of(page), re.DOTALL).group(0)
    assert 'aria-invalid="true"' in tag and "scorecard-error" in tag
    assert versions(engine) == []


def test_a_changed_text_for_a_month_already_loaded_is_refused(admin, engine):
    load(admin)
    page = load(admin, SCORECARD.replace('goal = "95%"', 'goal = "96%"'))
    assert error_message(page) == ("Acme IT already has a scorecard version effective 2026-01: load the change as "
                                   "a new version effective from a later month")
    both = load(admin, SCORECARD, effective="2026-02", file=(SCORECARD.encode(), "acme.toml"))
    assert error_message(both) == "give the scorecard either as a file or as pasted text, not both"
    assert versions(engine) == [("2026-01", USERS["admin"])]


def version_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(ScorecardVersion.id).order_by(ScorecardVersion.effective_month)))


def test_a_version_shows_its_tree_and_its_escaped_toml(admin, engine):
    load(admin)
    (vid,) = version_ids(engine)
    page = admin.get(f"/admin/scorecards/{vid}")
    body = text_of(page)
    assert page.status_code == 200
    assert "Acme IT: scorecard effective 2026-01" in body and "In force from 2026-01 on" in body
    assert "in force now" in body  # 2026-01 has begun, and no later version exists
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)</script>" not in body
    assert '<pre class="ad-source"' in body and body.count('<span class="ad-line">') == SCORECARD.count("\n")
    tree = re.findall(r'<tr class="ad-row-(\w+)">\s*<th scope="row"[^>]*>([^<]+)', body)
    assert [(level, name.strip()) for level, name in tree] == [
        ("perspective", "Users"), ("objective", "Fast fixes"), ("measure", "P1 fixed in time")]
    measure = re.search(r'<tr class="ad-row-measure">(.*?)</tr>', body, re.DOTALL).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", measure, re.DOTALL)]
    assert cells == ["sla.resolution_met (priority = P1)", "95 %", "90 %", "—", "1", "higher"]
    assert admin.get("/admin/scorecards/99999").status_code == 404


def test_two_versions_compare_in_words_and_as_a_diff(admin, engine):
    load(admin)
    newer = SCORECARD.replace('goal = "95%"\nred_flag = "90%"', 'goal = "97%"\nred_flag = "90%"\nweight = 2') + (
        '\n[[perspectives.objectives.measures]]\nmeasure = "tickets.backlog_aged"\nlabel = "Old tickets"\n'
        'goal = 5\nred_flag = 15\n')
    assert load(admin, newer, effective="2026-04").status_code == 303
    first, second = version_ids(engine)
    listing = text_of(admin.get("/admin/scorecards"))
    assert "2026-01 to 2026-03" in listing and "from 2026-04 on" in listing
    assert f'/admin/scorecards/compare?a={first}&amp;b={second}' in listing
    page = admin.get(f"/admin/scorecards/compare?a={second}&b={first}")  # either order: older first
    body = html.unescape(text_of(page))
    assert page.status_code == 200
    assert "Acme IT: what changed from 2026-01 to 2026-04" in body
    assert "1 measure added, 1 measure changed." in body
    changes = re.findall(r'<tr class="ad-(added|removed|changed)">(.*?)</tr>', text_of(page), re.DOTALL)
    flat = [(kind, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())) for kind, row in changes]
    assert flat == [("changed", ("~ changed P1 fixed in time Users › Fast fixes goal 95 % → becomes 97 % "
                                "weight 1 → becomes 2")),
                    ("added", "+ added Old tickets Users › Fast fixes goal 5 tickets red flag 15 tickets weight 1")]
    diff = re.search(r'<pre class="ad-diff"[^>]*><code>(.*?)</code></pre>', text_of(page), re.DOTALL).group(1)
    lines = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in diff.split("\n") if line]
    assert "-goal = \"95%\"" in lines and "+goal = \"97%\"" in lines and "+weight = 2" in lines
    assert lines[0] == "--- effective 2026-01" and lines[1] == "+++ effective 2026-04"
    assert '<span class="ad-diff-del">-goal = &#34;95%&#34;</span>' in text_of(page)


def test_comparing_identical_definitions_or_other_providers(admin, engine):
    load(admin)
    assert load(admin, "# the same, reworded comment\n" + SCORECARD, effective="2026-05").status_code == 303
    first, second = version_ids(engine)
    same = text_of(admin.get(f"/admin/scorecards/compare?a={first}&b={second}"))
    assert "Nothing: the two versions define the same scorecard." in same and "comments or layout" in same
    legal = SCORECARD.replace('name = "Acme IT"', 'name = "Lex Legal"').replace("Europe/London", "America/New_York")
    assert load(admin, legal, provider="Lex Legal").status_code == 303
    other = max(version_ids(engine))
    refused = admin.get(f"/admin/scorecards/compare?a={first}&b={other}")
    assert refused.status_code == 400 and "compare two versions of the same provider" in text_of(refused)
    assert admin.get(f"/admin/scorecards/compare?a={first}").status_code == 400
    assert admin.get(f"/admin/scorecards/compare?a={first}&b=424242").status_code == 404


# ---------------------------------------------------------------------- who may

@pytest.mark.parametrize("role", ["executive", "reviewer", "provider"])
def test_other_roles_are_refused_on_every_route(app, admin, engine, db, role):
    load(admin)
    (vid,) = version_ids(engine)
    other = as_user(app, role)
    csrf = dash_csrf(other)  # the user's own valid token: the refusal is for the role, not the form
    before = fingerprint(db)
    for path in ("/admin/imports", "/admin/scorecards", f"/admin/scorecards/{vid}",
                 f"/admin/scorecards/compare?a={vid}&b={vid}"):
        page = other.get(path)
        assert page.status_code == 403, path
        assert "Not available to you" in text_of(page) and "Acme IT" not in text_of(page)
    data = (FIXTURES / "servicenow_snapshot.csv").read_bytes()
    for path, fields, files in (
            ("/admin/imports", {"provider": PROVIDER, "kind": "tickets", "action": "import"},
             {"file": (data, "s.csv")}),
            ("/admin/imports/compute", {"provider": PROVIDER}, None),
            ("/admin/scorecards", {"provider": PROVIDER, "effective": "2026-02", "action": "load",
                                   "text": SCORECARD.replace("95%", "96%")}, None)):
        parts = {k: FileStorage(io.BytesIO(d), filename=n) for k, (d, n) in (files or {}).items()}
        boundary, body = encode_multipart({"csrf_token": csrf, **fields} | parts)
        page = other.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert page.status_code == 403, path
    assert fingerprint(db) == before and versions(engine) == [("2026-01", USERS["admin"])]


def test_posts_need_the_csrf_token(admin, engine, db):
    before = fingerprint(db)
    data = (FIXTURES / "servicenow_snapshot.csv").read_bytes()
    for path, fields in (("/admin/imports", {"provider": PROVIDER, "kind": "tickets", "action": "import"}),
                         ("/admin/imports/compute", {"provider": PROVIDER}),
                         ("/admin/scorecards", {"provider": PROVIDER, "effective": "2026-01", "action": "load",
                                                "text": SCORECARD})):
        parts = {"file": FileStorage(io.BytesIO(data), filename="s.csv")} if path == "/admin/imports" else {}
        boundary, body = encode_multipart({"csrf_token": "forged", **fields} | parts)
        page = admin.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert page.status_code == 400 and "This form has expired" in text_of(page), path
    assert fingerprint(db) == before and versions(engine) == []


def test_anonymous_requests_go_to_the_login(client):
    assert client.get("/admin/imports").status_code == 302
    assert client.get("/admin/scorecards/1").headers["Location"].startswith("/login?next=")
    assert client.post("/admin/imports").status_code == 401
    assert client.post("/admin/scorecards").status_code == 401
