"""Exports a spreadsheet can open safely: formula-like text stays text, numbers stay numbers,
control characters never break the file (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

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


# -- numbers you can sum ----------------------------------------------------------------

def _money_frame() -> pd.DataFrame:
    """Invoices in four currencies as a page shows them (money made by ``with_money``)."""
    from datetime import UTC, date, datetime

    from ui.tables import with_money

    raw = pd.DataFrame({
        "number": ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"],
        "currency": ["usd", "usd", "jpy", "kwd", "eur", "usd"],
        "total": [123456, 5, 1235, 1235, 99_999_999, 0],
        "amount_remaining": [100050, None, 1235, 10, 0, 0],
        "due": [date(2026, 11, 30)] * 6,
        "created": [datetime(2026, 11, 1, 9, 30, tzinfo=UTC)] * 6,
    })  # fmt: skip
    shown = with_money(raw, {"total": "Total", "amount_remaining": "Remaining"})
    return shown[["number", "Total", "Remaining", "due", "created"]]


def test_money_shows_as_text_on_screen_and_keeps_its_amount() -> None:
    shown = _money_frame()
    assert list(shown["Total"]) == ["$1,234.56", "$0.05", "¥1,235", "1.235 KWD",
                                    "€999,999.99", "$0.00"]
    assert shown["Remaining"][1] == "—"  # an amount that does not apply is no number


def test_excel_amounts_are_numbers_that_sum_to_the_minor_unit_total() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(excel_bytes(_money_frame())))
    sheet = workbook.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == ["number", "Total", "Remaining", "due", "created", "Currency"]
    rows = list(sheet.iter_rows(min_row=2))
    currency = [row[5].value for row in rows]
    assert currency == ["USD", "USD", "JPY", "KWD", "EUR", "USD"]
    totals = [row[1] for row in rows]
    assert all(cell.data_type == "n" for cell in totals)
    usd = sum(Decimal(str(c.value)) for c, cur in zip(totals, currency, strict=True)
              if cur == "USD")
    assert usd * 100 == 123456 + 5 + 0  # Excel's SUM over the USD rows = the minor-unit total
    assert [c.value for c in totals][2:5] == [1235, 1.235, 999999.99]
    formats = [c.number_format for c in totals]
    assert formats == ["#,##0.00", "#,##0.00", "#,##0", "#,##0.000", "#,##0.00", "#,##0.00"]
    remaining = [row[2].value for row in rows]
    assert remaining[1] is None and remaining[0] == 1000.5
    due, created = rows[0][3], rows[0][4]
    assert due.is_date and created.is_date  # real date cells, not text
    assert created.value.hour == 9 and created.value.minute == 30


def test_csv_amounts_parse_back_to_the_exact_numbers() -> None:
    text = csv_bytes(_money_frame()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["Total"] for row in rows] == ["1234.56", "0.05", "1235", "1.235",
                                              "999999.99", "0.00"]
    assert sum(Decimal(row["Total"]) for row in rows if row["Currency"] == "USD") == Decimal(
        "1234.61")
    assert rows[1]["Remaining"] == ""
    assert rows[0]["due"] == "2026-11-30"


def test_a_negative_amount_is_a_number_not_quoted_text() -> None:
    from ui.tables import with_money

    shown = with_money(pd.DataFrame({"currency": ["usd"], "amount": [-550]}),
                       {"amount": "Amount"})[["Amount"]]
    rows = list(csv.DictReader(io.StringIO(csv_bytes(shown).decode("utf-8-sig"))))
    assert rows == [{"Amount": "-5.50", "Currency": "USD"}]
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(shown))).active
    assert sheet is not None and sheet["A2"].value == -5.5 and sheet["A2"].data_type == "n"
