"""The invoice as the Invoice page shows it (read model), and the live reads writes check.

``invoices.get`` answers from the read model: all lines, however many, and an invoice
made elsewhere a moment ago is read from Stripe once. Writes check Stripe itself, so a
copy that is behind neither allows nor refuses a write wrongly.
"""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.errors import NotAllowedInState, NotFound
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from tests.services.conftest import APPROVER, CLERK
from tests.services.stripe_requests import stripe_requests  # noqa: F401  (fixture)

LINES = 25  # more than the 10 lines Stripe embeds in an invoice


def _items(count: int) -> list[DraftItem]:
    return [DraftItem(amount=100 + n, description=f"Line {n + 1}") for n in range(count)]


def test_an_invoice_with_25_lines_shows_all_25_with_no_stripe_request(
    services: Services, make_customer, stripe_requests  # noqa: F811
):  # type: ignore[no-untyped-def]
    draft = services.invoices.create_draft(
        CLERK, customer_id=make_customer().id, items=_items(LINES), days_until_due=30,
        memo="Twenty-five things", footer=None, po_number="PO-25", currency="usd",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    stripe_requests.clear()

    shown = services.invoices.get(draft.id)

    assert stripe_requests.sent == []
    assert len(shown.lines) == LINES and shown.lines_complete
    assert sorted(line.description or "" for line in shown.lines) == sorted(
        f"Line {n + 1}" for n in range(LINES)
    )
    assert [line.id for line in shown.lines] == [line.id for line in draft.lines]
    assert shown.total == sum(100 + n for n in range(LINES))
    assert (shown.memo, shown.po_number, shown.status) == ("Twenty-five things", "PO-25", "draft")
    # One request per item, and the audit row keeps every request id (migration 0007).
    [noted] = services.audit.table(object_id=draft.id, action="create_draft")["stripe_request_id"]
    assert len(noted.split()) == LINES + 1 and all(i.startswith("req_") for i in noted.split())


def test_an_invoice_made_outside_a_moment_ago_opens_after_one_re_read(
    services: Services, make_customer, stripe_requests  # noqa: F811
):  # type: ignore[no-untyped-def]
    customer = make_customer()
    client = services.client.v1
    made = client.invoices.create(params={"customer": customer.id, "currency": "usd",
                                          "collection_method": "send_invoice",
                                          "days_until_due": 14,
                                          "pending_invoice_items_behavior": "exclude"})
    for n in range(LINES):
        client.invoice_items.create(params={"customer": customer.id, "invoice": made.id,
                                            "amount": 1000 + n, "currency": "usd",
                                            "description": f"Outside line {n + 1}"})
    stripe_requests.clear()

    shown = services.invoices.get(made.id)

    assert len(shown.lines) == LINES and shown.total == sum(1000 + n for n in range(LINES))
    assert shown.customer_id == customer.id
    assert stripe_requests.sent[0] == ("GET", f"/v1/invoices/{made.id}")  # the one re-read,
    assert {path for _, path in stripe_requests.sent[1:]} <= {f"/v1/invoices/{made.id}/lines"}
    stripe_requests.clear()
    assert len(services.invoices.get(made.id).lines) == LINES
    assert stripe_requests.sent == []  # then the stored copy answers


def test_unknown_and_deleted_invoices_are_not_found_naming_the_field(
    services: Services, make_invoice, stripe_requests  # noqa: F811
):  # type: ignore[no-untyped-def]
    for attempt in range(2):
        with pytest.raises(NotFound) as caught:
            services.invoices.get("in_doesnotexist")
        assert caught.value.field == "invoice_id" and "in_doesnotexist" in str(caught.value)
        if attempt == 0:
            assert stripe_requests.sent == [("GET", "/v1/invoices/in_doesnotexist")]
            stripe_requests.clear()
    assert stripe_requests.sent == []  # Stripe is asked about an unknown id once
    with pytest.raises(NotFound):
        services.invoices.get("in_x/lines")
    assert stripe_requests.sent == []  # no id, no request

    draft = make_invoice("draft")
    services.client.v1.invoices.delete(draft.id)  # outside the dashboard
    services.upkeep.catch_up()
    with pytest.raises(NotFound) as caught:
        services.invoices.get(draft.id)
    assert caught.value.field == "invoice_id"


def test_a_stale_copy_neither_refuses_nor_allows_a_write(services: Services, make_invoice):  # type: ignore[no-untyped-def]
    draft = make_invoice("draft")
    services.client.v1.invoices.finalize_invoice(draft.id)  # outside; no event applied yet
    assert services.invoices.get(draft.id).status == "draft"  # the copy is behind

    with pytest.raises(NotAllowedInState):  # Stripe says open: no more items
        services.invoices.add_custom_item(
            CLERK, draft.id, amount_text="5", description="late fee", form_nonce=new_form_nonce()
        )
    with pytest.raises(NotAllowedInState):
        services.invoices.delete_draft(CLERK, draft.id, form_nonce=new_form_nonce())
    sent = services.invoices.send(CLERK, draft.id, form_nonce=new_form_nonce())  # allowed
    assert sent.status == "open"
    assert services.invoices.get(draft.id).status == "open"  # the write stored the answer
    voided = services.invoices.void(APPROVER, draft.id, reason="test", form_nonce=new_form_nonce())
    assert voided.status == "void"
