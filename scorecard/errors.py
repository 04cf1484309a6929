"""The one exception family of steerco.

Entry points map these to exit codes (CLI) and HTTP statuses (web): bad input is the
user's to fix (exit 2, HTTP 400), not found and forbidden say so, anything else is ours.
"""

from __future__ import annotations


class SteercoError(Exception):
    """Base of every error steerco raises on purpose. Its text is shown to people."""

    exit_code = 1
    http_status = 500


class BadInput(SteercoError):
    """Input a person gave us is wrong: a file, an option, a form field."""

    exit_code = 2
    http_status = 400


class NotFound(SteercoError):
    """Something named does not exist (a provider, a user, a month with no results)."""

    exit_code = 2
    http_status = 404


class Forbidden(SteercoError):
    """The current user may not do or see this."""

    exit_code = 2
    http_status = 403


class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    __slots__ = ("source", "row", "column", "value", "message")

    def __init__(self, message: str, *, source: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.column = column
        self.value = value

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        shown = "" if self.value is None else f" (value {str(self.value)[:80]!r})"
        return f"{prefix}: {self.message}{shown}" if prefix else f"{self.message}{shown}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"


class InvalidInput(BadInput):
    """Bad input with a list of located problems; the message shows the first few and a count."""

    shown = 20

    def __init__(self, summary: str, problems: list[Problem]) -> None:
        self.summary = summary
        self.problems = list(problems)
        lines = [summary] + [f"  {p}" for p in self.problems[: self.shown]]
        if len(self.problems) > self.shown:
            lines.append(f"  … and {len(self.problems) - self.shown} more problems")
        super().__init__("\n".join(lines))
