"""Payments made outside Stripe, reported as payment records and attached to invoices:
partial and dated payments, overpayments, the invoice's payments list, events, refusals.

The real ``stripe`` SDK against the emulator (``/v1/payment_records/report_payment``,
``/v1/payment_records/{id}``, ``/v1/invoices/{id}/attach_payment``,
``/v1/invoice_payments``).
"""

from __future__ import annotations

from typing import Any

import stripe

from tests.emulator.helpers import events_about
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, refusal

DAY = 86_400
MONDAY = 1_767_000_000
RECORD_FIELDS = {
    "id", "object", "amount", "amount_authorized", "amount_canceled", "amount_failed",
    "amount_guaranteed", "amount_refunded", "amount_requested", "application", "created",
    "customer_details", "customer_presence", "description", "latest_payment_attempt_record",
    "livemode", "metadata", "payment_method_details", "processor_details", "reported_by",
    "shipping_details"}


def report(client: stripe.StripeClient, value: int, *, currency: str = "usd",
           at: int = MONDAY, outcome: str | None = "guaranteed", **fields: Any) -> Any:
    """A payment of ``value`` reported as received at ``at`` (a bank transfer)."""
    params: dict[str, Any] = {
        "amount_requested": {"currency": currency, "value": value},
        "initiated_at": at,
        "payment_method_details": {"type": "custom",
                                   "custom": {"display_name": "Bank transfer",
                                              "type": "bank_transfer"}},
        **fields,
    }
    if outcome is not None:
        params["outcome"] = outcome
        params[outcome] = {f"{outcome}_at": at}
    return client.v1.payment_records.report_payment(params)


def _default_payment(client: stripe.StripeClient, invoice_id: str) -> Any:
    return next(p for p in client.v1.invoice_payments.list({"invoice": invoice_id})
                if p.is_default)


def test_a_reported_payment_has_stripes_shape_and_can_be_retrieved(stripe_client):
    buyer = customer(stripe_client)
    record = report(stripe_client, 30000, customer_details={"customer": buyer.id},
                    processor_details={"type": "custom",
                                       "custom": {"payment_reference": "TRX-889"}},
                    metadata={"clerk": "ana"}, description="Wire from Acme")
    assert record.id.startswith("pr_") and record.object == "payment_record"
    assert set(record.to_dict()) == RECORD_FIELDS
    assert record.amount.to_dict() == {"currency": "usd", "value": 30000}
    assert record.amount_guaranteed.value == 30000 and record.amount_failed.value == 0
    assert record.amount_requested.value == 30000 and record.reported_by == "self"
    assert record.payment_method_details.custom.display_name == "Bank transfer"
    assert record.payment_method_details.type == "custom"
    assert record.processor_details.custom.payment_reference == "TRX-889"
    assert record.customer_details.customer == buyer.id
    assert record.metadata.to_dict() == {"clerk": "ana"}
    assert stripe_client.v1.payment_records.retrieve(record.id).to_dict() == record.to_dict()


def test_a_failed_report_records_no_money(stripe_client):
    record = report(stripe_client, 500, outcome="failed")
    assert (record.amount.value, record.amount_failed.value,
            record.amount_guaranteed.value) == (0, 500, 0)


def test_a_1000_invoice_paid_300_then_700_on_two_dates(stripe_client):
    invoice = open_invoice(stripe_client, (100000,))
    first_day, second_day = MONDAY, MONDAY + 9 * DAY
    partly = stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 30000, at=first_day).id})
    assert partly.status == "open"
    assert (partly.amount_paid, partly.amount_remaining, partly.amount_overpaid) == (
        30000, 70000, 0)
    assert partly.status_transitions.paid_at is None
    default = _default_payment(stripe_client, invoice.id)
    assert default.amount_requested == 70000 and default.status == "open"

    paid = stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 70000, at=second_day).id,
                     "expand": ["payments"]})
    assert paid.status == "paid"
    assert (paid.amount_paid, paid.amount_remaining, paid.amount_overpaid) == (100000, 0, 0)
    assert paid.status_transitions.paid_at == second_day
    attached = [p for p in paid.payments.data if not p.is_default]
    assert sorted((p.amount_paid, p.status, p.status_transitions.paid_at)
                  for p in attached) == [(30000, "paid", first_day), (70000, "paid", second_day)]
    assert {p.payment.type for p in attached} == {"payment_record"}
    default = stripe_client.v1.invoice_payments.retrieve(default.id)
    assert default.status == "canceled"


def test_events_of_a_partial_then_a_full_payment(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 4000).id})
    types = [e.type for e in events_about(stripe_client, invoice.id)]
    assert types[0] == "invoice.updated" and "invoice.paid" not in types
    update = events_about(stripe_client, invoice.id, "invoice.updated")[0]
    assert update.data.previous_attributes.to_dict() == {"amount_paid": 0,
                                                         "amount_remaining": 10000}
    stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 6000).id})
    types = [e.type for e in events_about(stripe_client, invoice.id)]
    assert types[:3] == ["invoice.payment_succeeded", "invoice.paid", "invoice.updated"]
    paid_payments = [e for e in stripe_client.v1.events.list(
        {"type": "invoice_payment.paid", "limit": 10}).data
        if e.data.object.invoice == invoice.id]
    assert sorted(e.data.object.amount_paid for e in paid_payments) == [4000, 6000]


def test_listing_invoice_payments_by_payment_record(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    record = report(stripe_client, 2500)
    stripe_client.v1.invoices.attach_payment(invoice.id, {"payment_record": record.id})
    found = stripe_client.v1.invoice_payments.list(
        {"payment": {"type": "payment_record", "payment_record": record.id},
         "expand": ["data.payment.payment_record"]}).data
    assert [p.invoice for p in found] == [invoice.id]
    assert found[0].payment.payment_record.id == record.id
    by_type = stripe_client.v1.invoice_payments.list(
        {"invoice": invoice.id, "payment": {"type": "payment_intent"}}).data
    assert [p.is_default for p in by_type] == [True]


def test_an_overpayment_credits_the_customers_balance(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    paid = stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 12500).id})
    assert (paid.status, paid.amount_paid, paid.amount_remaining, paid.amount_overpaid) == (
        "paid", 12500, 0, 2500)
    assert "invoice.overpaid" in [e.type for e in events_about(stripe_client, invoice.id)]
    assert stripe_client.v1.customers.retrieve(invoice.customer).balance == -2500
    credit = stripe_client.v1.customers.balance_transactions.list(invoice.customer).data[0]
    assert (credit.type, credit.amount, credit.invoice, credit.ending_balance) == (
        "invoice_overpaid", -2500, invoice.id, -2500)


def test_a_partly_paid_invoice_can_still_be_paid_in_full_by_card(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 1000).id})
    paid = stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 10000, 0)
    default = _default_payment(stripe_client, invoice.id)
    assert (default.status, default.amount_paid) == ("paid", 9000)


def _assert_refused(error: stripe.StripeError, status: int, code: str | None,
                    param: str | None) -> None:
    assert (error.http_status, error.code, error.param) == (status, code, param)
    assert error.error.type == "invalid_request_error"


def test_attaching_to_a_draft_void_or_paid_invoice_is_refused(stripe_client):
    buyer = customer(stripe_client)
    pending = draft(stripe_client, buyer.id, (5000,))
    record = report(stripe_client, 5000)
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        pending.id, {"payment_record": record.id}))
    _assert_refused(error, 400, None, None)
    assert "open invoices" in error.user_message
    voided = stripe_client.v1.invoices.void_invoice(open_invoice(stripe_client).id)
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        voided.id, {"payment_record": record.id}))
    _assert_refused(error, 400, None, None)
    paid = stripe_client.v1.invoices.pay(open_invoice(stripe_client).id,
                                         {"paid_out_of_band": True})
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        paid.id, {"payment_record": record.id}))
    _assert_refused(error, 400, None, None)
    assert error.user_message == "Invoice is already paid"
    assert stripe_client.v1.invoice_payments.list(
        {"payment": {"type": "payment_record", "payment_record": record.id}}).data == []


def test_a_payment_in_another_currency_is_refused(stripe_client):
    invoice = open_invoice(stripe_client, (5000,))
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 5000, currency="eur").id}))
    _assert_refused(error, 400, None, "payment_record")
    assert stripe_client.v1.invoices.retrieve(invoice.id).amount_paid == 0


def test_a_payment_record_is_attached_once(stripe_client):
    record = report(stripe_client, 1000)
    stripe_client.v1.invoices.attach_payment(open_invoice(stripe_client).id,
                                             {"payment_record": record.id})
    other = open_invoice(stripe_client)
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        other.id, {"payment_record": record.id}))
    _assert_refused(error, 400, None, "payment_record")


def test_attach_payment_parameter_refusals(stripe_client):
    invoice = open_invoice(stripe_client, (5000,))
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(invoice.id, {}))
    _assert_refused(error, 400, "parameter_missing", "payment_record")
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": "pr_missing"}))
    _assert_refused(error, 400, "resource_missing", "payment_record")
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_intent": "pi_missing"}))
    _assert_refused(error, 400, "resource_missing", "payment_intent")
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_intent": "pi_x", "payment_record": "pr_x"}))
    _assert_refused(error, 400, "parameters_exclusive", "payment_record")
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        "in_missing", {"payment_record": report(stripe_client, 10).id}))
    _assert_refused(error, 404, "resource_missing", "invoice")


def test_another_invoices_payment_intent_cannot_be_attached(stripe_client):
    invoice = open_invoice(stripe_client, (5000,))
    other = open_invoice(stripe_client, (5000,))
    intent = stripe_client.v1.invoice_payments.list({"invoice": other.id}).data[0]
    error = refusal(lambda: stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_intent": intent.payment.payment_intent}))
    _assert_refused(error, 400, None, "payment_intent")


def test_report_payment_refusals_name_the_field(stripe_client):
    base = {"amount_requested": {"currency": "usd", "value": 100}, "initiated_at": MONDAY,
            "payment_method_details": {"type": "custom"}}
    cases = [
        ({**base, "outcome": "guaranteed"}, "parameter_missing", "guaranteed"),
        ({**base, "guaranteed": {"guaranteed_at": MONDAY}}, None, "guaranteed"),
        ({**base, "amount_requested": {"currency": "usd", "value": 0}},
         "parameter_invalid_integer", "amount_requested[value]"),
        ({**base, "amount_requested": {"currency": "zzz", "value": 5}}, None,
         "amount_requested[currency]"),
        ({k: v for k, v in base.items() if k != "initiated_at"}, "parameter_missing",
         "initiated_at"),
        ({**base, "payment_method_details": {"billing_details": {"name": "A"}}},
         "parameter_missing",
         "payment_method_details[type]"),
        ({**base, "customer_details": {"customer": "cus_missing"}}, "resource_missing",
         "customer_details[customer]"),
    ]
    for params, code, param in cases:
        error = refusal(lambda p=params: stripe_client.v1.payment_records.report_payment(p))
        _assert_refused(error, 400, code, param)
    error = refusal(lambda: stripe_client.v1.payment_records.retrieve("pr_missing"))
    _assert_refused(error, 404, "resource_missing", "id")


def test_a_stripe_payment_method_gives_the_details_its_type(stripe_client):
    record = stripe_client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": 100}, "initiated_at": MONDAY,
        "payment_method_details": {"payment_method": "pm_card_visa"}})
    assert (record.payment_method_details.type,
            record.payment_method_details.payment_method) == ("card", "pm_card_visa")
    assert "custom" not in record.payment_method_details.to_dict()
    error = refusal(lambda: stripe_client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": 100}, "initiated_at": MONDAY,
        "payment_method_details": {"payment_method": "pm_missing"}}))
    _assert_refused(error, 400, "resource_missing", "payment_method_details[payment_method]")
