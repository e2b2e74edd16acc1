"""Invoice transitions: finalize (numbering, URLs, snapshot, balance, zero total), send,
void, mark_uncollectible, and every move Stripe forbids, with Stripe's messages."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import client_for
from tests.emulator.helpers import events_about
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, refusal

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."


def test_finalize_numbers_links_and_freezes_the_customer(stripe_client):
    prefix = "F" + secrets.token_hex(3).upper()
    buyer = customer(stripe_client, name="Before", invoice_prefix=prefix)
    invoice = draft(stripe_client, buyer.id, (1500, 500))
    final = stripe_client.v1.invoices.finalize_invoice(invoice.id)
    assert final.status == "open" and final.number == f"{buyer.invoice_prefix}-0001"
    assert final.status_transitions.finalized_at == final.effective_at
    assert final.hosted_invoice_url and final.invoice_pdf == final.hosted_invoice_url + "/pdf"
    assert (final.amount_due, final.amount_remaining, final.amount_paid) == (2000, 2000, 0)
    assert final.attempted is False and final.ending_balance == 0
    assert stripe_client.v1.customers.retrieve(buyer.id).next_invoice_sequence == 2
    stripe_client.v1.customers.update(buyer.id, {"name": "After"})
    assert stripe_client.v1.invoices.retrieve(invoice.id).customer_name == "Before"
    second = stripe_client.v1.invoices.finalize_invoice(draft(stripe_client, buyer.id, (1,)).id)
    assert second.number == f"{buyer.invoice_prefix}-0002"
    assert [e.type for e in events_about(stripe_client, invoice.id)][:1] == ["invoice.finalized"]


def test_hosted_page_and_pdf_are_served(stripe_client):
    invoice = open_invoice(stripe_client, (9900,))
    page = httpx.get(invoice.hosted_invoice_url)
    assert page.status_code == 200 and invoice.number in page.text and "99.00 USD" in page.text
    pdf = httpx.get(invoice.invoice_pdf)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_zero_total_is_paid_at_finalization(stripe_client):
    buyer = customer(stripe_client)
    invoice = stripe_client.v1.invoices.finalize_invoice(
        stripe_client.v1.invoices.create({"customer": buyer.id}).id)
    assert invoice.status == "paid" and invoice.amount_due == 0
    assert invoice.status_transitions.paid_at == invoice.status_transitions.finalized_at
    assert invoice.number is not None
    types = [e.type for e in events_about(stripe_client, invoice.id)]
    assert types[:2] == ["invoice.paid", "invoice.finalized"]
    assert "invoice.payment_succeeded" not in types


def test_customer_credit_balance_is_applied_at_finalization(stripe_client):
    buyer = customer(stripe_client, balance=-1000)
    invoice = stripe_client.v1.invoices.finalize_invoice(
        draft(stripe_client, buyer.id, (3000,)).id)
    assert (invoice.starting_balance, invoice.amount_due, invoice.ending_balance) == (
        -1000, 2000, 0)
    assert stripe_client.v1.customers.retrieve(buyer.id).balance == 0


def test_concurrent_finalizations_never_share_a_number(emulator):
    setup = client_for(emulator)
    buyers = [customer(setup) for _ in range(3)]
    drafts = [draft(setup, buyers[n % 3].id, (100 + n,)).id for n in range(24)]

    def finalize(invoice_id: str) -> str:
        return client_for(emulator).v1.invoices.finalize_invoice(invoice_id).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(finalize, drafts))
    assert len(set(numbers)) == 24
    for buyer in buyers:
        mine = sorted(n for n in numbers if n.startswith(buyer.invoice_prefix + "-"))
        assert mine == [f"{buyer.invoice_prefix}-{k:04d}" for k in range(1, 9)]


def test_send_finalizes_a_draft_and_emits_sent(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (700,), collection_method="send_invoice",
                    days_until_due=30)
    sent = stripe_client.v1.invoices.send_invoice(invoice.id)
    assert sent.status == "open" and sent.number
    types = [e.type for e in events_about(stripe_client, invoice.id)]
    assert types[:2] == ["invoice.sent", "invoice.finalized"]
    again = stripe_client.v1.invoices.send_invoice(invoice.id)
    assert again.status == "open"


def test_void_and_mark_uncollectible(stripe_client):
    voided = stripe_client.v1.invoices.void_invoice(open_invoice(stripe_client).id)
    assert voided.status == "void" and voided.status_transitions.voided_at
    assert voided.amount_remaining == voided.amount_due  # amounts stay as they were
    assert events_about(stripe_client, voided.id, "invoice.voided")
    bad = stripe_client.v1.invoices.mark_uncollectible(open_invoice(stripe_client).id)
    assert bad.status == "uncollectible" and bad.status_transitions.marked_uncollectible_at
    assert bad.status_details.uncollectible.reason == "user_forgiven"
    assert events_about(stripe_client, bad.id, "invoice.marked_uncollectible")
    voided_later = stripe_client.v1.invoices.void_invoice(bad.id)
    assert voided_later.status == "void"


def test_forbidden_transitions_use_stripe_messages(stripe_client):
    invoices = stripe_client.v1.invoices
    buyer = customer(stripe_client)
    a_draft = draft(stripe_client, buyer.id, (100,))
    opened = open_invoice(stripe_client)
    paid = invoices.pay(open_invoice(stripe_client).id, {"paid_out_of_band": True})
    voided = invoices.void_invoice(open_invoice(stripe_client).id)
    written_off = invoices.mark_uncollectible(open_invoice(stripe_client).id)
    charged = open_invoice(stripe_client)
    cases = [
        (lambda: invoices.finalize_invoice(opened.id),
         "This invoice is already finalized, you can't re-finalize a non-draft invoice."),
        (lambda: invoices.pay(paid.id, {"paid_out_of_band": True}), "Invoice is already paid"),
        (lambda: invoices.pay(voided.id, {"paid_out_of_band": True}), NOT_OPEN),
        (lambda: invoices.void_invoice(a_draft.id), NOT_OPEN),
        (lambda: invoices.void_invoice(voided.id), NOT_OPEN),
        (lambda: invoices.void_invoice(paid.id),
         "Invoices with `paid` payments cannot be voided."),
        (lambda: invoices.mark_uncollectible(a_draft.id), NOT_OPEN),
        (lambda: invoices.mark_uncollectible(paid.id), NOT_OPEN),
        (lambda: invoices.mark_uncollectible(voided.id), NOT_OPEN),
        (lambda: invoices.mark_uncollectible(written_off.id),
         "This invoice has already been marked uncollectible."),
        (lambda: invoices.delete(opened.id), "You can only delete draft invoices."),
        (lambda: invoices.send_invoice(charged.id),
         "You can only manually send an invoice if its collection method is 'send_invoice'."),
    ]
    for call, message in cases:
        error = refusal(call)
        assert (error.http_status, error.user_message, error.code) == (400, message, None)
    missing = refusal(lambda: invoices.finalize_invoice("in_missing"))
    assert (missing.http_status, missing.code, missing.param) == (404, "resource_missing",
                                                                  "invoice")


def test_send_on_a_paid_invoice_is_refused(stripe_client):
    invoice = open_invoice(stripe_client, collection_method="send_invoice", days_until_due=7)
    stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    error = refusal(lambda: stripe_client.v1.invoices.send_invoice(invoice.id))
    assert error.user_message.startswith("This invoice cannot be sent right now.")


def test_finalized_invoice_items_and_totals_are_consistent_in_events(stripe_client):
    invoice = open_invoice(stripe_client, (250, 750))
    finalized = events_about(stripe_client, invoice.id, "invoice.finalized")[0].data.object
    assert (finalized.status, finalized.total, finalized.amount_due) == ("open", 1000, 1000)
    assert len(finalized.lines.data) == 2
