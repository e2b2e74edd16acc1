"""Timed invoice work: auto-finalization, auto-collection, bank-debit settlement, clean-up.

* ``invoice.auto_finalize`` — about an hour after creation an ``auto_advance`` draft is
  finalized; ``send_invoice`` ones are then sent, ``charge_automatically`` ones charged
  with the default payment method (if any).
* ``invoice.auto_collect`` — an ``auto_advance`` invoice finalized by hand is charged
  about an hour later (``next_payment_attempt``).
* ``invoice.settle_bank_debit`` — a processing bank debit settles after
  ``settlement_delay_seconds`` (real time) or when its test clock passes it.
* Deleting a test clock deletes its customers' invoices, items and payments.

Handlers run in their own unit of work with no request and tolerate the invoice having
changed meanwhile (they check its status). They are plain functions: ``backend.registry``
lists which kind of work (and which test-clock deletion) each one handles.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import payments
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoice_lifecycle import (
    attempt_payment,
    finalize_draft,
    payment_method_for,
    record_decline,
    record_paid,
)
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.balance_transaction import BALANCE_TRANSACTIONS
from stripe_emulator.models.credit_note import CREDIT_NOTES
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from stripe_emulator.models.payment import INVOICE_PAYMENTS, PAYMENT_INTENTS
from stripe_emulator.models.payment_record import PAYMENT_RECORDS


def _collect(state: EmulatorState, invoice: dict[str, Any]) -> None:
    """Charge an open invoice with its default payment method, if it has one."""
    invoice["next_payment_attempt"] = None
    method_id = payment_method_for(state, invoice, None)
    method = payments.TEST_PAYMENT_METHODS.get(method_id or "")
    if method_id and method:
        attempt_payment(state, invoice, method_id, method)
    else:
        state.store.update(INVOICES, invoice)


def settle_bank_debit(state: EmulatorState, payload: dict[str, Any]) -> None:
    """A processing bank debit settles: the invoice is paid (or the debit fails)."""
    intent = state.store.get(PAYMENT_INTENTS, payload["payment_intent"])
    invoice = state.store.get(INVOICES, payload["invoice"])
    if intent is None or invoice is None or intent["status"] != "processing":
        return
    method = payments.TEST_PAYMENT_METHODS[payload["payment_method"]]
    now = state.now(invoice["test_clock"])
    if method.decline_code is not None:
        record_decline(state, invoice, intent, method)
    elif invoice["status"] in ("open", "uncollectible"):
        record_paid(state, invoice, intent, now)
    else:  # voided meanwhile: the money still arrived
        payments.record_success(state, intent, int(intent["amount"]))


def auto_finalize(state: EmulatorState, payload: dict[str, Any]) -> None:
    """About an hour after creation, an ``auto_advance`` draft is finalized and collected."""
    invoice = state.store.get(INVOICES, payload["invoice"])
    if invoice is None or invoice["status"] != "draft" or not invoice["auto_advance"]:
        return
    finalize_draft(state, invoice)
    if invoice["status"] != "open":
        return
    if invoice["collection_method"] == "send_invoice":
        emit_event(state, "invoice.sent", invoice)
        return
    _collect(state, invoice)


def auto_collect(state: EmulatorState, payload: dict[str, Any]) -> None:
    """An hour after a by-hand finalization, an ``auto_advance`` invoice is charged."""
    invoice = state.store.get(INVOICES, payload["invoice"])
    if invoice is None or invoice["status"] != "open" or not invoice["auto_advance"]:
        return
    _collect(state, invoice)


def delete_clock_invoices(state: EmulatorState, clock: dict[str, Any]) -> None:
    """Deleting a test clock deletes its customers' invoices, items, payments, payment
    records, credit notes and balance transactions too."""
    invoice_ids = [row[0] for row in state.store.execute(
        "SELECT id FROM invoices WHERE test_clock = ?", (clock["id"],))]
    for invoice_id in invoice_ids:
        for payment in state.store.select(INVOICE_PAYMENTS, Where().eq("invoice", invoice_id)):
            if payment["payment"].get("payment_intent"):
                state.store.delete(PAYMENT_INTENTS, payment["payment"]["payment_intent"])
            state.store.delete(INVOICE_PAYMENTS, payment["id"])
        state.store.delete(INVOICES, invoice_id)
    for row in state.store.execute("SELECT id FROM invoice_items WHERE json_extract(data, "
                                   "'$.test_clock') = ?", (clock["id"],)):
        state.store.delete(INVOICE_ITEMS, row[0])
    on_clock = Where().raw("json_extract(data, '$._test_clock') = ?", [clock["id"]])
    for spec in (CREDIT_NOTES, PAYMENT_RECORDS):
        for obj in state.store.select(spec, on_clock):
            state.store.delete(spec, obj["id"])
    for transaction in state.store.select(BALANCE_TRANSACTIONS, Where().raw(
            "customer IN (SELECT id FROM customers WHERE test_clock = ?)", [clock["id"]])):
        state.store.delete(BALANCE_TRANSACTIONS, transaction["id"])
