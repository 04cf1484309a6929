"""Reviews: the annual competence reviews a user may read, and the improvement actions.

``/reviews``. Reviewers see every review (and open new ones); administrators and executives
see signed reviews; a provider user sees the signed reviews of its own provider when the
administrator allows it. Each review opens in the review workspace (``/review/<id>``, plain
server-rendered pages: ``dashboard.review_views``), so links here are full page loads.
"""

from __future__ import annotations

from dash import html

from dashboard import access, ids
from dashboard.pages.common import guarded, notice, page, table
from dashboard.review_views import CLOSE_ROLES, EDIT_ROLES, may_read
from sql import reviews as store
from sql.engine import session_scope

TITLE = "Reviews"
LEAD = "The retained CIO's independent yearly assessment of each provider, backed by a year of measured evidence."
STATUS_SHAPE = {"draft": "✎ draft", "submitted": "⧗ submitted", "signed": "✔ signed"}


def _rows(who) -> tuple[list[dict], list[dict], dict[int, bool]]:
    visible = access.visible_ids()
    with session_scope(access.engine()) as session:
        settings = store.reading_settings(session)
        rows = store.list_reviews(session, visible)
        actions = store.action_rows(session, visible) if who.role in CLOSE_ROLES | {"executive"} else []
    shown = [r for r in rows if may_read(who, r["status"], r["provider_id"], settings.get(r["provider_id"], False))]
    return shown, actions, settings


@guarded(lambda message: page(TITLE, message))
def layout(**_query):
    who = access.user()
    rows, actions, settings = _rows(who)
    tools = []
    if who.role in EDIT_ROLES:
        tools.append(html.A("Open a review", href="/review/new", className="button", id=ids.REVIEWS_OPEN_LINK))
    if who.role == "admin":
        tools.append(html.A("Who reads reviews", href="/review/access", className="button button-secondary",
                            id=ids.REVIEWS_ACCESS_LINK))
    body = [_reviews(rows, who)]
    if actions:
        body.append(_actions(actions))
    if who.role == "provider" and not settings.get(who.provider_id or -1, False):
        body = [notice("No reviews shared with you",
                       "Your administrator has not shared the annual reviews of your services. Ask them if you "
                       "should see the signed ones.")]
    return page(TITLE, *body, lead=LEAD, tools=tools, page_id=ids.REVIEWS_PAGE)


def _reviews(rows: list[dict], who) -> html.Section:
    if not rows:
        what = "No review yet: open one for a provider and a year." if who.role in EDIT_ROLES else \
            "No signed review yet."
        return notice("No reviews", what)
    body = []
    for r in rows:
        state = STATUS_SHAPE.get(r["status"], r["status"])
        if r["superseded"]:
            state += " · superseded"
        elif not r["latest"]:
            state += " · being amended"
        signed = f"{r['signed_by']}, {r['signed_at']:%Y-%m-%d}" if r["signed_at"] else ""
        body.append(html.Tr([
            html.Th(html.A(f"{r['provider']} {r['year']}", href=f"/review/{r['id']}", id=f"review-link-{r['id']}"),
                    scope="row"),
            html.Td(str(r["version"]), className="num"),
            html.Td(html.Span(state, className=f"review-status review-status-{r['status']}")),
            html.Td(f"{r['rated']} of {r['areas']}", className="num"),
            html.Td(signed),
        ]))
    return html.Section([html.H2("Reviews"),
                         table(("Review", "Version", "Status", "Areas rated", "Signed"), body,
                               table_id=ids.REVIEWS_TABLE)], className="panel")


def _actions(actions: list[dict]) -> html.Section:
    body = [html.Tr([html.Th(html.A(a["ref"], href=f"/review/{a['review_id']}#actions"), scope="row"),
                     html.Td(a["provider"]), html.Td(a["text"]), html.Td(a["owner"]),
                     html.Td(a["due_on"], className="num"),
                     html.Td(a["state"] + (f" ({a['closed_on']})" if a["closed_on"] else ""),
                             className=f"action-{a['state'].replace(' ', '-')}")]) for a in actions]
    return html.Section([html.H2("Improvement actions"),
                         html.P("Agreed in signed reviews; they feed “actions closed on time” on the scorecard.",
                                className="muted small"),
                         table(("Action", "Provider", "What", "Owner", "Due", "State"), body,
                               table_id=ids.REVIEWS_ACTIONS_TABLE)], className="panel")


def register_callbacks(app) -> None:
    """The Reviews page is drawn from the stored reviews alone: no callbacks of its own."""
