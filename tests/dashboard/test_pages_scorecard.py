"""The Scorecard page through its callbacks: exactly the stored, scored month; comments kept and audited."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dashboard import ids
from sql.models import AuditEntry, Comment
from tests.conftest import Cli
from tests.dashboard.dash_client import IT, LEGAL, by_id, call, client_as, demo_app, find, open_page, \
    scorecard_table, text_of

__all__ = ["demo_app"]
MONTH = "2026-10"
BODY = [(ids.SC_BODY, "children"), (ids.SC_URL, "search"), (ids.SC_COMMENT_MEASURE, "options")]
POST = [(ids.SC_COMMENTS_VERSION, "data"), (ids.SC_COMMENT_FEEDBACK, "children"), (ids.SC_COMMENT_TEXT, "value")]


def body(client, provider=IT, month=MONTH, version=0) -> dict:
    return call(client, BODY, [(ids.SC_PROVIDER, "value", provider), (ids.SC_MONTH, "value", month),
                               (ids.SC_COMMENTS_VERSION, "data", version)])


def post(client, measure_key, text, provider=IT, month=MONTH) -> dict:
    return call(client, POST, [(ids.SC_COMMENT_POST, "n_clicks", 1)],
                [(ids.SC_PROVIDER, "value", provider), (ids.SC_MONTH, "value", month),
                 (ids.SC_COMMENT_MEASURE, "value", measure_key), (ids.SC_COMMENT_TEXT, "value", text),
                 (ids.SC_COMMENTS_VERSION, "data", 0)])


@pytest.mark.parametrize("provider", [IT, LEGAL])
def test_the_page_shows_exactly_what_scorecard_show_prints(demo_app, demo_url, provider):
    shown = Cli(demo_url)("scorecard", "show", "--provider", provider, "--month", MONTH, "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    answer = body(client_as(demo_app, "executive"), provider)
    tree = answer[ids.SC_BODY]["children"]
    assert text_of(by_id(tree, ids.SC_SCORE)) == f"{data['score']:.1f}"
    assert text_of(by_id(tree, "sc-status")) == {"green": "● green", "amber": "▲ amber", "red": "■ red"}[data["status"]]
    table = scorecard_table(tree)
    measures = [m for p in data["perspectives"] for o in p["objectives"] for m in o["measures"]]
    assert len(table.rows) == len(measures) == data["measure_count"]
    for m in measures:
        key = (m["measure"], m["params_key"])
        cells = table.rows[key]
        assert cells[0].startswith(m["label"])
        assert cells[1] == m["text"]["goal"] and cells[2] == m["text"]["red_flag"]
        assert table.values[key] == m["text"]["value"] == cells[3].split("\n")[0]
        assert ("provisional" in cells[3]) == m["provisional"]
        assert cells[5] == ("—" if m["score"] is None else f"{m['score']:.1f}")
        assert cells[4].endswith({"green": "green", "amber": "amber", "red": "red", "grey": "no data"}[m["status"]])
        assert table.links[key] == ("/measure?provider=" + provider.replace(" ", "%20") + "&measure=" + m["measure"]
                                    + "&params=" + quote(m["params_key"], safe="") + f"&month={MONTH}")
    credits = text_of(by_id(tree, ids.SC_CREDITS))
    assert data["credits"]["text"] in credits
    for line in data["credits"]["lines"]:
        assert line["text"] in credits
    assert answer[ids.SC_URL]["search"] == f"?provider={provider.replace(' ', '%20')}&month={MONTH}"
    links = [c["props"]["href"] for c in find(by_id(tree, ids.SC_EXPORTS), lambda c: "href" in c["props"])]
    assert links == [f"/export/monthly.pdf?provider={provider.replace(' ', '%20')}&month={MONTH}",
                     f"/export/monthly.xlsx?provider={provider.replace(' ', '%20')}&month={MONTH}"]
    options = answer[ids.SC_COMMENT_MEASURE]["options"]
    assert [o["label"] for o in options] == [m["label"] for m in measures]


def test_the_page_defaults_to_the_first_provider_and_its_latest_month(demo_app):
    layout = open_page(client_as(demo_app, "executive"), "/")
    assert by_id(layout, ids.SC_PROVIDER)["props"]["value"] == LEGAL
    assert by_id(layout, ids.SC_MONTH)["props"]["value"] == MONTH
    months = [o["value"] for o in by_id(layout, ids.SC_MONTH)["props"]["options"]]
    assert months[0] == MONTH and months == sorted(months, reverse=True) and len(months) == 14
    chosen = open_page(client_as(demo_app, "provider"), "/", "?month=2026-03")
    assert by_id(chosen, ids.SC_PROVIDER)["props"]["value"] == IT
    assert by_id(chosen, ids.SC_MONTH)["props"]["value"] == "2026-03"
    assert [o["value"] for o in by_id(chosen, ids.SC_PROVIDER)["props"]["options"]] == [IT]


def test_a_month_without_results_or_a_bad_month_says_what_to_do(demo_app):
    client = client_as(demo_app, "executive")
    empty = text_of(body(client, IT, "2020-01")[ids.SC_BODY]["children"])
    assert "Nothing to show" in empty and "steerco compute" in empty
    bad = text_of(body(client, IT, "2026-13")[ids.SC_BODY]["children"])
    assert "not a month" in bad and "Traceback" not in bad
    months = call(client, [(ids.SC_MONTH, "options"), (ids.SC_MONTH, "value")], [(ids.SC_PROVIDER, "value", IT)],
                  [(ids.SC_MONTH, "value", "2026-03")])
    assert months[ids.SC_MONTH]["value"] == "2026-03" and len(months[ids.SC_MONTH]["options"]) == 14


def test_comments_are_kept_with_author_and_time_audited_and_shown_as_text(demo_app, demo_engine):
    client = client_as(demo_app, "executive")
    key = json.dumps(["sla.resolution_met", '{"priority":"P2"}'])
    said = '<script>alert("x")</script> =HYPERLINK("http://evil") — why so slow?'
    answer = post(client, key, said)
    assert answer == {ids.SC_COMMENTS_VERSION: {"data": 1},
                      ids.SC_COMMENT_FEEDBACK: {"children": "Comment saved for October 2026."},
                      ids.SC_COMMENT_TEXT: {"value": ""}}
    with demo_engine.connect() as conn:
        stored = conn.execute(select(Comment.measure, Comment.params, Comment.month, Comment.author,
                                     Comment.author_role, Comment.text, Comment.at)).one()
        audit = conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target, AuditEntry.details)
                             .where(AuditEntry.action == "comment.add")).one()
    assert stored[:6] == ("sla.resolution_met", '{"priority":"P2"}', MONTH, "exec@demo.steerco", "executive", said)
    assert stored.at is not None
    assert audit[:3] == ("exec@demo.steerco", "comment.add", f"{IT}/sla.resolution_met")
    assert json.loads(audit.details)["text"] == said
    tree = body(client, version=1)[ids.SC_BODY]["children"]
    comments = by_id(tree, ids.SC_COMMENTS)
    shown = next(find(comments, lambda c: c["props"].get("className") == "comment-body"))
    assert shown["props"]["children"] == said  # a plain string: React renders it as text, never as markup
    assert "P2 resolved within 8 hours" in text_of(comments) and "exec@demo.steerco (executive)" in text_of(comments)
    assert scorecard_table(tree).rows[("sla.resolution_met", '{"priority":"P2"}')][0] == \
        "P2 resolved within 8 hours\n1 comment"
    reviewer = client_as(demo_app, "reviewer")
    assert post(reviewer, key, "Agreed.")[ids.SC_COMMENT_FEEDBACK]["children"] == "Comment saved for October 2026."
    provider = client_as(demo_app, "provider")
    assert post(provider, key, "Staffing change.")[ids.SC_COMMENTS_VERSION]["data"] == 1


@pytest.mark.parametrize("role, key, text, message", [
    ("admin", ["sla.resolution_met", '{"priority":"P2"}'], "Hello", "your role reads comments but does not write them"),
    ("executive", ["sla.resolution_met", '{"priority":"P2"}'], "   ", "a comment needs some text"),
    ("executive", ["sla.resolution_met", '{"category":"Email"}'], "Hi", "that measure is not on this month's scorecard"),
    ("executive", None, "Hi", "choose the measure the comment is about"),
    ("executive", "not json", "Hi", "choose the measure the comment is about"),
])
def test_comments_that_cannot_be_kept_are_refused_with_a_reason(demo_app, demo_engine, role, key, text, message):
    answer = post(client_as(demo_app, role), key if key is None or isinstance(key, str) else json.dumps(key), text)
    assert set(answer) == {ids.SC_COMMENT_FEEDBACK}
    assert text_of(answer[ids.SC_COMMENT_FEEDBACK]["children"]) == message
    with demo_engine.connect() as conn:
        assert conn.execute(select(Comment.id)).first() is None


def test_an_administrator_sees_no_comment_form(demo_app):
    layout = open_page(client_as(demo_app, "admin"), "/")
    assert by_id(layout, ids.SC_COMMENT_POST) is None and by_id(layout, ids.SC_COMMENT_MEASURE) is not None
    assert by_id(open_page(client_as(demo_app, "executive"), "/"), ids.SC_COMMENT_POST) is not None
