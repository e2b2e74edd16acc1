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


def tier(*, up_to: int | None, unit_amount_decimal: str | None,
         flat_amount_decimal: str | None) -> dict[str, Any]:
    """One tier as Stripe shows it (``up_to`` null for the last, "inf", tier)."""
    return {"flat_amount": _whole(flat_amount_decimal), "flat_amount_decimal": flat_amount_decimal,
            "unit_amount": _whole(unit_amount_decimal), "unit_amount_decimal": unit_amount_decimal,
            "up_to": up_to}


def currency_option(*, unit_amount_decimal: str | None, tax_behavior: str | None,
                    tiers: list[dict[str, Any]] | None,
                    custom_unit_amount: dict[str, Any] | None) -> dict[str, Any]:
    """A price's amounts in one more currency (``currency_options[<currency>]``)."""
    option: dict[str, Any] = {
        "custom_unit_amount": None if custom_unit_amount is None else {
            k: custom_unit_amount.get(k) for k in ("maximum", "minimum", "preset")},
        "tax_behavior": tax_behavior or "unspecified",
        "unit_amount": _whole(unit_amount_decimal),
        "unit_amount_decimal": unit_amount_decimal,
    }
    if tiers is not None:
        option["tiers"] = tiers
    return option


def all_currency_options(price: dict[str, Any]) -> dict[str, Any]:
    """``currency_options`` as Stripe includes it: the price's own currency, then the others."""
    own = currency_option(unit_amount_decimal=price["unit_amount_decimal"],
                          tax_behavior=price["tax_behavior"], tiers=price.get("_tiers"),
                          custom_unit_amount=price["custom_unit_amount"])
    return {price["currency"]: own, **(price.get("_currency_options") or {})}


def tiered_amount(tiers: list[dict[str, Any]], mode: str, quantity: Decimal) -> Decimal:
    """What ``quantity`` units cost: ``volume`` prices all units at the tier reached,
    ``graduated`` prices each band at its own tier; each tier adds its flat amount."""
    def cost(entry: dict[str, Any], units: Decimal) -> Decimal:
        unit = Decimal(entry["unit_amount_decimal"] or 0)
        return unit * units + Decimal(entry["flat_amount_decimal"] or 0)

    if mode == "volume":
        reached = next(t for t in tiers if t["up_to"] is None or quantity <= t["up_to"])
        return cost(reached, quantity)
    total, floor = Decimal(0), Decimal(0)
    for entry in tiers:
        if quantity <= floor:
            break
        ceiling = quantity if entry["up_to"] is None else min(quantity, Decimal(entry["up_to"]))
        total += cost(entry, ceiling - floor)
        floor = ceiling
    return total


def _whole(decimal_text: str | None) -> int | None:
    if decimal_text is None or Decimal(decimal_text) % 1 != 0:
        return None
    return int(Decimal(decimal_text))


def render(price: dict[str, Any]) -> dict[str, Any]:
    return public(price)
