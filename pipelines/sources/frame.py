"""What every adapter hands back, and finding a file's columns by name."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.sources.problems import Problems
from scorecard.errors import BadInput


@dataclass
class SourceFrame:
    """A file turned into a canonical frame (without ``provider``), ready for ``import_frame``."""

    fact: str
    frame: pl.DataFrame  # canonical columns and ``_row``
    source: str
    format: str
    skipped: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> the file's column


@dataclass
class Context:
    """Shared by the steps that turn one file into facts."""

    problems: Problems
    names: dict[str, str]  # our name -> the file's column
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n


def _listing(columns: list[str], limit: int = 15) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", … ({len(columns)} in all)" if len(columns) > limit else "")


def resolve_columns(found: list[str], wanted: dict[str, tuple[str, ...]], *, mapped: dict[str, str],
                    required: tuple[str, ...], source: str, what: str, mapping_source: str = "") -> dict[str, str]:
    """Our name → the file's column, for every wanted column present (names compared without case).

    A column named by a mapping file must exist; a required column must be found.
    """
    by_lower: dict[str, str] = {}
    for col in found:
        by_lower.setdefault(col.strip().lower(), col)
    names: dict[str, str] = {}
    for ours, theirs in mapped.items():
        col = theirs if theirs in found else by_lower.get(theirs.strip().lower())
        if col is None:
            raise BadInput(f"{source}: the mapping {mapping_source} names column {theirs!r} for {ours}, "
                           f"but the file has no such column (columns: {_listing(found)})")
        names[ours] = col
    for ours, aliases in wanted.items():
        if ours in names:
            continue
        col = next((by_lower[a.lower()] for a in aliases if a.lower() in by_lower), None)
        if col is not None:
            names[ours] = col
    missing = [ours for ours in required if ours not in names]
    if missing:
        ours = missing[0]
        expected = " or ".join(repr(a) for a in wanted.get(ours, (ours,))[:3])
        raise BadInput(f"{source}: a required column is missing: {expected} ({ours}) for {what} "
                       f"(columns: {_listing(found)}); name it in a --mapping file if it is called otherwise")
    return names
