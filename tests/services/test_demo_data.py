"""The demo book loads through the public API into a fresh emulator, backdated, once."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import stripe

from services.demo.book import Outcome, demo_customers, plan_demo_book
from services.demo.loader import DemoLoader
from stripe_emulator.embedded import start_emulator
from tests.conftest import client_for

DAY = 86_400


def test_plan_covers_every_outcome_and_aging_bucket() -> None:
    plans = plan_demo_book()
    assert len(plans) == 150
    assert {p.outcome for p in plans} == set(Outcome)
    overdue_days = [p.issued_days_ago - p.days_until_due for p in plans
                    if p.outcome is Outcome.OVERDUE]
    assert min(overdue_days) >= 5 and max(overdue_days) == 120
    buckets = {(d > 30) + (d > 60) + (d > 90) for d in overdue_days}
    assert buckets == {0, 1, 2, 3}
    assert plan_demo_book() == plans  # deterministic
    currencies = {c.currency for c in demo_customers()}
    assert currencies == {"usd", "eur", "jpy"}


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    with start_emulator(settlement_delay_seconds=0.2) as emulator:
        client = client_for(emulator)
        now = int(time.time())
        summary = DemoLoader(client, now=now).load()
        yield client, summary, now


def _all_invoices(client: stripe.StripeClient) -> list[stripe.Invoice]:
    return list(client.v1.invoices.list({"limit": 100}).auto_paging_iter())


def test_demo_book_has_every_status_backdated_and_overdue(loaded) -> None:  # type: ignore[no-untyped-def]
    client, summary, now = loaded
    assert summary.invoices == 150 and summary.customers == 30 and not summary.already_loaded
    invoices = _all_invoices(client)
    assert len(invoices) == 150
    statuses = Counter(inv.status for inv in invoices)
    assert set(statuses) == {"draft", "open", "paid", "void", "uncollectible"}
    overdue = [inv for inv in invoices if inv.status == "open" and inv.due_date < now]
    ages = sorted((now - inv.due_date) // DAY for inv in overdue)
    assert len(overdue) >= 36 and ages[0] >= 5 and ages[-1] >= 119
    assert min(inv.created for inv in invoices) < now - 150 * DAY
    currencies = {inv.currency for inv in invoices}
    assert currencies == {"usd", "eur", "jpy"}


def test_one_card_failure_and_one_bank_debit_still_processing(loaded) -> None:  # type: ignore[no-untyped-def]
    client, _summary, _now = loaded
    failed = list(client.v1.events.list({"type": "invoice.payment_failed", "limit": 100}))
    processing = list(client.v1.events.list({"type": "payment_intent.processing", "limit": 100}))
    card_paid = list(client.v1.events.list({"type": "invoice.payment_succeeded", "limit": 100}))
    assert len(failed) == 1 and len(processing) == 1
    assert len(card_paid) == 6  # the bank debit has not settled
    failed_invoice = client.v1.invoices.retrieve(failed[0].data.object.id)
    assert failed_invoice.status == "open" and failed_invoice.attempt_count == 1


def test_loading_twice_changes_nothing(loaded) -> None:  # type: ignore[no-untyped-def]
    client, _summary, now = loaded
    again = DemoLoader(client, now=now).load()
    assert again.already_loaded
    assert len(_all_invoices(client)) == 150
