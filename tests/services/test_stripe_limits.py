"""Stripe's currency rules and text limits are checked before anything is written.

Issue 14 items 3, 5 and 6: a KWD price of 1.235 or a custom KWD line of 5.124 is
refused naming the field (1.230 is accepted); a PO number of 608 characters is refused
naming "PO number" with nothing created (it used to be cut to 500 without a word); a
custom line of 6,007 characters is refused before the draft exists, and the corrected
form then makes exactly one draft. Every refusal is an ``InvalidInput`` naming the
field, and no POST reaches Stripe (the recorder sees every SDK request of the process).
"""

from __future__ import annotations

import pytest

from services.container import Services
from services.core import limits
from services.core.errors import InvalidInput
from services.core.idempotency import new_form_nonce
from services.core.models import Address, DraftItem
from tests.services.conftest import ADMIN
from tests.services.stripe_requests import record_stripe_requests


def refused(field: str, call, monkeypatch) -> InvalidInput:  # type: ignore[no-untyped-def]
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []  # nothing written
    return caught.value


def new_price(services: Services, product_id: str, amount_text: str, currency: str):  # type: ignore[no-untyped-def]
    return services.catalog.create_price(
        ADMIN, product_id=product_id, amount_text=amount_text, currency=currency,
        recurring_interval=None, nickname=None, form_nonce=new_form_nonce(),
    )  # fmt: skip


def draft(services: Services, customer_id: str, items, currency: str = "usd", **text):  # type: ignore[no-untyped-def]
    values = {"memo": None, "footer": None, "po_number": None} | text
    return services.invoices.create_draft(
        ADMIN, customer_id=customer_id, items=items, days_until_due=30, currency=currency,
        form_nonce=new_form_nonce(), **values,
    )  # fmt: skip


def drafts_of(services: Services, customer_id: str) -> list[str]:
    listed = services.client.v1.invoices.list(params={"customer": customer_id, "limit": 100})
    return [invoice.id for invoice in listed.data]


# -- currency rules (https://docs.stripe.com/currencies) -------------------------------------
def test_a_kwd_price_must_end_in_0(services: Services, make_price, monkeypatch) -> None:
    product_id = make_price().product_id
    error = refused("amount", lambda: new_price(services, product_id, "1.235", "kwd"), monkeypatch)
    assert "KWD amounts must end in 0" in str(error)
    assert "1.230 KWD" in str(error) and "1.240 KWD" in str(error)
    assert new_price(services, product_id, "1.230", "kwd").unit_amount == 1230


def test_a_custom_kwd_line_must_end_in_0(services: Services, make_customer, monkeypatch) -> None:
    customer = make_customer()
    items = [DraftItem(amount=5124, description="Setup")]
    error = refused(
        "items[0].amount", lambda: draft(services, customer.id, items, "kwd"), monkeypatch
    )
    assert "KWD amounts must end in 0" in str(error) and "5.124 KWD" in str(error)
    assert drafts_of(services, customer.id) == []
    invoice = draft(services, customer.id, [DraftItem(amount=5120, description="Setup")], "kwd")
    assert (invoice.total, invoice.currency) == (5120, "kwd")
    refused("amount", lambda: services.invoices.add_custom_item(
        ADMIN, invoice.id, amount_text="1.235", description="More", form_nonce=new_form_nonce()),
        monkeypatch)  # fmt: skip


def test_a_kwd_price_made_elsewhere_cannot_reach_an_invoice(
    services: Services, make_customer, make_price, monkeypatch
) -> None:
    # A price not ending in 0, made outside the dashboard (straight through the API).
    product_id = make_price().product_id
    raw = services.client.v1.prices.create(
        params={"product": product_id, "currency": "kwd", "unit_amount": 1235}
    )
    customer = make_customer()
    items = [DraftItem(price_id=raw.id, quantity=1)]
    error = refused(
        "items[0].price_id", lambda: draft(services, customer.id, items, "kwd"), monkeypatch
    )
    assert "must end in 0" in str(error)
    assert drafts_of(services, customer.id) == []


def test_isk_is_taken_in_whole_kronur(services: Services, make_price, monkeypatch) -> None:
    product_id = make_price().product_id
    error = refused("amount", lambda: new_price(services, product_id, "5.50", "isk"), monkeypatch)
    assert "whole krónur" in str(error)
    assert new_price(services, product_id, "5", "isk").unit_amount == 500


# -- Stripe's text limits, never cut -----------------------------------------------------------
def test_a_608_character_po_number_is_refused_naming_it(
    services: Services, make_customer, make_price, monkeypatch
) -> None:
    customer, price = make_customer(), make_price()
    items = [DraftItem(price_id=price.id, quantity=1)]
    error = refused("po_number", lambda: draft(
        services, customer.id, items, po_number="P" * 608), monkeypatch)  # fmt: skip
    assert "PO number" in str(error) and "608" in str(error) and "500" in str(error)
    assert drafts_of(services, customer.id) == []
    kept = draft(services, customer.id, items, po_number="P" * 500)
    assert kept.metadata["po_number"] == "P" * 500  # the whole text, as typed


@pytest.mark.parametrize(
    ("field", "limit"), [("memo", limits.INVOICE_MEMO), ("footer", limits.INVOICE_FOOTER)]
)
def test_memo_and_footer_longer_than_stripe_keeps_are_refused(
    services: Services, make_customer, make_price, monkeypatch, field: str, limit: int
) -> None:
    customer, price = make_customer(), make_price()
    items = [DraftItem(price_id=price.id, quantity=1)]
    refused(field, lambda: draft(services, customer.id, items, **{field: "m" * (limit + 1)}),
            monkeypatch)  # fmt: skip
    invoice = draft(services, customer.id, items, **{field: "m" * limit})
    assert len(getattr(invoice, field) or "") == limit


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", limits.CUSTOMER_NAME), ("email", limits.CUSTOMER_EMAIL),
     ("description", limits.CUSTOMER_DESCRIPTION)],
)  # fmt: skip
def test_customer_texts_longer_than_stripe_keeps_are_refused(
    services: Services, monkeypatch, field: str, limit: int
) -> None:
    values: dict[str, str | None] = {"name": "Acme", "email": "ap@example.com", "description": None}
    values[field] = "a" * (limit - len("@example.com") + 1) + "@example.com" if field == "email" \
        else "a" * (limit + 1)  # fmt: skip
    error = refused(field, lambda: services.customers.create(
        ADMIN, **values, address=None, form_nonce=new_form_nonce()), monkeypatch)  # type: ignore[arg-type]  # fmt: skip
    assert f"{limit:,}" in str(error)


def test_an_address_line_longer_than_stripe_keeps_is_refused(
    services: Services, monkeypatch
) -> None:
    address = Address(line1="x" * (limits.ADDRESS_PART + 1), country="DE")
    refused("address.line1", lambda: services.customers.create(
        ADMIN, name="Acme", email="ap@example.com", description=None, address=address,
        form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip


def test_product_name_and_price_nickname_limits(services: Services, make_price, monkeypatch):
    refused("name", lambda: services.catalog.create_product(
        ADMIN, name="n" * (limits.PRODUCT_NAME + 1), description=None,
        form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip
    product_id = make_price().product_id
    nickname = "n" * (limits.PRICE_NICKNAME + 1)
    refused("nickname", lambda: services.catalog.create_price(
        ADMIN, product_id=product_id, amount_text="10", currency="usd", recurring_interval=None,
        nickname=nickname, form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip


def test_a_void_reason_kept_in_metadata_is_refused_not_cut(
    services: Services, make_invoice, monkeypatch
) -> None:
    invoice = make_invoice("open")
    refused("reason", lambda: services.invoices.void(
        ADMIN, invoice.id, reason="r" * 501, form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip
    voided = services.invoices.void(ADMIN, invoice.id, reason="r" * 500,
                                    form_nonce=new_form_nonce())  # fmt: skip
    assert voided.metadata["void_reason"] == "r" * 500


def test_metadata_and_custom_field_limits() -> None:
    with pytest.raises(InvalidInput) as caught:
        limits.check_metadata({f"k{n}": "v" for n in range(51)})
    assert caught.value.field == "metadata"
    with pytest.raises(InvalidInput) as caught:
        limits.check_metadata({"k" * 41: "v"})
    assert caught.value.field == "k" * 41
    with pytest.raises(InvalidInput) as caught:
        limits.check_metadata({"po[1]": "v"})
    assert caught.value.field == "po[1]"
    with pytest.raises(InvalidInput) as caught:
        limits.check_custom_fields([("Ref", "v")] * 5)
    assert caught.value.field == "custom_fields"
    with pytest.raises(InvalidInput) as caught:
        limits.check_custom_fields([("Ref", "v"), ("Ref", "v" * 141)])
    assert caught.value.field == "custom_fields[1].value"
    limits.check_custom_fields([("n" * 40, "v" * 140)] * 4)


# -- no half-made drafts -----------------------------------------------------------------------
def test_a_6007_character_line_is_refused_before_the_draft_exists(
    services: Services, make_customer, make_price, monkeypatch
) -> None:
    customer, price = make_customer(), make_price()
    too_long = [DraftItem(price_id=price.id, quantity=1),
                DraftItem(amount=1000, description="d" * 6007)]  # fmt: skip
    error = refused("items[1].description", lambda: draft(services, customer.id, too_long),
                    monkeypatch)  # fmt: skip
    assert "6,007" in str(error) and "5,000" in str(error)
    assert drafts_of(services, customer.id) == []
    corrected = [too_long[0], DraftItem(amount=1000, description="d" * 5000)]
    made = draft(services, customer.id, corrected)
    assert drafts_of(services, customer.id) == [made.id]  # exactly one draft
    assert made.total == price.unit_amount + 1000  # type: ignore[operator]
