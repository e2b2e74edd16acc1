"""No false "remaining": a draft or void invoice shows no amount remaining on its page, and
a 0.00 invoice that Stripe marked paid on finalizing says no payment was needed."""

from __future__ import annotations

from tests.ui import seed
from tests.ui.seed import ADMIN


def _tiles(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in at.metric}


def test_draft_and_void_invoices_show_no_remaining_amount(app_test, services) -> None:
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    draft = seed.draft_invoice(services, customer.id, price.id)
    voided = services.invoices.void(ADMIN, seed.open_invoice(services, customer.id, price.id).id,
                                    reason="issued twice", form_nonce=seed.nonce())
    for invoice in (draft, voided):
        at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
        assert not at.exception, at.exception
        assert _tiles(at)["Remaining"] == "—", invoice.status
        assert _tiles(at)["Total"] == "$20.00"


def test_an_open_invoice_still_shows_what_remains(app_test, services) -> None:
    customer = seed.customer(services)
    opened = seed.open_invoice(services, customer.id, seed.one_time_price(services, "10.00").id)
    at = app_test("pages/invoice.py", role="viewer", invoice=opened.id).run()
    assert _tiles(at)["Remaining"] == "$20.00"


def test_a_zero_invoice_says_no_payment_was_needed(app_test, services) -> None:
    customer = seed.customer(services)
    free = seed.one_time_price(services, "0.00")
    invoice = seed.open_invoice(services, customer.id, free.id)
    assert invoice.status == "paid" and invoice.amount_due == 0  # Stripe pays it on finalizing
    at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
    assert _tiles(at)["Remaining"] == "No payment needed"
    timeline = next(frame.value for frame in at.dataframe if "What" in frame.value.columns)
    paid = timeline[timeline["What"] == "Paid"]
    assert list(paid["Who"]) == ["No payment needed"]  # not credited to a customer payment
    assert "Stripe (customer payment)" not in set(timeline["Who"])
