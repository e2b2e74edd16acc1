"""A discount keeps its coupon's name after writes whose answer names it by id only.

Stripe's answers to finalize, send, void, mark uncollectible and pay carry
``total_discount_amounts[].discount`` as a bare ``di_…`` id unless expanded. The
read model stores what each write returned (read your writes); the Invoice page must
still say "Ten off (10% off)", not "Discount", before the invoice's next event is read.
"""

from __future__ import annotations

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from tests.services.conftest import ADMIN, CLERK


def coupon(services: Services, name: str, percent: str | None, amount: str | None):  # type: ignore[no-untyped-def]
    return services.catalog.taxes.create_coupon(
        CLERK, name=name, percent_off_text=percent, amount_off_text=amount,
        currency="usd" if amount else None, max_redemptions=None, redeem_by=None,
        form_nonce=new_form_nonce())


def _labels(services: Services, invoice_id: str) -> list[tuple[str, int, bool]]:
    shown = services.invoices.previews.saved(invoice_id)
    return [(d.label, d.amount, d.on_invoice) for d in shown.discounts]


def test_discount_names_survive_finalize_send_and_void(
    services: Services, make_customer  # type: ignore[no-untyped-def]
) -> None:
    buyer = make_customer()
    ten_off = coupon(services, "Ten off", "10", None)
    welcome = coupon(services, "Welcome", None, "5.00")
    draft = services.invoices.create_draft(
        CLERK, customer_id=buyer.id, days_until_due=30, memo=None, footer=None,
        po_number=None, currency="usd", form_nonce=new_form_nonce(), coupons=[welcome.id],
        items=[DraftItem(amount=5000, description="Setup", coupons=(ten_off.id,))])
    # the line's coupon takes 10 % of 5000 = 500, the invoice's 5.00 of the 4500 left
    expected = [("Ten off (10% off)", 500, False), ("Welcome ($5.00 off)", 500, True)]
    assert sorted(_labels(services, draft.id)) == sorted(expected)
    services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    assert sorted(_labels(services, draft.id)) == sorted(expected)
    services.invoices.send(ADMIN, draft.id, form_nonce=new_form_nonce())
    assert sorted(_labels(services, draft.id)) == sorted(expected)
    services.invoices.void(ADMIN, draft.id, reason="Wrong customer",
                           form_nonce=new_form_nonce())
    assert services.invoices.get(draft.id).status == "void"
    assert sorted(_labels(services, draft.id)) == sorted(expected)


def test_a_discount_the_read_model_never_saw_named_is_read_again(
    services: Services, make_customer  # type: ignore[no-untyped-def]
) -> None:
    """A coupon put on the draft outside the dashboard (its event not applied yet): the
    finalize answer names a discount the stored copy does not have, so the invoice is
    read again, expanded, rather than stored with an unnamed discount."""
    outside = coupon(services, "Outside", "20", None)
    draft = services.invoices.create_draft(
        CLERK, customer_id=make_customer().id, days_until_due=30, memo=None, footer=None,
        po_number=None, currency="usd", form_nonce=new_form_nonce(),
        items=[DraftItem(amount=2000, description="Audit")])
    services.client.v1.invoices.update(draft.id, {"discounts": [{"coupon": outside.id}]})
    services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    assert _labels(services, draft.id) == [("Outside (20% off)", 400, True)]
