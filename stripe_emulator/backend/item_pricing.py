"""How an invoice item (or a line added with ``add_lines``) is priced.

By ``pricing[price]`` (a catalog one-time price, in one of its
``currency_options`` when another currency is asked for; per unit, or by its
tiers), by ``price_data`` (an inline price on a catalog product), by
``unit_amount_decimal`` or by a flat ``amount``; times ``quantity`` or
``quantity_decimal``. Without a catalog price Stripe mints a one-off inline
price (and product) that ``pricing.price_details`` points at.
``amount = round_half_up(unit × quantity)`` (tiered: the tiers' sum).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from stripe_emulator.backend.prices import mint_inline_price
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, ParameterError
from stripe_emulator.lib.params import exclusive, nested
from stripe_emulator.models.price import PRICES, tiered_amount
from stripe_emulator.models.product import PRODUCTS

#: The pricing parameters; any of them given means the item is priced again.
PRICING_FIELDS = ("amount", "quantity", "quantity_decimal", "pricing", "price_data",
                  "unit_amount_decimal")


@dataclass(frozen=True)
class Priced:
    """The price an item uses (possibly in another currency), how many, and the amount."""

    price: dict[str, Any]
    quantity: Decimal
    amount: int

    @property
    def quantity_decimal(self) -> str:
        text = format(self.quantity.normalize(), "f")
        return text

    @property
    def whole_quantity(self) -> int:
        """``quantity`` as Stripe shows it: the decimal quantity truncated."""
        return int(self.quantity)


def missing(name: str) -> ParameterError:
    return ParameterError(f"Missing required param: {name}.", code="parameter_missing",
                          param=name)


def amount_of(price: dict[str, Any], quantity: Decimal) -> int:
    """What ``quantity`` units of ``price`` cost, in minor units (half up)."""
    transform = price.get("transform_quantity")
    if transform:
        rounding = ROUND_CEILING if transform["round"] == "up" else ROUND_FLOOR
        quantity = (quantity / transform["divide_by"]).quantize(Decimal(1), rounding)
    if price.get("billing_scheme") == "tiered":
        total = tiered_amount(price["_tiers"], price["tiers_mode"], quantity)
    else:
        total = Decimal(price["unit_amount_decimal"]) * quantity
    return int(total.quantize(Decimal(1), ROUND_HALF_UP))


def _in_currency(price: dict[str, Any], currency: str | None, param: str) -> dict[str, Any]:
    """``price`` as charged in ``currency`` (one of its ``currency_options``)."""
    if currency is None or currency == price["currency"]:
        return price
    option = (price.get("_currency_options") or {}).get(currency)
    if option is None:
        raise InvalidRequestError(
            f"The currency {currency} does not match the currency of price {price['id']} "
            f"({price['currency']}) or any of its currency_options.", param=param)
    return {**price, "currency": currency, "unit_amount_decimal": option["unit_amount_decimal"],
            "_tiers": option.get("tiers", price.get("_tiers"))}


def catalog_price(state: EmulatorState, price_id: str, currency: str | None,
                  param: str = "pricing[price]") -> dict[str, Any]:
    price = state.store.require_reference(PRICES, price_id, param=param)
    if price["type"] != "one_time":
        raise InvalidRequestError(
            f"The price specified is set to `type=recurring` but this field only accepts "
            f"prices with `type=one_time`: {price_id}.", param=param)
    if price["billing_scheme"] != "tiered" and price.get("unit_amount_decimal") is None:
        raise InvalidRequestError(
            f"The price {price_id} has a customer-chosen amount and cannot price an invoice "
            "item.", param=param)
    code = validate_currency(currency) if currency is not None else None
    return _in_currency(price, code, "currency")


def _quantity(fields: dict[str, Any]) -> Decimal | None:
    exclusive(fields, "quantity", "quantity_decimal")
    if fields.get("quantity_decimal") is not None:
        return Decimal(fields["quantity_decimal"])
    return None if fields.get("quantity") is None else Decimal(fields["quantity"])


def price_item(state: EmulatorState, fields: dict[str, Any], clock: str | None,
               current: dict[str, Any] | None = None,
               default_currency: str | None = None, prefix: str = "") -> Priced:
    """The pricing of ``fields`` (an item create/update, or one ``add_lines`` line).

    ``current``: the item being updated (its price and quantity stay unless replaced). A
    flat ``amount`` without ``currency`` takes ``default_currency`` (the invoice's).
    ``prefix`` names the parameters in refusals (``lines[0]``).
    """
    exclusive(fields, "amount", "quantity", "quantity_decimal")
    exclusive(fields, "pricing", "price_data", "amount", "unit_amount_decimal")
    currency = fields.get("currency")
    quantity = _quantity(fields)
    description = fields.get("description") or (current or {}).get("description")
    tax_behavior = fields.get("tax_behavior")
    if (fields.get("pricing") or {}).get("price"):
        price = catalog_price(state, fields["pricing"]["price"], currency,
                              nested(prefix, "pricing[price]"))
    elif fields.get("price_data") is not None:
        data = fields["price_data"]
        exclusive(data, "product", "product_data")
        if data.get("product"):
            state.store.require_reference(PRODUCTS, data["product"],
                                          param=nested(prefix, "price_data[product]"))
        elif data.get("product_data") is None:
            raise missing(nested(prefix, "price_data[product]"))
        exclusive(data, "unit_amount", "unit_amount_decimal")
        unit = data.get("unit_amount_decimal") or (
            str(data["unit_amount"]) if data.get("unit_amount") is not None else None)
        if unit is None:
            raise missing(nested(prefix, "price_data[unit_amount]"))
        product_data = data.get("product_data") or {}
        price = mint_inline_price(state, currency=validate_currency(
            data["currency"], nested(prefix, "price_data[currency]")), unit_amount_decimal=unit,
            product=data.get("product"), product_name=product_data.get("name"),
            test_clock=clock, tax_behavior=data.get("tax_behavior") or tax_behavior,
            tax_code=product_data.get("tax_code"))
    elif fields.get("unit_amount_decimal") is not None or fields.get("amount") is not None:
        item_currency = currency or (current or {}).get("currency") or default_currency
        if item_currency is None:
            raise missing(nested(prefix, "currency"))
        unit = fields.get("unit_amount_decimal") or str(fields["amount"])
        price = mint_inline_price(state, currency=validate_currency(item_currency),
                                  unit_amount_decimal=unit, product_name=description,
                                  test_clock=clock, tax_behavior=tax_behavior,
                                  tax_code=fields.get("tax_code"))
        if fields.get("amount") is not None:
            quantity = Decimal(1)
    elif current is not None:
        stored = state.store.require(PRICES, current["pricing"]["price_details"]["price"])
        price = _in_currency(stored, current["currency"], "currency")
        if quantity is None:
            quantity = Decimal(current["quantity_decimal"])
    else:
        raise missing(nested(prefix, "amount"))
    quantity = Decimal(1) if quantity is None else quantity
    return Priced(price, quantity, amount_of(price, quantity))
