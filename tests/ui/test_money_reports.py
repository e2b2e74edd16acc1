"""Cash received and customer statement pages over a book laid out in the read model, and
the statement's files (Excel sums, PDF shows every line and the totals)."""

from __future__ import annotations

import io
import uuid
from datetime import date

import openpyxl
import pypdf
import pytest

from services.reporting.statement import StatementReport
from services.reporting.statement_pdf import statement_pdf
from tests.services.read_model_books import Book
from tests.ui.conftest import texts
from ui.statement import all_rows
from ui.tables import excel_bytes


@pytest.fixture
def book(services) -> Book:  # type: ignore[no-untyped-def]
    """A 1,000.00 invoice paid 300 (3 Nov) + 700 (9 Nov 2026); a 250.00 one left open."""
    made = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name="Nordlicht Energie")
    made.store_customer()
    parts = made.invoice(100000, finalized="2026-10-20 10:00", due="2026-11-19 00:00")
    made.pay(parts, 30000, "2026-11-03 09:15")
    made.pay(parts, 70000, "2026-11-09 16:40")
    made.invoice(25000, finalized="2026-11-10 10:00", due="2026-12-10 00:00")
    return made


def test_cash_received_by_week_with_totals_and_the_payments(app_test, book) -> None:
    at = app_test("pages/cash_received.py", role="viewer", **{
        "from": "2026-11-01", "to": "2026-11-30", "by": "Week"}).run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Received in USD"] == "$1,000.00"
    periods = at.dataframe[0].value
    assert list(periods["Period"]) == ["Week of 2 Nov 2026 (W45)", "Week of 9 Nov 2026 (W46)"]
    assert list(periods["Received"]) == ["$300.00", "$700.00"]
    payments = at.dataframe[1].value
    assert list(payments["Amount"]) == ["$300.00", "$700.00"]
    assert set(payments["Customer"]) == {"Nordlicht Energie"}
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "Excel", "CSV", "Excel"]


def test_selecting_a_period_lists_exactly_the_payments_behind_it(app_test, book) -> None:
    at = app_test("pages/cash_received.py", role="viewer", **{
        "from": "2026-11-01", "to": "2026-11-30", "by": "Week"}).run()
    periods = at.dataframe[0]
    at.session_state[periods.key] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert "Payments of Week of 9 Nov 2026 (W46) in USD" in texts(at)
    payments = at.dataframe[1].value
    assert list(payments["Amount"]) == ["$700.00"]
    assert list(payments["Received"].dt.strftime("%Y-%m-%d %H:%M")) == ["2026-11-09 16:40"]
    assert payments["Payment ID"][0].startswith("inpay_")
    assert payments["Invoice"][0].startswith("BOOK-")


def test_statement_page_shows_balances_lines_and_offers_three_files(app_test, book) -> None:
    at = app_test("pages/statement.py", role="viewer", customer=book.customer_id,
                  **{"from": "2026-11-01", "to": "2026-11-30"}).run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Opening balance"] == "$1,000.00"
    assert tiles["Closing balance"] == "$250.00"
    rows = at.dataframe[0].value
    descriptions = list(rows["Description"])
    assert (descriptions[0], descriptions[-1]) == ("Opening balance", "Closing balance")
    assert list(rows["Balance"]) == ["$1,000.00", "$700.00", "$0.00", "$250.00", "$250.00"]
    assert "Statement of Nordlicht Energie" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel", "PDF"]


def test_statement_files_sum_and_show_every_line(book) -> None:
    statement = StatementReport(book.engine).statement(
        book.customer_id, date(2026, 11, 1), date(2026, 11, 30))
    [usd] = statement.sections
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(all_rows(statement)))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    amounts = [row[header.index("Amount")].value for row in sheet.iter_rows(min_row=2)]
    moved = sum(value for value in amounts if value is not None)
    assert round(moved * 100) == usd.closing - usd.opening  # SUM(Amount) = closing - opening
    text = "".join(page.extract_text() for page in pypdf.PdfReader(
        io.BytesIO(statement_pdf(statement))).pages)
    for object_id in usd.lines["object_id"]:
        assert object_id in text.replace("\n", "")
    assert "Opening balance: 1,000.00 USD" in text
    assert "Closing balance: 250.00 USD" in text


def test_the_report_pages_are_in_the_menu() -> None:
    from ui.navigation import available

    paths = {spec.path for spec in available(None)}
    assert {"pages/cash_received.py", "pages/statement.py"} <= paths


def test_the_customer_page_links_to_the_customers_statement(app_test, services) -> None:
    from tests.ui import seed

    customer = seed.customer(services)
    at = app_test("pages/customers.py", role="viewer", customer=customer.id).run()
    assert not at.exception, at.exception
    links = list(at.get("page_link"))
    wanted = f"/statement?customer={customer.id}"
    assert any(wanted in str(link.proto) for link in links) or wanted in "\n".join(
        m.value for m in at.markdown), "no link to the customer's statement"


def test_the_customer_page_shows_paid_and_remaining_of_a_partly_paid_invoice(
        app_test, services) -> None:
    from tests.ui import seed

    customer = seed.customer(services)
    made = Book(services.engine, customer_id=customer.id, customer_name=customer.name)
    invoice = made.invoice(100000, finalized="2026-11-02 10:00", due="2026-12-02 00:00")
    made.pay(invoice, 30000, "2026-11-03 09:15")
    at = app_test("pages/customers.py", role="viewer", customer=customer.id).run()
    assert not at.exception, at.exception
    rows = at.dataframe[0].value
    row = rows[rows["Invoice ID"] == invoice].iloc[0]
    assert (row["Status"], row["Amount paid"], row["Amount remaining"]) == (
        "Open", "$300.00", "$700.00")
    assert {m.label: m.value for m in at.metric}["Outstanding"] == "$700.00"


def test_customer_names_on_the_reports_are_text_not_markdown(app_test, services) -> None:
    from tests.ui.test_text_is_text import EVIL, assert_text_is_text

    made = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name=EVIL)
    made.store_customer()
    made.pay(made.invoice(5000, finalized="2026-11-02 10:00"), 5000, "2026-11-03 09:00")
    window = {"from": "2026-11-01", "to": "2026-11-30"}
    statement = app_test("pages/statement.py", role="viewer", customer=made.customer_id,
                         **window).run()
    assert not statement.exception, statement.exception
    assert_text_is_text(statement)
    cash = app_test("pages/cash_received.py", role="viewer", **window).run()
    assert not cash.exception, cash.exception
    assert_text_is_text(cash)
