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
