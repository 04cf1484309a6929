"""Mapping files (TOML): how a file's columns and values translate to canonical facts.

A mapping works with every format: with ``--format csv`` it names the columns of an
arbitrary file; with a tool's format it adds or overrides value translations. Example::

    date_format = "day-first"        # or a pattern such as "%d.%m.%Y %H:%M"
    timezone = "Europe/Berlin"       # of naive timestamps (default: the provider's)
    kind = "incident"                # every ticket's kind, when no column gives it
    empty = ["n/a", "-"]             # cell values that mean "no value"

    [columns]                        # canonical column = column in the file
    ticket_id = "Ref"
    opened_at = "Logged"

    [priority]                       # value in the file = P1..P4
    "Sev 1" = "P1"

    [status]                         # value in the file = open|resolved|closed|cancelled
    "Awaiting customer" = "open"

    [categories]                     # stored category = categories in the file
    duplicate = ["Duplicate request"]
    how-to = ["How do I", "Training"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from scorecard import facts as F
from scorecard.errors import BadInput

TOP_KEYS = ("date_format", "timezone", "kind", "empty", "columns", "priority", "status", "categories")
CLASSES = ("duplicate", "how-to")


@dataclass(frozen=True)
class Mapping:
    source: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    priority: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_format: str | None = None
    timezone: str | None = None
    kind: str | None = None
    empty: tuple[str, ...] = ()

    def category_table(self) -> dict[str, str]:
        """Source category (normalised) → stored category."""
        return {" ".join(v.lower().split()): name for name, values in self.categories.items() for v in values}

    def check_columns(self, allowed: list[str], what: str) -> None:
        unknown = [k for k in self.columns if k not in allowed]
        if unknown:
            raise BadInput(f"{self.source}: [columns] names {', '.join(map(repr, unknown))}, not columns of {what} "
                           f"(known: {', '.join(allowed)})")


def _strings(source: str, section: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise BadInput(f"{source}: [{section}] must map names to text, e.g. \"Sev 1\" = \"P1\"")
    return dict(value)


def _canonical(source: str, section: str, table: dict[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    by_lower = {a.lower(): a for a in allowed} | ({"canceled": "cancelled"} if section == "status" else {})
    out = {}
    for name, target in table.items():
        canon = by_lower.get(target.strip().lower())
        if canon is None:
            raise BadInput(f"{source}: [{section}] {name!r} = {target!r}: use one of {', '.join(allowed)}")
        out[name] = canon
    return out


def parse_mapping(text: str, *, source: str) -> Mapping:
    """A mapping from TOML text, every key and value checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{source}: not a valid TOML mapping file ({exc})") from None
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise BadInput(f"{source}: unknown setting {unknown[0]!r} (known: {', '.join(TOP_KEYS)})")
    for name in ("date_format", "timezone", "kind"):
        if name in data and not isinstance(data[name], str):
            raise BadInput(f"{source}: {name} must be text")
    empty = data.get("empty", [])
    if isinstance(empty, str):
        empty = [empty]
    if not isinstance(empty, list) or not all(isinstance(e, str) for e in empty):
        raise BadInput(f"{source}: empty must be a list of text values, e.g. empty = [\"n/a\", \"-\"]")
    categories: dict[str, tuple[str, ...]] = {}
    for name, values in data.get("categories", {}).items():
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadInput(f"{source}: [categories] {name} must be a list of the file's categories")
        categories[name] = tuple(values)
    return Mapping(
        source=source,
        columns=_strings(source, "columns", data.get("columns", {})),
        priority=_canonical(source, "priority", _strings(source, "priority", data.get("priority", {})), F.PRIORITIES),
        status=_canonical(source, "status", _strings(source, "status", data.get("status", {})), F.TICKET_STATUSES),
        categories=categories,
        date_format=data.get("date_format"),
        timezone=data.get("timezone"),
        kind=data.get("kind"),
        empty=tuple(empty),
    )


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the mapping file ({exc})") from None
    return parse_mapping(text, source=str(path))
