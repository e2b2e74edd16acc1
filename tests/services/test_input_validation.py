"""Every text sent to Stripe is checked first, amounts are ASCII digits within Stripe's limit.

Each refusal is an ``InvalidInput`` naming the form field, and nothing reaches Stripe:
no POST is sent (the recorder sees every request of every SDK client in this process).
"""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.errors import InvalidInput
from services.core.idempotency import new_form_nonce
from services.core.models import Address, DraftItem
from services.core.money import MAX_AMOUNT, parse_amount
from services.core.text import clean_text
from tests.services.conftest import ADMIN
from tests.services.stripe_requests import record_stripe_requests

BAD_TEXTS = {"nul": "Acme\x00 Corp", "bell": "bell\x07", "surrogate": "\ud800", "esc": "a\x1b[31m"}


def writes(seen) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [sent for sent in seen.sent if sent[0] != "GET"]


def refused(field: str, call, monkeypatch) -> InvalidInput:  # type: ignore[no-untyped-def]
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    assert writes(seen) == []  # nothing was created or changed in Stripe
    assert "\ud800" not in str(caught.value)
    return caught.value


# -- the one text check ------------------------------------------------------------------
@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_clean_text_refuses_control_characters_and_lone_surrogates(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_text(text, field="name", label="customer's name")
    assert caught.value.field == "name"
    assert "customer's name" in str(caught.value)


def test_clean_text_keeps_line_breaks_and_tabs_only_where_several_lines_are_allowed() -> None:
    assert clean_text(" a\r\n\tb ", field="memo", label="memo", multiline=True) == "a\n\tb"
    with pytest.raises(InvalidInput):
        clean_text("a\nb", field="name", label="name")
    name = "Café Zürich – 株式会社"
    assert clean_text(name, field="name", label="name") == name


# -- customers -----------------------------------------------------------------------------
@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
@pytest.mark.parametrize("field", ["name", "email", "description"])
def test_customer_text_is_checked_before_stripe(services: Services, monkeypatch, field, text):
    values = {"name": "Acme Corp", "email": "ap@example.com", "description": None}
    values[field] = text if field != "email" else f"ap{text}@example.com"
    refused(field, lambda: services.customers.create(
        ADMIN, **values, address=None, form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip


@pytest.mark.parametrize("part", ["line1", "line2", "city", "state", "postal_code", "country"])
def test_every_address_part_is_checked(services: Services, make_customer, monkeypatch, part):
    customer = make_customer()
    address = Address(**{part: "X\x00Y" if part != "country" else "\ud800"})
    refused(f"address.{part}", lambda: services.customers.update(
        ADMIN, customer.id, name="Acme", email="ap@example.com", description=None,
        address=address, form_nonce=new_form_nonce()), monkeypatch)  # fmt: skip


def test_a_refused_text_is_audited_as_a_failure(services: Services) -> None:
    with pytest.raises(InvalidInput):
        services.customers.create(
            ADMIN, name="\ud800", email="ap@example.com", description=None, address=None,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    row = services.audit.table(username=ADMIN.username).iloc[0]
    assert (row["action"], row["outcome"]) == ("create_customer", "failure")
    assert "broken character" in row["error"]


# -- catalog -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_product_name_and_description_are_checked(services: Services, monkeypatch, text):
    refused("name", lambda: services.catalog.create_product(
        ADMIN, name=text, description=None, form_nonce=new_form_nonce()), monkeypatch)
    refused("description", lambda: services.catalog.create_product(
        ADMIN, name="Gold", description=text, form_nonce=new_form_nonce()), monkeypatch)


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_price_nickname_is_checked(services: Services, make_price, monkeypatch, text):
    product_id = make_price().product_id
    refused("nickname", lambda: services.catalog.create_price(
        ADMIN, product_id=product_id, amount_text="10", currency="usd",
        recurring_interval=None, nickname=text, form_nonce=new_form_nonce()), monkeypatch)


@pytest.mark.parametrize("amount", ["１２３.４５", "١٢٣", "１２３", "12３"])
def test_amounts_only_from_ascii_digits(services: Services, make_price, monkeypatch, amount):
    with pytest.raises(ValueError, match="digits 0-9"):
        parse_amount(amount, "usd")
    product_id = make_price().product_id
    error = refused("amount", lambda: services.catalog.create_price(
        ADMIN, product_id=product_id, amount_text=amount, currency="usd",
        recurring_interval=None, nickname=None, form_nonce=new_form_nonce()), monkeypatch)
    assert "0-9" in str(error)


# -- invoices ------------------------------------------------------------------------------
def draft(services: Services, customer_id: str, items, **text):  # type: ignore[no-untyped-def]
    values = {"memo": None, "footer": None, "po_number": None} | text
    return services.invoices.create_draft(
        ADMIN, customer_id=customer_id, items=items, days_until_due=30, currency="usd",
        form_nonce=new_form_nonce(), **values,
    )  # fmt: skip


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
@pytest.mark.parametrize("field", ["memo", "footer", "po_number"])
def test_invoice_texts_are_checked(services: Services, make_customer, make_price, monkeypatch,
                                   field, text):
    customer, price = make_customer(), make_price()
    items = [DraftItem(price_id=price.id, quantity=1)]
    refused(field, lambda: draft(services, customer.id, items, **{field: text}), monkeypatch)


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_custom_line_description_is_checked(services: Services, make_customer, make_invoice,
                                            monkeypatch, text):
    items, customer = [DraftItem(amount=1000, description=text)], make_customer()
    refused("items[0].description", lambda: draft(services, customer.id, items), monkeypatch)
    invoice = make_invoice("draft")
    refused("description", lambda: services.invoices.add_custom_item(
        ADMIN, invoice.id, amount_text="10", description=text, form_nonce=new_form_nonce()),
        monkeypatch)  # fmt: skip


@pytest.mark.parametrize("amount", ["１２３.４５", "١٢٣"])
def test_custom_amount_only_from_ascii_digits(services: Services, make_invoice, monkeypatch,
                                              amount):
    invoice = make_invoice("draft")
    refused("amount", lambda: services.invoices.add_custom_item(
        ADMIN, invoice.id, amount_text=amount, description="Setup", form_nonce=new_form_nonce()),
        monkeypatch)  # fmt: skip


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_reasons_and_notes_are_checked(services: Services, make_invoice, monkeypatch, text):
    invoice = make_invoice("open")
    refused("reason", lambda: services.invoices.void(
        ADMIN, invoice.id, reason=text, form_nonce=new_form_nonce()), monkeypatch)
    refused("reason", lambda: services.invoices.mark_uncollectible(
        ADMIN, invoice.id, reason=text, form_nonce=new_form_nonce()), monkeypatch)
    refused("note", lambda: services.invoices.record_payment(
        ADMIN, invoice.id, note=text, form_nonce=new_form_nonce()), monkeypatch)
    assert services.invoices._current(invoice.id).status == "open"


def test_a_reason_may_have_several_lines(services: Services, make_invoice) -> None:
    invoice = make_invoice("open")
    voided = services.invoices.void(
        ADMIN, invoice.id, reason="issued twice\n\tsee ticket 12", form_nonce=new_form_nonce()
    )
    assert voided.metadata["void_reason"] == "issued twice\n\tsee ticket 12"


# -- Stripe's amount limit -------------------------------------------------------------------
def test_price_times_quantity_above_the_limit_is_refused(services: Services, make_customer,
                                                         make_price, monkeypatch):
    customer, price = make_customer(), make_price("999,999.99")
    items = [DraftItem(price_id=price.id, quantity=1), DraftItem(price_id=price.id, quantity=2)]
    error = refused("items[1].quantity", lambda: draft(services, customer.id, items), monkeypatch)
    assert "$1,999,999.98" in str(error) and "$999,999.99" in str(error)


def test_a_1_234_000_usd_price_times_100_is_refused(services: Services, make_customer,
                                                    monkeypatch):
    # A price above the limit cannot even be created (1,234,000.00 USD)...
    with pytest.raises(InvalidInput) as caught:
        services.catalog.create_price(
            ADMIN, product_id="prod_x", amount_text="1,234,000.00", currency="usd",
            recurring_interval=None, nickname=None, form_nonce=new_form_nonce(),
        )  # fmt: skip
    assert caught.value.field == "amount"


def test_line_amount_of_an_allowed_price_times_quantity(services: Services, make_customer,
                                                        make_price, monkeypatch):
    customer, price = make_customer(), make_price("12,340.00")  # x 100 = $1,234,000.00
    items = [DraftItem(price_id=price.id, quantity=100)]
    error = refused("items[0].quantity", lambda: draft(services, customer.id, items), monkeypatch)
    assert "$1,234,000.00" in str(error)
    with pytest.raises(InvalidInput) as caught:  # Stripe's preview is not even asked
        services.invoices.previews.new_invoice(items=items, currency="usd")
    assert caught.value.field == "items[0].quantity"


def test_invoice_total_above_the_limit_is_refused(services: Services, make_customer,
                                                  monkeypatch):
    items = [DraftItem(amount=MAX_AMOUNT, description="Big one"),
             DraftItem(amount=1, description="One cent more")]  # fmt: skip
    customer = make_customer()
    error = refused("items[1].amount", lambda: draft(services, customer.id, items), monkeypatch)
    assert "$1,000,000.00" in str(error)


def test_adding_an_item_past_the_limit_is_refused(services: Services, make_customer,
                                                  make_price, monkeypatch):
    customer = make_customer()
    invoice = draft(services, customer.id, [DraftItem(amount=MAX_AMOUNT, description="Big one")])
    refused("items[0].amount", lambda: services.invoices.add_custom_item(
        ADMIN, invoice.id, amount_text="0.01", description="More", form_nonce=new_form_nonce()),
        monkeypatch)  # fmt: skip
    price = make_price("1")
    refused("items[0].quantity", lambda: services.invoices.add_price_item(
        ADMIN, invoice.id, price_id=price.id, quantity=1, form_nonce=new_form_nonce()),
        monkeypatch)  # fmt: skip
    assert services.invoices._current(invoice.id).total == MAX_AMOUNT


def test_the_limit_itself_is_accepted(services: Services, make_customer) -> None:
    invoice = draft(services, make_customer().id, [
        DraftItem(amount=MAX_AMOUNT - 1, description="Almost"),
        DraftItem(amount=1, description="Exactly"),
    ])  # fmt: skip
    assert invoice.total == MAX_AMOUNT
