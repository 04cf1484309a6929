"""Read-outs: responses as CSV, JSON or XLSX, and the monthly report (response rates by sending
month, CSAT and NPS by response month) with every breakdown of fewer than five responses
suppressed.

Spreadsheet safety: every text cell that a spreadsheet would read as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` in CSV and
XLSX. Anonymous responses carry no ticket; their priority and category are blanked wherever
fewer than five responses share a month, priority and category, so that the rest of a row
cannot point to one person either.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import BinaryIO

import polars as pl
from sqlalchemy import Connection, Engine

from sql.survey_store import read_survey_export, read_survey_tables

FORMULA_START = r"^[=+\-@\t\r]"
MIN_GROUP = 5
EXPORT_FORMATS = ("csv", "json", "xlsx")
BY = ("priority", "category")


def neutralise(value: object) -> object:
    """One cell made safe for a spreadsheet (only text that starts like a formula changes)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items() if dtype == pl.String())


def _answer_text() -> pl.Expr:
    t = pl.col("type")
    return (pl.when(t == "yes_no").then(pl.when(pl.col("value") == 1).then(pl.lit("yes")).otherwise(pl.lit("no")))
            .when(t.is_in(["rating", "nps"])).then(pl.col("value").cast(pl.String))
            .otherwise(pl.col("text")))


def responses_table(engine: Engine | Connection, provider_id: int) -> pl.DataFrame:
    """One row per response, one column per question (in questionnaire order)."""
    responses, answers = read_survey_export(engine, provider_id)
    order = (answers.group_by("question").agg(pl.col("position").min()).sort("position", "question")["question"]
             .to_list())
    anonymous = pl.col("mode") == "anonymous"
    small = pl.len().over("questionnaire", "version", "month", "priority", "category") < MIN_GROUP
    base = responses.with_columns(
        pl.when(anonymous & small).then(None).otherwise(pl.col(c)).alias(c) for c in ("priority", "category"))
    base = base.select("response_id", "provider", "questionnaire", "version", "mode", "month", "submitted_at",
                       "language", "priority", "category", "ticket_id")
    if answers.is_empty():
        return base.drop("response_id")
    wide = (answers.with_columns(_answer_text().alias("answer")).select("response_id", "question", "answer")
            .pivot(on="question", index="response_id", values="answer"))
    wide = wide.select("response_id", *[q for q in order if q in wide.columns])
    return base.join(wide, on="response_id", how="left").sort("response_id").drop("response_id")


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as ISO text ending in Z, the way every format shows them."""
    return frame.with_columns(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(c)
                              for c, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime))


def write_table(frame: pl.DataFrame, fmt: str, out: BinaryIO | Path) -> None:
    """Write ``frame`` as CSV, JSON (a list of objects) or XLSX; CSV and XLSX neutralised."""
    frame = _plain(frame)
    if fmt == "json":
        data = json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2).encode() + b"\n"
        _write(out, data)
    elif fmt == "csv":
        buf = io.BytesIO()
        neutralise_frame(frame).write_csv(buf)
        _write(out, buf.getvalue())
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = "responses"
        sheet.append(frame.columns)
        for row in neutralise_frame(frame).iter_rows():
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        book.save(out)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _write(out: BinaryIO | Path, data: bytes) -> None:
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)


REPORT_SCHEMA = {"month": pl.String(), "sent": pl.Int64(), "answered": pl.Int64(), "response_rate": pl.Float64(),
                 "responses": pl.Int64(), "csat": pl.Float64(), "nps": pl.Float64()}


def report(engine: Engine | Connection, provider_id: int, *, by: str | None = None) -> pl.DataFrame:
    """Per month (and ``by`` priority or category): invitations sent and answered in the sending
    month's cohort, the response rate, responses in the month, CSAT (share of 4–5 on the
    overall question) and NPS. Cells resting on fewer than five responses are null."""
    if by is not None and by not in BY:
        raise ValueError(f"by must be one of {BY}")
    keys = ["month"] + ([by] if by else [])
    tables = read_survey_tables(engine, provider_id)
    inv = tables["invitations"].lazy()
    cohorts = (inv.filter(pl.col("sent_month").is_not_null() & (pl.col("status") != "void"))
               .rename({"sent_month": "month"})
               .group_by(keys).agg(pl.len().cast(pl.Int64).alias("sent"),
                                   (pl.col("status") == "answered").sum().cast(pl.Int64).alias("answered")))
    answers = tables["answers"].lazy().filter(pl.col("measure").is_not_null())
    scored = (tables["responses"].lazy().join(answers, on="response_id", how="left")
              .group_by(keys).agg(
                  pl.col("response_id").n_unique().cast(pl.Int64).alias("responses"),
                  pl.col("value").filter(pl.col("measure") == "survey.csat").ge(4).mean().alias("csat"),
                  ((pl.col("value").filter(pl.col("measure") == "survey.nps").ge(9).mean()
                    - pl.col("value").filter(pl.col("measure") == "survey.nps").le(6).mean()) * 100).alias("nps")))
    out = cohorts.join(scored, on=keys, how="full", coalesce=True).with_columns(
        pl.col("sent").fill_null(0), pl.col("answered").fill_null(0), pl.col("responses").fill_null(0))
    few_answered = pl.col("answered") < MIN_GROUP
    few_responses = pl.col("responses") < MIN_GROUP
    out = out.with_columns(
        pl.when(few_answered).then(None).otherwise(pl.col("answered") / pl.col("sent")).alias("response_rate"),
        pl.when(few_answered).then(None).otherwise(pl.col("answered")).alias("answered"),
        pl.when(few_responses).then(None).otherwise(pl.col("csat")).alias("csat"),
        pl.when(few_responses).then(None).otherwise(pl.col("nps")).alias("nps"),
        pl.when(few_responses).then(None).otherwise(pl.col("responses")).alias("responses"),
    )
    columns = keys + [c for c in REPORT_SCHEMA if c != "month"]
    return out.select(columns).sort(keys, nulls_last=True).collect()
