"""Files to text frames: delimiters, BOMs, encodings, line numbers, XLSX, Parquet, refusals."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources.readers import ROW, read_table, sniff_delimiter
from scorecard.errors import BadInput, InvalidInput


def _text(table) -> list[dict]:
    return table.frame.to_dicts()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found_in_the_header(delimiter):
    data = delimiter.join(["number", "opened_at", "category"]).encode() + b"\n" + \
        delimiter.join(["INC1", "2016-02-29 01:16", "Email, Outlook" if delimiter != "," else "Email"]).encode() + b"\n"
    table = read_table(data, source="x.csv")
    assert table.frame.columns == [ROW, "number", "opened_at", "category"]
    assert table.frame.row(0) == (2, "INC1", "2016-02-29 01:16", "Email, Outlook" if delimiter != "," else "Email")


def test_a_tie_between_delimiters_is_settled_by_the_data_lines():
    head = b"a;b,c;d\n1;2;3;4\n5;6;7;8\n"
    assert sniff_delimiter(head) == ";"


def test_utf8_with_bom_latin1_and_utf16_read_alike():
    text = "name,org\nJürgen,Müller GmbH\n"
    expected = [{ROW: 2, "name": "Jürgen", "org": "Müller GmbH"}]
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("latin-1"),
                 text.encode("cp1252"), text.encode("utf-16")):
        assert _text(read_table(data, source="x.csv")) == expected, data[:4]


def test_a_file_mixing_utf8_and_latin1_is_refused_not_garbled():
    data = "name\nJürgen\n".encode("utf-8") + "Müller\n".encode("latin-1")
    with pytest.raises(BadInput, match=r"x.csv: line 3 is not UTF-8 \(byte 0xfc\) although earlier lines are"):
        read_table(data, source="x.csv")


def test_windows_1252_characters_outside_latin1_are_kept():
    data = "item,cost\nLicence,€ 12\n".encode("cp1252")
    assert _text(read_table(data, source="x.csv"))[0]["cost"] == "€ 12"


def test_rows_are_file_line_numbers_across_quoted_line_breaks_and_blank_lines():
    data = (b'number,description,state\r\n'
            b'INC1,"two\r\nlines",New\r\n'
            b'INC2,plain,Closed\r\n'
            b'\r\n'
            b'INC3,"three\nlines\nhere",Resolved\r\n'
            b'INC4,"",New\r\n')
    table = read_table(data, source="x.csv")
    assert table.frame.select(ROW, "number").rows() == [(2, "INC1"), (4, "INC2"), (6, "INC3"), (9, "INC4")]
    assert table.blank_rows == 1
    assert table.frame["description"].to_list() == ["two\r\nlines", "plain", "three\nlines\nhere", None]


def test_cells_are_stripped_and_formulas_stay_literal_text():
    data = b'category,value\n"=HYPERLINK(""http://x"",""y"")",  =1+1 \n'
    assert _text(read_table(data, source="x.csv")) == [{ROW: 2, "category": '=HYPERLINK("http://x","y")', "value": "=1+1"}]


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_cells_read_as_text_with_spreadsheet_row_numbers():
    data = _xlsx([["number", "opened_at", "count", "category"],
                  ["INC1", dt.datetime(2016, 2, 29, 1, 16), 3, "=HYPERLINK(\"http://evil.example\",\"click\")"],
                  [None, None, None, None],
                  ["INC2", "29-02-2016 01:16", 4.5, "Email"]])
    table = read_table(data, source="x.xlsx")
    assert table.container == "xlsx" and table.blank_rows == 1
    assert _text(table) == [
        {ROW: 2, "number": "INC1", "opened_at": "2016-02-29 01:16:00", "count": "3",
         "category": '=HYPERLINK("http://evil.example","click")'},
        {ROW: 4, "number": "INC2", "opened_at": "29-02-2016 01:16", "count": "4.5", "category": "Email"},
    ]


def test_parquet_values_become_text_the_adapters_parse_back():
    frame = pl.DataFrame({"number": ["INC1"], "opened_at": [dt.datetime(2016, 2, 29, 1, 16, tzinfo=dt.timezone.utc)],
                          "local": [dt.datetime(2016, 2, 29, 1, 16)], "day": [dt.date(2016, 2, 29)], "n": [3],
                          "ok": [True]})
    buf = io.BytesIO()
    frame.write_parquet(buf)
    table = read_table(buf.getvalue(), source="x.parquet")
    assert _text(table) == [{ROW: 1, "number": "INC1", "opened_at": "2016-02-29T01:16:00Z",
                             "local": "2016-02-29 01:16:00", "day": "2016-02-29", "n": "3", "ok": "true"}]


@pytest.mark.parametrize("data, message", [
    (b"", "x: the file is empty"),
    (b"\xef\xbb\xbf\r\n \n", "x: the file is empty"),
    (b"number,opened_at\n", "x: the file has a header but no rows"),
    (b"number,opened_at\n\n\n", "x: the file has a header but no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x: this is a binary file, not CSV, XLSX or Parquet"),
    (b"\x1f\x8b\x08\x00compressed", "x: this is a binary file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x: this is an old Excel .xls workbook"),
    (b"PAR1 not really parquet", "x: not a readable Parquet file"),
])
def test_files_that_are_not_tables_are_refused(data, message):
    with pytest.raises(BadInput) as err:
        read_table(data, source="x")
    assert str(err.value).startswith(message)


def test_a_truncated_xlsx_is_refused():
    data = _xlsx([["number"], ["INC1"]])
    with pytest.raises(BadInput, match=r"x.xlsx: not a readable XLSX workbook; it may be truncated or damaged"):
        read_table(data[: len(data) // 2], source="x.xlsx")


def test_a_line_with_more_fields_than_the_header_is_named():
    data = b"a,b\n1,2\n3,4,5\n"
    with pytest.raises(InvalidInput) as err:
        read_table(data, source="x.csv")
    assert "x.csv, row 3: more fields than the 2 columns of the header" in str(err.value)


def test_paths_and_bytes_read_the_same(tmp_path):
    data = b"number;state\nINC1;New\n"
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert_frame_equal(read_table(path, source="x").frame, read_table(data, source="x").frame)
