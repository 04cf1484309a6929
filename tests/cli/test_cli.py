"""The steerco command line: what it does, its exit codes, and its one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from sql.engine import make_engine, session_scope
from sql.models import AuditEntry, User
from tests.conftest import Cli

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"


def steerco(*args: str, input: str | None = None, cwd: Path | None = None, env: dict | None = None):
    """The installed console script, as a person runs it."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")} | (env or {})
    return subprocess.run([STEERCO, *args], input=input, capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=120)


def test_help_lists_every_command():
    out = steerco("--help")
    assert out.returncode == 0
    for command in ("init", "provider", "user", "demo", "serve"):
        assert f"\n  {command} " in out.stdout
    for sub in (["provider", "add", "--help"], ["provider", "list", "--help"], ["user", "add", "--help"],
                ["demo", "--help"], ["serve", "--help"], ["init", "--help"]):
        result = steerco(*sub)
        assert result.returncode == 0 and "--db URL" in result.stdout, sub


def test_init_creates_the_default_sqlite_file_in_the_current_folder(tmp_path):
    out = steerco("init", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "schema created" in out.stdout
    assert (tmp_path / "steerco.db").exists()
    again = steerco("init", cwd=tmp_path)
    assert again.returncode == 0 and "already at" in again.stdout


def test_database_url_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    assert steerco("init", env={"STEERCO_DATABASE_URL": url}, cwd=tmp_path).returncode == 0
    assert (tmp_path / "env.db").exists() and not (tmp_path / "steerco.db").exists()


@pytest.mark.parametrize("args, code, message", [
    (["provider", "list", "--db", "mysql://u@h/db"], 2, "unsupported database 'mysql'"),
    (["provider", "list", "--db", "not a url"], 2, "not a database URL"),
    (["provider", "list", "--db", "postgresql://u:s3cret@127.0.0.1:9/x"], 1, "cannot open database"),
    (["provider", "add", "X", "--kind", "cloud"], 2, "Invalid value for '--kind'"),
    (["user", "add", "a@b.co", "--role", "boss"], 2, "Invalid value for '--role'"),
    (["nosuchcommand"], 2, "No such command"),
])
def test_bad_usage_is_one_clear_line_and_no_traceback(tmp_path, args, code, message):
    out = steerco(*args, cwd=tmp_path)
    assert out.returncode == code, out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr and "s3cret" not in out.stderr


def test_commands_refuse_a_database_that_was_never_initialised(tmp_path):
    out = steerco("provider", "list", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"steerco: there is no database at {tmp_path / 'steerco.db'}".replace(str(tmp_path) + "/", "")
        + ": run `steerco init` (or `steerco demo`) first"]
    assert not (tmp_path / "steerco.db").exists()


def test_provider_add_and_list(run_cli: Cli):
    assert run_cli("provider", "list").output.startswith("no providers yet")
    r = run_cli("provider", "add", "Northwind IT", "--kind", "it", "--timezone", "Europe/London")
    assert r.exit_code == 0 and r.output == "added provider 'Northwind IT' (it, Europe/London)\n"
    assert run_cli("provider", "add", "Lexington", "--kind", "legal").exit_code == 0
    listed = json.loads(run_cli("provider", "list", "--format", "json").output)
    assert listed == [{"name": "Lexington", "kind": "legal", "timezone": "UTC"},
                      {"name": "Northwind IT", "kind": "it", "timezone": "Europe/London"}]
    table = run_cli("provider", "list").output.splitlines()
    assert table[0].split() == ["name", "kind", "timezone"] and "Northwind IT" in table[3]


def test_provider_add_refuses_duplicates_and_unknown_zones(run_cli: Cli):
    run_cli("provider", "add", "Acme", "--kind", "it")
    dup = run_cli("provider", "add", "Acme", "--kind", "legal")
    assert dup.exit_code == 2 and "provider 'Acme' already exists" in dup.output
    zone = run_cli("provider", "add", "B", "--kind", "it", "--timezone", "Europe/Atlantis")
    assert zone.exit_code == 2 and "unknown time zone 'Europe/Atlantis'" in zone.output


def test_user_add_reads_the_password_from_stdin_and_hashes_it(run_cli: Cli, db_url):
    run_cli("provider", "add", "Acme", "--kind", "it")
    r = run_cli("user", "add", "Pat@Example.com", "--role", "provider", "--provider", "Acme", "--password-stdin",
                input="a long enough password\n")
    assert r.exit_code == 0, r.output
    assert r.output == "added provider pat@example.com for provider 'Acme'\n"
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        user = s.scalar(select(User))
        assert user.email == "pat@example.com" and user.role == "provider"
        assert "a long enough password" not in user.password_hash and user.password_hash.startswith("scrypt:")
        actions = s.scalars(select(AuditEntry.action)).all()
    assert actions == ["provider.add", "user.add"]
    engine.dispose()


@pytest.mark.parametrize("args, stdin, message", [
    (["x@example.com", "--role", "provider"], "long enough password\n", "a provider user needs --provider NAME"),
    (["x@example.com", "--role", "provider", "--provider", "Nope"], "long enough password\n",
     "no provider named 'Nope'"),
    (["x@example.com", "--role", "admin", "--provider", "Acme"], "long enough password\n",
     "--provider applies only to the provider role"),
    (["not-an-email", "--role", "admin"], "long enough password\n", "not an email address"),
    (["x@example.com", "--role", "admin"], "short\n", "the password is too short"),
])
def test_user_add_bad_input(run_cli: Cli, args, stdin, message):
    run_cli("provider", "add", "Acme", "--kind", "it")
    r = run_cli("user", "add", *args, "--password-stdin", input=stdin)
    assert r.exit_code == 2 and message in r.output


def test_user_add_duplicate_email(run_cli: Cli):
    args = ("user", "add", "a@example.com", "--role", "admin", "--password-stdin")
    assert run_cli(*args, input="long enough password\n").exit_code == 0
    dup = run_cli(*args, input="long enough password\n")
    assert dup.exit_code == 2 and "user 'a@example.com' already exists" in dup.output


def test_password_is_never_an_option():
    out = steerco("user", "add", "--help")
    assert "--password " not in out.stdout and "--password-stdin" in out.stdout


def test_serve_without_secret_key_outside_the_demo_refuses(tmp_path):
    assert steerco("init", cwd=tmp_path).returncode == 0
    out = steerco("serve", "--port", "8999", cwd=tmp_path)
    assert out.returncode == 2
    assert "STEERCO_SECRET_KEY is not set" in out.stderr and "Traceback" not in out.stderr


def test_bad_setting_in_the_environment_is_named(tmp_path):
    out = steerco("provider", "list", cwd=tmp_path, env={"STEERCO_LOG_LEVEL": "LOUD"})
    assert out.returncode == 2 and "STEERCO_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR" in out.stderr
