"""Which scorecard version is in force in a month (DESIGN.md §4).

A provider's scorecard is versioned: each version takes effect from a month and stays in
force until the next one, so past months keep being scored under the version agreed then.
Storage (table ``scorecard_versions``) is the ``sql`` package's; this is the pure choice.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from scorecard.errors import BadInput
from scorecard.months import parse_month

T = TypeVar("T")


class ScorecardVersions(Generic[T]):
    """Versions by effective month (``YYYY-MM``); ``T`` is whatever the caller keeps per
    version (a parsed :class:`~scorecard.definition.Scorecard`, a row id, a text)."""

    def __init__(self, versions: Iterable[tuple[str, T]]) -> None:
        items = list(versions)
        for month, _ in items:
            parse_month(month)
        months = [m for m, _ in items]
        twice = sorted({m for m in months if months.count(m) > 1})
        if twice:
            raise BadInput(f"two scorecard versions take effect in {twice[0]}; a month has at most one")
        items.sort(key=lambda it: it[0])
        self._months = [m for m, _ in items]
        self._items = [v for _, v in items]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return iter(zip(self._months, self._items))

    @property
    def effective_months(self) -> tuple[str, ...]:
        return tuple(self._months)

    def effective_month(self, month: str, *, backdate_first: bool = False) -> str | None:
        """The effective month of the version in force in ``month``: the latest one not
        after ``month``. Before the first version: None, or the first version's month
        with ``backdate_first`` (score earlier history under the first agreed targets)."""
        parse_month(month)
        i = bisect.bisect_right(self._months, month) - 1
        if i < 0:
            return self._months[0] if backdate_first and self._months else None
        return self._months[i]

    def in_force(self, month: str, *, backdate_first: bool = False) -> T | None:
        """The version in force in ``month`` (see :meth:`effective_month`)."""
        eff = self.effective_month(month, backdate_first=backdate_first)
        return None if eff is None else self._items[self._months.index(eff)]

    def group_months(self, months: Iterable[str], *,
                     backdate_first: bool = False) -> list[tuple[str | None, list[str]]]:
        """``months`` grouped by the effective month of their version (None: no version),
        in order, each group's months sorted: compute each group under its own version."""
        groups: dict[str | None, list[str]] = {}
        for m in sorted(set(months)):
            groups.setdefault(self.effective_month(m, backdate_first=backdate_first), []).append(m)
        return sorted(groups.items(), key=lambda g: (g[0] is not None, g[0] or ""))
