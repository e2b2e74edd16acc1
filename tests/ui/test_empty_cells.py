"""An empty cell reads as empty: no table on any page shows "None" where a value is missing
(an open invoice's Paid date, a draft's number, a payment's missing method)."""

from __future__ import annotations

import pytest

from tests.ui import seed

PAGES = [
    ("pages/overview.py", {}),
    ("pages/invoices.py", {}),
    ("pages/overdue.py", {}),
    ("pages/customers.py", {}),
    ("pages/lookup.py", {"q": "Client"}),
    ("pages/catalog.py", {}),
    ("pages/new_invoice.py", {}),
    ("pages/payment_activity.py", {}),
    ("pages/cash_received.py", {}),
    ("pages/admin.py", {}),
]


@pytest.fixture
def book(services):  # type: ignore[no-untyped-def]
    """A customer with a draft and an open invoice (no number, no payment date)."""
    customer = seed.customer(services, name="Client Empty Cells")
    price = seed.one_time_price(services, "10.00")
    draft = seed.draft_invoice(services, customer.id, price.id)
    opened = seed.open_invoice(services, customer.id, price.id)
    return customer, draft, opened


def _placeholders(at) -> list[str | None]:  # type: ignore[no-untyped-def]
    """What each table shows for a missing value (None: Streamlit's own "None")."""
    return [frame.proto.placeholder if frame.proto.HasField("placeholder") else None
            for frame in at.dataframe]


@pytest.mark.parametrize(("page", "query"), PAGES)
def test_tables_leave_missing_values_empty(app_test, book, page, query):  # type: ignore[no-untyped-def]
    at = app_test(page, role="admin", **query).run()
    assert not at.exception
    assert _placeholders(at) == [""] * len(at.dataframe)


def test_invoice_customer_and_statement_tables_too(app_test, book):  # type: ignore[no-untyped-def]
    customer, _draft, opened = book
    views = [app_test("pages/invoice.py", role="admin", invoice=opened.id).run(),
             app_test("pages/invoices.py", role="admin", customer=customer.id).run(),
             app_test("pages/customers.py", role="admin", customer=customer.id).run(),
             app_test("pages/statement.py", role="admin", customer=customer.id).run()]
    for at in views:
        assert not at.exception
        assert at.dataframe, "each of these views has a table"
        assert _placeholders(at) == [""] * len(at.dataframe)
    listed = views[1].dataframe[0].value
    assert listed["Paid"].isna().all()  # no invoice is paid: every Paid cell is empty
