"""Stored invoice totals (``rm_invoice_totals``, migration 0012) stay equal to the invoices.

The Invoices list reads its unfiltered (and status/currency-filtered) totals from
the stored per-(status, currency) figures; these tests hold them to the invoices
themselves after every kind of write the read model takes: a backfill, the
dashboard's own writes, events duplicated and out of order, deletions, a relist, an
upgrade of a database that already holds invoices, and two writers at once. Runs on
SQLite and, with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import stripe
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, insert

from services.container import Services
from services.core.database import MIGRATIONS, make_engine, make_plain_engine, write_transaction
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.invoicing.payments import PaymentMethod
from services.readmodel import store
from services.readmodel.invoice_queries import NEWEST_FIRST, InvoiceQuery, invoice_totals
from services.readmodel.stored_totals import TotalRow, stored_total_rows, totals_drift
from services.readmodel.tables import invoices
from services.reporting.invoice_list import list_page
from stripe_emulator.embedded import RunningEmulator
from tests.conftest import client_for
from tests.services.conftest import ADMIN, APPROVER, services_for, unique

#: Queries the stored totals answer, each compared with the grouped query.
STORED_QUERIES = (
    InvoiceQuery(), InvoiceQuery(statuses=("open",)), InvoiceQuery(currency="EUR"),
    InvoiceQuery(statuses=("open", "uncollectible"), currency="usd"),
    InvoiceQuery(statuses=("paid", "void", "draft")), InvoiceQuery(currency="gbp"),
)  # fmt: skip


def _stripe_totals(client: stripe.StripeClient) -> dict[tuple[str | None, str], TotalRow]:
    """Count and sums per (status, currency) of every invoice in Stripe now."""
    sums: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for invoice in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter():
        found = sums[(invoice.status, invoice.currency)]
        for position, amount in enumerate((1, invoice.amount_due, invoice.amount_paid,
                                           invoice.amount_remaining)):
            found[position] += amount
    return {key: (*key, *figures) for key, figures in sums.items()}  # type: ignore[misc]


def _assert_stored_totals_exact(services: Services) -> None:
    with services.engine.connect() as conn:
        assert totals_drift(conn) == {}
        for query in STORED_QUERIES:
            assert invoice_totals(conn, query) == invoice_totals(conn, query, stored=False), query


def _outside_invoice(client: stripe.StripeClient, currency: str, amounts: list[int]) -> str:
    """A draft made in Stripe directly (the dashboard learns of it from events)."""
    customer = client.v1.customers.create(params={"name": unique("Outside")})
    invoice = client.v1.invoices.create(params={
        "customer": customer.id, "collection_method": "send_invoice", "days_until_due": 30,
        "auto_advance": False, "currency": currency,
    })  # fmt: skip
    for amount in amounts:
        client.v1.invoice_items.create(params={
            "customer": customer.id, "invoice": invoice.id, "amount": amount,
            "currency": currency, "description": f"Work {amount}",
        })  # fmt: skip
    return invoice.id


def _dashboard_invoice(services: Services, currency: str, amount: int) -> str:
    owner = services.customers.create(ADMIN, name=unique("Buyer"), email="b@example.com",
                                      description=None, address=None,
                                      form_nonce=new_form_nonce())
    return services.invoices.create_draft(
        ADMIN, customer_id=owner.id, items=[DraftItem(amount=amount, description="Work")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency=currency,
        form_nonce=new_form_nonce(),
    ).id  # fmt: skip


def _events_since(client: stripe.StripeClient, since: int) -> list[dict[str, Any]]:
    return [event.to_dict() for event in client.v1.events.list(
        params={"limit": 100, "created": {"gte": since}}).auto_paging_iter()]


def test_stored_totals_equal_stripe_and_the_grouped_query_after_a_mixed_history(
    fresh_emulator: Callable[..., RunningEmulator], app_database_url: str
) -> None:
    running = fresh_emulator()
    client = client_for(running)
    before = [_outside_invoice(client, currency, [1500, 250])
              for currency in ("usd", "usd", "eur", "jpy")]
    client.v1.invoices.finalize_invoice(before[0])
    client.v1.invoices.finalize_invoice(before[2])
    services = services_for(running.base_url, app_database_url, backfill=True)  # backfill
    try:
        # The dashboard's own writes (read your writes).
        usd = [_dashboard_invoice(services, "usd", 100_000) for _ in range(4)]
        eur = _dashboard_invoice(services, "eur", 42_000)
        yen = _dashboard_invoice(services, "jpy", 7_000)
        for invoice_id in (*usd, eur, yen):
            services.invoices.finalize(ADMIN, invoice_id, form_nonce=new_form_nonce())
        services.invoices.payments.record(
            APPROVER, usd[0], amount_text="300.00", received_on=None,
            method=PaymentMethod.BANK_TRANSFER, reference="part", overpayment_confirmed=False,
            form_nonce=new_form_nonce())  # fmt: skip
        services.invoices.record_payment(ADMIN, usd[1], note="cheque", form_nonce=new_form_nonce())
        services.invoices.void(ADMIN, usd[2], reason="twice", form_nonce=new_form_nonce())
        services.invoices.mark_uncollectible(ADMIN, eur, reason="bankrupt",
                                             form_nonce=new_form_nonce())
        doomed = _dashboard_invoice(services, "usd", 900)
        services.invoices.delete_draft(ADMIN, doomed, form_nonce=new_form_nonce())
        _assert_stored_totals_exact(services)

        # Changes made outside, learnt from events delivered twice and shuffled.
        since = int(time.time()) - 1
        client.v1.invoices.pay(before[0], params={"paid_out_of_band": True})
        client.v1.invoices.void_invoice(before[2])
        client.v1.invoices.delete(before[3])
        later = _outside_invoice(client, "gbp", [999])
        client.v1.invoices.finalize_invoice(later)
        client.v1.invoices.mark_uncollectible(later)
        events = _events_since(client, since) * 2
        random.Random(10).shuffle(events)
        for event in events:
            services.events.handle_event(event, source="test")
        # An older copy arriving late changes nothing.
        with write_transaction(services.engine) as conn:
            stale = {"id": later, "object": "invoice", "status": "draft", "currency": "gbp",
                     "amount_due": 5, "created": 1, "livemode": False}
            assert store.store_object(conn, "invoice", stale, 1) is False
        _assert_stored_totals_exact(services)

        # A relist (what a catch-up does after 30 days without events).
        services.read_model.restart_backfill()
        services.upkeep.backfill()
        _assert_stored_totals_exact(services)
        with services.engine.connect() as conn:
            ours = {(row[0], row[1]): row for row in stored_total_rows(conn)}
        truth = _stripe_totals(client)
        assert ours == truth
        assert {"usd", "eur", "jpy", "gbp"} <= {currency for _, currency in ours}
        assert {"draft", "open", "paid", "void", "uncollectible"} <= {s for s, _ in ours}
    finally:
        services.events.close()


def _invoice(invoice_id: str, chooser: random.Random) -> dict[str, Any]:
    due = chooser.randrange(1, 100_000)
    paid = chooser.randrange(0, due)
    return {"id": invoice_id, "object": "invoice", "livemode": False,
            "status": chooser.choice(("draft", "open", "paid", "void", "uncollectible")),
            "currency": chooser.choice(("usd", "eur", "jpy")), "amount_due": due,
            "amount_paid": paid, "amount_remaining": due - paid, "total": due,
            "created": 1_700_000_000}  # fmt: skip


def test_two_writers_at_once_keep_the_stored_totals_exact(app_database_url: str) -> None:
    """Two threads (two dashboards' worth of transactions on PostgreSQL) store pages of
    overlapping invoices, newer copies replacing older ones, and delete some."""
    engine = make_engine(app_database_url)
    ids = [f"in_{number:04d}" for number in range(120)]
    failures: list[BaseException] = []

    def writer(seed: int) -> None:
        chooser = random.Random(seed)
        try:
            for round_ in range(30):
                page = sorted(chooser.sample(ids, 25))  # one lock order for the rows
                copies = [store.ObjectCopy(_invoice(i, chooser), store.now_version())
                          for i in page]
                with write_transaction(engine) as conn:
                    store.store_objects(conn, "invoice", copies)
                if round_ % 5 == 4:
                    with write_transaction(engine) as conn:
                        store.mark_deleted(conn, "invoice", chooser.choice(ids),
                                           store.now_version())
        except BaseException as failed:
            failures.append(failed)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.begin() as conn:  # a row removed outright also leaves the totals
        conn.execute(delete(invoices).where(invoices.c.id == ids[-1]))
    with engine.connect() as conn:
        assert totals_drift(conn) == {}
        assert sum(row[2] for row in stored_total_rows(conn)) > 50
    engine.dispose()


def test_an_upgraded_database_gets_totals_of_the_invoices_it_already_holds(
    empty_database_url: str,
) -> None:
    old = make_plain_engine(empty_database_url)
    with old.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "0011")
    chooser = random.Random(3)
    rows = [{**_invoice(f"in_old{number}", chooser), "data": "{}", "version": 1,
             "deleted": number % 7 == 0, "first_seen": 0} for number in range(40)]
    with old.begin() as conn:
        conn.execute(insert(invoices), [{key: row[key] for key in (
            "id", "status", "currency", "amount_due", "amount_paid", "amount_remaining",
            "total", "created", "data", "version", "deleted", "livemode", "first_seen")}
            for row in rows])  # fmt: skip
    old.dispose()

    upgraded = make_engine(empty_database_url)  # to 0012: fills the totals
    with upgraded.connect() as conn:
        assert totals_drift(conn) == {}
        assert sum(row[2] for row in stored_total_rows(conn)) == sum(
            not row["deleted"] for row in rows)
    page = list_page(upgraded, InvoiceQuery(), date(2026, 1, 1),
                     order=NEWEST_FIRST, page=1, page_size=10)
    assert page.count == sum(not row["deleted"] for row in rows)
    upgraded.dispose()
