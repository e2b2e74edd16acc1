"""HTTP edge of ``/v1/payment_records``: report a payment made outside Stripe, retrieve it.

Stripe's reference: ``POST /v1/payment_records/report_payment``
(``PaymentRecordReportPaymentParams``) and ``GET /v1/payment_records/{id}``. The
``report_payment_attempt…`` and ``report_refund`` actions are not served.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import payment_records
from stripe_emulator.lib.params import Enum, Hash, Int, Metadata, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, get, post
from stripe_emulator.models.payment_record import OUTCOMES, render

_ADDRESS = Hash(fields={k: Str(max_length=5000) for k in
                        ("city", "country", "line1", "line2", "postal_code", "state")})
_TIME = Int(required=True, minimum=0)

REPORT_PAYMENT = Schema(
    amount_requested=Hash(required=True, fields={
        "currency": Str(required=True), "value": Int(required=True, minimum=1)}),
    canceled=Hash(fields={"canceled_at": _TIME}),
    customer_details=Hash(fields={"customer": Str(), "email": Str(max_length=5000),
                                  "name": Str(max_length=5000),
                                  "phone": Str(max_length=5000)}),
    customer_presence=Enum(choices=("off_session", "on_session")),
    description=Str(max_length=5000),
    failed=Hash(fields={"failed_at": _TIME}),
    guaranteed=Hash(fields={"guaranteed_at": _TIME}),
    initiated_at=Int(required=True, minimum=0),
    metadata=Metadata(),
    outcome=Enum(choices=OUTCOMES),
    payment_method_details=Hash(required=True, fields={
        "billing_details": Hash(fields={"address": _ADDRESS, "email": Str(max_length=5000),
                                        "name": Str(max_length=5000),
                                        "phone": Str(max_length=5000)}),
        "custom": Hash(fields={"display_name": Str(max_length=5000),
                               "type": Str(max_length=5000)}),
        "payment_method": Str(),
        "type": Enum(choices=("custom",)),
    }),
    processor_details=Hash(fields={
        "custom": Hash(fields={"payment_reference": Str(required=True, max_length=5000)}),
        "type": Enum(required=True, choices=("custom",)),
    }),
    shipping_details=Hash(fields={"address": _ADDRESS, "name": Str(max_length=5000),
                                  "phone": Str(max_length=5000)}),
)
NONE = Schema()


def report_payment(call: ApiCall) -> dict[str, Any]:
    return render(payment_records.report_payment(call.state, call.params(REPORT_PAYMENT)))


def retrieve_payment_record(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(payment_records.retrieve_payment_record(call.state, call.path_params["id"]))


ROUTES: list[Route] = [
    post("/v1/payment_records/report_payment", report_payment),
    get("/v1/payment_records/{id}", retrieve_payment_record),
]
