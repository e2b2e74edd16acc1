"""Invoice use cases on drafts and reads: create, retrieve, update, delete, list, search, lines.

Also the helpers other invoice backends share: :func:`require_invoice`,
:func:`save_invoice` (persist + ``invoice.updated`` with previous attributes),
:func:`attach_item` / :func:`detach_item` / :func:`refresh_item_line` (an
invoice item mirrored as a line of a draft) and :func:`refresh_draft`.
Lifecycle transitions live in ``backend.invoice_lifecycle``, payments in
``backend.payments``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from stripe_emulator.backend.customers import referenced_customer
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoice_options import (
    apply_options,
    check_references,
    finalize_at,
    start_revision,
)
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import (
    InvalidRequestError,
    ParameterError,
)
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page, slice_page
from stripe_emulator.lib.search import search_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import invoice as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice_item import INVOICE_ITEMS, MAX_ITEMS_PER_INVOICE
from stripe_emulator.models.invoice_line import item_id_of, line_for_item
from stripe_emulator.models.invoice_totals import public_line

DAY_SECONDS = 86_400
AUTO_FINALIZE_WORK = "invoice.auto_finalize"

NOT_EDITABLE = "Invalid invoice: This invoice is no longer editable"
FINALIZED_NOT_UPDATABLE = "Finalized invoices can't be updated in this way"

#: Fields an update may change only on a draft.
DRAFT_ONLY_FIELDS = ("collection_method", "custom_fields", "days_until_due", "description",
                     "due_date", "footer", "statement_descriptor")


def require_invoice(state: EmulatorState, invoice_id: str, param: str = "id") -> dict[str, Any]:
    """The invoice, or 404 ``No such invoice`` naming ``param``."""
    return state.store.require(INVOICES, invoice_id, param=param)


def retrieve_invoice(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    """The invoice; a draft shows its customer's current details and balance."""
    invoice = require_invoice(state, invoice_id)
    if invoice["status"] == "draft":
        refresh_draft(state, invoice)
    return invoice


def save_invoice(state: EmulatorState, invoice: dict[str, Any],
                 before: dict[str, Any] | None = None) -> None:
    """Persist; with ``before``, emit ``invoice.updated`` if anything visible changed."""
    state.store.update(INVOICES, invoice)
    if before is not None and model.visible(before) != model.visible(invoice):
        emit_event(state, "invoice.updated", invoice, previous=before)


def refresh_draft(state: EmulatorState, invoice: dict[str, Any]) -> None:
    """A draft mirrors its customer (snapshot, balance) until finalization; totals follow."""
    customer = state.store.get(CUSTOMERS, invoice["customer"])
    if invoice["status"] == "draft" and customer is not None and not customer.get("_deleted"):
        model.copy_customer_snapshot(invoice, customer)
        invoice["starting_balance"] = int(customer.get("balance") or 0)
    model.recompute_totals(invoice)


def _require_draft(invoice: dict[str, Any], param: str | None = None) -> None:
    if invoice["status"] != "draft":
        raise InvalidRequestError(NOT_EDITABLE, code="invoice_not_editable", param=param)


def attach_item(state: EmulatorState, invoice: dict[str, Any], item: dict[str, Any]) -> None:
    """Add ``item`` as the last line of the draft ``invoice`` (currency and 250-item checks)."""
    _require_draft(invoice, param="invoice")
    if len(invoice["_lines"]) >= MAX_ITEMS_PER_INVOICE:
        raise InvalidRequestError(
            f"An invoice can have at most {MAX_ITEMS_PER_INVOICE} invoice items; invoice "
            f"{invoice['id']} already has {MAX_ITEMS_PER_INVOICE}.",
            param="invoice",
        )
    if item["currency"] != invoice["currency"]:
        if invoice["_lines"] or invoice.get("_currency_fixed"):
            raise InvalidRequestError(
                "You cannot combine currencies on a single invoice. The invoice "
                f"{invoice['id']} is in {invoice['currency']} and this item is in "
                f"{item['currency']}.",
                param="currency",
            )
        invoice["currency"] = item["currency"]
    item["invoice"] = invoice["id"]
    invoice["_lines"].append(line_for_item(new_id("il"), item, invoice["id"]))
    refresh_draft(state, invoice)


def detach_item(state: EmulatorState, invoice: dict[str, Any], item_id: str) -> None:
    _require_draft(invoice)
    invoice["_lines"] = [line for line in invoice["_lines"] if item_id_of(line) != item_id]
    refresh_draft(state, invoice)


def refresh_item_line(state: EmulatorState, invoice: dict[str, Any],
                      item: dict[str, Any]) -> None:
    """Show ``item``'s new values on its line of the draft ``invoice``."""
    _require_draft(invoice)
    invoice["_lines"] = [line_for_item(line["id"], item, invoice["id"])
                         if item_id_of(line) == item["id"] else line
                         for line in invoice["_lines"]]
    refresh_draft(state, invoice)


def _check_due_terms(method: str, days: int | None, due_date: int | None) -> None:
    if days is not None and due_date is not None:
        raise ParameterError("You may only specify one of these parameters: days_until_due, "
                             "due_date.", code="parameters_exclusive", param="due_date")
    if method == "send_invoice" and days is None and due_date is None:
        raise InvalidRequestError(
            "If invoice collection method is 'send_invoice', you must specify 'due_date' or "
            "'days_until_due'.", param="days_until_due")
    if method == "charge_automatically" and (days is not None or due_date is not None):
        raise InvalidRequestError(
            "You can only specify 'due_date' or 'days_until_due' if invoice collection method "
            "is 'send_invoice'.", param="days_until_due" if days is not None else "due_date")


def _schedule_auto_finalize(state: EmulatorState, invoice: dict[str, Any]) -> None:
    state.scheduler.cancel(AUTO_FINALIZE_WORK, invoice["id"])
    if invoice["status"] != "draft" or not invoice["auto_advance"]:
        invoice["automatically_finalizes_at"] = None
        invoice["next_payment_attempt"] = None
        invoice.pop("_finalize_at", None)
        return
    due = invoice.get("_finalize_at") or int(invoice["created"]) + \
        model.AUTO_FINALIZE_AFTER_SECONDS
    invoice["automatically_finalizes_at"] = due
    invoice["next_payment_attempt"] = (
        due if invoice["collection_method"] == "charge_automatically" else None)
    clock = invoice["test_clock"]
    # Without a test clock the job runs in real time: the same delay from now.
    due_at = due if clock else state.clock.real_now() + (due - state.now())
    state.scheduler.schedule(AUTO_FINALIZE_WORK, due_at, {"invoice": invoice["id"]},
                             test_clock=clock, key=invoice["id"])


def _pending_items(state: EmulatorState, customer_id: str) -> list[dict[str, Any]]:
    return state.store.select(INVOICE_ITEMS, Where().eq("customer", customer_id)
                              .eq("invoice", None))


def create_invoice(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    customer = referenced_customer(state, fields["customer"])
    original = start_revision(state, fields)
    check_references(state, customer, fields)
    clock = customer.get("test_clock")
    now = state.now(clock)
    method = fields.get("collection_method") or "charge_automatically"
    _check_due_terms(method, fields.get("days_until_due"), fields.get("due_date"))
    include = fields.get("pending_invoice_items_behavior") == "include"
    pending = _pending_items(state, customer["id"]) if include else []
    if fields.get("currency"):
        currency = validate_currency(fields["currency"])
    else:
        currency = customer.get("currency") or (pending[0]["currency"] if pending else "usd")
    invoice = model.new_invoice(invoice_id=new_id("in"), created=now, customer=customer,
                                currency=currency, collection_method=method, test_clock=clock)
    invoice["_currency_fixed"] = bool(fields.get("currency") or customer.get("currency"))
    for name in ("auto_advance", "custom_fields", "default_payment_method", "description",
                 "footer", "statement_descriptor"):
        if fields.get(name) is not None:
            invoice[name] = fields[name]
    invoice["metadata"] = apply_metadata({}, fields.get("metadata"))
    if fields.get("days_until_due") is not None:
        invoice["due_date"] = now + fields["days_until_due"] * DAY_SECONDS
    elif fields.get("due_date") is not None:
        invoice["due_date"] = fields["due_date"]
    if original is not None:
        _copy_for_revision(state, original, invoice, fields)
    apply_options(state, invoice, fields, now)
    finalize_at(invoice, fields, now)
    swept = [item for item in pending if item["currency"] == currency]
    for item in swept[:MAX_ITEMS_PER_INVOICE]:
        attach_item(state, invoice, item)
        state.store.update(INVOICE_ITEMS, item)
    refresh_draft(state, invoice)
    _schedule_auto_finalize(state, invoice)
    state.store.insert(INVOICES, invoice)
    emit_event(state, "invoice.created", invoice)
    return invoice


def _copy_for_revision(state: EmulatorState, original: dict[str, Any],
                       invoice: dict[str, Any], fields: dict[str, Any]) -> None:
    """A revision starts as a copy of the invoice it revises (lines as new items)."""
    invoice["from_invoice"] = {"action": "revision", "invoice": original["id"]}
    invoice["currency"] = original["currency"]
    invoice["_currency_fixed"] = True
    for name in ("custom_fields", "default_tax_rates", "description", "discounts", "footer",
                 "_discounts"):
        if name.lstrip("_") not in fields:
            invoice[name] = model.clone({"v": original.get(name)})["v"]
    for line in original["_lines"]:  # in the original's line order
        item = state.store.get(INVOICE_ITEMS, item_id_of(line))
        if item is None:
            continue
        copy_item = model.clone(item)
        copy_item.update(id=new_id("ii"), invoice=None)
        attach_item(state, invoice, copy_item)
        state.store.insert(INVOICE_ITEMS, copy_item)


def update_invoice(state: EmulatorState, invoice_id: str,
                   fields: dict[str, Any]) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id)
    check_references(state, state.store.get(CUSTOMERS, invoice["customer"]) or {}, fields)
    before = model.clone(invoice)
    status = invoice["status"]
    if status != "draft":
        for name in fields:
            if name in ("expand", "metadata"):
                continue
            allowed = (name == "auto_advance" and status == "open") or (
                name in ("default_payment_method", "default_source")
                and status in ("open", "uncollectible"))
            if not allowed:
                raise InvalidRequestError(FINALIZED_NOT_UPDATABLE, param=name)
    for name in ("custom_fields", "default_payment_method", "description", "footer",
                 "statement_descriptor"):
        if name in fields:
            invoice[name] = fields[name]
    if "metadata" in fields:
        invoice["metadata"] = apply_metadata(invoice["metadata"], fields["metadata"])
    if "default_source" in fields:
        invoice["default_source"] = fields["default_source"]
    if fields.get("auto_advance") is not None:
        invoice["auto_advance"] = fields["auto_advance"]
    if status == "draft":
        _update_collection(state, invoice, fields)
        now = state.now(invoice["test_clock"])
        apply_options(state, invoice, fields, now)
        finalize_at(invoice, fields, now)
        if {"auto_advance", "automatically_finalizes_at"} & fields.keys():
            _schedule_auto_finalize(state, invoice)
        refresh_draft(state, invoice)
    save_invoice(state, invoice, before)
    return invoice


def _update_collection(state: EmulatorState, invoice: dict[str, Any],
                       fields: dict[str, Any]) -> None:
    method = fields.get("collection_method") or invoice["collection_method"]
    days, due_date = fields.get("days_until_due"), fields.get("due_date")
    if method == "send_invoice" and days is None and due_date is None:
        due_date = invoice["due_date"]
    _check_due_terms(method, days, due_date)
    invoice["collection_method"] = method
    if days is not None:
        due_date = int(invoice["created"]) + days * DAY_SECONDS
    invoice["due_date"] = due_date if method == "send_invoice" else None
    if "collection_method" in fields:
        _schedule_auto_finalize(state, invoice)


def delete_invoice(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id)
    if invoice["status"] != "draft":
        raise InvalidRequestError("You can only delete draft invoices.")
    state.scheduler.cancel(AUTO_FINALIZE_WORK, invoice_id)
    state.store.delete(INVOICES, invoice_id)
    emit_event(state, "invoice.deleted", invoice)
    invoice["_deleted"] = True
    return invoice


def list_invoices(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    """Newest first; each filter is an indexed column."""
    where = Where()
    for name in ("customer", "status", "collection_method"):
        if params.get(name) is not None:
            where.eq(name, params[name])
    where.range("created", params.get("created"))
    where.range("due_date", params.get("due_date"))
    if params.get("subscription") or params.get("customer_account"):
        where.raw("0")  # the emulator makes no subscription invoices, bills no accounts
    return list_page(state.store, INVOICES, where, params, url, _as_listed(state))


def search_invoices(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    return search_page(state.store, INVOICES, model.SEARCH_FIELDS, params, url,
                       _as_listed(state))


def _as_listed(state: EmulatorState) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Render listed invoices as a retrieve would: a draft with its customer's current
    name, email and balance (Stripe shows a draft so until it is finalized)."""

    def render(invoice: dict[str, Any]) -> dict[str, Any]:
        if invoice["status"] == "draft":
            refresh_draft(state, invoice)
        return model.render_fresh(invoice)

    return render


def list_lines(state: EmulatorState, invoice_id: str, params: dict[str, Any],
               url: str) -> dict[str, Any]:
    """``GET /v1/invoices/{id}/lines``: the lines in invoice order, cursor-paginated."""
    invoice = require_invoice(state, invoice_id, param="invoice")
    lines = [public_line(line) for line in invoice["_lines"]]
    return slice_page(copy.deepcopy(lines), params, url, "line_item")
