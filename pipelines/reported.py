"""Import provider-reported figures from a file (CSV, XLSX or Parquet): read as text, check
every row (``scorecard.reconcile.read_reported``), store in one transaction, audited.

A file with one bad row records nothing, and says which rows and columns are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pipelines.sources.readers import read_table
from scorecard.reconcile import ReportedFigure, read_reported
from sql.repo import get_provider
from sql.reported import record_reported


@dataclass(frozen=True)
class ReportedImport:
    provider: str
    source: str
    figures: int
    new: int
    updated: int
    unchanged: int
    dry_run: bool

    def summary(self) -> str:
        did = "would record" if self.dry_run else "recorded"
        return (f"{self.provider}: {self.figures:,} reported figure{'s' if self.figures != 1 else ''} in {self.source}; "
                f"{did} {self.new:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged")


def read_reported_file(data: bytes | Path, *, source: str) -> list[ReportedFigure]:
    """The checked figures of a file; InvalidInput naming every bad row and column."""
    table = read_table(data, source=source)
    return read_reported(table.frame.to_dicts(), source=source)


def import_reported(engine: Engine, provider: str, figures: list[ReportedFigure], *, source: str, actor: str,
                    dry_run: bool = False) -> ReportedImport:
    """Record ``figures`` for ``provider`` in one transaction (rolled back when ``dry_run``)."""
    with Session(engine) as session:
        p = get_provider(session, provider)
        name = p.name
        counts = record_reported(session, p, figures, actor=actor, source=source)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return ReportedImport(name, source, len(figures), counts["new"], counts["updated"], counts["unchanged"], dry_run)
