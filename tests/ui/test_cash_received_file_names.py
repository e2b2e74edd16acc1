"""Cash received's payments files are named after what they hold: every payment of the
view is ``payments-received-<from>-<to>``; once a period row is selected (the files then
hold only that period's payments in that currency) the name says which period, which
currency and which of its days the view covers."""

from __future__ import annotations

import io
import uuid
from datetime import date

import openpyxl
import pytest

from tests.services.read_model_books import Book
from tests.ui.downloads import served_fixture  # noqa: F401  (fixture)
from ui.cash_received import payments_file_name


@pytest.fixture
def june(services) -> Book:  # type: ignore[no-untyped-def]
    """Dollars received on 3 and 20 June 2026 and on 2 July; yen on 12 June."""
    book = Book(services.engine, customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                customer_name="Juni Handel")
    book.store_customer()
    for amount, currency, when in ((10000, "usd", "2026-06-03 10:00"),
                                   (20000, "usd", "2026-06-20 10:00"),
                                   (5000, "jpy", "2026-06-12 10:00"),
                                   (40000, "usd", "2026-07-02 10:00")):
        invoice = book.invoice(amount, finalized="2026-05-20 10:00", due="2026-06-19 00:00",
                               currency=currency)
        book.pay(invoice, amount, when)
    return book


def _select(at, row: str) -> None:  # type: ignore[no-untyped-def]
    """Select the periods table's row "<Period> / <Currency>", then run the page."""
    periods = at.dataframe[0]
    position = list(periods.value["Period"] + " / " + periods.value["Currency"]).index(row)
    at.session_state[periods.key] = {"selection": {"rows": [position], "columns": [],
                                                   "cells": []}}
    at.run()
    assert not at.exception, at.exception


def _names(served) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [file.file_name for file in served]


def test_a_selected_periods_files_are_named_after_it(app_test, june, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/cash_received.py", role="viewer",
                  **{"from": "2026-06-01", "to": "2026-07-31", "by": "Month"}).run()
    assert not at.exception, at.exception
    assert _names(served) == [
        "cash-received-by-month-2026-06-01-2026-07-31.csv",
        "cash-received-by-month-2026-06-01-2026-07-31.xlsx",
        "payments-received-2026-06-01-2026-07-31.csv",
        "payments-received-2026-06-01-2026-07-31.xlsx",
    ]

    served.clear()
    _select(at, "June 2026 / USD")
    assert _names(served)[2:] == ["payments-received-2026-06-usd-2026-06-01-2026-06-30.csv",
                                  "payments-received-2026-06-usd-2026-06-01-2026-06-30.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(served[3].data)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    held = [(row[header.index("Amount")].value, row[header.index("Currency")].value)
            for row in sheet.iter_rows(min_row=2)]
    assert held == [(100, "USD"), (200, "USD")]  # exactly what the name says


def test_a_period_cut_by_the_view_names_the_days_it_covers(app_test, june, served) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/cash_received.py", role="viewer",
                  **{"from": "2026-06-10", "to": "2026-07-31", "by": "Month"}).run()
    served.clear()
    _select(at, "June 2026 / USD")
    assert _names(served)[2:] == ["payments-received-2026-06-usd-2026-06-10-2026-06-30.csv",
                                  "payments-received-2026-06-usd-2026-06-10-2026-06-30.xlsx"]


@pytest.mark.parametrize(("grain", "first", "currency", "name"), [
    ("day", date(2026, 6, 12), "JPY", "payments-received-2026-06-12-jpy"),
    ("week", date(2026, 6, 1), "USD", "payments-received-2026-w23-usd-2026-06-01-2026-06-07"),
    ("week", date(2025, 12, 29), "USD",  # ISO week 1 of 2026 starts in 2025
     "payments-received-2026-w01-usd-2025-12-29-2026-01-04"),
    ("month", date(2026, 2, 1), "EUR", "payments-received-2026-02-eur-2026-02-01-2026-02-28"),
    ("month", date(2026, 12, 1), "USD", "payments-received-2026-12-usd-2026-12-01-2026-12-20"),
])
def test_names_of_each_grain(grain: str, first: date, currency: str, name: str) -> None:
    assert payments_file_name(date(2025, 1, 1), date(2026, 12, 20), grain, first,
                              currency) == name
    assert payments_file_name(date(2025, 1, 1), date(2026, 12, 20), grain) == (
        "payments-received-2025-01-01-2026-12-20")
