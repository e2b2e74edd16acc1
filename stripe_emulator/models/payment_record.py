"""The ``payment_record`` object: a payment made outside Stripe, reported to it (endive).

``POST /v1/payment_records/report_payment`` records a payment that happened elsewhere (a
bank transfer, a cheque, cash): how much was asked for, when it was initiated, and, with
``outcome=guaranteed``, when the money was guaranteed. Attached to an invoice
(``POST /v1/invoices/{id}/attach_payment`` with ``payment_record``) it becomes one of the
invoice's ``invoice_payment`` objects (``payment.type = payment_record``).

Each amount hash is ``{"currency", "value"}`` in minor units. The private ``_outcome`` and
``_guaranteed_at`` keep what the report said, for the invoice payment it leads to.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import full_address, public

PAYMENT_RECORDS = register_table(
    TableSpec(
        name="payment_records",
        object_name="payment_record",
        columns=(Column("customer", extract=lambda r: (r.get("customer_details") or {})
                        .get("customer")),),
        indexes=(("customer",),),
    )
)

OUTCOMES = ("canceled", "failed", "guaranteed")


def money(currency: str, value: int) -> dict[str, Any]:
    """One of the record's amount hashes."""
    return {"currency": currency, "value": value}


def new_payment_record(*, record_id: str, created: int, currency: str, value: int,
                       outcome: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """A reported payment with every endive field; amounts follow the ``outcome``.

    ``fields`` are the report's parameters (``customer_details``, ``description``,
    ``metadata``, ``payment_method_details``, ``processor_details``, ``shipping_details``,
    ``customer_presence``), already checked.
    """
    zero = money(currency, 0)
    by_outcome = {name: money(currency, value if outcome == name else 0) for name in OUTCOMES}
    customer = fields.get("customer_details") or {}
    shipping = fields.get("shipping_details")
    return {
        "id": record_id,
        "object": "payment_record",
        "amount": money(currency, value if outcome == "guaranteed" else 0),
        "amount_authorized": dict(by_outcome["guaranteed"]),
        "amount_canceled": by_outcome["canceled"],
        "amount_failed": by_outcome["failed"],
        "amount_guaranteed": by_outcome["guaranteed"],
        "amount_refunded": zero,
        "amount_requested": money(currency, value),
        "application": None,
        "created": created,
        "customer_details": {key: customer.get(key)
                             for key in ("customer", "email", "name", "phone")},
        "customer_presence": fields.get("customer_presence"),
        "description": fields.get("description"),
        "latest_payment_attempt_record": None,
        "livemode": False,
        "metadata": {},
        "payment_method_details": payment_method_details(fields["payment_method_details"]),
        "processor_details": processor_details(fields.get("processor_details")),
        "reported_by": "self",
        "shipping_details": None if shipping is None else {
            "address": full_address(shipping.get("address") or {}),
            "name": shipping.get("name"), "phone": shipping.get("phone")},
    }


def payment_method_details(given: dict[str, Any]) -> dict[str, Any]:
    """``payment_method_details`` as shown: billing details in full, the custom method."""
    billing = given.get("billing_details") or {}
    shown: dict[str, Any] = {
        "billing_details": {
            "address": full_address(billing.get("address") or {}),
            "email": billing.get("email"), "name": billing.get("name"),
            "phone": billing.get("phone")},
        "payment_method": given.get("payment_method"),
        "type": given.get("type") or "custom",
    }
    if shown["type"] == "custom":
        custom = given.get("custom") or {}
        shown["custom"] = {"display_name": custom.get("display_name") or "Custom",
                           "type": custom.get("type")}
    return shown


def processor_details(given: dict[str, Any] | None) -> dict[str, Any]:
    """``processor_details``: always ``custom``, with the reference when given."""
    custom = (given or {}).get("custom")
    return {"custom": {"payment_reference": custom.get("payment_reference")} if custom else None,
            "type": "custom"}


def render(record: dict[str, Any]) -> dict[str, Any]:
    return public(record)
