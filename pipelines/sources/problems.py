"""Collecting located problems across a whole file before refusing it once."""

from __future__ import annotations

import polars as pl

from scorecard.errors import InvalidInput, Problem

ROW = "_row"
KEEP = 50  # problems kept per check; the total is still counted


class Problems:
    """Every problem found in one file: the first few of each check kept, all of them counted."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Problem] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, message: str, *, row: int | None = None, column: str | None = None, value: object = None) -> None:
        self.total += 1
        if len(self.items) < 10 * KEEP:
            self.items.append(Problem(message, source=self.source, row=row, column=column, value=value))

    def add_hits(self, frame: pl.DataFrame, bad: pl.Expr, *, value: str, column: str, message: str) -> int:
        """Record every row of ``frame`` where ``bad`` holds; ``value`` names the offending cell."""
        hits = frame.select(ROW, pl.col(value).alias("__value"), bad.alias("__bad")).filter(pl.col("__bad"))
        self.total += hits.height
        for row, shown in hits.select(ROW, "__value").head(KEEP).iter_rows():
            self.items.append(Problem(message, source=self.source, row=row, column=column, value=shown))
        return hits.height

    def raise_if_any(self, what: str) -> None:
        if self.total:
            self.items.sort(key=lambda p: (p.row or 0, p.column or ""))
            noun = "problem" if self.total == 1 else "problems"
            raise InvalidInput(f"{self.source}: {self.total:,} {noun} in {what}, nothing was imported", self.items)
