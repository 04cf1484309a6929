"""A provider user sees only its own provider: through every page, callback, export and URL.

Callbacks are called exactly as the browser calls them (POST /_dash-update-component), asking
for the other provider; each must answer with a refusal and none of the other's data. The
same calls as an executive return the data, so the refusals are not an accident of the test.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from dashboard import access, ids
from dashboard.access import REFUSAL, resolve_provider, visible_providers
from scorecard.errors import Forbidden, NotFound
from sql.models import Comment
from tests.dashboard.dash_client import IT, LEGAL, add_signals, by_id, call, client_as, demo_app, open_page, \
    scorecard_table, signal, text_of

__all__ = ["demo_app"]
MONTH = "2026-10"


def user(role: str, provider_id: int | None = None, provider_name: str | None = None):
    return SimpleNamespace(role=role, provider_id=provider_id, provider_name=provider_name, email=f"{role}@x.y",
                           is_authenticated=True)


def test_resolve_provider_scopes_provider_users_and_no_one_else(demo_engine):
    refs = visible_providers(demo_engine, user("executive"))
    assert [r.name for r in refs] == [LEGAL, IT]
    it = next(r for r in refs if r.name == IT)
    own = user("provider", it.id, IT)
    assert [r.name for r in visible_providers(demo_engine, own)] == [IT]
    assert resolve_provider(None, demo_engine, own).name == IT
    assert resolve_provider(IT, demo_engine, own).id == it.id
    for other in (LEGAL, "No Such Provider", ""):
        if other == "":
            continue
        with pytest.raises(Forbidden, match=REFUSAL):  # the same answer whether it exists or not
            resolve_provider(other, demo_engine, own)
    for role in ("admin", "executive", "reviewer"):
        assert resolve_provider(LEGAL, demo_engine, user(role)).name == LEGAL
        assert resolve_provider(None, demo_engine, user(role)).name == LEGAL  # the first by name
    with pytest.raises(NotFound, match="no provider named"):
        resolve_provider("No Such Provider", demo_engine, user("executive"))
    with pytest.raises(Forbidden):
        resolve_provider(IT, demo_engine, user("provider", None, None))  # a provider user without a provider
    assert access.scoped_ids(user("auditor")) == []


def _refused(answer: dict, component: str) -> str:
    text = text_of(answer[component]["children"])
    assert "Not available to you" in text and REFUSAL in text, text[:300]
    return text


def test_scorecard_callbacks_refuse_the_other_provider(demo_app, demo_engine):
    outputs = [(ids.SC_BODY, "children"), (ids.SC_URL, "search"), (ids.SC_COMMENT_MEASURE, "options")]
    inputs = lambda name: [(ids.SC_PROVIDER, "value", name), (ids.SC_MONTH, "value", MONTH),  # noqa: E731
                           (ids.SC_COMMENTS_VERSION, "data", 0)]
    prov = client_as(demo_app, "provider")
    answer = call(prov, outputs, inputs(LEGAL))
    _refused(answer, ids.SC_BODY)
    assert set(answer) == {ids.SC_BODY, ids.SC_COMMENT_MEASURE}  # the URL is left alone
    assert answer[ids.SC_COMMENT_MEASURE]["options"] == [] and by_id(answer, ids.SC_EXPORTS) is None
    assert LEGAL not in json.dumps(answer)
    own = call(prov, outputs, inputs(IT))
    assert len(scorecard_table(own[ids.SC_BODY]["children"]).rows) == 30
    execu = client_as(demo_app, "executive")
    assert len(scorecard_table(call(execu, outputs, inputs(LEGAL))[ids.SC_BODY]["children"]).rows) == 12

    months = call(prov, [(ids.SC_MONTH, "options"), (ids.SC_MONTH, "value")], [(ids.SC_PROVIDER, "value", LEGAL)],
                  [(ids.SC_MONTH, "value", MONTH)])
    assert months == {ids.SC_MONTH: {"options": [], "value": None}}


def test_a_provider_user_cannot_comment_on_the_other_provider(demo_app, demo_engine):
    prov = client_as(demo_app, "provider")
    key = json.dumps(["checks.pass_rate", '{"check_type":"qc_review"}'])
    answer = call(prov, [(ids.SC_COMMENTS_VERSION, "data"), (ids.SC_COMMENT_FEEDBACK, "children"),
                         (ids.SC_COMMENT_TEXT, "value")],
                  [(ids.SC_COMMENT_POST, "n_clicks", 1)],
                  [(ids.SC_PROVIDER, "value", LEGAL), (ids.SC_MONTH, "value", MONTH),
                   (ids.SC_COMMENT_MEASURE, "value", key), (ids.SC_COMMENT_TEXT, "value", "sneaky"),
                   (ids.SC_COMMENTS_VERSION, "data", 0)])
    assert set(answer) == {ids.SC_COMMENT_FEEDBACK}
    assert text_of(answer[ids.SC_COMMENT_FEEDBACK]["children"]) == REFUSAL
    with demo_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("path, search", [
    ("/", f"?provider={LEGAL}&month={MONTH}"),
    ("/measure", f'?provider={LEGAL}&measure=checks.pass_rate&params={{"check_type":"qc_review"}}&month={MONTH}'),
    ("/service", f"?provider={LEGAL}"),
    ("/", "?provider=No Such Provider"),
])
def test_crafted_urls_for_the_other_provider_show_a_refusal(demo_app, path, search):
    layout = open_page(client_as(demo_app, "provider"), path, search)
    text = text_of(layout)
    assert "Not available to you" in text and REFUSAL in text
    assert LEGAL not in text and "qc_review" not in json.dumps(layout)
    assert ids.SC_TABLE not in json.dumps(layout) and by_id(layout, ids.MEASURE_CONTROL) is None
    shown = text_of(open_page(client_as(demo_app, "executive"), path, search))
    assert "Not available to you" not in shown


def test_service_drift_and_providers_show_only_the_own_provider(demo_app, demo_engine):
    add_signals(demo_engine, [signal(IT, "sla.resolution_met", '{"priority":"P2"}'),
                              signal(LEGAL, "checks.pass_rate", '{"check_type":"qc_review"}', severity=9.0)])
    prov = client_as(demo_app, "provider")
    service = call(prov, [(ids.SERVICE_BODY, "children"), (ids.SERVICE_URL, "search")],
                   [(ids.SERVICE_PROVIDER, "value", LEGAL)])
    _refused(service, ids.SERVICE_BODY)
    drift = call(prov, [(ids.DRIFT_BODY, "children"), (ids.DRIFT_URL, "search")],
                 [(ids.DRIFT_MONTH, "value", MONTH), (ids.DRIFT_FILTERS, "value", [])])
    text = text_of(drift[ids.DRIFT_BODY]["children"])
    assert "P2 resolved within 8 hours" in text and LEGAL not in text and "qc_review" not in text
    execu = client_as(demo_app, "executive")
    both = text_of(call(execu, [(ids.DRIFT_BODY, "children"), (ids.DRIFT_URL, "search")],
                        [(ids.DRIFT_MONTH, "value", MONTH), (ids.DRIFT_FILTERS, "value", [])])[ids.DRIFT_BODY]["children"])
    assert LEGAL in both and IT in both
    side = call(prov, [(ids.PROVIDERS_BODY, "children"), (ids.PROVIDERS_URL, "search")],
                [(ids.PROVIDERS_MONTH, "value", MONTH)])
    text = text_of(side[ids.PROVIDERS_BODY]["children"])
    assert IT in text and LEGAL not in text


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "html"])
def test_exports_refuse_the_other_provider(demo_app, fmt):
    prov = client_as(demo_app, "provider")
    refused = prov.get(f"/export/monthly.{fmt}?provider={LEGAL}&month={MONTH}")
    assert refused.status_code == 403
    body = refused.get_data(as_text=True)
    assert REFUSAL in body and "attachment" not in refused.headers.get("Content-Disposition", "")
    refused.close()
    crafted = prov.get(f"/export/monthly.{fmt}?provider=Nobody&month={MONTH}")
    assert crafted.status_code == 403
    crafted.close()


def test_exports_need_a_login(demo_app):
    anonymous = demo_app.test_client().get(f"/export/monthly.xlsx?provider={IT}&month={MONTH}")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    anonymous.close()
