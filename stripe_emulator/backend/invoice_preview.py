"""``POST /v1/invoices/create_preview``: the invoice that would be made, computed exactly as a
real one, and nothing kept.

The preview is built by the same use cases as a real draft (customer's pending items
swept in, ``invoice_items`` added or changed, ``discounts`` redeemed, tax rates applied,
totals from ``models.invoice_totals``) inside a savepoint that is then rolled back: no
invoice, item, discount, coupon redemption or event survives it, and the numbers are
the ones the real invoice would show. A customer given only as ``customer_details``
exists for the preview alone (the answer's ``customer`` is null). Ids follow Stripe's
preview shapes: ``upcoming_in_…`` for the invoice, ``il_tmp_…`` for its lines.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.customers import create_customer, referenced_customer
from stripe_emulator.backend.invoice_items import build_item, change_item
from stripe_emulator.backend.invoicing import (
    attach_item,
    create_invoice,
    refresh_draft,
    refresh_item_line,
)
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError, ParameterError
from stripe_emulator.lib.params import exclusive
from stripe_emulator.models.invoice import render
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from stripe_emulator.models.invoice_totals import public_line


class _Rollback(Exception):
    """Carries the rendered preview out of the savepoint it undoes."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("preview")
        self.answer = answer


def create_preview(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    try:
        with state.store.transaction():
            raise _Rollback(_preview(state, fields))
    except _Rollback as done:
        return done.answer


def _customer(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    exclusive(fields, "customer", "customer_details")
    if fields.get("customer"):
        return referenced_customer(state, fields["customer"])
    details = fields.get("customer_details")
    if details is None:
        raise ParameterError("Missing required param: customer.", code="parameter_missing",
                             param="customer")
    made: dict[str, Any] = {"name": None}
    for name in ("address", "shipping", "tax_exempt", "tax"):
        if details.get(name) is not None:
            made[name] = details[name]
    if details.get("tax_ids"):
        made["tax_id_data"] = details["tax_ids"]
    customer = create_customer(state, made)
    customer["_preview_only"] = True
    return customer


def _as_item_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """A preview ``invoice_items`` entry in the item parameters' names (``price`` is
    ``pricing[price]``, ``unit_amount`` a ``unit_amount_decimal`` here)."""
    fields = {k: v for k, v in entry.items() if k not in ("price", "unit_amount", "invoiceitem")}
    if entry.get("price"):
        fields["pricing"] = {"price": entry["price"]}
    if entry.get("unit_amount") is not None:
        fields["unit_amount_decimal"] = str(entry["unit_amount"])
    return fields


def _preview(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(state, fields)
    recurring_only = fields.get("preview_mode") == "recurring"
    draft_fields: dict[str, Any] = {
        "customer": customer["id"],
        # Only subscriptions recur, and the emulator has none: a "recurring" preview of a
        # one-off invoice has no lines.
        "pending_invoice_items_behavior": "exclude" if recurring_only else "include"}
    for name in ("currency", "discounts", "automatic_tax", "issuer"):
        if name in fields:
            draft_fields[name] = fields[name]
    invoice = create_invoice(state, draft_fields)
    for index, entry in enumerate([] if recurring_only else fields.get("invoice_items") or []):
        prefix = f"invoice_items[{index}]"
        if entry.get("invoiceitem"):
            item = state.store.require_reference(INVOICE_ITEMS, entry["invoiceitem"],
                                                 param=f"{prefix}[invoiceitem]")
            if item["invoice"] != invoice["id"]:
                raise InvalidRequestError(
                    f"The invoice item {item['id']} is not a pending item of this customer.",
                    param=f"{prefix}[invoiceitem]")
            change_item(state, item, _as_item_fields(entry), prefix)
            refresh_item_line(state, invoice, item)
            continue
        item = build_item(state, _as_item_fields(entry), customer=customer, invoice=invoice,
                          prefix=prefix)
        attach_item(state, invoice, item)
        state.store.insert(INVOICE_ITEMS, item)
    if not invoice["_lines"]:
        raise InvalidRequestError(f"No upcoming invoices for customer: {customer['id']}",
                                  code="invoice_upcoming_none")
    refresh_draft(state, invoice)
    answer = render(invoice)
    answer["lines"]["data"] = [public_line(line) for line in invoice["_lines"]]
    answer["lines"]["has_more"] = False
    state.expand(answer, fields.get("expand"))  # while its discounts and prices still exist
    return _preview_ids(answer, customer)


def _preview_ids(answer: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
    preview_id = f"upcoming_{answer['id']}"
    answer["id"] = preview_id
    answer["lines"]["url"] = f"/v1/invoices/{preview_id}/lines"
    for line in answer["lines"]["data"]:
        line["id"] = line["id"].replace("il_", "il_tmp_", 1)
        line["invoice"] = preview_id
    if customer.get("_preview_only"):
        answer["customer"] = None
    return answer
