"""Link tokens and people: 256 random bits per link, kept only as a SHA-256 hash; requesters
kept only as the keyed pseudonym the import path gives them."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# secrets.token_urlsafe(32): 32 random bytes (256 bits) in 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a token we issue (cheap check before any lookup)."""
    return bool(_TOKEN.match(text))


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two hashes."""
    return hmac.compare_digest(a.encode(), b.encode())


def pseudonym(identifier: str, key: str) -> str:
    """The requester pseudonym of ``identifier``: the same keyed hash the import path applies
    (``pipelines.ingest.pseudonymise``; a test keeps the two equal), so that the fatigue rule
    recognises a person whether the invitation came from an import, the CLI or the API."""
    digest = hmac.new(key.encode(), identifier.strip().lower().encode(), hashlib.sha256).hexdigest()
    return "p_" + digest[:24]
