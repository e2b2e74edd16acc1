"""Cash received with more payments than the page builds files for on every load: the
payments' CSV and Excel are made when asked ("Prepare …"), then offered as downloads
holding every payment; the periods' files stay ready at once."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pytest

from tests.services.read_model_books import Book

PAYMENTS = 501  # one more than pages/cash_received.py builds on every page load
PREFIX = "_ready_download."  # ui.ready_downloads keeps prepared files under this key prefix


@pytest.fixture
def busy_month(services) -> Book:  # type: ignore[no-untyped-def]
    """501 invoices of 10.00 each paid in full in November 2026, one to three a day."""
    book = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name="Busy Month Ltd")
    book.store_customer()
    for n in range(PAYMENTS):
        invoice_id = book.invoice(1000, finalized="2026-10-20 10:00", due="2026-11-19 00:00")
        book.pay(invoice_id, 1000, f"2026-11-{1 + n % 28:02d} {8 + n % 10:02d}:{n % 60:02d}")
    return book


def _labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for b in at.get("download_button")]


def test_many_payments_are_exported_when_asked_with_every_payment(app_test, busy_month) -> None:
    at = app_test("pages/cash_received.py", role="viewer", **{
        "from": "2026-11-01", "to": "2026-11-30", "by": "Month"}).run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Received in USD"] == "$5,010.00"
    assert len(at.dataframe[1].value) == PAYMENTS
    assert _labels(at) == ["CSV", "Excel"]  # the periods' files only, made at once
    prepare = [b for b in at.button if b.label == f"Prepare CSV and Excel of these "
               f"{PAYMENTS} payments"]
    assert len(prepare) == 1

    prepare[0].click().run()
    assert not at.exception, at.exception
    assert _labels(at) == ["CSV", "Excel", "CSV", "Excel"]
    files = at.session_state[f"{PREFIX}cash_payments_export"].files
    assert files["csv"].decode().strip().count("\n") == PAYMENTS  # a header, then each one
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    amounts = [row[header.index("Amount")].value for row in sheet.iter_rows(min_row=2)]
    assert len(amounts) == PAYMENTS and sum(amounts) == pytest.approx(5010.00)

    at.run()  # the page running again keeps the prepared files (same download address)
    assert _labels(at) == ["CSV", "Excel", "CSV", "Excel"]
