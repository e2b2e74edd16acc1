"""Editing a draft's lines: ``add_lines``, ``update_lines``, ``remove_lines`` and
``POST /v1/invoices/{invoice}/lines/{line_item_id}``.

Every line of a one-off invoice is its invoice item seen from the invoice, so each
edit goes through the item (``backend.invoice_items``): adding a line creates an item
on the draft (or attaches a pending one given as ``invoice_item``), updating a line
updates its item, removing one deletes its item (``behavior=delete``) or sends it back
to pending (``unassign``). Only drafts can be edited (``invoice_not_editable``).
``invoice_metadata`` updates the invoice's metadata in the same call. One
``invoice.updated`` is emitted per call.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoice_items import build_item, change_item
from stripe_emulator.backend.invoicing import (
    NOT_EDITABLE,
    attach_item,
    detach_item,
    refresh_item_line,
    require_invoice,
    save_invoice,
)
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import (
    InvalidRequestError,
    MissingReferenceError,
    ResourceMissingError,
)
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import clone
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from stripe_emulator.models.invoice_line import item_id_of
from stripe_emulator.models.invoice_totals import public_line


def _draft(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id, param="invoice")
    if invoice["status"] != "draft":
        raise InvalidRequestError(NOT_EDITABLE, code="invoice_not_editable", param="invoice")
    return invoice


def _line(invoice: dict[str, Any], line_id: str, param: str) -> dict[str, Any]:
    for line in invoice["_lines"]:
        if line["id"] == line_id:
            return line
    raise MissingReferenceError("line_item", line_id, param=param)


def _item_of(state: EmulatorState, line: dict[str, Any]) -> dict[str, Any]:
    return state.store.require(INVOICE_ITEMS, item_id_of(line))


def _finish(state: EmulatorState, invoice: dict[str, Any], before: dict[str, Any],
            fields: dict[str, Any]) -> dict[str, Any]:
    if "invoice_metadata" in fields:
        invoice["metadata"] = apply_metadata(invoice["metadata"], fields["invoice_metadata"])
    save_invoice(state, invoice, before)
    return invoice


def add_lines(state: EmulatorState, invoice_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """New lines (new items on the draft, or pending items given by ``invoice_item``)."""
    invoice = _draft(state, invoice_id)
    before = clone(invoice)
    customer = state.store.require(CUSTOMERS, invoice["customer"], param="customer")
    for index, line in enumerate(fields["lines"]):
        prefix = f"lines[{index}]"
        if line.get("invoice_item"):
            item = state.store.require_reference(INVOICE_ITEMS, line["invoice_item"],
                                                 param=f"{prefix}[invoice_item]")
            if item["invoice"] is not None or item["customer"] != invoice["customer"]:
                raise InvalidRequestError(
                    f"The invoice item {item['id']} is not a pending item of customer "
                    f"{invoice['customer']}.", param=f"{prefix}[invoice_item]")
            change_item(state, item, {k: v for k, v in line.items() if k != "invoice_item"},
                        prefix)
            attach_item(state, invoice, item)
            state.store.update(INVOICE_ITEMS, item)
            continue
        item = build_item(state, line, customer=customer, invoice=invoice, prefix=prefix)
        attach_item(state, invoice, item)
        state.store.insert(INVOICE_ITEMS, item)
        emit_event(state, "invoiceitem.created", item)
    return _finish(state, invoice, before, fields)


def update_lines(state: EmulatorState, invoice_id: str,
                 fields: dict[str, Any]) -> dict[str, Any]:
    """Change lines given by ``lines[][id]`` (their items change with them)."""
    invoice = _draft(state, invoice_id)
    before = clone(invoice)
    for index, changes in enumerate(fields["lines"]):
        prefix = f"lines[{index}]"
        item = _item_of(state, _line(invoice, changes["id"], f"{prefix}[id]"))
        change_item(state, item, {k: v for k, v in changes.items() if k != "id"}, prefix)
        state.store.update(INVOICE_ITEMS, item)
        refresh_item_line(state, invoice, item)
    return _finish(state, invoice, before, fields)


def remove_lines(state: EmulatorState, invoice_id: str,
                 fields: dict[str, Any]) -> dict[str, Any]:
    """Take lines off: ``behavior=delete`` deletes the item, ``unassign`` makes it pending."""
    invoice = _draft(state, invoice_id)
    before = clone(invoice)
    for index, removal in enumerate(fields["lines"]):
        item = _item_of(state, _line(invoice, removal["id"], f"lines[{index}][id]"))
        detach_item(state, invoice, item["id"])
        if removal["behavior"] == "delete":
            state.store.delete(INVOICE_ITEMS, item["id"])
            emit_event(state, "invoiceitem.deleted", item)
        else:
            item["invoice"] = None
            state.store.update(INVOICE_ITEMS, item)
    return _finish(state, invoice, before, fields)


def update_line(state: EmulatorState, invoice_id: str, line_id: str,
                fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/invoices/{invoice}/lines/{line_item_id}``: the changed line."""
    invoice = require_invoice(state, invoice_id, param="invoice")
    if not any(line["id"] == line_id for line in invoice["_lines"]):
        raise ResourceMissingError("line_item", line_id, param="line_item_id")
    if invoice["status"] != "draft":
        raise InvalidRequestError(NOT_EDITABLE, code="invoice_not_editable", param="invoice")
    before = clone(invoice)
    item = _item_of(state, _line(invoice, line_id, "line_item_id"))
    change_item(state, item, fields)
    state.store.update(INVOICE_ITEMS, item)
    refresh_item_line(state, invoice, item)
    save_invoice(state, invoice, before)
    return public_line(_line(invoice, line_id, "line_item_id"))
