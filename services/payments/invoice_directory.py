"""Looks up, over the Stripe API, what a payment event does not carry.

At API version 2026-10-28.endive a PaymentIntent has no ``invoice`` field and an
invoice has no ``charge`` / ``payment_intent`` / ``paid_out_of_band``. The link
between them is the invoice's payments: ``GET /v1/invoice_payments`` filtered by
``payment[type]=payment_intent&payment[payment_intent]=pi_…`` (which invoice a
payment intent pays) or by ``invoice=in_…`` (how an invoice was paid). Every
lookup answers ``None`` when Stripe cannot say, and the handlers then fall back
on what the events themselves show; no ``stripe`` error escapes.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe

from services.payments.handlers import BANK_DEBIT, CARD, OUT_OF_BAND

log = logging.getLogger(__name__)

#: Payment method types that are bank debits (they go through `processing`).
_BANK_DEBIT_TYPES = frozenset(
    {
        "us_bank_account",
        "sepa_debit",
        "bacs_debit",
        "au_becs_debit",
        "acss_debit",
        "nz_bank_account",
    }
)


def _id_of(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return getattr(value, "id", None)


class StripeInvoiceDirectory:
    """:class:`services.payments.handlers.InvoiceDirectory` over a ``stripe.StripeClient``."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None:
        """The invoice paid by ``payment_intent_id``, via its invoice payment."""
        try:
            page = self._client.v1.invoice_payments.list(
                params={
                    "payment": {"type": "payment_intent", "payment_intent": payment_intent_id},
                    "limit": 1,
                }
            )
        except stripe.StripeError as err:
            log.warning("invoice_payments lookup for %s failed: %s", payment_intent_id, err)
            return None
        for payment in page.data:
            return _id_of(payment.invoice)
        return None

    def invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """The invoice as Stripe has it now."""
        try:
            return self._client.v1.invoices.retrieve(invoice_id).to_dict()
        except stripe.StripeError as err:
            log.warning("invoice %s lookup failed: %s", invoice_id, err)
            return None

    def paid_how(self, invoice_id: str) -> str | None:
        """``card``, ``bank debit`` or ``out of band`` from the invoice's paid payment."""
        try:
            page = self._client.v1.invoice_payments.list(
                params={"invoice": invoice_id, "status": "paid", "limit": 10}
            )
            paid = list(page.data)
            if not paid:
                return None  # nothing collected through Stripe: the handler decides
            payment = paid[0].payment
            if payment.type != "payment_intent":
                return OUT_OF_BAND  # a payment record: money received outside Stripe
            intent = self._client.v1.payment_intents.retrieve(_id_of(payment.payment_intent) or "")
        except (stripe.StripeError, AttributeError) as err:
            log.warning("payment lookup for %s failed: %s", invoice_id, err)
            return None
        method_type = self._method_type(intent)
        if method_type is None:
            return None
        return BANK_DEBIT if method_type in _BANK_DEBIT_TYPES else CARD

    def _method_type(self, intent: Any) -> str | None:
        """The type of the payment method that paid ``intent``."""
        types = list(intent.payment_method_types or [])
        if len(types) == 1:
            return types[0]  # a confirmed intent names the one type it used
        method_id = _id_of(intent.payment_method)
        if not method_id:
            return None
        try:
            return self._client.v1.payment_methods.retrieve(method_id).type
        except stripe.StripeError as err:
            log.warning("payment method %s lookup failed: %s", method_id, err)
            return None
