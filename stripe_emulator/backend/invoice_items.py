"""Invoice item use cases: create, retrieve, update, delete, list (with events).

Pricing is ``backend.item_pricing`` (catalog price, ``price_data``, unit amount or a
flat ``amount``, × ``quantity``/``quantity_decimal``). ``tax_rates`` (full tax-rate
objects on the item) override the invoice's ``default_tax_rates`` for its line;
``discounts`` redeem coupons into discounts on the item (applied to its line before
the invoice's own discounts). An item given ``invoice`` becomes a line of that draft;
otherwise it stays pending for the customer's next invoice created with
``pending_invoice_items_behavior=include``. :func:`build_item` is shared with the
invoice line endpoints (``add_lines``).
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.coupons import apply_discounts
from stripe_emulator.backend.customers import referenced_customer
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoicing import (
    NOT_EDITABLE,
    attach_item,
    detach_item,
    refresh_item_line,
    save_invoice,
)
from stripe_emulator.backend.item_pricing import PRICING_FIELDS, Priced, missing, price_item
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.backend.tax_rates import manual_tax_amounts, tax_rates_for
from stripe_emulator.lib.errors import InvalidRequestError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.params import nested
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import invoice_item as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice import clone as model_clone
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from stripe_emulator.models.product import PRODUCTS


def _set_pricing(item: dict[str, Any], priced: Priced) -> None:
    price = priced.price
    item.update(amount=priced.amount, quantity=priced.whole_quantity,
                quantity_decimal=priced.quantity_decimal, currency=price["currency"],
                pricing=model.pricing(price["id"], price["product"],
                                      price["unit_amount_decimal"]))


def apply_terms(state: EmulatorState, item: dict[str, Any], fields: dict[str, Any],
                prefix: str = "") -> None:
    """Description, discountable, metadata, period, tax rates and discounts of ``fields``."""
    if "description" in fields:
        item["description"] = fields["description"]
    if fields.get("discountable") is not None:
        item["discountable"] = fields["discountable"]
    if "metadata" in fields:
        item["metadata"] = apply_metadata(item["metadata"], fields["metadata"])
    if fields.get("period") is not None:
        item["period"] = {"end": fields["period"]["end"], "start": fields["period"]["start"]}
    if "tax_rates" in fields:
        item["tax_rates"] = tax_rates_for(state, fields["tax_rates"], nested(prefix, "tax_rates"))
    if "discounts" in fields:
        apply_discounts(state, fields["discounts"], nested(prefix, "discounts"), owner=item,
                        now=state.now(item["test_clock"]))
    if "tax_amounts" in fields:
        item["_tax_amounts"] = manual_tax_amounts(state, fields["tax_amounts"],
                                                  nested(prefix, "tax_amounts"))
    if "invoicing_rules" in fields:
        item["invoicing_rules"] = None  # only '' (remove) is accepted: no rules can be set
    # Stripe leaves ``net_amount`` null on discountable items (their discounts are per line).
    item["net_amount"] = None if item["discountable"] else item["amount"]


def build_item(state: EmulatorState, fields: dict[str, Any], *, customer: dict[str, Any],
               invoice: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """A new (unsaved) item for ``customer`` priced and described by ``fields``."""
    clock = customer.get("test_clock")
    priced = price_item(state, fields, clock, default_currency=(
        invoice["currency"] if invoice is not None else customer.get("currency")),
        prefix=prefix)
    price = priced.price
    item = model.new_invoice_item(
        item_id=new_id("ii"), created=state.now(clock), customer=customer["id"],
        currency=price["currency"], amount=priced.amount, quantity=priced.whole_quantity,
        unit_amount_decimal=price["unit_amount_decimal"], price=price["id"],
        product=price["product"], test_clock=clock)
    _set_pricing(item, priced)
    if invoice is not None:
        item["invoice"] = invoice["id"]  # discounts made below name the invoice
    apply_terms(state, item, fields, prefix)
    if not item.get("description"):
        # Stripe describes a price's item by its product's name unless told otherwise.
        product = state.store.get(PRODUCTS, price["product"])
        item["description"] = product.get("name") if product else None
    return item


def create_invoice_item(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    invoice = state.store.require_reference(INVOICES, fields["invoice"], param="invoice") \
        if fields.get("invoice") else None
    customer_id = fields.get("customer") or (invoice["customer"] if invoice else None)
    if customer_id is None:
        raise missing("customer")
    if invoice is not None and invoice["customer"] != customer_id:
        raise InvalidRequestError(
            f"The invoice {invoice['id']} belongs to customer {invoice['customer']}, not "
            f"{customer_id}.", param="invoice")
    customer = referenced_customer(state, customer_id)
    item = build_item(state, fields, customer=customer, invoice=invoice)
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


def editable_invoice(state: EmulatorState, item: dict[str, Any]) -> dict[str, Any] | None:
    """The draft the item is on (None while pending); refuses items on finalized invoices."""
    if item["invoice"] is None:
        return None
    invoice = state.store.get(INVOICES, item["invoice"])
    if invoice is None:
        return None  # its draft was deleted
    if invoice["status"] != "draft":
        raise InvalidRequestError(NOT_EDITABLE, code="invoice_not_editable")
    return invoice


def change_item(state: EmulatorState, item: dict[str, Any], fields: dict[str, Any],
                prefix: str = "") -> None:
    """Reprice and redescribe ``item`` in place (no save, no invoice refresh)."""
    if any(fields.get(k) is not None for k in PRICING_FIELDS):
        priced = price_item(state, fields, item["test_clock"], current=item, prefix=prefix)
        if item["invoice"] is not None and priced.price["currency"] != item["currency"]:
            raise InvalidRequestError("You cannot combine currencies on a single invoice.",
                                      param=nested(prefix, "currency"))
        _set_pricing(item, priced)
    apply_terms(state, item, fields, prefix)


def update_invoice_item(state: EmulatorState, item_id: str,
                        fields: dict[str, Any]) -> dict[str, Any]:
    item = state.store.require(INVOICE_ITEMS, item_id)
    invoice = editable_invoice(state, item)
    change_item(state, item, fields)
    state.store.update(INVOICE_ITEMS, item)
    if invoice is not None:
        before = model_clone(invoice)
        refresh_item_line(state, invoice, item)
        save_invoice(state, invoice, before)
    return item


def delete_invoice_item(state: EmulatorState, item_id: str) -> dict[str, Any]:
    item = state.store.require(INVOICE_ITEMS, item_id)
    invoice = editable_invoice(state, item)
    if invoice is not None:
        before = model_clone(invoice)
        detach_item(state, invoice, item_id)
        save_invoice(state, invoice, before)
    state.store.delete(INVOICE_ITEMS, item_id)
    emit_event(state, "invoiceitem.deleted", item)
    return {"id": item_id, "object": "invoiceitem", "deleted": True}


def list_invoice_items(state: EmulatorState, params: dict[str, Any],
                       url: str) -> dict[str, Any]:
    """Newest first; ``customer``, ``invoice``, ``pending`` (not on an invoice), ``created``;
    ``customer_account`` matches nothing (the emulator bills customers, not accounts)."""
    where = Where()
    if params.get("customer") is not None:
        where.eq("customer", params["customer"])
    if params.get("invoice") is not None:
        where.eq("invoice", params["invoice"])
    if params.get("pending") is True:
        where.eq("invoice", None)
    elif params.get("pending") is False:
        where.raw("invoice IS NOT NULL")
    if params.get("customer_account") is not None:
        where.raw("json_extract(data, '$.customer_account') = ?", [params["customer_account"]])
    where.range("created", params.get("created"))
    return list_page(state.store, INVOICE_ITEMS, where, params, url, model.render)
