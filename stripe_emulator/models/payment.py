"""``payment_intent`` and ``invoice_payment`` objects: how an invoice is paid (basil+).

At this API version an invoice has no ``payment_intent`` field: it links to its
PaymentIntents (and attached payment records, ``backend.partial_payments``) through
``invoice_payment`` objects (``inpay_…``), listed by
``GET /v1/invoice_payments?invoice=in_…`` or
``?payment[type]=payment_intent&payment[payment_intent]=pi_…`` and
includable on the invoice as ``expand[]=payments``.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

PAYMENT_INTENTS = register_table(
    TableSpec(
        name="payment_intents",
        object_name="payment_intent",
        columns=(Column("customer"), Column("status")),
        indexes=(("customer",),),
    )
)

INVOICE_PAYMENTS = register_table(
    TableSpec(
        name="invoice_payments",
        object_name="invoice_payment",
        columns=(
            Column("invoice"),
            Column("status"),
            Column("payment_intent", extract=lambda p: p["payment"].get("payment_intent")),
            Column("payment_record", extract=lambda p: p["payment"].get("payment_record")),
        ),
        indexes=(("invoice",), ("payment_intent",), ("payment_record",)),
    )
)


def new_payment_intent(*, intent_id: str, secret: str, created: int, amount: int,
                       currency: str, customer: str) -> dict[str, Any]:
    """A PaymentIntent waiting for a payment method, as made when an invoice is finalized."""
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{secret}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": "Payment for Invoice",
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card", "us_bank_account"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def new_invoice_payment(*, payment_id: str, created: int, invoice: dict[str, Any],
                        payment_intent: str) -> dict[str, Any]:
    """The invoice's default payment, requesting its ``amount_remaining``."""
    return {
        "id": payment_id,
        "object": "invoice_payment",
        "amount_paid": None,
        "amount_requested": invoice["amount_remaining"],
        "created": created,
        "currency": invoice["currency"],
        "invoice": invoice["id"],
        "is_default": True,
        "livemode": False,
        "payment": {"payment_intent": payment_intent, "type": "payment_intent"},
        "status": "open",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }


def render(obj: dict[str, Any]) -> dict[str, Any]:
    return public(obj)
