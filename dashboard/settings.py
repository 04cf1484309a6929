"""Every setting of steerco, declared once: name, type, default and help.

Settings are read from ``STEERCO_*`` environment variables and validated at start-up; the
README lists them (a test fails when one is missing there).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scorecard.errors import BadInput


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"STEERCO_{self.name.upper()}"


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


def _secret(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("must be at least 32 characters (try: python -c 'import secrets; print(secrets.token_hex(32))')")
    return raw


def _public_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
        raise ValueError("must be an http:// or https:// address, e.g. https://steerco.example.com")
    return url


def _host(raw: str) -> str | None:
    host = raw.strip()
    if any(c.isspace() for c in host) or "/" in host:
        raise ValueError("must be a host name or address, e.g. smtp.example.com")
    return host or None


def _port(raw: str) -> int:
    value = int(raw) if raw.strip().isdigit() else 0
    if not 1 <= value <= 65535:
        raise ValueError("must be a port number from 1 to 65535")
    return value


def _smtp_security(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("starttls", "tls", "none"):
        raise ValueError("must be starttls, tls or none")
    return value


def _sender(raw: str) -> str:
    from email.utils import parseaddr

    _name, address = parseaddr(raw)
    if "@" not in address or "." not in address.rsplit("@", 1)[1]:
        raise ValueError("must be an email address, optionally with a name: 'Service Desk <desk@example.com>'")
    return raw.strip()


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", str, "sqlite:///steerco.db",
            "Database URL: a SQLite file (default steerco.db in the current folder) or postgresql://USER:PASS@HOST/DB."),
    Setting("secret_key", _secret, None,
            "Secret that signs sessions, CSRF tokens and pseudonymises requesters; at least 32 characters. "
            "Required by `steerco serve` except on the demo database, which generates one."),
    Setting("session_hours", _positive_int, 12, "How long a login lasts, in hours."),
    Setting("login_attempts", _positive_int, 5,
            "Failed logins allowed per address and account within 15 minutes before logins are refused for a while."),
    Setting("secure_cookies", _bool, False,
            "Send session cookies only over HTTPS; turn on behind a TLS-terminating reverse proxy."),
    Setting("log_level", _log_level, "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting("public_url", _public_url, None,
            "The address people use to reach steerco, e.g. https://steerco.example.com; survey links are built "
            "on it. Required by `steerco survey send`; the API uses the request's address when it is unset."),
    Setting("smtp_host", _host, None,
            "SMTP server that sends survey invitations and reminders; unset: no email is sent."),
    Setting("smtp_port", _port, 587, "SMTP server port (587 for STARTTLS, 465 for TLS, 25 for plain)."),
    Setting("smtp_security", _smtp_security, "starttls",
            "How to secure the SMTP connection: starttls, tls or none (none only on a trusted network)."),
    Setting("smtp_user", str, None, "SMTP login name; unset: send without logging in."),
    Setting("smtp_password", str, None, "SMTP password (with STEERCO_SMTP_USER)."),
    Setting("smtp_from", _sender, None,
            "Sender of survey emails, e.g. 'IT Service Desk <servicedesk@example.com>'; required to send email."),
    Setting("smtp_timeout", _positive_int, 30, "Seconds to wait for the SMTP server before giving up (retried later)."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
    """Read and validate every setting; ``overrides`` (from CLI options) win over the environment."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        if overrides.get(s.name) is not None:
            raw, source = overrides[s.name], "option"
        elif s.env in environ:
            raw, source = environ[s.env], s.env
        else:
            values[s.name] = s.default
            continue
        if not isinstance(raw, str):
            values[s.name] = raw
            continue
        try:
            values[s.name] = s.parse(raw)
        except ValueError as exc:
            raise BadInput(f"{source}: {exc}") from None
    return Config(values)
