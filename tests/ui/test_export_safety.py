"""Exports a spreadsheet can open safely: formula-like text stays text, numbers stay numbers,
control characters never break the file (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from ui.tables import csv_bytes, excel_bytes

PAYLOADS = [
    '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0",
    "\t=1+1", "\r=1+1",
]  # fmt: skip


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "customer": [*PAYLOADS, "Bad\x07 bell\x00 name"],
        "total": [1234 + n for n in range(len(PAYLOADS) + 1)],
        "amount_due": [-5.5] * (len(PAYLOADS) + 1),
    })  # fmt: skip


def test_csv_cells_that_would_run_as_formulas_are_quoted() -> None:
    text = csv_bytes(_frame()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row, payload in zip(rows, PAYLOADS, strict=False):
        assert row["customer"].startswith("'"), payload
        assert row["customer"][1:] == payload.replace("\r", "")  # a bare CR splits rows
    assert rows[-1]["customer"] == "Bad bell name"
    assert [row["total"] for row in rows] == [str(1234 + n) for n in range(len(rows))]
    assert {row["amount_due"] for row in rows} == {"-5.5"}  # a real negative number stays


def test_excel_has_no_formula_cell_and_numbers_sum() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(_frame()))).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names[0] == PAYLOADS[0]  # shown exactly as written, as text
    assert names[-1] == "Bad bell name"
    totals = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(value, int) for value in totals)


def test_the_table_toolbars_own_download_is_switched_off() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads(Path(".streamlit/config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
