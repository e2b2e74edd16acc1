"""Every lifecycle action, allowed and refused, against the emulator."""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.errors import InvalidInput, NotAllowedInState, NotFound
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.invoicing.rules import MAX_INVOICE_ITEMS
from tests.services.conftest import ADMIN, APPROVER, CLERK


def test_draft_items_can_be_added_and_removed(services: Services, make_invoice, make_price):
    draft = make_invoice("draft")
    other = make_price("2.50")
    with_price = services.invoices.add_price_item(
        CLERK, draft.id, price_id=other.id, quantity=4, form_nonce=new_form_nonce()
    )
    with_custom = services.invoices.add_custom_item(
        CLERK, draft.id, amount_text="1,000.25", description="Setup fee",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert len(with_price.lines) == 2
    assert with_custom.total == 2000 + 1000 + 100025
    custom = next(line for line in with_custom.lines if line.description == "Setup fee")
    removed = services.invoices.remove_item(
        CLERK, draft.id, custom.invoice_item_id, form_nonce=new_form_nonce()
    )
    assert removed.total == 3000
    assert {line.description for line in removed.lines} != {"Setup fee"}
    by_line_id = services.invoices.remove_item(
        CLERK, draft.id, removed.lines[-1].id, form_nonce=new_form_nonce()
    )
    assert len(by_line_id.lines) == 1


def test_bad_item_input_is_refused_naming_the_field(services: Services, make_invoice):
    draft = make_invoice("draft")
    with pytest.raises(InvalidInput) as caught:
        services.invoices.add_custom_item(
            CLERK, draft.id, amount_text="12.345", description="x", form_nonce=new_form_nonce()
        )
    assert caught.value.field == "amount"
    with pytest.raises(InvalidInput) as caught:
        services.invoices.add_price_item(
            CLERK, draft.id, price_id="price_doesnotexist", quantity=1,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    assert caught.value.field == "price_id"
    with pytest.raises(NotFound):
        services.invoices.remove_item(CLERK, draft.id, "ii_unknown", form_nonce=new_form_nonce())


def test_finalized_invoices_cannot_be_edited_or_deleted(services: Services, make_invoice):
    invoice = make_invoice("open")
    for attempt in (
        lambda: services.invoices.add_custom_item(
            CLERK,
            invoice.id,
            amount_text="5",
            description="late fee",
            form_nonce=new_form_nonce(),
        ),
        lambda: services.invoices.remove_item(
            CLERK, invoice.id, invoice.lines[0].invoice_item_id, form_nonce=new_form_nonce()
        ),
        lambda: services.invoices.delete_draft(CLERK, invoice.id, form_nonce=new_form_nonce()),
        lambda: services.invoices.finalize(APPROVER, invoice.id, form_nonce=new_form_nonce()),
    ):
        with pytest.raises(NotAllowedInState):
            attempt()
    assert services.invoices.get(invoice.id).total == invoice.total


def test_a_draft_cannot_be_sent_voided_or_paid(services: Services, make_invoice):
    draft = make_invoice("draft")
    with pytest.raises(NotAllowedInState, match="finalize it first"):
        services.invoices.send(CLERK, draft.id, form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState, match="drafts are deleted, not voided"):
        services.invoices.void(APPROVER, draft.id, reason="x", form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState):
        services.invoices.record_payment(APPROVER, draft.id, note="x", form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState):
        services.invoices.mark_uncollectible(
            APPROVER, draft.id, reason="x", form_nonce=new_form_nonce()
        )
    assert services.invoices.get(draft.id).status == "draft"


def test_delete_draft(services: Services, make_invoice):
    draft = make_invoice("draft")
    services.invoices.delete_draft(CLERK, draft.id, form_nonce=new_form_nonce())
    with pytest.raises(NotFound):
        services.invoices.get(draft.id)


def test_void_needs_a_reason_and_keeps_it(services: Services, make_invoice):
    invoice = make_invoice("open")
    with pytest.raises(InvalidInput) as caught:
        services.invoices.void(APPROVER, invoice.id, reason="  ", form_nonce=new_form_nonce())
    assert caught.value.field == "reason"
    voided = services.invoices.void(
        APPROVER, invoice.id, reason="Sent to the wrong customer", form_nonce=new_form_nonce()
    )
    assert voided.status == "void" and voided.voided_at is not None
    assert voided.metadata["void_reason"] == "Sent to the wrong customer"
    assert services.audit.history(invoice.id).iloc[-1]["reason"] == "Sent to the wrong customer"
    with pytest.raises(NotAllowedInState):
        services.invoices.void(APPROVER, invoice.id, reason="again", form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState):
        services.invoices.send(CLERK, invoice.id, form_nonce=new_form_nonce())


def test_uncollectible_then_paid_or_void(services: Services, make_invoice):
    invoice = make_invoice("open")
    with pytest.raises(InvalidInput):
        services.invoices.mark_uncollectible(
            APPROVER, invoice.id, reason="", form_nonce=new_form_nonce()
        )
    written_off = services.invoices.mark_uncollectible(
        APPROVER, invoice.id, reason="No answer for 6 months", form_nonce=new_form_nonce()
    )
    assert written_off.status == "uncollectible"
    assert written_off.metadata["uncollectible_reason"] == "No answer for 6 months"
    with pytest.raises(NotAllowedInState, match="already marked uncollectible"):
        services.invoices.mark_uncollectible(
            APPROVER, invoice.id, reason="again", form_nonce=new_form_nonce()
        )
    paid = services.invoices.record_payment(
        APPROVER, invoice.id, note="Paid late by cheque", form_nonce=new_form_nonce()
    )
    assert paid.status == "paid" and paid.amount_remaining == 0
    other = make_invoice("uncollectible")
    assert (
        services.invoices.void(
            APPROVER, other.id, reason="written off", form_nonce=new_form_nonce()
        ).status
        == "void"
    )


def test_paid_invoices_are_final(services: Services, make_invoice):
    paid = make_invoice("paid")
    with pytest.raises(NotAllowedInState, match="paid invoices cannot be voided"):
        services.invoices.void(APPROVER, paid.id, reason="x", form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState, match="already paid"):
        services.invoices.record_payment(APPROVER, paid.id, note="x", form_nonce=new_form_nonce())
    with pytest.raises(NotAllowedInState):
        services.invoices.mark_uncollectible(
            APPROVER, paid.id, reason="x", form_nonce=new_form_nonce()
        )


@pytest.mark.parametrize("status", ["draft", "paid", "void"])
def test_duplicate_makes_a_new_draft_with_the_same_items(services: Services, make_invoice, status):
    source = make_invoice(status)
    copy = services.invoices.duplicate(CLERK, source.id, form_nonce=new_form_nonce())
    assert copy.id != source.id and copy.status == "draft"
    assert (copy.customer_id, copy.total, copy.currency) == (
        source.customer_id, source.total, source.currency,
    )  # fmt: skip
    assert [(line.price_id, line.quantity) for line in copy.lines] == [
        (line.price_id, line.quantity) for line in source.lines
    ]
    assert copy.metadata["duplicated_from"] == source.id
    assert copy.days_until_due == source.days_until_due == 30


def test_more_than_250_items_is_refused_before_stripe(
    services: Services, make_customer, make_price
):
    customer = make_customer()
    price = make_price()
    with pytest.raises(InvalidInput, match="at most 250 items"):
        services.invoices.create_draft(
            CLERK, customer_id=customer.id,
            items=[DraftItem(price_id=price.id)] * (MAX_INVOICE_ITEMS + 1),
            days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    listed = services.client.v1.invoices.list(params={"customer": customer.id})
    assert listed.data == []


def test_unknown_invoice_is_not_found(services: Services):
    with pytest.raises(NotFound) as caught:
        services.invoices.get("in_doesnotexist")
    assert "in_doesnotexist" in str(caught.value)
    with pytest.raises(NotFound):
        services.invoices.finalize(ADMIN, "in_doesnotexist", form_nonce=new_form_nonce())


def test_totals_preview_matches_what_stripe_bills(services: Services, make_customer, make_price):
    price = make_price("19.99")
    items = [DraftItem(price_id=price.id, quantity=3), DraftItem(amount=500, description="Fee")]
    preview = services.invoices.previews.new_invoice(items=items, currency="usd")
    draft = services.invoices.create_draft(
        CLERK, customer_id=make_customer().id, items=items, days_until_due=14, memo=None,
        footer=None, po_number=None, currency="usd", form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert preview.total == draft.total == 3 * 1999 + 500
    assert len(preview.lines) == len(draft.lines) == 2
    with pytest.raises(InvalidInput, match="one currency") as caught:  # before Stripe
        services.invoices.previews.new_invoice(items=items, currency="eur")
    assert caught.value.field == "items[0].price_id"
