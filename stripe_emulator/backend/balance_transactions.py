"""Customer balance transactions (``/v1/customers/{id}/balance_transactions``).

Follows Stripe's "Customer balance transactions" API: every change of a customer's
``balance`` is one ``customer_balance_transaction`` (``cbtxn_…``) carrying the balance after
it. Made by hand (``adjustment``), by a credit note crediting the balance (``credit_note``),
by an overpaid invoice (``invoice_overpaid``) and by finalizing an invoice that uses the
balance (``applied_to_invoice``). Amounts are minor units of the customer's currency
(negative = a credit to the customer); the first transaction sets a customer's
``currency`` if it had none.
"""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.backend.customers import live_customer, save_customer
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, ResourceMissingError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import balance_transaction as model
from stripe_emulator.models.balance_transaction import BALANCE_TRANSACTIONS
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.customer import CUSTOMERS


def apply_transaction(state: EmulatorState, customer: dict[str, Any], amount: int,
                      currency: str, kind: str, *, invoice_id: str | None = None,
                      credit_note_id: str | None = None,
                      description: str | None = None) -> dict[str, Any]:
    """Move ``customer``'s balance by ``amount`` (in place; the caller saves the customer)
    and store the transaction saying so; returns it."""
    customer["balance"] = int(customer.get("balance") or 0) + amount
    if not customer.get("currency"):
        customer["currency"] = currency
    transaction = model.new_balance_transaction(
        transaction_id=new_id("cbtxn"), created=state.now(customer.get("test_clock")),
        customer=customer["id"], amount=amount, currency=currency,
        ending_balance=customer["balance"], kind=kind, invoice=invoice_id,
        credit_note=credit_note_id, description=description)
    state.store.insert(BALANCE_TRANSACTIONS, transaction)
    return transaction


def record(state: EmulatorState, customer_id: str, amount: int, currency: str, kind: str,
           *, invoice_id: str | None = None,
           credit_note_id: str | None = None) -> dict[str, Any] | None:
    """A transaction for the customer ``customer_id`` (saved, ``customer.updated``); none
    for a customer deleted meanwhile."""
    customer = state.store.get(CUSTOMERS, customer_id)
    if customer is None or customer.get("_deleted"):
        return None
    before = copy.deepcopy(customer)
    transaction = apply_transaction(state, customer, amount, currency, kind,
                                    invoice_id=invoice_id, credit_note_id=credit_note_id)
    save_customer(state, customer, before)
    return transaction


def create_transaction(state: EmulatorState, customer_id: str,
                       fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/customers/{id}/balance_transactions``: an ``adjustment`` of ``amount``
    (minor units; negative credits the customer) in ``currency``.

    Raises 404 for a missing or deleted customer, 400 naming ``currency`` for an
    unsupported one or one other than the customer's currency.
    """
    customer = live_customer(state, customer_id, param="customer")
    currency = validate_currency(fields["currency"])
    if customer.get("currency") and customer["currency"] != currency:
        raise InvalidRequestError(
            f"The currency {currency} does not match the customer's currency "
            f"({customer['currency']}): a customer's balance is in one currency.",
            param="currency")
    before = copy.deepcopy(customer)
    transaction = apply_transaction(state, customer, int(fields["amount"]), currency,
                                    "adjustment", description=fields.get("description"))
    transaction["metadata"] = apply_metadata({}, fields.get("metadata"))
    state.store.update(BALANCE_TRANSACTIONS, transaction)
    save_customer(state, customer, before)
    return transaction


def _require(state: EmulatorState, customer_id: str, transaction_id: str) -> dict[str, Any]:
    live_customer(state, customer_id, param="customer")
    transaction = state.store.get(BALANCE_TRANSACTIONS, transaction_id)
    if transaction is None or transaction["customer"] != customer_id:
        raise ResourceMissingError("customer_balance_transaction", transaction_id)
    return transaction


def retrieve_transaction(state: EmulatorState, customer_id: str,
                         transaction_id: str) -> dict[str, Any]:
    """One of the customer's transactions; 404 naming ``id`` for another customer's."""
    return _require(state, customer_id, transaction_id)


def update_transaction(state: EmulatorState, customer_id: str, transaction_id: str,
                       fields: dict[str, Any]) -> dict[str, Any]:
    """Only ``description`` and ``metadata`` change (the amount never does)."""
    transaction = _require(state, customer_id, transaction_id)
    if "description" in fields:
        transaction["description"] = fields["description"]
    if "metadata" in fields:
        transaction["metadata"] = apply_metadata(transaction["metadata"] or {},
                                                 fields["metadata"])
    state.store.update(BALANCE_TRANSACTIONS, transaction)
    return transaction


def list_transactions(state: EmulatorState, customer_id: str, params: dict[str, Any],
                      url: str) -> dict[str, Any]:
    """Newest first; ``invoice`` and ``created`` filters."""
    live_customer(state, customer_id, param="customer")
    where = Where().eq("customer", customer_id)
    if params.get("invoice"):
        where.eq("invoice", params["invoice"])
    where.range("created", params.get("created"))
    return list_page(state.store, BALANCE_TRANSACTIONS, where, params, url, model.render)
