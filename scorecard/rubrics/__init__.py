"""The competence-review rubrics shipped with steerco (package data): ``it.toml`` for IT
managed-services providers and ``legal.toml`` for legal process outsourcing.

The format is described in :mod:`scorecard.review.rubric` and docs/review.md.
"""

from __future__ import annotations

from importlib import resources

SHIPPED = {"it": "it.toml", "legal": "legal.toml"}


def shipped_text(kind: str) -> tuple[str, str]:
    """(file name, text) of the default rubric for a provider ``kind``."""
    from scorecard.errors import BadInput

    try:
        name = SHIPPED[kind]
    except KeyError:
        raise BadInput(f"no default rubric for providers of kind {kind!r} (kinds: {', '.join(SHIPPED)})") from None
    return name, resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
