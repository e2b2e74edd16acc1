"""The statement's PDF on the page: a long statement makes it when asked ("Prepare the
PDF"), then offers every line; a short one is ready at once, and each period's PDF names
its own period even though PDFs are shared between sessions."""

from __future__ import annotations

import io
import uuid

import pypdf
import pytest

from tests.services.read_model_books import Book

PAID_INVOICES = 80  # 160 lines + opening and closing: more rows than are made at once
PREFIX = "_ready_download."  # ui.ready_downloads keeps the files under this key prefix


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for b in at.get("download_button")]


def _new_customer(services, name: str) -> Book:  # type: ignore[no-untyped-def]
    book = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name=name)
    book.store_customer()
    return book


@pytest.fixture
def long_history(services) -> Book:  # type: ignore[no-untyped-def]
    """80 invoices of 50.00 made and paid in November 2026."""
    book = _new_customer(services, "Long History GmbH")
    for n in range(PAID_INVOICES):
        day = 1 + n % 25
        invoice_id = book.invoice(5000, finalized=f"2026-11-{day:02d} 09:00",
                                  due=f"2026-12-{day:02d} 00:00")
        book.pay(invoice_id, 5000, f"2026-11-{day + 2:02d} 15:{n % 60:02d}")
    return book


def test_a_long_statements_pdf_is_made_when_asked_with_every_line(app_test,
                                                                  long_history) -> None:
    query = {"customer": long_history.customer_id, "from": "2026-11-01", "to": "2026-11-30"}
    at = app_test("pages/statement.py", role="viewer", **query).run()
    assert not at.exception, at.exception
    assert _labels(at) == ["CSV", "Excel"]
    rows = 2 * PAID_INVOICES + 2
    [prepare] = [b for b in at.button if b.label == f"Prepare the PDF ({rows} rows)"]

    prepare.click().run()
    assert not at.exception, at.exception
    assert _labels(at) == ["CSV", "Excel", "PDF"]
    key = f"{PREFIX}statement.{long_history.customer_id}.2026-11-01.2026-11-30.pdf"
    text = _pdf_text(at.session_state[key].files["file"]).replace("\n", "")
    for invoice_id, payments in long_history.payments.items():
        assert invoice_id in text and payments[0]["id"] in text
    assert "Closing balance: 0.00 USD" in text


def test_a_long_statements_csv_and_excel_are_made_when_asked(app_test, long_history,
                                                             monkeypatch) -> None:
    from ui import tables

    monkeypatch.setattr(tables, "READY_EXPORT_ROWS", 100)  # 162 rows: a long one here
    query = {"customer": long_history.customer_id, "from": "2026-11-01", "to": "2026-11-30"}
    at = app_test("pages/statement.py", role="viewer", **query).run()
    assert not at.exception, at.exception
    assert _labels(at) == []  # nothing made before it is asked for
    rows = 2 * PAID_INVOICES + 2
    [files] = [b for b in at.button if b.label == f"Prepare CSV and Excel of these {rows} rows"]
    files.click().run()
    assert not at.exception, at.exception
    assert _labels(at) == ["CSV", "Excel"]
    key = f"{PREFIX}statement.{long_history.customer_id}.2026-11-01.2026-11-30.export"
    csv_text = at.session_state[key].files["csv"].decode("utf-8-sig")
    assert csv_text.count("\n") == rows + 1  # a heading and every row
    assert "Closing balance" in csv_text


def test_each_period_gets_the_pdf_of_its_own_period(app_test, services) -> None:
    book = _new_customer(services, "Two Periods Sarl")
    book.invoice(12000, finalized="2026-10-05 10:00", due="2027-03-01 00:00")  # not due in either
    for start, end, shown in (("2026-11-01", "2026-11-30", "01 Nov 2026 to 30 Nov 2026"),
                              ("2026-12-01", "2026-12-31", "01 Dec 2026 to 31 Dec 2026")):
        at = app_test("pages/statement.py", role="viewer", customer=book.customer_id,
                      **{"from": start, "to": end}).run()  # a new session each time
        assert not at.exception, at.exception
        assert _labels(at) == ["CSV", "Excel", "PDF"]  # a short statement's PDF is ready
        key = f"{PREFIX}statement.{book.customer_id}.{start}.{end}.pdf"
        assert f"Period: {shown}" in _pdf_text(at.session_state[key].files["file"])
