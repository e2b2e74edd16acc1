"""The ``price`` object: endive shape, table (product, active, currency, type, lookup key).

Prices minted inline (``price_data``, amount-only invoice items) carry the
private flag ``_inline`` and never appear in price lists or searches.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stripe_emulator.lib.search import SearchField, metadata_field
from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

PRICES = register_table(
    TableSpec(
        name="prices",
        object_name="price",
        columns=(
            Column("product"),
            Column("active", "INTEGER"),
            Column("currency"),
            Column("type"),
            Column("lookup_key"),
            Column("inline", "INTEGER", lambda p: int(bool(p.get("_inline")))),
        ),
        # Lists always filter inline and active: they lead the indexes (see models/customer.py).
        indexes=(("product", "inline"), ("inline", "active"), ("inline", "active", "product"),
                 ("inline", "active", "lookup_key"), ("lookup_key",)),
    )
)

SEARCH_FIELDS = {
    "active": SearchField("active", "boolean", "active"),
    "currency": SearchField("currency", "token", "currency", lower_value=True),
    "lookup_key": SearchField("lookup_key", "string", "lookup_key", exact=True),
    "metadata": metadata_field(),
    "product": SearchField("product", "token", "product"),
    "type": SearchField("type", "token", "type", lower_value=True),
}


def new_price(
    *,
    price_id: str,
    created: int,
    currency: str,
    product: str,
    unit_amount_decimal: str | None,
    recurring: dict[str, Any] | None,
    custom_unit_amount: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A per-unit price; ``unit_amount`` is set when the decimal amount is whole."""
    unit_amount = None
    if unit_amount_decimal is not None and Decimal(unit_amount_decimal) % 1 == 0:
        unit_amount = int(Decimal(unit_amount_decimal))
    return {
        "id": price_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": custom_unit_amount,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": product,
        "recurring": recurring,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": unit_amount_decimal,
    }


def render(price: dict[str, Any]) -> dict[str, Any]:
    return public(price)
