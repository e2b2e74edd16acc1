"""The same form submitted twice makes one object; an interrupted write finishes on retry."""

from __future__ import annotations

from services.container import Services
from services.core.idempotency import idempotency_key, new_form_nonce, sub_key
from services.core.models import DraftItem
from tests.services.conftest import APPROVER, CLERK


def _invoices_of(services: Services, customer_id: str) -> list:
    return services.client.v1.invoices.list(params={"customer": customer_id, "limit": 100}).data


def _draft_form(customer_id: str, price_id: str) -> dict:
    return {
        "customer_id": customer_id,
        "items": [
            DraftItem(price_id=price_id, quantity=2),
            DraftItem(amount=750, description="Fee"),
        ],
        "days_until_due": 30,
        "memo": "Double click",
        "footer": None,
        "po_number": "PO-2",
        "currency": "usd",
    }


def test_same_new_invoice_form_twice_makes_one_invoice(
    services: Services, make_customer, make_price
):
    customer, price = make_customer(), make_price()
    form = _draft_form(customer.id, price.id)
    nonce = new_form_nonce()
    first = services.invoices.create_draft(CLERK, **form, form_nonce=nonce)
    second = services.invoices.create_draft(CLERK, **form, form_nonce=nonce)
    assert second.id == first.id
    assert len(second.lines) == 2 and second.total == 2 * 1000 + 750
    assert [i.id for i in _invoices_of(services, customer.id)] == [first.id]

    fresh_form = services.invoices.create_draft(CLERK, **form, form_nonce=new_form_nonce())
    assert fresh_form.id != first.id
    assert len(_invoices_of(services, customer.id)) == 2


def test_a_write_interrupted_after_the_draft_finishes_on_retry(
    services: Services, make_customer, make_price
):
    customer, price = make_customer(), make_price()
    form = _draft_form(customer.id, price.id)
    nonce = new_form_nonce()
    # What a first attempt that died after creating the draft left behind: the draft,
    # created with the key the service derives for it, and no items.
    payload = {
        "customer": customer.id,
        "items": [
            {"price_id": price.id, "quantity": 2, "amount": None, "description": None},
            {"price_id": None, "quantity": 1, "amount": 750, "description": "Fee"},
        ],
        "days_until_due": 30,
        "memo": "Double click",
        "footer": None,
        "po_number": "PO-2",
        "currency": "usd",
    }
    key = idempotency_key(CLERK, "create_draft", payload, nonce)
    orphan = services.client.v1.invoices.create(
        params={
            "customer": customer.id, "collection_method": "send_invoice",
            "days_until_due": 30, "currency": "usd", "auto_advance": False,
            "pending_invoice_items_behavior": "exclude", "metadata": {"po_number": "PO-2"},
            "description": "Double click",
        },
        options={"idempotency_key": sub_key(key, "draft")},
    )  # fmt: skip
    finished = services.invoices.create_draft(CLERK, **form, form_nonce=nonce)
    assert finished.id == orphan.id
    assert finished.total == 2750 and len(finished.lines) == 2
    assert [i.id for i in _invoices_of(services, customer.id)] == [orphan.id]


def test_double_clicks_on_lifecycle_buttons_act_once(services: Services, make_invoice):
    draft = make_invoice("draft")
    nonce = new_form_nonce()
    first = services.invoices.finalize(APPROVER, draft.id, form_nonce=nonce)
    again = services.invoices.finalize(APPROVER, draft.id, form_nonce=nonce)
    assert first.number == again.number and again.status == "open"

    pay_nonce = new_form_nonce()
    paid = services.invoices.record_payment(APPROVER, draft.id, note="cash", form_nonce=pay_nonce)
    repeat = services.invoices.record_payment(APPROVER, draft.id, note="cash", form_nonce=pay_nonce)
    assert paid.status == repeat.status == "paid"
    assert repeat.amount_paid == draft.total
    history = services.audit.history(draft.id)
    assert list(history["outcome"]).count("failure") == 0


def test_adding_the_same_item_twice_from_one_form_adds_it_once(
    services: Services, make_invoice, make_price
):
    draft = make_invoice("draft")
    price = make_price("3")
    nonce = new_form_nonce()
    for _ in range(2):
        result = services.invoices.add_price_item(
            CLERK, draft.id, price_id=price.id, quantity=1, form_nonce=nonce
        )
    assert len(result.lines) == 2 and result.total == draft.total + 300
