"""The ``line_item`` object (an invoice's line), built from the invoice item it mirrors."""

from __future__ import annotations

import copy
from typing import Any


def line_for_item(line_id: str, item: dict[str, Any], invoice_id: str) -> dict[str, Any]:
    """The invoice line showing ``item`` (basil+ shape: ``parent``, ``pricing``, ``taxes``)."""
    return {
        "id": line_id,
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": item["discountable"],
        "discounts": list(item.get("discounts") or []),
        "invoice": invoice_id,
        "livemode": False,
        "metadata": dict(item["metadata"]),
        "parent": {
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        },
        "period": dict(item["period"]),
        "pretax_credit_amounts": [],
        "pricing": copy.deepcopy(item["pricing"]),
        "quantity": item["quantity"],
        "quantity_decimal": item["quantity_decimal"],
        "subscription": None,
        "subtotal": item["amount"],
        "taxes": [],
        # What the totals need of the item (never shown: ``invoice_totals.public_line``).
        "_tax_rates": [dict(rate) for rate in item.get("tax_rates") or []],
        "_discounts": copy.deepcopy(item.get("_discounts") or []),
        "_tax_amounts": copy.deepcopy(item.get("_tax_amounts")),
    }


def item_id_of(line: dict[str, Any]) -> str:
    return line["parent"]["invoice_item_details"]["invoice_item"]
