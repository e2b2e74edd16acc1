"""Invoice transitions: finalize, send, pay, void, mark_uncollectible (+ their timed work).

Stripe's workflow (reference §2.1–2.8): ``draft → open`` by finalizing (or by
``send``/``pay`` on a draft, which finalize first in the same call); a zero
amount due is paid at once; ``open → paid | void | uncollectible``;
``uncollectible → paid | void``; ``paid`` and ``void`` are terminal. Every
other move is refused with Stripe's message (HTTP 400, no code).

The timed work these transitions schedule runs in ``backend.invoice_automation``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from stripe_emulator.backend import balance_transactions, payments
from stripe_emulator.backend.customers import save_customer, source_of
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoicing import (
    AUTO_FINALIZE_WORK,
    refresh_draft,
    require_invoice,
    save_invoice,
)
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import (
    CardError,
    InvalidRequestError,
    MissingReferenceError,
    ParameterError,
)
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.payment import PAYMENT_INTENTS

SETTLE_WORK = "invoice.settle_bank_debit"
AUTO_COLLECT_WORK = "invoice.auto_collect"
AUTO_COLLECT_AFTER_SECONDS = 3600
ALREADY_FINALIZED = ("This invoice is already finalized, you can't re-finalize a non-draft "
                     "invoice.")
NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
ALREADY_PAID = "Invoice is already paid"
NO_PAYMENT_METHOD = ("This customer has no attached payment source or default payment method. "
                     "Please consider adding a default payment method.")
ACCOUNT_ID = "acct_emulator"


def _number_taken(state: EmulatorState, number: str) -> bool:
    return state.store.count(INVOICES, Where().raw("lower(number) = ?", [number.lower()])) > 0


def _next_number(state: EmulatorState, customer: dict[str, Any]) -> str:
    """``<prefix>-<sequence>`` (4 digits at least); the customer's sequence moves on.

    Runs inside the request's unit of work, so concurrent finalizations are
    serialised and never share a number; numbers already used are skipped.
    """
    sequence = int(customer.get("next_invoice_sequence") or 1)
    while _number_taken(state, number := f"{customer['invoice_prefix']}-{sequence:04d}"):
        sequence += 1
    customer["next_invoice_sequence"] = sequence + 1
    return number


def hosted_url(state: EmulatorState, invoice_id: str) -> str:
    return f"{state.public_url}/i/{ACCOUNT_ID}/test_{invoice_id}"


def finalize_draft(state: EmulatorState, invoice: dict[str, Any]) -> None:
    """Finalize ``invoice`` in place (number, URLs, balance, default payment, events)."""
    customer = state.store.require(CUSTOMERS, invoice["customer"], param="customer")
    customer_before = copy.deepcopy(customer)
    refresh_draft(state, invoice)
    now = state.now(invoice["test_clock"])
    starting = int(invoice["starting_balance"])
    invoice["ending_balance"] = min(0, int(invoice["total"]) + starting)
    if starting:
        # What the invoice used of the balance is a balance transaction (``applied_to_invoice``).
        balance_transactions.apply_transaction(
            state, customer, invoice["ending_balance"] - starting, invoice["currency"],
            "applied_to_invoice", invoice_id=invoice["id"])
    if invoice.get("from_invoice") and invoice["number"] is None:
        _replace_original(state, invoice, now)
    if invoice["number"] is None:
        invoice["number"] = _next_number(state, customer)
    state.store.update(CUSTOMERS, customer)
    if customer.get("balance") != customer_before.get("balance"):
        save_customer(state, customer, customer_before)
    url = hosted_url(state, invoice["id"])
    invoice.update(status="open", hosted_invoice_url=url, invoice_pdf=f"{url}/pdf",
                   automatically_finalizes_at=None, last_finalization_error=None,
                   next_payment_attempt=None)
    invoice["status_transitions"]["finalized_at"] = now
    if invoice["effective_at"] is None:
        invoice["effective_at"] = now
    state.scheduler.cancel(AUTO_FINALIZE_WORK, invoice["id"])
    if invoice["amount_due"] > 0:
        payments.open_default_payment(state, invoice)
        if invoice["auto_advance"] and invoice["collection_method"] == "charge_automatically":
            schedule_collection(state, invoice, now)
    state.store.update(INVOICES, invoice)
    emit_event(state, "invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        invoice["attempted"] = True
        _mark_paid(state, invoice, now)
        state.store.update(INVOICES, invoice)
        emit_event(state, "invoice.paid", invoice)


def _replace_original(state: EmulatorState, revision: dict[str, Any], now: int) -> None:
    """Finalizing a revision voids the invoice it revises, which now points at it; the
    revision takes that invoice's number with a revision suffix (``ABC-0001-1``)."""
    original = state.store.get(INVOICES, revision["from_invoice"]["invoice"])
    if original is None:
        return
    count = int(original.get("_revisions", 0)) + 1
    original["_revisions"] = count
    revision["number"] = f"{original['number']}-{count}"
    original["latest_revision"] = revision["id"]
    if original["status"] in ("open", "uncollectible"):
        original.update(status="void", auto_advance=False, status_details=None,
                        next_payment_attempt=None)
        original["status_transitions"]["voided_at"] = now
        payments.cancel_default_payment(state, original, "void_invoice", now)
        state.scheduler.cancel(AUTO_COLLECT_WORK, original["id"])
        state.store.update(INVOICES, original)
        emit_event(state, "invoice.voided", original)
    else:
        state.store.update(INVOICES, original)


def _mark_paid(state: EmulatorState, invoice: dict[str, Any], now: int) -> int:
    """Record the remaining amount as paid; returns that amount."""
    amount = int(invoice["amount_remaining"])
    invoice["amount_paid"] += amount
    invoice["amount_remaining"] = 0
    invoice.update(status="paid", auto_advance=False, status_details=None,
                   next_payment_attempt=None)
    invoice["status_transitions"]["paid_at"] = now
    return amount


def finalize_invoice(state: EmulatorState, invoice_id: str,
                     fields: dict[str, Any]) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id, param="invoice")
    if invoice["status"] != "draft":
        raise InvalidRequestError(ALREADY_FINALIZED)
    if fields.get("auto_advance") is not None:
        invoice["auto_advance"] = fields["auto_advance"]
    finalize_draft(state, invoice)
    return invoice


def schedule_collection(state: EmulatorState, invoice: dict[str, Any], now: int) -> None:
    """An ``auto_advance`` open invoice is charged about an hour after finalization
    (an attempt made earlier that paid it makes this a no-op; after a decline it retries)."""
    due = now + AUTO_COLLECT_AFTER_SECONDS
    invoice["next_payment_attempt"] = due
    clock = invoice["test_clock"]
    due_at = due if clock else state.clock.real_now() + AUTO_COLLECT_AFTER_SECONDS
    state.scheduler.schedule(AUTO_COLLECT_WORK, due_at, {"invoice": invoice["id"]},
                             test_clock=clock, key=invoice["id"])


def send_invoice(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id, param="invoice")
    if invoice["collection_method"] != "send_invoice":
        raise InvalidRequestError("You can only manually send an invoice if its collection "
                                  "method is 'send_invoice'.")
    if invoice["status"] == "draft":
        finalize_draft(state, invoice)
    elif invoice["status"] != "open":
        raise InvalidRequestError(
            "This invoice cannot be sent right now. Please contact us via "
            "https://support.stripe.com/contact with details, so we can help.")
    emit_event(state, "invoice.sent", invoice)
    return invoice


def void_invoice(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id, param="invoice")
    if invoice["status"] == "paid":
        raise InvalidRequestError("Invoices with `paid` payments cannot be voided.")
    if invoice["status"] not in ("open", "uncollectible"):
        raise InvalidRequestError(NOT_OPEN)
    now = state.now(invoice["test_clock"])
    invoice.update(status="void", auto_advance=False, status_details=None,
                   next_payment_attempt=None)
    invoice["status_transitions"]["voided_at"] = now
    payments.cancel_default_payment(state, invoice, "void_invoice", now)
    state.store.update(INVOICES, invoice)
    emit_event(state, "invoice.voided", invoice)
    return invoice


def mark_uncollectible(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = require_invoice(state, invoice_id, param="invoice")
    if invoice["status"] == "uncollectible":
        raise InvalidRequestError("This invoice has already been marked uncollectible.")
    if invoice["status"] != "open":
        raise InvalidRequestError(NOT_OPEN)
    invoice.update(status="uncollectible", auto_advance=False, next_payment_attempt=None,
                   status_details={"uncollectible": {"reason": "user_forgiven"}})
    invoice["status_transitions"]["marked_uncollectible_at"] = state.now(invoice["test_clock"])
    state.store.update(INVOICES, invoice)
    emit_event(state, "invoice.marked_uncollectible", invoice)
    return invoice


def payment_method_for(state: EmulatorState, invoice: dict[str, Any], given: str | None,
                       source: str | None = None) -> str | None:
    """The test payment method to charge: the one given, else the source given, else the
    invoice's defaults, else the customer's (default payment method, default source, last
    attached). A card source pays like the test payment method of its token."""
    customer = state.store.get(CUSTOMERS, invoice["customer"]) or {}
    settings = customer.get("invoice_settings") or {}
    attached = customer.get("_payment_methods") or []
    for method, card_id in ((given, None), (None, source),
                            (invoice.get("default_payment_method"), None),
                            (None, invoice.get("default_source")),
                            (settings.get("default_payment_method"), None),
                            (None, customer.get("default_source"))):
        if method:
            return method
        card = source_of(customer, card_id) if card_id else None
        if card is not None:
            return str(card["_pays_like"])
    return attached[-1] if attached else None


def pay_invoice(state: EmulatorState, invoice_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/invoices/{id}/pay``: out of band, or with a (test) payment method.

    A decline records the attempt (``attempted``, ``attempt_count``,
    ``invoice.payment_failed``) and then answers 402; a bank debit leaves the
    invoice open with its PaymentIntent ``processing`` until it settles.
    """
    invoice = require_invoice(state, invoice_id, param="invoice")
    if fields.get("payment_method"):
        payments.test_payment_method(fields["payment_method"])
    if fields.get("source"):
        customer = state.store.get(CUSTOMERS, invoice["customer"]) or {}
        if source_of(customer, fields["source"]) is None:
            raise MissingReferenceError("source", fields["source"], param="source")
    if fields.get("paid_out_of_band") and fields.get("payment_method"):
        raise ParameterError("You may only specify one of these parameters: paid_out_of_band, "
                             "payment_method.", code="parameters_exclusive",
                             param="payment_method")
    if invoice["status"] == "paid":
        raise InvalidRequestError(ALREADY_PAID)
    if invoice["status"] == "void":
        raise InvalidRequestError(NOT_OPEN)
    method_id = None
    method = None
    if not fields.get("paid_out_of_band"):
        method_id = payment_method_for(state, invoice, fields.get("payment_method"),
                                       fields.get("source"))
        if method_id is None and invoice["amount_remaining"] > 0:
            raise InvalidRequestError(NO_PAYMENT_METHOD, param="payment_method")
        method = payments.test_payment_method(method_id) if method_id else None
    if invoice["status"] == "draft":
        finalize_draft(state, invoice)
        if invoice["status"] == "paid":
            return invoice
    intent_id = _intent_id(state, invoice)
    intent = state.store.get(PAYMENT_INTENTS, intent_id) if intent_id else None
    if intent is not None and intent["status"] == "processing":
        raise InvalidRequestError("This invoice is already being paid: its payment is "
                                  "processing.")
    now = state.now(invoice["test_clock"])
    if method is None or method_id is None:
        payments.cancel_default_payment(state, invoice, "automatic", now)
        paid = _mark_paid(state, invoice, now)
        # Out of band: shown only when asked for (includable ``amount_paid_off_stripe``).
        invoice["_amount_paid_off_stripe"] = int(invoice.get("_amount_paid_off_stripe", 0)) + paid
        save_invoice(state, invoice)
        emit_event(state, "invoice.paid", invoice)
        return invoice
    decline = attempt_payment(state, invoice, method_id, method)
    if decline is not None:
        raise decline
    return invoice


def _intent_id(state: EmulatorState, invoice: dict[str, Any]) -> str | None:
    payment = payments.default_payment(state, invoice["id"])
    return payment["payment"]["payment_intent"] if payment else None


def attempt_payment(state: EmulatorState, invoice: dict[str, Any], method_id: str,
                    method: payments.TestPaymentMethod) -> CardError | None:
    """Charge ``invoice`` with ``method``; a decline is recorded and returned (not raised)."""
    intent = payments.open_default_payment(state, invoice)
    payments.start_attempt(intent, method_id, method.kind)
    invoice["attempted"] = True
    invoice["attempt_count"] += 1
    now = state.now(invoice["test_clock"])
    if method.kind == "us_bank_account":
        payments.record_processing(state, intent)
        save_invoice(state, invoice)
        delay = state.settings.settlement_delay_seconds
        clock = invoice["test_clock"]
        due_at = now + max(1, math.ceil(delay)) if clock else state.clock.real_now() + delay
        state.scheduler.schedule(SETTLE_WORK, due_at,
                                 {"invoice": invoice["id"], "payment_intent": intent["id"],
                                  "payment_method": method_id},
                                 test_clock=clock, key=invoice["id"])
        return None
    if method.decline_code is not None:
        record_decline(state, invoice, intent, method)
        return CardError(method.message, code=method.error_code,
                         decline_code=method.decline_code, param=None, keep_changes=True)
    record_paid(state, invoice, intent, now)
    return None


def record_decline(state: EmulatorState, invoice: dict[str, Any], intent: dict[str, Any],
                    method: payments.TestPaymentMethod) -> None:
    payments.record_failure(state, intent, method)
    save_invoice(state, invoice)
    emit_event(state, "invoice.payment_failed", invoice)


def record_paid(state: EmulatorState, invoice: dict[str, Any], intent: dict[str, Any],
                 now: int) -> None:
    payments.record_success(state, intent, int(invoice["amount_remaining"]))
    amount = _mark_paid(state, invoice, now)
    save_invoice(state, invoice)
    emit_event(state, "invoice.paid", invoice)
    emit_event(state, "invoice.payment_succeeded", invoice)
    payments.record_invoice_payment_paid(state, invoice, amount, now)
