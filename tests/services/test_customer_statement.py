"""Customer statements: opening balance, every line in date order naming its Stripe object,
running and closing balance, and the aging of what is open at the end (read model only)."""

from __future__ import annotations

from datetime import date

import pytest

from services.core.database import make_engine
from services.core.errors import InvalidInput, NotFound
from services.reporting.receivables import Reports
from services.reporting.statement import StatementReport
from tests.services.read_model_books import Book

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def book(app_database_url: str) -> Book:
    made = Book(make_engine(app_database_url), customer_id="cus_statement")
    made.store_customer()
    return made


@pytest.fixture
def ids(book: Book) -> dict[str, str]:
    """Before November: A (1,000.00) paid 300, B (500.00) open, D (80.00) open; in November:
    C (200.00) finalized then voided, D marked uncollectible, A's last 700 paid, E (250.00)
    finalized and 100 of it paid; a draft that owes nothing."""
    a = book.invoice(100000, finalized="2026-09-10 10:00", due="2026-10-10 00:00")
    first = book.pay(a, 30000, "2026-10-05 12:00")
    b = book.invoice(50000, finalized="2026-10-20 10:00", due="2026-10-25 00:00")
    c = book.invoice(20000, finalized="2026-11-02 10:00", due="2026-12-02 00:00",
                     status="void", voided="2026-11-04 08:00")
    d = book.invoice(8000, finalized="2026-08-01 10:00", due="2026-08-31 00:00",
                     status="uncollectible", uncollectible="2026-11-05 09:00")
    second = book.pay(a, 70000, "2026-11-09 16:40")
    e = book.invoice(25000, finalized="2026-11-10 10:00", due="2026-11-20 00:00")
    partial = book.pay(e, 10000, "2026-11-12 11:00")
    book.invoice(99900, finalized=None, status="draft")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "first": first, "second": second,
            "partial": partial}


def test_lines_in_date_order_with_a_running_balance_from_the_opening(book, ids) -> None:
    statement = StatementReport(book.engine).statement("cus_statement", *NOVEMBER)
    assert statement.name == "Rossi Alimentari"
    [usd] = statement.sections
    assert usd.currency == "usd"
    assert usd.opening == 100000 - 30000 + 50000 + 8000
    lines = usd.lines
    assert list(zip(lines["kind"], lines["object_id"], lines["amount"], strict=True)) == [
        ("invoice", ids["c"], 20000),
        ("void", ids["c"], -20000),
        ("write-off", ids["d"], -8000),
        ("payment", ids["second"], -70000),
        ("invoice", ids["e"], 25000),
        ("payment", ids["partial"], -10000),
    ]
    assert list(lines["balance"]) == [148000, 128000, 120000, 50000, 75000, 65000]
    assert usd.closing == usd.opening + int(lines["amount"].sum()) == 65000
    assert lines["date"].is_monotonic_increasing
    assert "prec_" in lines.iloc[3]["description"]  # the payment record behind the payment


def test_closing_balance_is_what_is_open_in_aging_at_that_date(book, ids) -> None:
    statement = StatementReport(book.engine).statement("cus_statement", *NOVEMBER)
    [usd] = statement.sections
    assert usd.aging == {"current": 0, "1-30": 15000, "31-60": 50000, "61-90": 0, "90+": 0,
                         "total": 65000}
    assert dict(zip(usd.open_invoices["invoice_id"], usd.open_invoices["open_amount"],
                    strict=True)) == {ids["b"]: 50000, ids["e"]: 15000}
    aging = Reports(book.engine).aging(NOVEMBER[1])
    mine = aging[aging["currency"] == "usd"].set_index("bucket")["amount_remaining"].to_dict()
    assert {bucket: int(amount) for bucket, amount in mine.items()} == usd.aging
    assert usd.closing == usd.aging["total"]


def test_an_earlier_period_ends_with_what_was_open_then(book, ids) -> None:
    october = StatementReport(book.engine).statement(
        "cus_statement", date(2026, 10, 1), date(2026, 10, 31))
    [usd] = october.sections
    assert usd.opening == 100000 + 8000
    assert usd.closing == 100000 - 30000 + 50000 + 8000
    assert usd.aging["total"] == usd.closing
    assert usd.aging["61-90"] == 8000  # D was 61 days overdue on 31 Oct


def test_refusals_name_their_field(book) -> None:
    report = StatementReport(book.engine)
    with pytest.raises(InvalidInput) as backwards:
        report.statement("cus_statement", date(2026, 11, 30), date(2026, 11, 1))
    assert backwards.value.field == "end"
    with pytest.raises(NotFound) as unknown:
        report.statement("cus_nobody", *NOVEMBER)
    assert unknown.value.field == "customer"


def test_an_overpayment_leaves_the_invoice_for_the_customers_balance(book) -> None:
    invoice = book.invoice(100000, finalized="2026-11-02 10:00", due="2026-12-02 00:00")
    book.pay(invoice, 120000, "2026-11-05 10:00")
    [usd] = StatementReport(book.engine).statement("cus_statement", *NOVEMBER).sections
    assert list(zip(usd.lines["kind"], usd.lines["amount"], strict=True)) == [
        ("invoice", 100000), ("payment", -120000), ("balance transaction", 20000)]
    assert usd.closing == usd.aging["total"] == 0
    assert usd.open_invoices.empty
