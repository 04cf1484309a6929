"""An app on a migrated database with one user of each role."""

from __future__ import annotations


import pytest

from dashboard import settings
from dashboard.app import create_app
from dashboard.passwords import hash_password
from sql import repo
from sql.engine import session_scope
from tests.web import csrf_from

__all__ = ["csrf_from"]

SECRET = "test-secret-key-" + "x" * 32
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
USERS = {"admin": "admin@example.com", "executive": "exec@example.com",
         "reviewer": "cio@example.com", "provider": "prov@example.com"}


@pytest.fixture
def app(engine):
    with session_scope(engine) as s:
        repo.add_provider(s, "Acme IT", "it", "Europe/London", actor="test")
        repo.add_provider(s, "Lex Legal", "legal", "America/New_York", actor="test")
        for role, email in USERS.items():
            repo.add_user(s, email, role, PASSWORD_HASH,
                          provider="Acme IT" if role == "provider" else None, actor="test")
    flask_app = create_app(settings.load({}, secret_key=SECRET), engine)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})
