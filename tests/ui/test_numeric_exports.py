"""Every table the dashboard exports carries numbers a spreadsheet can sum: the invoice
tables (Invoices, Overview, Overdue & aging, Customers) and the Cash received payments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pandas as pd

from services.readmodel.invoice_queries import INVOICE_COLUMNS
from ui.cash_received import payments_shown
from ui.invoice_table import shown_frame
from ui.tables import csv_bytes, excel_bytes


def _invoices() -> pd.DataFrame:
    """Report rows: USD open, paid in part, draft and void; a JPY and a KWD invoice."""
    rows = [
        ("in_1", "A-1", "open", "usd", 123456, 0, 123456),
        ("in_2", "A-2", "open", "usd", 100000, 30000, 70000),
        ("in_3", None, "draft", "usd", 5000, 0, 5000),
        ("in_4", "A-4", "void", "usd", 2500, 0, 2500),
        ("in_5", "A-5", "open", "jpy", 1235, 0, 1235),
        ("in_6", "A-6", "paid", "kwd", 1230, 1230, 0),
    ]
    created = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    frame = pd.DataFrame([{
        "invoice_id": i, "number": n, "customer_id": "cus_1", "customer": "Acme", "email": None,
        "status": s, "currency": c, "total": t, "amount_due": t, "amount_paid": p,
        "amount_remaining": r, "created": pd.Timestamp(created), "due_date": date(2026, 12, 2),
        "days_overdue": 0, "hosted_invoice_url": None, "paid_at": pd.NaT,
        "finalized_at": pd.Timestamp(created),
    } for i, n, s, c, t, p, r in rows])  # fmt: skip
    return frame[INVOICE_COLUMNS]


def test_invoice_table_export_sums_per_currency_and_owes_nothing_on_drafts_and_voids() -> None:
    shown = shown_frame(_invoices())
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(shown))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    rows = [{name: cell for name, cell in zip(header, row, strict=True)}
            for row in sheet.iter_rows(min_row=2)]
    by_id = {row["Invoice ID"].value: row for row in rows}
    usd_total = sum(Decimal(str(row["Total"].value)) for row in rows
                    if row["Currency"].value == "USD")
    assert usd_total * 100 == 123456 + 100000 + 5000 + 2500
    assert by_id["in_3"]["Amount remaining"].value is None  # a draft owes nothing yet
    assert by_id["in_4"]["Amount remaining"].value is None  # a void invoice no longer does
    assert by_id["in_2"]["Amount remaining"].value == 700
    assert by_id["in_5"]["Total"].number_format == "#,##0"
    assert by_id["in_6"]["Total"].number_format == "#,##0.000"
    assert by_id["in_6"]["Total"].value == 1.23
    assert by_id["in_1"]["Created"].is_date
    text = csv_bytes(shown).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [row["Total"] for row in parsed] == ["1234.56", "1000.00", "50.00", "25.00", "1235",
                                                "1.230"]
    assert parsed[2]["Amount remaining"] == ""


def test_cash_received_payments_export_as_numbers_and_date_cells() -> None:
    received = pd.to_datetime([datetime(2026, 11, 3, 9, 15, tzinfo=UTC),
                               datetime(2026, 11, 9, 16, 40, tzinfo=UTC)], utc=True)
    payments = pd.DataFrame({
        "payment_id": ["inpay_1", "inpay_2"], "invoice_id": ["in_1", "in_1"],
        "number": ["A-1", "A-1"], "customer_id": ["cus_1"] * 2, "customer": ["Acme"] * 2,
        "email": [None] * 2, "currency": ["usd"] * 2, "amount": [30000, 70000],
        "received_at": received, "method": ["Bank transfer"] * 2,
        "payment_intent": [None] * 2, "payment_record": ["pr_1", "pr_2"],
    })  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(payments_shown(payments)))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    amounts = [row[header.index("Amount")].value for row in sheet.iter_rows(min_row=2)]
    assert sum(amounts) == 1000
    when = [row[header.index("Received")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date for cell in when)
    assert when[1].value == datetime(2026, 11, 9, 16, 40)  # UTC (Excel has no time zones)
