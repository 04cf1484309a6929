"""Two submissions racing on one link, against a real `steerco serve` (gunicorn, two worker
processes with threads) on SQLite and on PostgreSQL: exactly one response is stored, the
other submission gets the kind "already answered" page."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import threading
import urllib.parse

import pytest
from sqlalchemy import func, select

from sql.survey_models import SurveyInvitation, SurveyResponse
from tests.surveys.conftest import HELPDESK_OK, import_tickets, invite, served

PAIRS = 24


class Browser:
    """One respondent's browser: its own connection and session cookie."""

    def __init__(self, base: str) -> None:
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.cookie = ""

    def get(self, path: str) -> tuple[int, str]:
        self.conn.request("GET", path, headers={"Cookie": self.cookie} if self.cookie else {})
        response = self.conn.getresponse()
        body = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, body

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        self.conn.request("POST", path, body=urllib.parse.urlencode(form),
                          headers={"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        return response.status, response.read().decode()

    def close(self) -> None:
        self.conn.close()


@pytest.mark.slow
def test_racing_submissions_store_exactly_one(db_url, engine, providers, tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    tickets = [{"ticket_id": f"INC{i}", "requester": f"u{i}@example.com", "opened_at": now - dt.timedelta(days=1),
                "resolved_at": now - dt.timedelta(hours=1)} for i in range(PAIRS)]
    import_tickets(engine, "Acme IT", *tickets)
    tokens = [invite(engine, "Acme IT", t["ticket_id"], now=now).token for t in tickets]
    outcomes: list[list[tuple[int, str]]] = []
    with served(db_url, tmp_path) as base:
        for token in tokens:
            path = f"/s/{token}"
            browsers = [Browser(base), Browser(base)]
            forms = []
            for b in browsers:
                status, html = b.get(path)
                assert status == 200
                forms.append({**HELPDESK_OK, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
            start = threading.Barrier(2)
            results: list[tuple[int, str]] = [(0, ""), (0, "")]

            def submit(k: int) -> None:
                start.wait()
                results[k] = browsers[k].post(path, forms[k])

            threads = [threading.Thread(target=submit, args=(k,)) for k in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            for b in browsers:
                b.close()
            outcomes.append(results)
    for results in outcomes:
        assert sorted(status for status, _ in results) == [200, 410], [s for s, _ in results]
        bodies = {status: body for status, body in results}
        assert "Thank you!" in bodies[200]
        assert "This survey has already been answered" in bodies[410]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SurveyResponse)) == PAIRS
        assert conn.scalar(select(func.count(func.distinct(SurveyResponse.invitation_id)))) == PAIRS
        assert set(conn.scalars(select(SurveyInvitation.status))) == {"answered"}
