"""Administration: the hub of the administrator's pages.

``/admin``, administrators only (anyone else gets a refusal, and no data). One panel per
task, each with what stands now and a link to where it is done:

- Users: how many per role, active and deactivated → ``/admin/users``
- API tokens: how many are active → ``/admin/tokens``
- Imports: the last few, from the audit log → ``/admin/imports``
- Scorecards: per provider, its versions and the month each takes effect → ``/admin/scorecards``
- Questionnaires → ``/admin/questionnaires``
- Audit log: the latest entries → ``/admin/audit``

Those pages are server-rendered (``dashboard.admin_views``, ``dashboard.admin_data_views``,
``dashboard.survey_admin_views``), so the links here are full page loads. ``layout`` reads
the data (``hub_data``) and ``hub`` draws it: a plain function, tested with literal data.
"""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard import access, ids, views
from dashboard.admin_views import ADMIN, when
from dashboard.pages.common import guarded, month_label, page, table
from sql import admin as store
from sql.engine import session_scope

TITLE = "Administration"
LEAD = "Users and their roles, API tokens, imports, scorecard versions, questionnaires and the audit log."
IMPORTS_SHOWN = 5
AUDIT_SHOWN = 10


def hub_data() -> dict:
    """What the hub shows, read in one unit of work."""
    with session_scope(access.engine()) as session:
        return {"users": store.user_counts(session), "tokens": store.token_counts(session),
                "imports": store.recent_imports(session, IMPORTS_SHOWN),
                "scorecards": store.scorecard_versions(session),
                "audit": store.latest_audit(session, AUDIT_SHOWN)}


@guarded(lambda message: page(TITLE, message))
def layout(**_query):
    views.require(ADMIN, "use the administration pages")
    return hub(hub_data(), today=dt.datetime.now(dt.timezone.utc).date())


def hub(data: dict, *, today: dt.date) -> html.Div:
    """The hub page for ``data`` (see ``hub_data``); ``today`` decides which scorecard version is in force."""
    return page(TITLE, html.Div([
        users_panel(data["users"]), tokens_panel(data["tokens"]), questionnaires_panel(),
        imports_panel(data["imports"]), scorecards_panel(data["scorecards"], today), audit_panel(data["audit"]),
    ], className="admin-hub"), lead=LEAD, page_id=ids.ADMIN_PAGE)


def _panel(title: str, panel_id: str, link: tuple[str, str, str], *body, wide: bool = False) -> html.Section:
    text, href, link_id = link
    head = html.Div([html.H2(title, id=f"{panel_id}-title"),
                     html.A(text, href=href, id=link_id, className="button button-secondary")],
                    className="admin-panel-head")
    return html.Section([head, *body], id=panel_id, className="panel" + (" admin-wide" if wide else ""),
                        **{"aria-labelledby": f"{panel_id}-title"})


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def users_panel(counts: dict[str, dict[str, int]]) -> html.Section:
    active = sum(c["active"] for c in counts.values())
    inactive = sum(c["inactive"] for c in counts.values())
    link = ("Manage users", "/admin/users", ids.ADMIN_USERS_LINK)
    if not active and not inactive:
        return _panel("Users", ids.ADMIN_USERS, link, html.P("No users yet: add one on the users page."))
    body = [html.Tr([html.Th(store.ROLE_NAMES.get(role, role), scope="row"),
                     html.Td(f"{c['active']:,}", className="num"), html.Td(f"{c['inactive']:,}", className="num")])
            for role, c in counts.items()]
    return _panel("Users", ids.ADMIN_USERS, link,
                  html.P([html.Span(f"{active:,}", className="admin-big"),
                          f" active {'user' if active == 1 else 'users'}",
                          f", {inactive:,} deactivated" if inactive else ""]),
                  table(("Role", "Active", "Deactivated"), body, caption="Users by role"))


def tokens_panel(counts: dict[str, int]) -> html.Section:
    link = ("Manage tokens", "/admin/tokens", ids.ADMIN_TOKENS_LINK)
    if not counts["active"] and not counts["revoked"]:
        return _panel("API tokens", ids.ADMIN_TOKENS, link,
                      html.P("No API tokens yet. Create one when a tool — the ticketing tool inviting requesters "
                             "to the survey — needs to call steerco's API."))
    return _panel("API tokens", ids.ADMIN_TOKENS, link,
                  html.P([html.Span(f"{counts['active']:,}", className="admin-big"),
                          f" active {'token' if counts['active'] == 1 else 'tokens'}",
                          f", {_count(counts['revoked'], 'revoked', 'revoked')}" if counts["revoked"] else ""]),
                  html.P("Only a hash of each token is kept; a revoked token stops working at once.",
                         className="muted small"))


def _import_counts(d: dict) -> str:
    parts = [_count(int(d.get("rows") or 0), "row", "rows")]
    parts += [f"{int(d[k]):,} {k}" for k in ("new", "updated", "unchanged") if d.get(k) is not None]
    skipped = d.get("skipped") or {}
    if isinstance(skipped, dict) and skipped:
        parts.append("skipped " + ", ".join(f"{n:,} {why}" for why, n in sorted(skipped.items())))
    return ", ".join(parts)


def imports_panel(imports: list[dict]) -> html.Section:
    link = ("Import a file", "/admin/imports", ids.ADMIN_IMPORTS_LINK)
    if not imports:
        return _panel("Imports", ids.ADMIN_IMPORTS, link,
                      html.P(["No imports yet: upload a file on the imports page, or run ",
                              html.Code("steerco import tickets FILE --provider NAME"), "."]), wide=True)
    body = []
    for e in imports:
        d = e["details"]
        body.append(html.Tr([html.Td(when(e["at"]), className="nowrap"), html.Td(e["actor"]),
                             html.Td(str(d.get("fact") or e["target"])), html.Td(str(d.get("provider") or "—")),
                             html.Td([_import_counts(d)] + ([html.Div(str(d["source"]), className="small muted")]
                                                            if d.get("source") else []))]))
    return _panel("Imports", ids.ADMIN_IMPORTS, link,
                  table(("When", "Who", "What", "Provider", "Rows"), body,
                        caption=f"The last {len(imports)} imports, newest first", className="table compact"),
                  wide=True)


def _version_items(versions: list[dict], today: dt.date) -> list:
    this_month = f"{today.year:04d}-{today.month:02d}"
    started = [v["effective_month"] for v in versions if v["effective_month"] <= this_month]
    in_force = started[-1] if started else None
    items = []
    for v in versions:
        month = v["effective_month"]
        state = " — in force" if month == in_force else (" — from a later month" if month > this_month
                                                         else " — superseded")
        items.append(html.Li([html.Strong(f"from {month_label(month)}"), state,
                              html.Span(f" · loaded {when(v['loaded_at'])} by {v['loaded_by']}",
                                        className="small muted")]))
    return items


def scorecards_panel(providers: list[dict], today: dt.date) -> html.Section:
    link = ("Scorecard versions", "/admin/scorecards", ids.ADMIN_SCORECARDS_LINK)
    if not providers:
        return _panel("Scorecards", ids.ADMIN_SCORECARDS, link,
                      html.P(["No providers yet: add one with ", html.Code("steerco provider add NAME --kind it"),
                              ", then upload its scorecard."]), wide=True)
    body = []
    for p in providers:
        versions = (html.Ul(_version_items(p["versions"], today), className="admin-version-list") if p["versions"]
                    else html.P("No scorecard loaded yet: upload the agreed version and the month it takes effect.",
                                className="muted"))
        body.append(html.Div([html.H3(p["provider"]), versions], className="admin-provider"))
    return _panel("Scorecards", ids.ADMIN_SCORECARDS, link,
                  html.P("Each version takes effect from a month; earlier months keep the version in force then.",
                         className="muted small"),
                  html.Div(body, className="admin-providers"), wide=True)


def questionnaires_panel() -> html.Section:
    return _panel("Questionnaires", ids.ADMIN_QUESTIONNAIRES,
                  ("Questionnaires", "/admin/questionnaires", ids.ADMIN_QUESTIONNAIRES_LINK),
                  html.P("The help-desk satisfaction survey: questionnaire versions, their questions and "
                         "translations, and each provider's invitation rules."))


def audit_panel(entries: list[dict]) -> html.Section:
    link = ("Full audit log", "/admin/audit", ids.ADMIN_AUDIT_LINK)
    if not entries:
        return _panel("Audit log", ids.ADMIN_AUDIT, link,
                      html.P("The audit log is empty: every change — imports, scorecards, users, tokens — is "
                             "written here from now on."), wide=True)
    body = [html.Tr([html.Td(when(e["at"]), className="nowrap"), html.Td(e["actor"]), html.Td(html.Code(e["action"])),
                     html.Td(e["target"])]) for e in entries]
    return _panel("Audit log", ids.ADMIN_AUDIT, link,
                  table(("When (UTC)", "Who", "Action", "Target"), body,
                        caption=f"The latest {len(entries)} entries, newest first", className="table compact"),
                  wide=True)


def register_callbacks(app) -> None:
    """The hub is drawn from stored data alone: no callbacks of its own."""
