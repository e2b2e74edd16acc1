"""The ``invoiceitem`` object (basil+ shape: price info under ``pricing``) and its table.

An item is *pending* while ``invoice`` is null; attached to a draft it is
mirrored by one line of that invoice (``models.invoice_line``).
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

INVOICE_ITEMS = register_table(
    TableSpec(
        name="invoice_items",
        object_name="invoiceitem",
        columns=(
            Column("customer"),
            Column("invoice"),
            Column("currency"),
        ),
        indexes=(("customer", "invoice"), ("invoice",)),
        created_field="date",
    )
)

#: Stripe's limit of invoice items on one invoice.
MAX_ITEMS_PER_INVOICE = 250


def new_invoice_item(*, item_id: str, created: int, customer: str, currency: str,
                     amount: int, quantity: int, unit_amount_decimal: str, price: str,
                     product: str, test_clock: str | None) -> dict[str, Any]:
    """An item with every endive field (``date`` is its creation time)."""
    return {
        "id": item_id,
        "object": "invoiceitem",
        "amount": amount,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "date": created,
        "description": None,
        "discountable": amount >= 0,
        "discounts": [],
        "frozen_fields": None,
        "invoice": None,
        "invoicing_rules": None,
        "livemode": False,
        "metadata": {},
        "net_amount": amount,
        "parent": None,
        "period": {"end": created, "start": created},
        "pricing": pricing(price, product, unit_amount_decimal),
        "proration": False,
        "proration_details": {"credited_items": None},
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": test_clock,
    }


def pricing(price: str, product: str, unit_amount_decimal: str) -> dict[str, Any]:
    return {"price_details": {"price": price, "product": product}, "type": "price_details",
            "unit_amount_decimal": unit_amount_decimal}


def render(item: dict[str, Any]) -> dict[str, Any]:
    return public(item)
