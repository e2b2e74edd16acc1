"""Invoice item use cases: create, retrieve, update, delete, list (with events).

An item is priced by ``pricing[price]`` (× ``quantity``), by ``price_data``,
by ``unit_amount_decimal`` (× ``quantity``) or by a flat ``amount``; without a
catalog price Stripe mints a one-off inline price (and product), and
``pricing.price_details`` points at it. An item given ``invoice`` becomes a line
of that draft; otherwise it stays pending for the customer's next invoice
created with ``pending_invoice_items_behavior=include``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stripe_emulator.backend.customers import referenced_customer
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoicing import (
    NOT_EDITABLE,
    attach_item,
    detach_item,
    refresh_item_line,
    save_invoice,
)
from stripe_emulator.backend.prices import mint_inline_price
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.params import exclusive
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import invoice_item as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice import clone as model_clone
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from stripe_emulator.models.price import PRICES
from stripe_emulator.models.product import PRODUCTS


def _missing(name: str) -> ParameterError:
    return ParameterError(f"Missing required param: {name}.", code="parameter_missing",
                          param=name)


def _times(unit_amount_decimal: str, quantity: int) -> int:
    return int((Decimal(unit_amount_decimal) * quantity).quantize(Decimal(1), ROUND_HALF_UP))


def _catalog_price(state: EmulatorState, price_id: str, currency: str | None) -> dict[str, Any]:
    price = state.store.require_reference(PRICES, price_id, param="pricing[price]")
    if price["type"] != "one_time":
        raise InvalidRequestError(
            f"The price specified is set to `type=recurring` but this field only accepts "
            f"prices with `type=one_time`: {price_id}.", param="pricing[price]")
    if price.get("unit_amount_decimal") is None:
        raise InvalidRequestError(
            f"The price {price_id} has a customer-chosen amount and cannot price an invoice "
            "item.", param="pricing[price]")
    if currency is not None and validate_currency(currency) != price["currency"]:
        raise InvalidRequestError(
            f"The currency {currency} does not match the currency of price {price_id} "
            f"({price['currency']}).", param="currency")
    return price


def _price_for(state: EmulatorState, fields: dict[str, Any], clock: str | None,
               current: dict[str, Any] | None = None,
               default_currency: str | None = None) -> tuple[dict[str, Any], int, int]:
    """``(price, quantity, amount)`` per the pricing parameters given (or ``current``).

    A flat ``amount`` without ``currency`` takes ``default_currency`` (the invoice's).
    """
    exclusive(fields, "amount", "quantity")
    exclusive(fields, "pricing", "price_data", "amount", "unit_amount_decimal")
    currency = fields.get("currency")
    quantity = fields.get("quantity")
    description = fields.get("description") or (current or {}).get("description")
    if (fields.get("pricing") or {}).get("price"):
        price = _catalog_price(state, fields["pricing"]["price"], currency)
    elif fields.get("price_data") is not None:
        data = fields["price_data"]
        state.store.require_reference(PRODUCTS, data["product"], param="price_data[product]")
        exclusive(data, "unit_amount", "unit_amount_decimal")
        unit = data.get("unit_amount_decimal") or (
            str(data["unit_amount"]) if data.get("unit_amount") is not None else None)
        if unit is None:
            raise _missing("price_data[unit_amount]")
        price = mint_inline_price(state, currency=validate_currency(
            data["currency"], "price_data[currency]"), unit_amount_decimal=unit,
            product=data["product"], test_clock=clock)
    elif fields.get("unit_amount_decimal") is not None or fields.get("amount") is not None:
        item_currency = currency or (current or {}).get("currency") or default_currency
        if item_currency is None:
            raise _missing("currency")
        unit = fields.get("unit_amount_decimal") or str(fields["amount"])
        price = mint_inline_price(state, currency=validate_currency(item_currency),
                                  unit_amount_decimal=unit, product_name=description,
                                  test_clock=clock)
        if fields.get("amount") is not None:
            quantity = 1
    elif current is not None:
        price = state.store.require(PRICES, current["pricing"]["price_details"]["price"])
        if quantity is None:
            quantity = current["quantity"]
    else:
        raise _missing("amount")
    quantity = 1 if quantity is None else quantity
    return price, quantity, _times(price["unit_amount_decimal"], quantity)


def _apply_plain(item: dict[str, Any], fields: dict[str, Any]) -> None:
    if "description" in fields:
        item["description"] = fields["description"]
    if fields.get("discountable") is not None:
        item["discountable"] = fields["discountable"]
    if "metadata" in fields:
        item["metadata"] = apply_metadata(item["metadata"], fields["metadata"])
    if fields.get("period") is not None:
        item["period"] = {"end": fields["period"]["end"], "start": fields["period"]["start"]}


def create_invoice_item(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    invoice = state.store.require_reference(INVOICES, fields["invoice"], param="invoice") \
        if fields.get("invoice") else None
    customer_id = fields.get("customer") or (invoice["customer"] if invoice else None)
    if customer_id is None:
        raise _missing("customer")
    if invoice is not None and invoice["customer"] != customer_id:
        raise InvalidRequestError(
            f"The invoice {invoice['id']} belongs to customer {invoice['customer']}, not "
            f"{customer_id}.", param="invoice")
    customer = referenced_customer(state, customer_id)
    clock = customer.get("test_clock")
    price, quantity, amount = _price_for(state, fields, clock, default_currency=(
        invoice["currency"] if invoice is not None else customer.get("currency")))
    item = model.new_invoice_item(
        item_id=new_id("ii"), created=state.now(clock), customer=customer_id,
        currency=price["currency"], amount=amount, quantity=quantity,
        unit_amount_decimal=price["unit_amount_decimal"], price=price["id"],
        product=price["product"], test_clock=clock)
    _apply_plain(item, fields)
    if not item.get("description"):
        # Stripe describes a price's item by its product's name unless told otherwise.
        product = state.store.get(PRODUCTS, price["product"])
        item["description"] = product.get("name") if product else None
    before = model_clone(invoice) if invoice is not None else None
    if invoice is not None:
        attach_item(state, invoice, item)
    state.store.insert(INVOICE_ITEMS, item)
    emit_event(state, "invoiceitem.created", item)
    if invoice is not None:
        save_invoice(state, invoice, before)
    return item


def retrieve_invoice_item(state: EmulatorState, item_id: str) -> dict[str, Any]:
    return state.store.require(INVOICE_ITEMS, item_id)


def _editable_invoice(state: EmulatorState, item: dict[str, Any]) -> dict[str, Any] | None:
    """The draft the item is on (None while pending); refuses items on finalized invoices."""
    if item["invoice"] is None:
        return None
    invoice = state.store.get(INVOICES, item["invoice"])
    if invoice is None:
        return None  # its draft was deleted
    if invoice["status"] != "draft":
        raise InvalidRequestError(NOT_EDITABLE, code="invoice_not_editable")
    return invoice


def update_invoice_item(state: EmulatorState, item_id: str,
                        fields: dict[str, Any]) -> dict[str, Any]:
    item = state.store.require(INVOICE_ITEMS, item_id)
    invoice = _editable_invoice(state, item)
    pricing_given = any(fields.get(k) is not None for k in
                        ("amount", "quantity", "pricing", "price_data", "unit_amount_decimal"))
    if pricing_given:
        price, quantity, amount = _price_for(state, fields, item["test_clock"], current=item)
        if invoice is not None and price["currency"] != item["currency"]:
            raise InvalidRequestError("You cannot combine currencies on a single invoice.",
                                      param="currency")
        item.update(amount=amount, net_amount=amount, quantity=quantity,
                    quantity_decimal=str(quantity), currency=price["currency"],
                    pricing=model.pricing(price["id"], price["product"],
                                          price["unit_amount_decimal"]))
    _apply_plain(item, fields)
    state.store.update(INVOICE_ITEMS, item)
    if invoice is not None:
        before = model_clone(invoice)
        refresh_item_line(state, invoice, item)
        save_invoice(state, invoice, before)
    return item


def delete_invoice_item(state: EmulatorState, item_id: str) -> dict[str, Any]:
    item = state.store.require(INVOICE_ITEMS, item_id)
    invoice = _editable_invoice(state, item)
    if invoice is not None:
        before = model_clone(invoice)
        detach_item(state, invoice, item_id)
        save_invoice(state, invoice, before)
    state.store.delete(INVOICE_ITEMS, item_id)
    emit_event(state, "invoiceitem.deleted", item)
    return {"id": item_id, "object": "invoiceitem", "deleted": True}


def list_invoice_items(state: EmulatorState, params: dict[str, Any],
                       url: str) -> dict[str, Any]:
    """Newest first; ``customer``, ``invoice``, ``pending`` (not on an invoice), ``created``."""
    where = Where()
    if params.get("customer") is not None:
        where.eq("customer", params["customer"])
    if params.get("invoice") is not None:
        where.eq("invoice", params["invoice"])
    if params.get("pending") is True:
        where.eq("invoice", None)
    elif params.get("pending") is False:
        where.raw("invoice IS NOT NULL")
    where.range("created", params.get("created"))
    return list_page(state.store, INVOICE_ITEMS, where, params, url, model.render)
