"""A selected row opens the object drawn in that row, even when the list changed before
the click (issue 14 item 1). The browser only sends a row position; here it is set the
way Streamlit stores it, after the data under the table has changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui import seed
from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    needs_invoicing_fixture,
    open_invoice,
    stripe_services_fixture,
)
from ui.caching import invalidate

INVOICES = "pages/invoices.py"


@pytest.fixture
def drafts_a_and_b(services: Any) -> tuple[Any, Any, Any]:
    """A customer with draft A (older) and draft B (newer)."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    older = seed.draft_invoice(services, customer.id, price.id, quantity=1)
    newer = seed.draft_invoice(services, customer.id, price.id, quantity=2)
    return customer, older, newer


def click_row(at: AppTest, table: int, row: int) -> AppTest:
    """What the browser sends when row ``row`` of the ``table``-th table is clicked."""
    key = at.dataframe[table].key
    assert key is not None
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def opened_links(at: AppTest) -> str:
    """The Invoice page the Invoices page switched to (a link when run on its own)."""
    return " ".join(m.value for m in at.markdown if "/invoice?invoice=" in m.value)


def test_a_row_clicked_after_another_user_duplicated_opens_the_invoice_drawn_there(
    app_test: Any, services: Any, drafts_a_and_b: tuple[Any, Any, Any]
) -> None:
    customer, a, b = drafts_a_and_b
    at = app_test(INVOICES, role="clerk", customer=customer.id).run()
    assert list(at.dataframe[0].value["Invoice ID"]) == [b.id, a.id]

    copy = services.invoices.duplicate(seed.ADMIN, a.id, form_nonce=seed.nonce())  # user 2
    invalidate("invoices")  # what user 2's write does to the shared cache

    click_row(at, 0, 1)  # user 1 clicks A's row (the second row they see)
    assert not at.exception
    assert list(at.dataframe[0].value["Invoice ID"]) == [copy.id, b.id, a.id]
    assert f"invoice={a.id}" in opened_links(at)
    assert b.id not in opened_links(at)


def test_a_row_whose_invoice_is_gone_opens_nothing_and_says_so(
    app_test: Any, services: Any, drafts_a_and_b: tuple[Any, Any, Any]
) -> None:
    customer, a, b = drafts_a_and_b
    at = app_test(INVOICES, role="clerk", customer=customer.id).run()
    services.invoices.delete_draft(seed.ADMIN, a.id, form_nonce=seed.nonce())
    invalidate("invoices")

    click_row(at, 0, 1)
    assert not at.exception
    assert opened_links(at) == ""
    assert "The invoice you selected is no longer in this list" in texts(at)
    assert list(at.dataframe[0].value["Invoice ID"]) == [b.id]


def test_a_customer_clicked_after_a_newer_one_was_added_opens_that_customer(
    app_test: Any, services: Any
) -> None:
    first = seed.customer(services)
    at = app_test("pages/customers.py", role="viewer").run()
    drawn = list(at.dataframe[0].value["customer_id"])
    newer = seed.customer(services)  # another user adds a customer listed above it
    for _ in range(30):  # same second: the list breaks the tie by id, newest first
        if (newer.created, newer.id) > (first.created, first.id):
            break
        newer = seed.customer(services)
    invalidate("customers")

    click_row(at, 0, drawn.index(first.id))
    assert not at.exception
    assert at.query_params["customer"] == first.id


def test_the_overdue_drill_down_keeps_the_customer_picked_when_the_list_moves(
    app_test: Any, stripe_services: Any, needs_invoicing: None
) -> None:
    picked, _ = open_invoice(stripe_services, amount=4_200, currency="eur", days_until_due=30)
    as_of = datetime.now(UTC).date() + timedelta(days=45)
    at = app_test("pages/overdue.py", role="viewer", as_of=f"{as_of:%Y-%m-%d}").run()
    at.segmented_control(key=f"overdue_currency.{as_of}").set_value("eur").run()
    customers = list(at.dataframe[1].value["email"])
    click_row(at, 1, customers.index(picked.email))
    assert f"Invoices of {picked.name}" in texts(at)

    bigger, _ = open_invoice(stripe_services, amount=990_000, currency="eur",
                             days_until_due=30)  # another debtor, listed above
    invalidate("invoices", "reports")
    at.run()
    now = list(at.dataframe[1].value["email"])
    assert now.index(bigger.email) < now.index(picked.email)
    assert f"Invoices of {picked.name}" in texts(at)  # still the customer picked
    kept = at.session_state[at.dataframe[1].key]["selection"]["rows"]
    assert list(kept) == [now.index(picked.email)]  # and the highlight moved with them
