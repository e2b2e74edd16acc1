"""Money movement behind invoices: PaymentIntents, ``invoice_payment`` records, test methods.

How a PaymentIntent links to its invoice at endive: not through a field on
either object (``invoice.payment_intent`` and ``payment_intent.invoice`` are
gone), but through the invoice's ``invoice_payment`` objects —
``GET /v1/invoice_payments?invoice=in_…`` or
``GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_…``
(and ``expand[]=payments`` on the invoice). Finalizing an invoice with money
due opens its default PaymentIntent and default ``invoice_payment``.

Stripe's test payment methods (``pm_card_visa``, ``pm_card_chargeDeclined``,
``pm_usBankAccount``…) decide the outcome; see :data:`TEST_PAYMENT_METHODS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError, MissingReferenceError
from stripe_emulator.lib.ids import new_id, random_token
from stripe_emulator.lib.pagination import list_object, list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import payment as model
from stripe_emulator.models.payment import INVOICE_PAYMENTS, PAYMENT_INTENTS


@dataclass(frozen=True)
class TestPaymentMethod:
    """What paying with one of Stripe's test payment method ids does."""

    kind: str  # "card" or "us_bank_account"
    #: ``None``: succeeds; else the decline (cards at once, bank debits at settlement).
    decline_code: str | None = None
    error_code: str = "card_declined"
    message: str = "Your card was declined."


_DECLINED = TestPaymentMethod("card", "generic_decline")
TEST_PAYMENT_METHODS: dict[str, TestPaymentMethod] = {
    "pm_card_visa": TestPaymentMethod("card"),
    "pm_card_visa_debit": TestPaymentMethod("card"),
    "pm_card_mastercard": TestPaymentMethod("card"),
    "pm_card_amex": TestPaymentMethod("card"),
    "pm_card_discover": TestPaymentMethod("card"),
    "pm_card_chargeDeclined": _DECLINED,
    "pm_card_visa_chargeDeclined": _DECLINED,
    "pm_card_chargeCustomerFail": _DECLINED,
    "pm_card_visa_chargeDeclinedInsufficientFunds": TestPaymentMethod(
        "card", "insufficient_funds", message="Your card has insufficient funds."),
    "pm_card_visa_chargeDeclinedLostCard": TestPaymentMethod("card", "lost_card"),
    "pm_card_visa_chargeDeclinedStolenCard": TestPaymentMethod("card", "stolen_card"),
    "pm_card_chargeDeclinedExpiredCard": TestPaymentMethod(
        "card", "expired_card", "expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": TestPaymentMethod(
        "card", "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "pm_card_chargeDeclinedProcessingError": TestPaymentMethod(
        "card", "processing_error", "processing_error",
        "An error occurred while processing your card. Try again in a little bit."),
    "pm_usBankAccount": TestPaymentMethod("us_bank_account"),
    "pm_usBankAccount_success": TestPaymentMethod("us_bank_account"),
    "pm_usBankAccount_accountClosed": TestPaymentMethod(
        "us_bank_account", "account_closed", "payment_method_provider_decline",
        "The customer's bank account has been closed."),
    "pm_usBankAccount_insufficientFunds": TestPaymentMethod(
        "us_bank_account", "insufficient_funds", "payment_method_provider_decline",
        "The customer's account has insufficient funds to cover this payment."),
}


def test_payment_method(payment_method: str, param: str = "payment_method") -> TestPaymentMethod:
    """The behaviour of ``payment_method``, or 400 ``No such PaymentMethod`` naming ``param``."""
    found = TEST_PAYMENT_METHODS.get(payment_method)
    if found is None:
        raise MissingReferenceError("PaymentMethod", payment_method, param=param)
    return found


def open_default_payment(state: EmulatorState, invoice: dict[str, Any]) -> dict[str, Any]:
    """The invoice's default PaymentIntent (opened with its ``invoice_payment`` if missing)."""
    existing = default_payment(state, invoice["id"])
    if existing is not None:
        return state.store.require(PAYMENT_INTENTS, existing["payment"]["payment_intent"])
    now = state.now(invoice["test_clock"])
    intent = model.new_payment_intent(
        intent_id=new_id("pi"), secret=random_token(25), created=now,
        amount=invoice["amount_remaining"], currency=invoice["currency"],
        customer=invoice["customer"])
    intent["_test_clock"] = invoice["test_clock"]
    state.store.insert(PAYMENT_INTENTS, intent)
    emit_event(state, "payment_intent.created", intent)
    payment = model.new_invoice_payment(payment_id=new_id("inpay"), created=now,
                                        invoice=invoice, payment_intent=intent["id"])
    payment["_test_clock"] = invoice["test_clock"]
    state.store.insert(INVOICE_PAYMENTS, payment)
    return intent


def default_payment(state: EmulatorState, invoice_id: str) -> dict[str, Any] | None:
    """The invoice's default ``invoice_payment`` (its PaymentIntent), not attached ones."""
    found = state.store.select(INVOICE_PAYMENTS, Where().eq("invoice", invoice_id)
                               .raw("payment_intent IS NOT NULL"), limit=1)
    return found[0] if found else None


def request_remaining(state: EmulatorState, invoice: dict[str, Any]) -> None:
    """After a partial payment the open default payment (and its PaymentIntent) asks for
    what remains (Stripe keeps the default payment in step with ``amount_remaining``)."""
    payment = default_payment(state, invoice["id"])
    if payment is None or payment["status"] != "open":
        return
    payment["amount_requested"] = invoice["amount_remaining"]
    state.store.update(INVOICE_PAYMENTS, payment)
    intent = state.store.get(PAYMENT_INTENTS, payment["payment"]["payment_intent"])
    if intent is not None and intent["status"] == "requires_payment_method":
        intent["amount"] = invoice["amount_remaining"]
        state.store.update(PAYMENT_INTENTS, intent)


def start_attempt(intent: dict[str, Any], payment_method: str,
                  kind: str) -> None:
    """Confirm ``intent`` with ``payment_method`` (the outcome is recorded by the caller)."""
    intent["payment_method"] = payment_method
    intent["payment_method_types"] = [kind]
    intent["last_payment_error"] = None


def record_processing(state: EmulatorState, intent: dict[str, Any]) -> None:
    intent["status"] = "processing"
    state.store.update(PAYMENT_INTENTS, intent)
    emit_event(state, "payment_intent.processing", intent)


def record_failure(state: EmulatorState, intent: dict[str, Any],
                   method: TestPaymentMethod) -> None:
    intent["status"] = "requires_payment_method"
    intent["last_payment_error"] = {
        "code": method.error_code, "decline_code": method.decline_code,
        "doc_url": f"https://stripe.com/docs/error-codes/{method.error_code.replace('_', '-')}",
        "message": method.message, "payment_method": {"id": intent["payment_method"],
                                                      "object": "payment_method",
                                                      "type": method.kind},
        "type": "card_error" if method.kind == "card" else "invalid_request_error",
    }
    state.store.update(PAYMENT_INTENTS, intent)
    emit_event(state, "payment_intent.payment_failed", intent)


def record_success(state: EmulatorState, intent: dict[str, Any] | None, amount: int) -> None:
    """Money arrived: the intent succeeds (``payment_intent.succeeded``)."""
    if intent is None:
        return
    intent["status"] = "succeeded"
    intent["amount_received"] = amount
    intent["last_payment_error"] = None
    state.store.update(PAYMENT_INTENTS, intent)
    emit_event(state, "payment_intent.succeeded", intent)


def record_invoice_payment_paid(state: EmulatorState, invoice: dict[str, Any], amount: int,
                                now: int) -> None:
    """The invoice's default ``invoice_payment`` is paid (``invoice_payment.paid``)."""
    payment = default_payment(state, invoice["id"])
    if payment is None:
        return
    payment.update(status="paid", amount_paid=amount)
    payment["status_transitions"]["paid_at"] = now
    state.store.update(INVOICE_PAYMENTS, payment)
    emit_event(state, "invoice_payment.paid", payment)


def cancel_default_payment(state: EmulatorState, invoice: dict[str, Any], reason: str,
                           now: int) -> None:
    """Close an unpaid default payment (the invoice was voided or paid out of band)."""
    payment = default_payment(state, invoice["id"])
    if payment is None or payment["status"] != "open":
        return
    payment["status"] = "canceled"
    payment["status_transitions"]["canceled_at"] = now
    state.store.update(INVOICE_PAYMENTS, payment)
    intent = state.store.get(PAYMENT_INTENTS, payment["payment"]["payment_intent"])
    if intent is not None and intent["status"] not in ("succeeded", "canceled", "processing"):
        intent.update(status="canceled", canceled_at=now, cancellation_reason=reason)
        state.store.update(PAYMENT_INTENTS, intent)
        emit_event(state, "payment_intent.canceled", intent)


def retrieve_payment_intent(state: EmulatorState, intent_id: str,
                            client_secret: str | None = None) -> dict[str, Any]:
    """The intent; a ``client_secret`` given (as publishable-key callers must) must match."""
    intent = state.store.require(PAYMENT_INTENTS, intent_id)
    if client_secret is not None and client_secret != intent["client_secret"]:
        raise InvalidRequestError("The client_secret provided does not match the "
                                  "client_secret associated with the PaymentIntent.",
                                  param="client_secret")
    return intent


def list_payment_intents(state: EmulatorState, params: dict[str, Any],
                         url: str) -> dict[str, Any]:
    where = Where()
    if params.get("customer"):
        where.eq("customer", params["customer"])
    if params.get("customer_account"):
        where.raw("0")  # the emulator bills customers, never Accounts v2
    where.range("created", params.get("created"))
    return list_page(state.store, PAYMENT_INTENTS, where, params, url, model.render)


def retrieve_invoice_payment(state: EmulatorState, payment_id: str) -> dict[str, Any]:
    return state.store.require(INVOICE_PAYMENTS, payment_id)


def list_invoice_payments(state: EmulatorState, params: dict[str, Any],
                          url: str) -> dict[str, Any]:
    """``invoice``, ``payment[type]`` + ``payment[payment_intent]`` or
    ``payment[payment_record]``, ``status`` filters."""
    where = Where()
    if params.get("invoice"):
        where.eq("invoice", params["invoice"])
    payment = params.get("payment") or {}
    if payment.get("type") == "payment_intent":
        where.raw("payment_intent IS NOT NULL")
    elif payment.get("type") == "payment_record":
        where.raw("payment_record IS NOT NULL")
    if payment.get("payment_intent"):
        where.eq("payment_intent", payment["payment_intent"])
    if payment.get("payment_record"):
        where.eq("payment_record", payment["payment_record"])
    if params.get("status"):
        where.eq("status", params["status"])
    where.range("created", params.get("created"))
    return list_page(state.store, INVOICE_PAYMENTS, where, params, url, model.render)


def payments_of(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    """The invoice's ``payments`` list (includable with ``expand[]=payments``)."""
    rows = state.store.select(INVOICE_PAYMENTS, Where().eq("invoice", invoice_id), limit=11)
    return list_object([model.render(r) for r in rows[:10]],
                       "/v1/invoice_payments", len(rows) > 10)
