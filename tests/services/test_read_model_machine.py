"""The read model as a state machine: any Stripe history, its events in any order, Stripe's state.

Hypothesis drives the real Stripe SDK against an emulator of its own (a fresh one per
example): customers created, renamed and deleted; invoices created with items, items
added, repriced and removed, due dates moved, drafts deleted, invoices finalized, paid
out of band, voided and marked uncollectible. Nothing goes through the dashboard's
services, so the read model learns of every change only from Stripe's events: they are
read from ``GET /v1/events`` and handed to ``PaymentEvents.handle_event`` in random
subsets, shuffled and duplicated, interleaved with the changes; old ones are sent
again, and the periodic catch-up (``GET /v1/events``) runs between them. A few objects
exist before the backfill (so its pages and the events about the same objects overlap).

At the end of every example, once every event has been delivered, the read model's
tables equal a fresh full list from Stripe object for object: live customers (name,
email; a deleted one is gone) and invoices (status, every amount, number, customer,
currency, due date, the customer's name and email (a draft's follow its customer),
and the lines: count, ids and amounts, in order), and the stored per-(status, currency)
totals equal the grouped invoices. No event may fail, and a repeated
delivery is always answered as a duplicate.

Runs on the run's app database (``pytest --app-database=postgresql`` for PostgreSQL);
a new database (SQLite file or PostgreSQL schema) per example.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import stripe
from hypothesis import HealthCheck, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from services.container import Services
from services.payments.events import DUPLICATE
from services.payments.store import recorded_event_ids
from services.readmodel.stored_totals import totals_drift
from services.readmodel.tables import customers, invoice_lines, invoices
from stripe_emulator.embedded import RunningEmulator
from tests.app_database import new_database_url
from tests.conftest import client_for
from tests.services.conftest import services_for

NAMES = ("Ada Lovelace", "Söhne GmbH", "Zoë Ltd", "Straße & Co", "北京 Trading", "O'Brien")
AMOUNTS = st.integers(min_value=1, max_value=250_000)
SETTINGS = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Invoice fields compared one to one with Stripe's.
INVOICE_FIELDS = ("status", "number", "customer", "currency", "subtotal", "total",
                  "amount_due", "amount_paid", "amount_remaining", "due_date",
                  "customer_name", "customer_email")


def stripe_truth(client: stripe.StripeClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every live customer and invoice in Stripe now, as plain comparable values."""
    people = {
        customer.id: (customer.name, customer.email)
        for customer in client.v1.customers.list(params={"limit": 100}).auto_paging_iter()
    }
    bills: dict[str, Any] = {}
    for invoice in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter():
        lines = [(line.id, line.amount) for line in
                 client.v1.invoices.line_items.list(invoice.id, params={"limit": 100})
                 .auto_paging_iter()]
        fields = invoice.to_dict()
        bills[invoice.id] = ({name: fields.get(name) for name in INVOICE_FIELDS}, lines)
    return people, bills


def read_model_state(services: Services) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same values from the read model's tables (live rows only)."""
    with services.engine.connect() as conn:
        people = {
            row.id: (row.name, row.email)
            for row in conn.execute(
                select(customers.c.id, customers.c.name, customers.c.email)
                .where(customers.c.deleted.is_(False)))
        }
        lines: dict[str, list[tuple[str, int]]] = {}
        for row in conn.execute(
            select(invoice_lines.c.invoice_id, invoice_lines.c.id, invoice_lines.c.amount)
            .order_by(invoice_lines.c.invoice_id, invoice_lines.c.position)
        ):
            lines.setdefault(row.invoice_id, []).append((row.id, int(row.amount)))
        columns = [invoices.c.id, invoices.c.customer_id.label("customer"),
                   *(invoices.c[name] for name in INVOICE_FIELDS if name != "customer")]
        bills = {
            row.id: ({name: getattr(row, name) for name in INVOICE_FIELDS},
                     lines.get(row.id, []))
            for row in conn.execute(select(*columns).where(invoices.c.deleted.is_(False)))
        }
    return people, bills


class ReadModelMachine(RuleBasedStateMachine):
    """Stripe changes through the SDK; its events reach the read model late, twice, shuffled."""

    def __init__(self, start_emulator: Callable[[], RunningEmulator],
                 new_database: Callable[[], str]) -> None:
        super().__init__()
        self.emulator = start_emulator()
        self.client = client_for(self.emulator)
        self.new_database = new_database
        self.services: Services | None = None
        self.customers: dict[str, bool] = {}  # id -> alive
        self.invoices: dict[str, str] = {}  # id -> status as Stripe last answered
        self.items: dict[str, list[str]] = {}  # draft invoice id -> its invoice item ids
        self.owner: dict[str, str] = {}  # invoice id -> customer id
        self.seen: set[str] = set()  # event ids read from Stripe
        self.pending: list[dict[str, Any]] = []  # read, not yet delivered
        self.delivered: list[dict[str, Any]] = []
        self.catch_ups = 0

    # -- Stripe side -------------------------------------------------------------------

    def _new_customer(self, name: str, with_email: bool) -> str:
        email = f"{name.split()[0].lower()}{len(self.customers)}@example.com"
        made = self.client.v1.customers.create(
            params={"name": name, "email": email} if with_email else {"name": name})
        self.customers[made.id] = True
        return made.id

    def _new_invoice(self, customer_id: str, days: int, amounts: list[int]) -> str:
        invoice = self.client.v1.invoices.create(params={
            "customer": customer_id, "collection_method": "send_invoice",
            "days_until_due": days, "auto_advance": False,
        })  # fmt: skip
        self.invoices[invoice.id] = "draft"
        self.owner[invoice.id] = customer_id
        self.items[invoice.id] = []
        self._add_items(invoice.id, amounts)
        return invoice.id

    def _add_items(self, invoice_id: str, amounts: list[int]) -> None:
        for amount in amounts:
            item = self.client.v1.invoice_items.create(params={
                "customer": self.owner[invoice_id], "invoice": invoice_id, "amount": amount,
                "currency": "usd", "description": f"Work {amount}",
            })  # fmt: skip
            self.items[invoice_id].append(item.id)

    def _settle(self, invoice_id: str, status: str) -> None:
        self.invoices[invoice_id] = status
        if status != "draft":
            self.items.pop(invoice_id, None)

    # Choices are drawn from lists in creation order (ids are random: sorting by them
    # would make the same draw pick another object on a replay).
    def _alive(self) -> list[str]:
        return [cid for cid, alive in self.customers.items() if alive]

    def _in(self, *statuses: str) -> list[str]:
        return [iid for iid, status in self.invoices.items() if status in statuses]

    @initialize(
        before=st.lists(st.tuples(st.sampled_from(NAMES), st.lists(AMOUNTS, max_size=12)),
                        max_size=4),
    )
    def backfill_what_exists(self, before: list[tuple[str, list[int]]]) -> None:
        """A few customers and invoices exist before the read model is filled."""
        for name, amounts in before:
            customer_id = self._new_customer(name, with_email=True)
            invoice_id = self._new_invoice(customer_id, 30, amounts)
            if amounts:
                self._settle(invoice_id, self.client.v1.invoices.finalize_invoice(invoice_id)
                             .status or "open")
        self.services = services_for(self.emulator.base_url, self.new_database(),
                                     backfill=True)

    @rule(name=st.sampled_from(NAMES), with_email=st.booleans())
    def create_customer(self, name: str, with_email: bool) -> None:
        self._new_customer(name, with_email)

    @precondition(lambda self: any(self.customers.values()))
    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def rename_customer(self, data: st.DataObject, name: str) -> None:
        customer_id = data.draw(st.sampled_from(self._alive()), label="customer")
        self.client.v1.customers.update(customer_id, params={"name": f"{name} (renamed)"})

    @precondition(lambda self: any(self.customers.values()))
    @rule(data=st.data())
    def delete_customer(self, data: st.DataObject) -> None:
        customer_id = data.draw(st.sampled_from(self._alive()), label="customer")
        self.client.v1.customers.delete(customer_id)
        self.customers[customer_id] = False

    @precondition(lambda self: any(self.customers.values()))
    @rule(data=st.data(), days=st.integers(1, 90), amounts=st.lists(AMOUNTS, max_size=4))
    def create_invoice(self, data: st.DataObject, days: int, amounts: list[int]) -> None:
        customer_id = data.draw(st.sampled_from(self._alive()), label="customer")
        self._new_invoice(customer_id, days, amounts)

    def _open_to_items(self) -> list[str]:
        """Drafts whose customer still exists (Stripe refuses items for a deleted one)."""
        return [i for i in self.items if self.customers[self.owner[i]]]

    @precondition(lambda self: bool(self._open_to_items()))
    @rule(data=st.data(), amounts=st.lists(AMOUNTS, min_size=1, max_size=8))
    def add_items(self, data: st.DataObject, amounts: list[int]) -> None:
        """Sometimes past the 10 lines an invoice embeds (the rest is read page by page)."""
        invoice_id = data.draw(st.sampled_from(self._open_to_items()), label="draft")
        self._add_items(invoice_id, amounts)

    @precondition(lambda self: any(self.items.values()))
    @rule(data=st.data(), amount=st.one_of(st.none(), AMOUNTS))
    def change_item(self, data: st.DataObject, amount: int | None) -> None:
        """Reprice an item of a draft (``amount``) or remove it (None)."""
        invoice_id = data.draw(st.sampled_from([i for i, v in self.items.items() if v]),
                               label="draft")
        item_id = data.draw(st.sampled_from(self.items[invoice_id]), label="item")
        if amount is None:
            self.client.v1.invoice_items.delete(item_id)
            self.items[invoice_id].remove(item_id)
        else:
            self.client.v1.invoice_items.update(item_id, params={"amount": amount})

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data(), days=st.integers(1, 120))
    def move_due_date(self, data: st.DataObject, days: int) -> None:
        invoice_id = data.draw(st.sampled_from(list(self.items)), label="draft")
        self.client.v1.invoices.update(invoice_id, params={"days_until_due": days})

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data())
    def delete_draft(self, data: st.DataObject) -> None:
        invoice_id = data.draw(st.sampled_from(list(self.items)), label="draft")
        self.client.v1.invoices.delete(invoice_id)
        del self.invoices[invoice_id]
        del self.items[invoice_id]

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data())
    def finalize(self, data: st.DataObject) -> None:
        """A draft with no amount due is paid at once, as in Stripe."""
        invoice_id = data.draw(st.sampled_from(list(self.items)), label="draft")
        finalized = self.client.v1.invoices.finalize_invoice(invoice_id)
        self._settle(invoice_id, str(finalized.status))

    @precondition(lambda self: bool(self._in("open", "uncollectible")))
    @rule(data=st.data(), action=st.sampled_from(("pay", "void", "mark_uncollectible")))
    def close(self, data: st.DataObject, action: str) -> None:
        """Pay out of band or void an open or uncollectible invoice; write off an open one."""
        eligible = self._in("open") if action == "mark_uncollectible" else self._in(
            "open", "uncollectible")
        if not eligible:
            return
        invoice_id = data.draw(st.sampled_from(eligible), label="invoice")
        if action == "pay":
            done = self.client.v1.invoices.pay(invoice_id, params={"paid_out_of_band": True})
        elif action == "void":
            done = self.client.v1.invoices.void_invoice(invoice_id)
        else:
            done = self.client.v1.invoices.mark_uncollectible(invoice_id)
        self._settle(invoice_id, str(done.status))

    # -- events ------------------------------------------------------------------------

    def _read_new_events(self) -> None:
        """Stripe's events not read before (newest first, so stop at the first one seen)."""
        fresh: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.client.raw_request("get", "/v1/events", **params).data
            rows = [dict(event) for event in page.get("data") or []]
            unseen = list(itertools.takewhile(lambda event: event["id"] not in self.seen, rows))
            fresh += unseen
            if len(unseen) < len(rows) or not page.get("has_more") or not rows:
                break
            params["starting_after"] = rows[-1]["id"]
        self.seen.update(event["id"] for event in fresh)
        self.pending += reversed(fresh)  # oldest first

    def _deliver(self, events: list[dict[str, Any]], *, first_time: set[str]) -> None:
        assert self.services is not None
        for event in events:
            result = self.services.events.handle_event(event, source="test")
            assert result.outcome != "failed", (event["type"], result.summary)
            if event["id"] in first_time:
                first_time.discard(event["id"])
                assert result.outcome != DUPLICATE, event["type"]
            else:
                assert result.outcome == DUPLICATE, event["type"]

    @rule(seed=st.integers(0, 2**32 - 1), share=st.sampled_from((0.2, 0.5, 1.0)))
    def deliver_some(self, seed: int, share: float) -> None:
        """A random ``share`` of the events not yet delivered, shuffled, some twice.

        The choice is made from ``seed`` (not drawn one by one) so that the draws do not
        depend on how many events Stripe has emitted.
        """
        self._read_new_events()
        chooser = random.Random(seed)
        chosen = [event for event in self.pending if chooser.random() < share]
        batch = chosen + [event for event in chosen if chooser.random() < 0.3]
        chooser.shuffle(batch)
        self._deliver(batch, first_time={event["id"] for event in chosen})
        self.delivered += chosen
        delivered = {event["id"] for event in chosen}
        self.pending = [event for event in self.pending if event["id"] not in delivered]

    @precondition(lambda self: bool(self.delivered))
    @rule(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 5))
    def deliver_again(self, seed: int, count: int) -> None:
        """Stripe retries deliveries it thinks failed: old events arrive again."""
        self._deliver(random.Random(seed).choices(self.delivered, k=count), first_time=set())

    @precondition(lambda self: self.services is not None and self.catch_ups < 2)
    @rule()
    def catch_up(self) -> None:
        """The periodic catch-up (``GET /v1/events``) runs while webhooks still arrive:
        what it recorded is, to the webhook, a delivery seen before. (Twice at most per
        example: it lists every recent event, the costliest step here.)"""
        assert self.services is not None
        self.catch_ups += 1
        self.services.upkeep.catch_up()
        self._read_new_events()
        recorded = recorded_event_ids(self.services.engine,
                                      [event["id"] for event in self.pending])
        self.delivered += [event for event in self.pending if event["id"] in recorded]
        self.pending = [event for event in self.pending if event["id"] not in recorded]

    def teardown(self) -> None:
        try:
            if self.services is None:
                return
            self._read_new_events()
            rest = self.pending * 2  # what is left, twice, in a fixed shuffled order
            random.Random(len(rest)).shuffle(rest)
            self._deliver(rest, first_time={event["id"] for event in self.pending})
            theirs_customers, theirs_invoices = stripe_truth(self.client)
            ours_customers, ours_invoices = read_model_state(self.services)
            for fields, lines in theirs_invoices.values():  # --hypothesis-show-statistics
                tally(f"invoice {fields['status']}")
                if len(lines) > 10:
                    tally("invoice with more lines than Stripe embeds")
            tally(f"events delivered: {len(self.seen) // 25 * 25}+")
            outcomes = set(self.services.events.activity(limit=100_000)["outcome"])
            assert outcomes <= {"handled", "ignored"}, outcomes  # none failed, none waits
            assert ours_customers == theirs_customers
            assert set(ours_invoices) == set(theirs_invoices)
            for invoice_id, truth in theirs_invoices.items():
                assert ours_invoices[invoice_id] == truth, invoice_id
            with self.services.engine.connect() as conn:  # the Invoices list's totals
                assert totals_drift(conn) == {}
        finally:
            if self.services is not None:
                self.services.events.close()
            self.emulator.stop()


@pytest.mark.timeout(900)  # a failure is shrunk (Hypothesis gives up after 5 minutes)
def test_the_read_model_ends_in_stripes_state_whatever_the_history(
    fresh_emulator: Callable[..., RunningEmulator], request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    counter = itertools.count()
    run_state_machine_as_test(  # a factory is accepted where the stub says a class
        lambda: ReadModelMachine(  # type: ignore[arg-type]
            fresh_emulator,
            lambda: new_database_url(request, tmp_path, f"machine{next(counter)}"),
        ),
        settings=SETTINGS,
    )


def test_a_drafts_customer_name_follows_a_customer_rename(
    fresh_emulator: Callable[..., RunningEmulator], app_database_url: str
) -> None:
    running = fresh_emulator()
    client = client_for(running)
    services = services_for(running.base_url, app_database_url, backfill=True)
    seen: set[str] = set()

    def deliver_new_events() -> None:
        page = client.raw_request("get", "/v1/events", limit=100).data
        for event in reversed(page["data"]):
            if event["id"] not in seen:
                seen.add(event["id"])
                assert services.events.handle_event(event, source="test").outcome != "failed"

    try:
        customer = client.v1.customers.create(params={"name": "Old Name",
                                                      "email": "old@example.com"})
        draft = client.v1.invoices.create(params={
            "customer": customer.id, "collection_method": "send_invoice",
            "days_until_due": 30, "auto_advance": False,
        })  # fmt: skip
        deliver_new_events()
        client.v1.customers.update(customer.id, params={"name": "New Name",
                                                        "email": "new@example.com"})
        deliver_new_events()
        truth = client.v1.invoices.retrieve(draft.id)
        if (truth.customer_name, truth.customer_email) != ("New Name", "new@example.com"):
            raise RuntimeError("Stripe's draft no longer follows its customer: test is moot")
        with services.engine.connect() as conn:
            stored = conn.execute(
                select(invoices.c.customer_name, invoices.c.customer_email)
                .where(invoices.c.id == draft.id)
            ).one()
        assert tuple(stored) == ("New Name", "new@example.com")
    finally:
        services.events.close()
