"""Invoices on test clocks (backdating, auto-advance finalization), persistence across a
restart (incl. a pending settlement), and concurrent writers on one draft."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import client_for
from tests.emulator.helpers import events_about, wait_for
from tests.emulator.invoicing_helpers import customer, draft, refusal

PAST = 1_700_000_000
DAY = 86_400


def test_clock_customers_get_backdated_invoices_and_items(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id)
    invoice = draft(stripe_client, buyer.id, (100,), collection_method="send_invoice",
                    days_until_due=30)
    assert invoice.created == PAST and invoice.test_clock == clock.id
    assert invoice.due_date == PAST + 30 * DAY
    item = stripe_client.v1.invoice_items.list({"invoice": invoice.id}).data[0]
    assert item.date == PAST and item.test_clock == clock.id
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 5 * DAY})
    final = stripe_client.v1.invoices.finalize_invoice(invoice.id)
    assert final.status_transitions.finalized_at == PAST + 5 * DAY
    created = events_about(stripe_client, invoice.id, "invoice.created")[0]
    assert created.created == PAST


def test_auto_advance_finalizes_and_charges_an_hour_after_creation(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id,
                     invoice_settings={"default_payment_method": "pm_card_visa"})
    invoice = draft(stripe_client, buyer.id, (5000,), auto_advance=True)
    assert invoice.automatically_finalizes_at == PAST + 3600
    assert invoice.next_payment_attempt == PAST + 3600
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 1800})
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "draft"
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 7200})
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.status_transitions.finalized_at == PAST + 3600
    assert paid.automatically_finalizes_at is None
    finalized = events_about(stripe_client, invoice.id, "invoice.finalized")[0]
    assert finalized.request.id is None and finalized.created == PAST + 3600


def test_auto_advance_send_invoice_is_sent_and_turning_it_off_cancels(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id)
    sent = draft(stripe_client, buyer.id, (100,), auto_advance=True,
                 collection_method="send_invoice", days_until_due=14)
    kept = draft(stripe_client, buyer.id, (200,), auto_advance=True)
    off = stripe_client.v1.invoices.update(kept.id, {"auto_advance": False})
    assert off.automatically_finalizes_at is None
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 4000})
    assert stripe_client.v1.invoices.retrieve(sent.id).status == "open"
    assert events_about(stripe_client, sent.id, "invoice.sent")
    assert stripe_client.v1.invoices.retrieve(kept.id).status == "draft"


def test_invoices_survive_a_restart_and_a_pending_settlement_completes(fresh_emulator,
                                                                        tmp_path):
    db = tmp_path / "emulator.sqlite3"
    first = fresh_emulator(db, settlement_delay_seconds=1.0)
    client = client_for(first)
    buyer = customer(client)
    invoice = client.v1.invoices.finalize_invoice(draft(client, buyer.id, (700, 300)).id)
    client.v1.invoices.pay(invoice.id, {"payment_method": "pm_usBankAccount"})
    first.stop()

    second = fresh_emulator(db, settlement_delay_seconds=1.0)
    again = client_for(second)
    restored = again.v1.invoices.retrieve(invoice.id)
    assert (restored.number, restored.total, len(restored.lines.data)) == (
        invoice.number, 1000, 2)
    paid = wait_for(lambda: (i := again.v1.invoices.retrieve(invoice.id)).status == "paid"
                    and i, timeout=5)
    assert paid.amount_paid == 1000
    assert again.v1.invoices.search({"query": f"number:'{invoice.number}'"}).data[0].id == \
        invoice.id
    following = again.v1.invoices.finalize_invoice(draft(again, buyer.id, (1,)).id)
    assert following.number.endswith("-0002")


def test_concurrent_item_writers_lose_nothing(emulator):
    setup = client_for(emulator)
    buyer = customer(setup)
    invoice = setup.v1.invoices.create({"customer": buyer.id})

    def add(amount: int) -> str:
        return client_for(emulator).v1.invoice_items.create(
            {"invoice": invoice.id, "amount": amount, "currency": "usd"}).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(add, range(1, 41)))
    final = setup.v1.invoices.retrieve(invoice.id)
    assert final.total == sum(range(1, 41))
    lines = list(setup.v1.invoices.line_items.list(invoice.id, {"limit": 100}).data)
    assert sorted(line.parent.invoice_item_details.invoice_item for line in lines) == sorted(ids)


def test_deleting_the_clock_deletes_its_invoices_and_items(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id)
    invoice = stripe_client.v1.invoices.finalize_invoice(draft(stripe_client, buyer.id,
                                                               (100,)).id)
    item_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    stripe_client.v1.test_helpers.test_clocks.delete(clock.id)
    for call in (lambda: stripe_client.v1.invoices.retrieve(invoice.id),
                 lambda: stripe_client.v1.invoice_items.retrieve(item_id)):
        error = refusal(call)
        assert (error.http_status, error.code) == (404, "resource_missing")


def test_auto_advance_invoice_finalized_by_hand_is_charged_an_hour_later(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    buyer = customer(stripe_client, test_clock=clock.id, payment_method="pm_card_visa")
    invoice = draft(stripe_client, buyer.id, (2000,))
    opened = stripe_client.v1.invoices.finalize_invoice(invoice.id, {"auto_advance": True})
    assert opened.status == "open" and opened.next_payment_attempt == PAST + 3600
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 3601})
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.status_transitions.paid_at == PAST + 3600
    assert paid.next_payment_attempt is None and paid.attempt_count == 1
