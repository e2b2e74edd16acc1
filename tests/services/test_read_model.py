"""The read model: backfill, events in any order, read-your-writes, catch-up and drift.

Each test runs on its own emulator (the backfill lists everything in it) and the
app database of the run (SQLite or PostgreSQL).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import func, select, update

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.payments.poller import CURSOR_NAME
from services.payments.tables import event_poll_cursors
from services.readmodel import store
from services.readmodel.reconcile import reconcile
from services.readmodel.stored_totals import invoice_totals_table
from services.readmodel.tables import customers, invoice_lines, invoices
from services.reporting.receivables import InvoiceFilters
from tests.services.conftest import ADMIN, services_for, unique


@pytest.fixture
def own(fresh_emulator, app_database_url: str) -> Iterator[tuple[Services, stripe.StripeClient]]:  # type: ignore[no-untyped-def]
    running = fresh_emulator()
    services = services_for(running.base_url, app_database_url, backfill=True)
    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": running.base_url})
    yield services, client
    services.events.close()


def _outside_invoice(client: stripe.StripeClient, lines: int = 1, *, finalize: bool = True) -> str:
    """An invoice made by someone else (not through the dashboard), in Stripe only."""
    customer = client.v1.customers.create(params={"name": unique("Outside"),
                                                  "email": "outside@example.com"})
    invoice = client.v1.invoices.create(params={
        "customer": customer.id, "collection_method": "send_invoice", "days_until_due": 30,
        "auto_advance": False,
    })  # fmt: skip
    for n in range(lines):
        client.v1.invoice_items.create(params={
            "customer": customer.id, "invoice": invoice.id, "amount": 1000 + n,
            "currency": "usd", "description": f"Line {n + 1}",
        })  # fmt: skip
    if finalize:
        client.v1.invoices.finalize_invoice(invoice.id)
    return invoice.id


def _count(services: Services, table) -> int:  # type: ignore[no-untyped-def]
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _drift(services: Services) -> int:
    return int(reconcile(services.read_model, services.engine)["drift"].sum())


def test_a_backfill_interrupted_by_a_crash_resumes_without_gap_or_duplicate(
    fresh_emulator, app_database_url: str
) -> None:
    running = fresh_emulator()
    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": running.base_url})
    made = [_outside_invoice(client) for _ in range(230)]
    long_one = _outside_invoice(client, lines=25)  # more lines than Stripe embeds (10)
    first = services_for(running.base_url, app_database_url, backfill=False)
    first.read_model.restart_backfill()
    pages: list[int] = []

    def crash_after_two_invoice_pages(progress) -> None:  # type: ignore[no-untyped-def]
        pages.append(progress.listed.get("invoice", 0))
        if progress.listed.get("invoice", 0) >= 200:
            raise KeyboardInterrupt  # the process dies mid-backfill

    with pytest.raises(KeyboardInterrupt):
        first.upkeep.backfill(crash_after_two_invoice_pages)
    assert 0 < _count(first, invoices) < len(made) + 1

    again = services_for(running.base_url, app_database_url, backfill=True)
    assert _count(again, invoices) == len(made) + 1
    with again.engine.connect() as conn:
        lines = conn.execute(
            select(func.count()).where(invoice_lines.c.invoice_id == long_one)
        ).scalar_one()
    assert lines == 25
    assert again.upkeep.freshness().backfill_done
    assert _drift(again) == 0


def test_events_duplicated_and_shuffled_end_in_stripes_state(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    invoice_id = _outside_invoice(client, lines=2)
    client.v1.invoices.pay(invoice_id, params={"paid_out_of_band": True})
    since = int(time.time()) - 60
    events = [
        event.to_dict()
        for event in client.v1.events.list(params={"limit": 100, "created": {"gte": since}})
        .auto_paging_iter()
    ]
    shuffled = events * 2
    random.Random(7).shuffle(shuffled)
    for event in shuffled:
        services.events.handle_event(event, source="test")

    stored = services.reports.invoices_table(InvoiceFilters(statuses=("paid",)))
    assert invoice_id in set(stored["invoice_id"])
    row = stored[stored["invoice_id"] == invoice_id].iloc[0]
    truth = client.v1.invoices.retrieve(invoice_id)
    assert (row["status"], row["amount_paid"], row["amount_remaining"]) == (
        truth.status, truth.amount_paid, truth.amount_remaining
    )
    assert _drift(services) == 0


def test_stored_totals_that_disagree_with_the_invoices_show_as_drift(own) -> None:  # type: ignore[no-untyped-def]
    """The totals the Invoices list shows are reconciled too: one that no longer sums
    its invoices (a hand edit, a broken trigger) is a drifting row on Admin."""
    services, client = own
    invoice_id = _outside_invoice(client, lines=1)
    services.upkeep.catch_up()
    assert _drift(services) == 0
    invoice = client.v1.invoices.retrieve(invoice_id)
    with services.engine.begin() as conn:
        conn.execute(update(invoice_totals_table)
                     .where(invoice_totals_table.c.status == invoice.status,
                            invoice_totals_table.c.currency == invoice.currency)
                     .values(invoice_count=invoice_totals_table.c.invoice_count + 1))
    table = reconcile(services.read_model, services.engine)
    drifting = table[table["drift"]]
    assert list(zip(drifting["status"], drifting["currency"], strict=True)) == [
        (invoice.status, invoice.currency)]
    assert int(drifting["stored_count"].iloc[0]) == int(drifting["local_count"].iloc[0]) + 1


def test_an_older_read_never_overwrites_a_newer_one(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    invoice_id = _outside_invoice(client, finalize=False)
    older = store.now_version()
    draft = client.v1.invoices.retrieve(invoice_id).to_dict()
    client.v1.invoices.finalize_invoice(invoice_id)
    services.read_model.refresh("invoice", invoice_id)  # the newer read: open
    with services.engine.begin() as conn:
        assert store.store_object(conn, "invoice", draft, older) is False
    table = services.reports.invoices_table(InvoiceFilters(statuses=("open",)))
    assert invoice_id in set(table["invoice_id"])


def test_a_deleted_customer_stays_deleted_whatever_arrives_late(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    customer = client.v1.customers.create(params={"name": unique("Gone")})
    stale = client.v1.customers.retrieve(customer.id).to_dict()
    stale_version = store.now_version()
    client.v1.customers.delete(customer.id)
    services.read_model.refresh("customer", customer.id)
    with services.engine.begin() as conn:
        assert store.store_object(conn, "customer", stale, stale_version) is False
    with services.engine.connect() as conn:
        deleted = conn.execute(
            select(customers.c.deleted).where(customers.c.id == customer.id)
        ).scalar_one()
    assert deleted is True


def test_the_dashboards_own_writes_show_at_once(own, make_price) -> None:  # type: ignore[no-untyped-def]
    services, _ = own
    price = services.catalog.create_price(
        ADMIN, product_id=services.catalog.create_product(
            ADMIN, name=unique("Widget"), description=None, form_nonce=new_form_nonce()).id,
        amount_text="12.50", currency="usd", recurring_interval=None, nickname=None,
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    customer = services.customers.create(ADMIN, name=unique("Reader"), email="r@example.com",
                                         description=None, address=None,
                                         form_nonce=new_form_nonce())
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=3)],
        days_until_due=14, memo=None, footer=None, po_number="PO-77", currency=None,
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    opened = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    table = services.reports.invoices_table(InvoiceFilters(customer_id=customer.id))
    assert list(table["invoice_id"]) == [opened.id]
    assert list(table["status"]) == ["open"] and list(table["total"]) == [3750]


def test_a_catch_up_brings_what_happened_while_no_event_arrived(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    missed = [_outside_invoice(client) for _ in range(3)]  # no webhook reached us
    assert _drift(services) > 0
    applied = services.upkeep.catch_up()
    assert applied >= 3
    table = services.reports.invoices_table(InvoiceFilters(statuses=("open",)))
    assert set(missed) <= set(table["invoice_id"])
    assert _drift(services) == 0


def test_a_catch_up_after_more_than_thirty_days_relists_everything(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    invoice_id = _outside_invoice(client)
    long_ago = int((datetime.now(UTC) - timedelta(days=31)).timestamp())
    with services.engine.begin() as conn:
        conn.execute(event_poll_cursors.update()
                     .where(event_poll_cursors.c.name == CURSOR_NAME)
                     .values(last_created=long_ago))
    services.upkeep.catch_up()
    table = services.reports.invoices_table(InvoiceFilters(statuses=("open",)))
    assert invoice_id in set(table["invoice_id"])
    assert _drift(services) == 0
