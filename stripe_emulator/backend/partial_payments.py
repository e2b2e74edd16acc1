"""Attaching payments to an invoice: partial and dated payments (``attach_payment``).

Follows Stripe's "Accept partial payments" and ``POST /v1/invoices/{id}/attach_payment``
(endive): each attached payment becomes one of the invoice's ``invoice_payment`` objects
(``is_default: false``). A guaranteed payment record is credited at once:

* the invoice's ``amount_paid`` grows by the record's amount; ``amount_remaining`` =
  max(0, ``amount_due`` − ``amount_paid``); ``amount_overpaid`` = what was paid beyond
  ``amount_due``;
* while something remains the invoice stays open (``invoice_payment.paid``,
  ``invoice.updated``), and its default payment (PaymentIntent) now asks for what remains;
* the payment that completes it makes it ``paid`` with ``status_transitions.paid_at`` = that
  payment's time (``guaranteed[guaranteed_at]``, however long ago), cancels the unused
  default payment and emits ``invoice.paid`` and ``invoice.payment_succeeded``; an overpaid
  invoice also emits ``invoice.overpaid`` and credits the excess to the customer's balance.

Refusals (HTTP 400, no code, as Stripe's other state refusals): a draft or void invoice
(``You can only pass in open invoices…``), a paid one (``Invoice is already paid``), a
payment in another currency or already attached (naming the parameter), a missing payment
(400 ``resource_missing`` naming the parameter), neither or both parameters.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import balance_transactions, payments
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoicing import require_invoice
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError, MissingReferenceError, ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.params import exclusive
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import invoice as invoice_model
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.payment import INVOICE_PAYMENTS, PAYMENT_INTENTS
from stripe_emulator.models.payment_record import PAYMENT_RECORDS

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
ALREADY_PAID = "Invoice is already paid"


def attach_payment(state: EmulatorState, invoice_id: str,
                   fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/invoices/{id}/attach_payment`` with ``payment_record`` or
    ``payment_intent``; answers the invoice (``expand[]=payments`` shows the list).

    Amounts are minor units of the invoice's currency. Raises ``ParameterError``
    (neither or both parameters), ``MissingReferenceError`` (unknown payment, naming the
    parameter), ``InvalidRequestError`` (invoice not open, paid, currency mismatch, payment
    already attached).
    """
    exclusive(fields, "payment_intent", "payment_record")
    if not fields.get("payment_intent") and not fields.get("payment_record"):
        raise ParameterError("You must specify one of these parameters: payment_intent, "
                             "payment_record.", code="parameter_missing",
                             param="payment_record")
    invoice = require_invoice(state, invoice_id, param="invoice")
    if fields.get("payment_intent"):
        return _attach_intent(state, invoice, fields["payment_intent"])
    record = state.store.get(PAYMENT_RECORDS, fields["payment_record"])
    if record is None:
        raise MissingReferenceError("payment_record", fields["payment_record"],
                                    param="payment_record")
    _check_attachable(invoice, record["amount_requested"]["currency"], "payment_record")
    if state.store.count(INVOICE_PAYMENTS, Where().eq("payment_record", record["id"])):
        raise InvalidRequestError(
            f"The payment record {record['id']} is already attached to an invoice.",
            param="payment_record")
    _record_payment(state, invoice, record)
    return invoice


def _check_attachable(invoice: dict[str, Any], currency: str, param: str) -> None:
    if invoice["status"] == "paid":
        raise InvalidRequestError(ALREADY_PAID)
    if invoice["status"] not in ("open", "uncollectible"):
        raise InvalidRequestError(NOT_OPEN)
    if currency != invoice["currency"]:
        raise InvalidRequestError(
            f"The payment's currency ({currency}) must match the invoice's currency "
            f"({invoice['currency']}).", param=param)


def _attach_intent(state: EmulatorState, invoice: dict[str, Any],
                   intent_id: str) -> dict[str, Any]:
    """The emulator's PaymentIntents are all invoices' default ones: each is attached."""
    intent = state.store.get(PAYMENT_INTENTS, intent_id)
    if intent is None:
        raise MissingReferenceError("payment_intent", intent_id, param="payment_intent")
    _check_attachable(invoice, intent["currency"], "payment_intent")
    raise InvalidRequestError(f"The PaymentIntent {intent_id} is already attached to an "
                              "invoice.", param="payment_intent")


def _record_payment(state: EmulatorState, invoice: dict[str, Any],
                    record: dict[str, Any]) -> None:
    now = state.now(invoice["test_clock"])
    guaranteed = record.get("_outcome") == "guaranteed"
    value = int(record["amount_requested"]["value"])
    paid_at = int(record["_outcome_at"]) if guaranteed else None
    payment = {
        "id": new_id("inpay"),
        "object": "invoice_payment",
        "amount_paid": value if guaranteed else None,
        "amount_requested": value,
        "created": now,
        "currency": invoice["currency"],
        "invoice": invoice["id"],
        "is_default": False,
        "livemode": False,
        "payment": {"payment_record": record["id"], "type": "payment_record"},
        "status": "paid" if guaranteed else ("canceled" if record.get("_outcome") else "open"),
        "status_transitions": {"canceled_at": None if guaranteed or not record.get("_outcome")
                               else now, "paid_at": paid_at},
        "_test_clock": invoice["test_clock"],
    }
    state.store.insert(INVOICE_PAYMENTS, payment)
    if not guaranteed or paid_at is None:
        return
    emit_event(state, "invoice_payment.paid", payment)
    credit_invoice(state, invoice, value, paid_at)


def credit_invoice(state: EmulatorState, invoice: dict[str, Any], amount: int,
                   paid_at: int) -> None:
    """``amount`` (minor units) more was paid on ``invoice`` at ``paid_at``: amounts, status,
    the default payment, the customer's balance for an overpayment, and the events."""
    before = invoice_model.clone(invoice)
    invoice["amount_paid"] = int(invoice["amount_paid"]) + amount
    due = int(invoice["amount_due"])
    invoice["amount_remaining"] = max(0, due - invoice["amount_paid"])
    overpaid = max(0, invoice["amount_paid"] - due)
    newly_overpaid = overpaid - int(invoice.get("amount_overpaid") or 0)
    invoice["amount_overpaid"] = overpaid
    now = state.now(invoice["test_clock"])
    fully_paid = invoice["amount_remaining"] == 0
    if fully_paid:
        invoice.update(status="paid", auto_advance=False, status_details=None,
                       next_payment_attempt=None)
        invoice["status_transitions"]["paid_at"] = paid_at
        payments.cancel_default_payment(state, invoice, "automatic", now)
    else:
        payments.request_remaining(state, invoice)
    state.store.update(INVOICES, invoice)
    emit_event(state, "invoice.updated", invoice, previous=before)
    if newly_overpaid > 0:
        balance_transactions.record(
            state, invoice["customer"], -newly_overpaid, invoice["currency"],
            kind="invoice_overpaid", invoice_id=invoice["id"])
        emit_event(state, "invoice.overpaid", invoice)
    if fully_paid:
        emit_event(state, "invoice.paid", invoice)
        emit_event(state, "invoice.payment_succeeded", invoice)
