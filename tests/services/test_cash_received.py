"""Cash received by day, week and month from payment dates, partial payments included,
with the payments behind every number (read model only; SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from services.core.database import make_engine
from services.core.errors import InvalidInput
from services.reporting.cash_received import CashReceivedReport
from tests.services.read_model_books import Book


@pytest.fixture
def book(app_database_url: str) -> Book:
    return Book(make_engine(app_database_url))


@pytest.fixture
def paid_in_parts(book: Book) -> dict[str, str]:
    """A 1,000.00 invoice paid 300 on Tue 3 Nov and 700 on Mon 9 Nov 2026; a ¥5,000 one paid
    on 3 Nov; a $50 one paid on 31 Oct (outside the month)."""
    parts = book.invoice(100000, finalized="2026-10-20 10:00")
    first = book.pay(parts, 30000, "2026-11-03 09:15")
    second = book.pay(parts, 70000, "2026-11-09 16:40")
    yen = book.invoice(5000, finalized="2026-10-25 10:00", currency="jpy")
    book.pay(yen, 5000, "2026-11-03 23:59")
    earlier = book.invoice(5000, finalized="2026-10-01 10:00")
    book.pay(earlier, 5000, "2026-10-31 23:59")
    book.invoice(2500, finalized="2026-11-02 10:00")  # open, nothing paid: not cash
    return {"parts": parts, "first": first, "second": second, "yen": yen}


def test_each_partial_payment_counts_on_the_day_its_money_came(book, paid_in_parts) -> None:
    report = CashReceivedReport(book.engine).report(date(2026, 11, 1), date(2026, 11, 30), "day")
    periods = report.periods
    assert list(zip(periods["period"], periods["currency"], periods["amount"],
                    periods["payments"], strict=True)) == [
        (date(2026, 11, 3), "jpy", 5000, 1),
        (date(2026, 11, 3), "usd", 30000, 1),
        (date(2026, 11, 9), "usd", 70000, 1),
    ]
    assert report.totals == {"usd": 100000, "jpy": 5000}
    behind = report.rows_behind(date(2026, 11, 3), "usd")
    assert list(behind["payment_id"]) == [paid_in_parts["first"]]
    row = behind.iloc[0]
    assert row["invoice_id"] == paid_in_parts["parts"] and row["number"].startswith("BOOK-")
    assert row["customer"] == "Rossi Alimentari"
    assert row["method"] == "Recorded outside Stripe"
    assert row["received_at"].strftime("%Y-%m-%d %H:%M") == "2026-11-03 09:15"


def test_weeks_start_on_monday_and_months_hold_the_whole_month(book, paid_in_parts) -> None:
    report = CashReceivedReport(book.engine)
    weeks = report.report(date(2026, 10, 26), date(2026, 11, 15), "week").periods
    usd = weeks[weeks["currency"] == "usd"]
    assert list(zip(usd["period"], usd["amount"], strict=True)) == [
        (date(2026, 10, 26), 5000),  # Sat 31 Oct: the week of Mon 26 Oct
        (date(2026, 11, 2), 30000),  # Tue 3 Nov: the week of Mon 2 Nov
        (date(2026, 11, 9), 70000),  # Mon 9 Nov starts a week
    ]
    assert usd.iloc[0]["label"] == "Week of 26 Oct 2026 (W44)"
    months = report.report(date(2026, 10, 1), date(2026, 11, 30), "month")
    usd_months = months.periods[months.periods["currency"] == "usd"]
    assert list(usd_months["label"]) == ["October 2026", "November 2026"]
    assert list(usd_months["amount"]) == [5000, 100000]
    # every number is the sum of the rows behind it
    for row in months.periods.itertuples():
        behind = months.rows_behind(row.period, row.currency)
        assert int(behind["amount"].sum()) == row.amount and len(behind) == row.payments


def test_a_period_with_no_payments_is_empty_and_bad_choices_name_their_field(book) -> None:
    report = CashReceivedReport(book.engine)
    empty = report.report(date(2026, 1, 1), date(2026, 1, 31), "month")
    assert empty.periods.empty and empty.totals == {}
    with pytest.raises(InvalidInput) as wrong_grain:
        report.report(date(2026, 1, 1), date(2026, 1, 31), "fortnight")
    assert wrong_grain.value.field == "grain"
    with pytest.raises(InvalidInput) as backwards:
        report.report(date(2026, 2, 1), date(2026, 1, 31), "day")
    assert backwards.value.field == "end"
