"""The Invoices page shows the newest invoices at once and says when there are more."""

from __future__ import annotations

import pytest

from tests.ui import seed
from ui import invoice_listing


@pytest.fixture
def three_invoices(services):  # type: ignore[no-untyped-def]
    """A customer with two open invoices and a draft (the draft made last: newest)."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    opened = [seed.open_invoice(services, customer.id, price.id) for _ in range(2)]
    draft = seed.draft_invoice(services, customer.id, price.id, quantity=2)
    return customer, opened, draft


def test_more_than_shown_says_so_and_load_all_shows_every_one(
    app_test, three_invoices, monkeypatch
):  # type: ignore[no-untyped-def]
    customer, opened, draft = three_invoices
    monkeypatch.setattr(invoice_listing, "SHOWN_ROWS", 2)
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id).run()

    assert list(at.dataframe[0].value["Invoice ID"]) == [draft.id, opened[1].id]
    note = at.info[0].value
    assert note.startswith("Showing the newest 2 of more than 2 invoices matching these filters")
    assert "exports cover only these rows" in note

    at.button(key=next(b.key for b in at.button if b.label == "Load all")).click().run()

    every = at.dataframe[0].value["Invoice ID"]
    assert sorted(every) == sorted([draft.id, *(o.id for o in opened)])
    assert not at.info and "Load all" not in {b.label for b in at.button}
    assert "exports contain exactly these rows" in " ".join(c.value for c in at.caption)


def test_all_matching_within_the_limit_needs_no_load_all(app_test, three_invoices):  # type: ignore[no-untyped-def]
    customer, opened, _ = three_invoices
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, status="Open").run()
    assert sorted(at.dataframe[0].value["Invoice ID"]) == sorted(o.id for o in opened)
    assert not at.info and "Load all" not in {b.label for b in at.button}
