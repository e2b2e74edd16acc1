"""Loaders of ``expand[]``: how each expandable reference becomes the object it names.

Each is ``loader(state, current_value, owner) -> expanded value``. Which
``(object type, field path)`` uses which loader is listed once, in
``backend.registry``, from which every state gets its ``ExpandTable``. They live
in the backend (not the HTTP edge) because the state owns them: expansion works
on a state driven without the API modules.

A reference to an object that is gone expands to its deleted stub (customers,
invoices) or stays the bare id (a price), as before they moved here.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import payments
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.models.balance_transaction import BALANCE_TRANSACTIONS
from stripe_emulator.models.balance_transaction import render as render_balance_transaction
from stripe_emulator.models.credit_note import CREDIT_NOTES
from stripe_emulator.models.credit_note import render as render_credit_note
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.customer import render as render_customer
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice import render as render_invoice
from stripe_emulator.models.payment import PAYMENT_INTENTS
from stripe_emulator.models.payment import render as render_payment
from stripe_emulator.models.payment_record import PAYMENT_RECORDS
from stripe_emulator.models.payment_record import render as render_payment_record
from stripe_emulator.models.price import PRICES, all_currency_options
from stripe_emulator.models.price import render as render_price
from stripe_emulator.models.product import PRODUCTS
from stripe_emulator.models.product import render as render_product
from stripe_emulator.models.test_clock import TEST_CLOCKS


def test_clock(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``customer.test_clock``."""
    return state.store.get(TEST_CLOCKS, value) if value else None


def customer(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """A ``customer`` reference (invoices, items, payment intents); deleted ones as stubs."""
    if not value:
        return None
    return render_customer(state.store.get(CUSTOMERS, value) or {"id": value, "_deleted": True})


def invoice(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """An ``invoice`` reference (items, invoice payments); deleted ones as stubs."""
    if not value:
        return None
    return render_invoice(state.store.get(INVOICES, value) or {"id": value, "_deleted": True})


def invoice_payments(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``invoice.payments``: includable, not a reference (absent until asked for)."""
    return payments.payments_of(state, owner["id"])


def payment_intent(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``invoice_payment.payment.payment_intent``."""
    if not value:
        return None
    return render_payment(state.store.get(PAYMENT_INTENTS, value) or {"id": value})


def payment_record(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``invoice_payment.payment.payment_record``."""
    if not value:
        return None
    return render_payment_record(state.store.get(PAYMENT_RECORDS, value) or {"id": value})


def credit_note(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``customer_balance_transaction.credit_note``."""
    found = state.store.get(CREDIT_NOTES, value) if value else None
    return render_credit_note(found) if found else value


def balance_transaction(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``credit_note.customer_balance_transaction``."""
    found = state.store.get(BALANCE_TRANSACTIONS, value) if value else None
    return render_balance_transaction(found) if found else value


def line_price(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``pricing.price_details.price`` of items and lines; the id stays if the price is gone."""
    if not isinstance(value, str):
        return value
    price = state.store.get(PRICES, value)
    return render_price(price) if price else value


def price(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``product.default_price``."""
    return render_price(state.store.require(PRICES, value)) if isinstance(value, str) else value


def product(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``price.product``."""
    if isinstance(value, str):
        return render_product(state.store.require(PRODUCTS, value))
    return value


def price_currency_options(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``price.currency_options`` (includable): every currency, the price's own first."""
    stored = state.store.get(PRICES, owner["id"])
    return all_currency_options(stored) if stored else None


def price_tiers(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``price.tiers`` (includable): null for a per-unit price."""
    stored = state.store.get(PRICES, owner["id"]) or {}
    return stored.get("_tiers")


def amount_paid_off_stripe(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``invoice.amount_paid_off_stripe`` (includable): what was paid out of band."""
    stored = state.store.get(INVOICES, owner["id"]) or {}
    return int(stored.get("_amount_paid_off_stripe", 0))


def confirmation_secret(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``invoice.confirmation_secret`` (includable): the client secret of the invoice's
    PaymentIntent while it can still be paid, else null."""
    if owner.get("status") not in ("open", "uncollectible"):
        return None
    payment = payments.default_payment(state, owner["id"])
    intent = state.store.get(PAYMENT_INTENTS, payment["payment"]["payment_intent"]) \
        if payment else None
    if intent is None:
        return None
    return {"client_secret": intent["client_secret"], "type": "payment_intent"}
