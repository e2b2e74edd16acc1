"""The ``customer_balance_transaction`` object: one change of a customer's credit balance.

A customer's ``balance`` (minor units of the customer's currency; negative = credit the
customer has, positive = what they owe on their next invoice) only moves through these:
``adjustment`` (made through the API), ``credit_note`` (a credit note's ``credit_amount``),
``invoice_overpaid`` (what an invoice was overpaid), ``applied_to_invoice`` (a finalized
invoice used the balance). Each carries the balance after it (``ending_balance``).
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

BALANCE_TRANSACTIONS = register_table(
    TableSpec(
        name="customer_balance_transactions",
        object_name="customer_balance_transaction",
        columns=(Column("customer"), Column("invoice"), Column("credit_note")),
        indexes=(("customer",), ("customer", "invoice"), ("credit_note",)),
    )
)


def new_balance_transaction(*, transaction_id: str, created: int, customer: str, amount: int,
                            currency: str, ending_balance: int, kind: str,
                            invoice: str | None = None, credit_note: str | None = None,
                            description: str | None = None) -> dict[str, Any]:
    """A balance transaction with every endive field."""
    return {
        "id": transaction_id,
        "object": "customer_balance_transaction",
        "amount": amount,
        "checkout_session": None,
        "created": created,
        "credit_note": credit_note,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": description,
        "ending_balance": ending_balance,
        "invoice": invoice,
        "livemode": False,
        "metadata": {},
        "type": kind,
    }


def render(transaction: dict[str, Any]) -> dict[str, Any]:
    return public(transaction)
