"""Every Excel file a page offers shows each amount with its own row's currency decimals:
a book of one customer with a yen and a dollar invoice, each part paid, exported from
the Invoices list, the Overview's drill-downs, Overdue & aging, Cash received (periods,
every payment, one period's payments) and the customer statement. Yen cells read
``#,##0`` and dollar cells ``#,##0.00``, every value the exact major-unit amount.

The bytes checked are those handed to ``download_button`` (recorded on their way in),
so what is tested is the file a click downloads.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from services.core.clock import business_today
from tests.services.read_model_books import Book
from tests.ui.downloads import excel_files, served_fixture  # noqa: F401  (fixture)
from ui.exports import spreadsheet_number_format

FORMATS = {"JPY": "#,##0", "USD": "#,##0.00"}
YEN_TOTAL, YEN_PAID = 123_456, 1_235  # ¥123,456 invoiced, ¥1,235 received
CENTS_TOTAL, CENTS_PAID = 123_456, 5_050  # $1,234.56 invoiced, $50.50 received


def day(offset: int) -> date:
    return business_today() + timedelta(days=offset)


@pytest.fixture
def mixed(services) -> Book:  # type: ignore[no-untyped-def]
    """A yen and a dollar invoice of one customer, both 20 days overdue, each paid in
    part five days ago (noon UTC)."""
    book = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name="Mixed Currencies KK")
    book.store_customer()
    finalized, due, paid = (f"{day(n):%Y-%m-%d} {hour}" for n, hour in
                            ((-40, "10:00"), (-20, "00:00"), (-5, "12:00")))
    yen = book.invoice(YEN_TOTAL, finalized=finalized, due=due, currency="jpy")
    book.pay(yen, YEN_PAID, paid)
    dollars = book.invoice(CENTS_TOTAL, finalized=finalized, due=due, currency="usd")
    book.pay(dollars, CENTS_PAID, paid)
    return book


def money_cells(xlsx: bytes, columns: list[str]) -> list[tuple[str, str, Any, str]]:
    """(row currency, column, value, number format) of every filled cell of ``columns``."""
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    found = []
    for row in sheet.iter_rows(min_row=2):
        currency = row[header.index("Currency")].value
        for column in columns:
            cell = row[header.index(column)]
            if cell.value is not None:
                found.append((currency, column, cell.value, cell.number_format))
    return found


def assert_per_row_formats(xlsx: bytes, columns: list[str],
                           wanted: dict[str, set[Decimal]]) -> None:
    """Each amount formatted with its row's currency decimals; the amounts of each
    currency (exact major units) are ``wanted``."""
    cells = money_cells(xlsx, columns)
    assert {currency for currency, *_ in cells} == set(wanted)
    for currency, column, value, number_format in cells:
        assert number_format == FORMATS[currency], (currency, column, value, number_format)
        assert number_format == spreadsheet_number_format(currency)
        assert isinstance(value, int | float) and not isinstance(value, bool)
    for currency, amounts in wanted.items():
        got = {Decimal(str(value)) for code, _, value, _ in cells if code == currency}
        assert got == amounts, currency


INVOICE_MONEY = ["Total", "Amount due", "Amount paid", "Amount remaining"]
INVOICE_AMOUNTS = {
    "JPY": {Decimal(YEN_TOTAL), Decimal(YEN_PAID), Decimal(YEN_TOTAL - YEN_PAID)},
    "USD": {Decimal("1234.56"), Decimal("50.50"), Decimal("1184.06")},
}
PAID = {"JPY": {Decimal(YEN_PAID)}, "USD": {Decimal("50.50")}}


def test_invoices_every_match_export(app_test, mixed, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/invoices.py", role="viewer", customer=mixed.customer_id).run()
    at.button(key="invoices_export.prepare").click().run()
    assert not at.exception, at.exception
    [excel] = excel_files(served)
    assert_per_row_formats(excel.data, INVOICE_MONEY, INVOICE_AMOUNTS)


@pytest.mark.parametrize(("choice", "columns", "wanted"), [
    ("kpi:outstanding", INVOICE_MONEY, INVOICE_AMOUNTS),
    ("kpi:overdue", INVOICE_MONEY, INVOICE_AMOUNTS),
    ("kpi:collected", ["Amount"], PAID),
])
def test_overview_drill_down_exports(app_test, mixed, served, choice, columns,  # type: ignore[no-untyped-def]
                                     wanted) -> None:
    at = app_test("pages/overview.py", role="viewer").run()
    at.segmented_control(key=f"overview_drill.{business_today()}").set_value(choice).run()
    assert not at.exception, at.exception
    excel = excel_files(served)[-1]
    assert excel.file_name is not None and excel.file_name.endswith(".xlsx")
    assert_per_row_formats(excel.data, columns, wanted)


def test_overdue_exports_each_currency_with_its_decimals(app_test, mixed, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/overdue.py", role="viewer").run()
    assert not at.exception, at.exception
    jpy = excel_files(served)[-1]
    assert_per_row_formats(jpy.data, INVOICE_MONEY, {"JPY": INVOICE_AMOUNTS["JPY"]})
    at.segmented_control(key=f"overdue_currency.{business_today()}").set_value("usd").run()
    assert not at.exception, at.exception
    usd = excel_files(served)[-1]
    assert_per_row_formats(usd.data, INVOICE_MONEY, {"USD": INVOICE_AMOUNTS["USD"]})


def test_cash_received_periods_and_payments_exports(app_test, mixed, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/cash_received.py", role="viewer", **{
        "from": f"{day(-10)}", "to": f"{day(0)}", "by": "Month"}).run()
    assert not at.exception, at.exception
    periods, payments = excel_files(served)[-2:]
    assert_per_row_formats(periods.data, ["Received"], PAID)
    assert_per_row_formats(payments.data, ["Amount"], PAID)

    shown = at.dataframe[0].value
    yen_row = list(shown["Currency"]).index("JPY")
    at.session_state[at.dataframe[0].key] = {
        "selection": {"rows": [yen_row], "columns": [], "cells": []}}
    served.clear()
    at.run()
    assert not at.exception, at.exception
    one_period = excel_files(served)[-1]
    assert_per_row_formats(one_period.data, ["Amount"], {"JPY": PAID["JPY"]})


def test_statement_export(app_test, mixed, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/statement.py", role="viewer", customer=mixed.customer_id,
                  **{"from": f"{day(-60)}", "to": f"{day(0)}"}).run()
    assert not at.exception, at.exception
    [excel] = excel_files(served)
    balances = {"JPY": Decimal(YEN_TOTAL - YEN_PAID), "USD": Decimal("1184.06")}
    cells = money_cells(excel.data, ["Amount", "Balance"])
    assert {currency for currency, *_ in cells} == {"JPY", "USD"}
    for currency, column, value, number_format in cells:
        assert number_format == FORMATS[currency], (currency, column, value, number_format)
    for currency, closing in balances.items():
        last = [value for code, column, value, _ in cells
                if code == currency and column == "Balance"][-1]
        assert Decimal(str(last)) == closing


@pytest.mark.parametrize(("page", "query"), [
    ("pages/customers.py", "customer"),  # the customer's invoices: listed, not exported
    ("pages/lookup.py", "q"),  # matches: no amounts, no files
])
def test_pages_listing_the_mixed_invoices_offer_no_other_file(  # type: ignore[no-untyped-def]
    app_test, mixed, served, page, query
) -> None:
    value = mixed.customer_id if query == "customer" else mixed.customer_name
    at = app_test(page, role="viewer", **{query: value}).run()
    assert not at.exception, at.exception
    assert at.dataframe, "the page lists something"
    assert excel_files(served) == []
