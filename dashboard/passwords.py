"""Password hashing and the minimum we ask of a password (light: no web framework)."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from scorecard.errors import BadInput

MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if password.strip() != password:
        raise BadInput("the password starts or ends with white space")
