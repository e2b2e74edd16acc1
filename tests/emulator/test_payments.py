"""Paying invoices: out of band, test cards (success, declines), bank debits that settle
later (real time and test clock), and how a PaymentIntent leads back to its invoice."""

from __future__ import annotations

import httpx
import stripe

from tests.emulator.helpers import events_about, wait_for
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, refusal

PAST = 1_700_000_000
PI_FIELDS = {
    "amount", "amount_capturable", "amount_details", "amount_received", "application",
    "application_fee_amount", "automatic_payment_methods", "canceled_at",
    "cancellation_reason", "capture_method", "client_secret", "confirmation_method",
    "created", "currency", "customer", "customer_account", "description",
    "excluded_payment_method_types", "id", "last_payment_error", "latest_charge", "livemode",
    "managed_payments", "metadata", "next_action", "object", "on_behalf_of",
    "payment_method", "payment_method_configuration_details", "payment_method_options",
    "payment_method_types", "processing", "receipt_email", "review", "setup_future_usage",
    "shipping", "source", "statement_descriptor", "statement_descriptor_suffix", "status",
    "transfer_data", "transfer_group"}
INVOICE_PAYMENT_FIELDS = {
    "amount_paid", "amount_requested", "created", "currency", "id", "invoice", "is_default",
    "livemode", "object", "payment", "status", "status_transitions"}


def _types(client: stripe.StripeClient, invoice_id: str) -> list[str]:
    return [e.type for e in events_about(client, invoice_id)]


def _intent_of(client: stripe.StripeClient, invoice_id: str) -> stripe.PaymentIntent:
    payment = client.v1.invoice_payments.list({"invoice": invoice_id}).data[0]
    return client.v1.payment_intents.retrieve(payment.payment.payment_intent)


def test_paid_out_of_band(stripe_client):
    invoice = open_invoice(stripe_client, (2500,))
    paid = stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    assert paid.status == "paid" and paid.attempted is False and paid.attempt_count == 0
    assert (paid.amount_paid, paid.amount_remaining) == (2500, 0)
    assert paid.status_transitions.paid_at and paid.auto_advance is False
    types = _types(stripe_client, invoice.id)
    assert "invoice.paid" in types and "invoice.payment_succeeded" not in types
    assert _intent_of(stripe_client, invoice.id).status == "canceled"


def test_card_payment_succeeds(stripe_client):
    invoice = open_invoice(stripe_client, (4000,))
    paid = stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    assert paid.status == "paid" and paid.attempted is True and paid.attempt_count == 1
    assert (paid.amount_paid, paid.amount_remaining) == (4000, 0)
    assert _types(stripe_client, invoice.id)[:2] == ["invoice.payment_succeeded", "invoice.paid"]
    intent = _intent_of(stripe_client, invoice.id)
    assert set(intent.to_dict()) == PI_FIELDS
    assert (intent.status, intent.amount_received, intent.payment_method) == (
        "succeeded", 4000, "pm_card_visa")


def test_paying_a_draft_finalizes_it_first(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1200,))
    paid = stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    assert paid.status == "paid" and paid.number
    assert paid.status_transitions.finalized_at == paid.status_transitions.paid_at


def test_declined_cards_answer_402_and_leave_the_invoice_open(stripe_client):
    for method in ("pm_card_chargeDeclined", "pm_card_visa_chargeDeclined",
                   "pm_card_chargeCustomerFail"):
        invoice = open_invoice(stripe_client, (1000,))
        error = refusal(lambda m=method, i=invoice: stripe_client.v1.invoices.pay(
            i.id, {"payment_method": m}), stripe.CardError)
        assert (error.http_status, error.code) == (402, "card_declined")
        assert error.error.type == "card_error" and error.error.decline_code == "generic_decline"
        after = stripe_client.v1.invoices.retrieve(invoice.id)
        assert (after.status, after.attempted, after.attempt_count) == ("open", True, 1)
        assert after.amount_remaining == 1000
        assert "invoice.payment_failed" in _types(stripe_client, invoice.id)
    retry = stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    assert retry.status == "paid" and retry.attempt_count == 2


def test_declined_draft_payment_still_finalizes(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1000,))
    refusal(lambda: stripe_client.v1.invoices.pay(
        invoice.id, {"payment_method": "pm_card_chargeDeclined"}), stripe.CardError)
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert after.status == "open" and after.number and after.attempt_count == 1


def test_bank_debit_processes_then_settles(stripe_client):
    invoice = open_invoice(stripe_client, (15000,))
    processing = stripe_client.v1.invoices.pay(invoice.id,
                                               {"payment_method": "pm_usBankAccount"})
    assert processing.status == "open" and processing.attempted is True
    intent = _intent_of(stripe_client, invoice.id)
    assert intent.status == "processing"
    processed = [e for e in stripe_client.v1.events.list(
        {"type": "payment_intent.processing", "limit": 100}).data
        if e.data.object.id == intent.id]
    assert processed
    # The events consumer resolves the PaymentIntent to its invoice:
    found = stripe_client.v1.invoice_payments.list(
        {"payment": {"type": "payment_intent", "payment_intent": intent.id}}).data
    assert [p.invoice for p in found] == [invoice.id]
    error = refusal(lambda: stripe_client.v1.invoices.pay(
        invoice.id, {"payment_method": "pm_card_visa"}))
    assert error.http_status == 400
    settled = wait_for(lambda: (i := stripe_client.v1.invoices.retrieve(invoice.id))
                       .status == "paid" and i)
    assert (settled.amount_paid, settled.amount_remaining) == (15000, 0)
    types = _types(stripe_client, invoice.id)
    assert types[:2] == ["invoice.payment_succeeded", "invoice.paid"]
    payment = stripe_client.v1.invoice_payments.retrieve(found[0].id)
    assert set(payment.to_dict()) == INVOICE_PAYMENT_FIELDS
    assert (payment.status, payment.amount_paid) == ("paid", 15000)


def test_bank_debit_on_a_test_clock_settles_when_the_clock_passes(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id)
    invoice = stripe_client.v1.invoices.finalize_invoice(draft(stripe_client, buyer.id,
                                                               (800,)).id)
    assert invoice.test_clock == clock.id and invoice.created == PAST
    stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_usBankAccount_success"})
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "open"
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 3600})
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and PAST < paid.status_transitions.paid_at <= PAST + 3600
    event = events_about(stripe_client, invoice.id, "invoice.paid")[0]
    assert event.created == paid.status_transitions.paid_at and event.request.id is None


def test_uncollectible_invoice_can_still_be_paid(stripe_client):
    invoice = stripe_client.v1.invoices.mark_uncollectible(open_invoice(stripe_client).id)
    paid = stripe_client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    assert paid.status == "paid" and paid.status_details is None


def test_payment_method_refusals(stripe_client):
    invoice = open_invoice(stripe_client)
    none = refusal(lambda: stripe_client.v1.invoices.pay(invoice.id))
    assert none.http_status == 400 and none.param == "payment_method"
    unknown = refusal(lambda: stripe_client.v1.invoices.pay(invoice.id,
                                                            {"payment_method": "pm_nope"}))
    assert (unknown.http_status, unknown.code, unknown.param) == (400, "resource_missing",
                                                                  "payment_method")
    both = refusal(lambda: stripe_client.v1.invoices.pay(
        invoice.id, {"paid_out_of_band": True, "payment_method": "pm_card_visa"}))
    assert both.code == "parameters_exclusive"


def test_customer_default_payment_method_is_used(stripe_client):
    buyer = customer(stripe_client, invoice_settings={"default_payment_method": "pm_card_visa"})
    invoice = stripe_client.v1.invoices.finalize_invoice(draft(stripe_client, buyer.id,
                                                               (300,)).id)
    assert stripe_client.v1.invoices.pay(invoice.id).status == "paid"


def test_expand_payments_on_the_invoice(stripe_client):
    invoice = open_invoice(stripe_client, (600,))
    expanded = stripe_client.v1.invoices.retrieve(invoice.id, {"expand": ["payments"]})
    assert expanded.payments.data[0].amount_requested == 600
    assert expanded.payments.data[0].payment.type == "payment_intent"
    assert "payments" not in stripe_client.v1.invoices.retrieve(invoice.id).to_dict()


def test_a_retried_declined_payment_replays_without_a_second_attempt(emulator, stripe_client):
    invoice = open_invoice(stripe_client, (1000,))
    headers = {"Authorization": "Bearer sk_test_replay", "Idempotency-Key": f"pay-{invoice.id}"}
    url = f"{emulator.base_url}/v1/invoices/{invoice.id}/pay"
    first = httpx.post(url, data={"payment_method": "pm_card_chargeDeclined"}, headers=headers)
    again = httpx.post(url, data={"payment_method": "pm_card_chargeDeclined"}, headers=headers)
    assert first.status_code == again.status_code == 402
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert stripe_client.v1.invoices.retrieve(invoice.id).attempt_count == 1


def test_payment_intents_list_by_customer(stripe_client):
    invoice = open_invoice(stripe_client, (450,))
    intents = stripe_client.v1.payment_intents.list({"customer": invoice.customer}).data
    assert [(pi.amount, pi.currency, pi.status) for pi in intents] == [
        (450, "usd", "requires_payment_method")]
    missing = refusal(lambda: stripe_client.v1.payment_intents.retrieve("pi_missing"))
    assert (missing.http_status, missing.code, missing.param) == (404, "resource_missing", "id")
    unknown = refusal(lambda: stripe_client.v1.invoice_payments.list({"status": "lost"}))
    assert (unknown.http_status, unknown.param) == (400, "status")
