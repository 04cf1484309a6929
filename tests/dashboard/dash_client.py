"""Calling Dash callbacks through the Flask test client, as the browser does, and reading the answer."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from dashboard import settings
from dashboard.app import create_app
from dashboard.demo import DEMO_USERS
from tests.dashboard.conftest import SECRET, csrf_from

PASSWORDS = {email: password for email, _role, _provider, password in DEMO_USERS}
EMAILS = {role: email for email, role, _provider, _password in DEMO_USERS}
IT = "Northwind IT Services"
LEGAL = "Lexington Legal Process"


@pytest.fixture
def demo_app(demo_engine):
    """The app on a computed 14-month demo (to 2026-10) with the demo's users."""
    app = create_app(settings.load({}, secret_key=SECRET), demo_engine)
    app.config.update(TESTING=True)
    return app


def client_as(app, role: str):
    client = app.test_client()
    demo_login(client, role)
    return client


def demo_login(client, role: str) -> None:
    """Log in as the demo user of ``role`` (the provider user belongs to Northwind)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    page.close()
    email = EMAILS[role]
    response = client.post("/login", data={"email": email, "password": PASSWORDS[email], "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    response.close()


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         state: list[tuple[str, str, object]] = ()) -> dict:
    """POST one callback like dash-renderer; returns ``{id: {prop: value}}`` of what it set."""
    out_ids = [{"id": i, "property": p} for i, p in outputs]
    if len(outputs) == 1:
        output, outs = f"{outputs[0][0]}.{outputs[0][1]}", out_ids[0]
    else:
        output, outs = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..", out_ids
    body = {
        "output": output, "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _v in inputs],
    }
    response = client.post("/_dash-update-component", json=body)
    try:
        assert response.status_code in (200, 204), (response.status_code, response.get_data(as_text=True)[:500])
        if response.status_code == 204:
            return {}
        return response.get_json()["response"]
    finally:
        response.close()


def open_page(client, path: str, search: str = "") -> object:
    """The layout the pages router returns for ``path`` and ``search`` (as on navigation)."""
    answer = call(client, [("_pages_content", "children"), ("_pages_store", "data")],
                  [("_pages_location", "pathname", path), ("_pages_location", "search", search)])
    return answer["_pages_content"]["children"]


def texts(node) -> Iterator[str]:
    """Every text in a component tree (children strings, and title/alt attributes)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield str(node)
    elif isinstance(node, list):
        for child in node:
            yield from texts(child)
    elif isinstance(node, dict):
        props = node.get("props", {})
        for key in ("title", "alt"):
            if isinstance(props.get(key), str):
                yield props[key]
        yield from texts(props.get("children"))


def text_of(node) -> str:
    return " ".join(t.strip() for t in texts(node) if t.strip())


def find(node, predicate) -> Iterator[dict]:
    """Components of a tree (dicts with type/props) for which ``predicate(component)`` holds."""
    if isinstance(node, list):
        for child in node:
            yield from find(child, predicate)
    elif isinstance(node, dict):
        if "props" in node and predicate(node):
            yield node
        yield from find(node.get("props", {}).get("children"), predicate)
        for key, value in node.get("props", {}).items():
            if key != "children" and isinstance(value, (dict, list)):
                yield from find(value, predicate)


def by_id(node, component_id: str) -> dict | None:
    return next(find(node, lambda c: c["props"].get("id") == component_id), None)


def signal(provider: str, measure: str, params: str, *, month: str = "2026-10", rule: str = "CUSUM",
           direction: str = "worse", severity: float = 5.0, sentence: str | None = None) -> dict:
    return {"provider": provider, "measure": measure, "params": params, "month": month, "rule": rule, "chart": "p",
            "direction": direction, "since": "2026-06", "value": 0.5, "center": 0.8, "lcl": 0.7, "ucl": 0.9,
            "sentence": sentence or f"{measure} {params} moved ({rule}).", "severity": severity, "p_value": None}


def add_signals(engine, rows: list[dict]) -> None:
    """Store drift signals as the compute run does (replacing the months they are in)."""
    import polars as pl

    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.signals import SIGNAL_FRAME_SCHEMA, replace_signals

    frame = pl.DataFrame(rows, schema=SIGNAL_FRAME_SCHEMA)
    for (name,), part in frame.group_by(["provider"]):
        with session_scope(engine) as s:
            pid = get_provider(s, name).id
        with engine.begin() as conn:
            replace_signals(conn, pid, sorted(set(part["month"])), part, run_id=None)


class _Rows(HTMLParser):
    """Rows of the scorecard table in an HTML fragment: (measure, params) → cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], list[str]] = {}
        self.values: dict[tuple[str, str], str] = {}
        self.links: dict[tuple[str, str], str] = {}
        self._key = None
        self._cell: list[str] | None = None
        self._in_value = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-measure" in a:
            self._key = (a["data-measure"], a["data-params"])
            self.rows[self._key] = []
        elif self._key and tag in ("td", "th"):
            self._cell = []
        elif self._key and tag == "div" and self._cell is not None:
            if a.get("class") == "value":
                self._in_value = True
            elif self._cell:
                self._cell.append("\n")
        elif self._key and tag == "dcclink":
            self.links[self._key] = a["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._key and self._cell is not None:
            self.rows[self._key].append(" ".join("".join(self._cell).split(" ")).strip())
            self._cell = None
        elif tag == "tr":
            self._key = None
        elif tag == "div":
            self._in_value = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_value and self._key:
            self.values[self._key] = data


def scorecard_table(tree) -> _Rows:
    """The scorecard table of a page body (a Markdown fragment of HTML), parsed."""
    fragment = next(c for c in find(tree, lambda c: c.get("type") == "Markdown" and "sc-table" in str(
        c["props"].get("children"))))
    parser = _Rows()
    parser.feed(fragment["props"]["children"])
    return parser


class _Tables(HTMLParser):
    """Every table of an HTML fragment: id → {"rows": [[cell text]], "links": [[href]], "classes": [row class]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = {"rows": [], "links": [], "classes": []}
            self.tables[a.get("id") or f"table-{len(self.tables)}"] = self._table
        elif self._table is not None and tag == "tr":
            self._table["rows"].append([])
            self._table["links"].append([])
            self._table["classes"].append(a.get("class"))
        elif self._table is not None and tag in ("td", "th"):
            self._cell = []
        elif self._table is not None and tag == "dcclink":
            self._table["links"][-1].append(a["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(tree) -> dict[str, dict]:
    """The tables drawn as HTML fragments (dcc.Markdown) anywhere in a component tree, by id;
    their first row is the header."""
    parser = _Tables()
    for c in find(tree, lambda c: c.get("type") == "Markdown"):
        parser.feed(c["props"]["children"])
    return parser.tables
