"""Credit notes: issuing (by amount or lines), the pre/post-payment split, numbering, the
customer's balance and their next invoice, preview, lines, list, update, void, refusals.

The real ``stripe`` SDK against the emulator (``/v1/credit_notes…``,
``/v1/customers/{id}/balance_transactions``).
"""

from __future__ import annotations

from typing import Any

import stripe

from tests.emulator.helpers import events_about
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, refusal
from tests.emulator.test_payment_records import report

CREDIT_NOTE_FIELDS = {
    "id", "object", "amount", "amount_shipping", "created", "currency", "customer",
    "customer_account", "customer_balance_transaction", "discount_amount", "discount_amounts",
    "effective_at", "invoice", "lines", "livemode", "memo", "metadata", "number",
    "out_of_band_amount", "pdf", "post_payment_amount", "pre_payment_amount",
    "pretax_credit_amounts", "reason", "refunds", "shipping_cost", "status", "subtotal",
    "subtotal_excluding_tax", "total", "total_excluding_tax", "total_taxes", "type",
    "voided_at"}
LINE_FIELDS = {
    "id", "object", "amount", "description", "discount_amount", "discount_amounts",
    "invoice_line_item", "livemode", "metadata", "pretax_credit_amounts", "quantity",
    "tax_rates", "taxes", "type", "unit_amount", "unit_amount_decimal"}


def _refused(error: stripe.StripeError, status: int, code: str | None,
             param: str | None) -> None:
    assert (error.http_status, error.code, error.param) == (status, code, param)
    assert error.error.type == "invalid_request_error"


def _paid(client: stripe.StripeClient, amounts: tuple[int, ...] = (100000,)) -> Any:
    invoice = open_invoice(client, amounts)
    return client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})


def test_a_200_credit_note_on_an_open_1000_invoice_leaves_800_due(stripe_client):
    invoice = open_invoice(stripe_client, (100000,))
    note = stripe_client.v1.credit_notes.create(
        {"invoice": invoice.id, "amount": 20000, "reason": "order_change",
         "memo": "Late delivery"})
    assert set(note.to_dict()) == CREDIT_NOTE_FIELDS
    assert note.id.startswith("cn_") and note.status == "issued"
    assert (note.total, note.amount, note.pre_payment_amount, note.post_payment_amount) == (
        20000, 20000, 20000, 0)
    assert note.type == "pre_payment" and note.number == f"{invoice.number}-CN-01"
    assert (note.reason, note.memo, note.customer) == ("order_change", "Late delivery",
                                                        invoice.customer)
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.amount_remaining) == ("open", 80000, 80000)
    assert after.pre_payment_credit_notes_amount == 20000
    assert after.post_payment_credit_notes_amount == 0
    assert after.total == 100000
    default = next(p for p in stripe_client.v1.invoice_payments.list({"invoice": invoice.id})
                   if p.is_default)
    assert default.amount_requested == 80000
    types = [e.type for e in events_about(stripe_client, invoice.id)]
    assert types[0] == "invoice.updated"
    assert [e.type for e in events_about(stripe_client, note.id)] == ["credit_note.created"]


def test_a_credit_note_to_the_balance_reduces_the_customers_next_invoice(stripe_client):
    paid = _paid(stripe_client, (50000,))
    note = stripe_client.v1.credit_notes.create(
        {"invoice": paid.id, "amount": 12000, "credit_amount": 12000})
    assert (note.type, note.pre_payment_amount, note.post_payment_amount) == (
        "post_payment", 0, 12000)
    assert note.customer_balance_transaction.startswith("cbtxn_")
    invoice = stripe_client.v1.invoices.retrieve(paid.id)
    assert invoice.post_payment_credit_notes_amount == 12000 and invoice.status == "paid"
    buyer = stripe_client.v1.customers.retrieve(paid.customer)
    assert buyer.balance == -12000
    credit = stripe_client.v1.customers.balance_transactions.retrieve(
        buyer.id, note.customer_balance_transaction, {"expand": ["credit_note"]})
    assert (credit.type, credit.amount, credit.ending_balance, credit.invoice) == (
        "credit_note", -12000, -12000, paid.id)
    assert credit.credit_note.id == note.id

    following = stripe_client.v1.invoices.finalize_invoice(
        draft(stripe_client, buyer.id, (30000,)).id)
    assert (following.starting_balance, following.ending_balance) == (-12000, 0)
    assert (following.total, following.amount_due) == (30000, 18000)
    assert stripe_client.v1.customers.retrieve(buyer.id).balance == 0
    applied = stripe_client.v1.customers.balance_transactions.list(
        buyer.id, {"invoice": following.id}).data
    assert [(t.type, t.amount, t.ending_balance) for t in applied] == [
        ("applied_to_invoice", 12000, 0)]


def test_a_mixed_credit_note_on_a_partly_paid_invoice(stripe_client):
    invoice = open_invoice(stripe_client, (100000,))
    stripe_client.v1.invoices.attach_payment(
        invoice.id, {"payment_record": report(stripe_client, 70000).id})
    note = stripe_client.v1.credit_notes.create(
        {"invoice": invoice.id, "amount": 50000, "out_of_band_amount": 20000})
    assert (note.type, note.pre_payment_amount, note.post_payment_amount,
            note.out_of_band_amount) == ("mixed", 30000, 20000, 20000)
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.amount_paid, after.amount_remaining) == (
        "paid", 70000, 70000, 0)
    assert (after.pre_payment_credit_notes_amount,
            after.post_payment_credit_notes_amount) == (30000, 20000)
    assert "invoice.paid" in [e.type for e in events_about(stripe_client, invoice.id)]


def test_crediting_by_lines_with_tax(stripe_client):
    rate = stripe_client.v1.tax_rates.create(
        {"display_name": "VAT", "percentage": 20, "inclusive": False})
    buyer = customer(stripe_client)
    pending = draft(stripe_client, buyer.id, (4000, 6000),
                    default_tax_rates=[rate.id])
    invoice = stripe_client.v1.invoices.finalize_invoice(pending.id)
    assert invoice.total == 12000
    first = next(li for li in invoice.lines.data if li.amount == 4000)
    preview = stripe_client.v1.credit_notes.preview({
        "invoice": invoice.id,
        "lines": [{"type": "invoice_line_item", "invoice_line_item": first.id,
                   "amount": 1000},
                  {"type": "custom_line_item", "description": "Goodwill",
                   "unit_amount": 250, "quantity": 2}]})
    assert (preview.subtotal, preview.total) == (1500, 1700)
    assert [t.amount for t in preview.total_taxes] == [200]
    assert stripe_client.v1.credit_notes.list({"invoice": invoice.id}).data == []
    lines = stripe_client.v1.credit_notes.preview_lines.list({
        "invoice": invoice.id, "limit": 1,
        "lines": [{"type": "invoice_line_item", "invoice_line_item": first.id,
                   "amount": 1000},
                  {"type": "custom_line_item", "description": "Goodwill",
                   "unit_amount": 250, "quantity": 2}]})
    assert len(lines.data) == 1 and lines.has_more is True
    assert set(lines.data[0].to_dict()) == LINE_FIELDS

    note = stripe_client.v1.credit_notes.create({
        "invoice": invoice.id,
        "lines": [{"type": "invoice_line_item", "invoice_line_item": first.id,
                   "quantity": 1}]})
    assert (note.subtotal, note.total, note.total_excluding_tax) == (4000, 4800, 4000)
    listed = stripe_client.v1.credit_notes.line_items.list(note.id).data
    assert [(li.type, li.invoice_line_item, li.amount) for li in listed] == [
        ("invoice_line_item", first.id, 4000)]
    assert listed[0].taxes[0].amount == 800 and listed[0].tax_rates[0].id == rate.id
    error = refusal(lambda: stripe_client.v1.credit_notes.create({
        "invoice": invoice.id,
        "lines": [{"type": "invoice_line_item", "invoice_line_item": first.id,
                   "amount": 1}]}))
    _refused(error, 400, None, "lines[0][amount]")


def test_numbers_count_the_invoices_credit_notes(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    first = stripe_client.v1.credit_notes.create({"invoice": invoice.id, "amount": 100})
    stripe_client.v1.credit_notes.void_credit_note(first.id)
    second = stripe_client.v1.credit_notes.create({"invoice": invoice.id, "amount": 100})
    assert (first.number, second.number) == (f"{invoice.number}-CN-01",
                                              f"{invoice.number}-CN-02")


def test_list_retrieve_update(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    note = stripe_client.v1.credit_notes.create({"invoice": invoice.id, "amount": 500})
    other = open_invoice(stripe_client, (10000,))
    stripe_client.v1.credit_notes.create({"invoice": other.id, "amount": 700})
    assert [n.id for n in stripe_client.v1.credit_notes.list({"invoice": invoice.id})] == [
        note.id]
    assert [n.id for n in stripe_client.v1.credit_notes.list(
        {"customer": invoice.customer})] == [note.id]
    changed = stripe_client.v1.credit_notes.update(
        note.id, {"memo": "Agreed by phone", "metadata": {"ticket": "T-1"}})
    assert (changed.memo, changed.metadata.to_dict()) == ("Agreed by phone", {"ticket": "T-1"})
    event = events_about(stripe_client, note.id, "credit_note.updated")[0]
    assert event.data.previous_attributes.to_dict() == {"memo": None, "metadata": {"ticket": None}}
    fetched = stripe_client.v1.credit_notes.retrieve(note.id, {"expand": ["invoice"]})
    assert fetched.invoice.id == invoice.id and fetched.memo == "Agreed by phone"


def test_voiding_gives_back_what_the_credit_note_took(stripe_client):
    invoice = open_invoice(stripe_client, (10000,))
    note = stripe_client.v1.credit_notes.create({"invoice": invoice.id, "amount": 3000})
    voided = stripe_client.v1.credit_notes.void_credit_note(note.id)
    assert voided.status == "void" and voided.voided_at is not None
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert (after.amount_due, after.amount_remaining,
            after.pre_payment_credit_notes_amount) == (10000, 10000, 0)
    assert events_about(stripe_client, note.id)[0].type == "credit_note.voided"
    error = refusal(lambda: stripe_client.v1.credit_notes.void_credit_note(note.id))
    _refused(error, 400, None, None)

    paid = _paid(stripe_client, (8000,))
    credit = stripe_client.v1.credit_notes.create(
        {"invoice": paid.id, "amount": 8000, "credit_amount": 8000})
    stripe_client.v1.credit_notes.void_credit_note(credit.id)
    assert stripe_client.v1.customers.retrieve(paid.customer).balance == 0
    assert stripe_client.v1.invoices.retrieve(paid.id).post_payment_credit_notes_amount == 0


def test_refusals_name_the_parameter(stripe_client):
    buyer = customer(stripe_client)
    pending = draft(stripe_client, buyer.id, (5000,))
    invoice = open_invoice(stripe_client, (5000,))
    paid = _paid(stripe_client, (5000,))
    voided = stripe_client.v1.invoices.void_invoice(open_invoice(stripe_client).id)
    cases: list[tuple[dict[str, Any], int, str | None, str | None]] = [
        ({"invoice": pending.id, "amount": 100}, 400, None, "invoice"),
        ({"invoice": voided.id, "amount": 100}, 400, None, "invoice"),
        ({"invoice": "in_missing", "amount": 100}, 400, "resource_missing", "invoice"),
        ({"invoice": invoice.id, "amount": 5001}, 400, None, "amount"),
        ({"invoice": invoice.id}, 400, "parameter_missing", "amount"),
        ({"invoice": paid.id, "amount": 1000}, 400, None, "credit_amount"),
        ({"invoice": paid.id, "amount": 1000, "credit_amount": 600}, 400, None,
         "credit_amount"),
        ({"invoice": paid.id, "amount": 1000, "refund_amount": 1000}, 400, None,
         "refund_amount"),
        ({"invoice": paid.id, "amount": 1000, "refunds": [{"refund": "re_missing"}]}, 400,
         "resource_missing", "refunds[0][refund]"),
        ({"invoice": invoice.id, "lines": [{"type": "invoice_line_item",
                                            "invoice_line_item": "il_missing",
                                            "amount": 1}]},
         400, "resource_missing", "lines[0][invoice_line_item]"),
        ({"invoice": invoice.id, "lines": [{"type": "custom_line_item",
                                            "description": "x"}]},
         400, "parameter_missing", "lines[0][unit_amount]"),
        ({"invoice": invoice.id, "amount": 100, "reason": "typo"}, 400, None, "reason"),
        ({"invoice": invoice.id, "amount": 100, "shipping_cost": {"shipping_rate": "shr_x"}},
         400, "resource_missing", "shipping_cost[shipping_rate]"),
    ]
    for params, status, code, param in cases:
        error = refusal(lambda p=params: stripe_client.v1.credit_notes.create(p))
        _refused(error, status, code, param)
        error = refusal(lambda p=params: stripe_client.v1.credit_notes.preview(p))
        _refused(error, status, code, param)
    assert stripe_client.v1.invoices.retrieve(invoice.id).amount_due == 5000
    assert stripe_client.v1.credit_notes.list({"customer": paid.customer}).data == []
    error = refusal(lambda: stripe_client.v1.credit_notes.retrieve("cn_missing"))
    _refused(error, 404, "resource_missing", "id")


def test_balance_transactions_by_hand(stripe_client):
    buyer = customer(stripe_client)
    made = stripe_client.v1.customers.balance_transactions.create(
        buyer.id, {"amount": -2500, "currency": "usd", "description": "Goodwill"})
    assert (made.type, made.amount, made.ending_balance, made.currency) == (
        "adjustment", -2500, -2500, "usd")
    assert stripe_client.v1.customers.retrieve(buyer.id).balance == -2500
    updated = stripe_client.v1.customers.balance_transactions.update(
        buyer.id, made.id, {"metadata": {"ref": "call"}})
    assert updated.metadata.to_dict() == {"ref": "call"} and updated.amount == -2500
    error = refusal(lambda: stripe_client.v1.customers.balance_transactions.create(
        buyer.id, {"amount": 100, "currency": "eur"}))
    _refused(error, 400, None, "currency")
    error = refusal(lambda: stripe_client.v1.customers.balance_transactions.create(
        buyer.id, {"currency": "usd"}))
    _refused(error, 400, "parameter_missing", "amount")
    other = customer(stripe_client)
    error = refusal(lambda: stripe_client.v1.customers.balance_transactions.retrieve(
        other.id, made.id))
    _refused(error, 404, "resource_missing", "id")
    error = refusal(lambda: stripe_client.v1.customers.balance_transactions.list("cus_missing"))
    _refused(error, 404, "resource_missing", "customer")


def test_deleting_a_test_clock_deletes_its_credit_notes_and_balance_transactions(
        stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": 1_700_000_000})
    buyer = customer(stripe_client, test_clock=clock.id)
    invoice = stripe_client.v1.invoices.finalize_invoice(
        draft(stripe_client, buyer.id, (5000,)).id)
    stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    note = stripe_client.v1.credit_notes.create(
        {"invoice": invoice.id, "amount": 1000, "credit_amount": 1000})
    assert note.created == 1_700_000_000
    stripe_client.v1.test_helpers.test_clocks.delete(clock.id)
    error = refusal(lambda: stripe_client.v1.credit_notes.retrieve(note.id))
    _refused(error, 404, "resource_missing", "id")
