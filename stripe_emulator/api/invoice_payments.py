"""HTTP edge of ``/v1/invoice_payments`` and ``/v1/payment_intents`` (read-only).

``GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_…``
resolves a PaymentIntent (e.g. from a ``payment_intent.processing`` event) to
its invoice at this API version.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import payments
from stripe_emulator.lib.params import LIST_FIELDS, Enum, Hash, Range, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, get
from stripe_emulator.models.payment import render

NONE = Schema()
LIST_INVOICE_PAYMENTS = Schema(
    **LIST_FIELDS,
    invoice=Str(),
    payment=Hash(fields={
        "type": Enum(required=True, choices=("payment_intent", "payment_record")),
        "payment_intent": Str(),
        "payment_record": Str(),
    }),
    status=Enum(choices=("canceled", "open", "paid")),
    created=Range(),
)
LIST_PAYMENT_INTENTS = Schema(**LIST_FIELDS, customer=Str(), created=Range(),
                              customer_account=Str())
RETRIEVE_PAYMENT_INTENT = Schema(client_secret=Str())

def list_invoice_payments(call: ApiCall) -> dict[str, Any]:
    return payments.list_invoice_payments(call.state, call.params(LIST_INVOICE_PAYMENTS),
                                          call.path)


def retrieve_invoice_payment(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(payments.retrieve_invoice_payment(call.state, call.path_params["id"]))


def list_payment_intents(call: ApiCall) -> dict[str, Any]:
    return payments.list_payment_intents(call.state, call.params(LIST_PAYMENT_INTENTS),
                                         call.path)


def retrieve_payment_intent(call: ApiCall) -> dict[str, Any]:
    fields = call.params(RETRIEVE_PAYMENT_INTENT)
    return render(payments.retrieve_payment_intent(call.state, call.path_params["id"],
                                                   fields.get("client_secret")))


ROUTES: list[Route] = [
    get("/v1/invoice_payments", list_invoice_payments),
    get("/v1/invoice_payments/{id}", retrieve_invoice_payment),
    get("/v1/payment_intents", list_payment_intents),
    get("/v1/payment_intents/{id}", retrieve_payment_intent),
]
