"""The demo book loads through the public API into a fresh emulator, backdated, once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
import stripe

from services.core.clock import business_today, business_zone
from services.customers.balances import customer_balance
from services.demo.book import Outcome, demo_customers, plan_demo_book
from services.demo.loader import DemoLoader
from services.readmodel.payment_queries import OUTSIDE_STRIPE
from services.reporting.cash_received import CashReceivedReport
from services.reporting.receivables import InvoiceFilters
from services.reporting.statement import StatementReport
from stripe_emulator.embedded import start_emulator
from tests.conftest import client_for
from tests.services.conftest import services_for

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
def demo_emulator():  # type: ignore[no-untyped-def]
    with start_emulator(settlement_delay_seconds=0.2) as emulator:
        client = client_for(emulator)
        now = int(time.time())
        summary = DemoLoader(client, now=now).load()
        yield emulator, client, summary, now


@pytest.fixture(scope="module")
def loaded(demo_emulator):  # type: ignore[no-untyped-def]
    _emulator, client, summary, now = demo_emulator
    return client, summary, now


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


def test_every_demo_customer_statement_closes_at_what_they_owe(  # type: ignore[no-untyped-def]
    demo_emulator, app_database_url
) -> None:
    """Paid out of band, by card or by payment records: the statement, the customer page,
    Cash received and the Overview's Collected read the same money."""
    emulator, _client, _summary, _now = demo_emulator
    services = services_for(emulator.base_url, app_database_url, backfill=True)
    try:
        today = business_today()
        every = services.reports.invoices_table(InvoiceFilters(as_of=today))
        statements = StatementReport(services.engine, business_zone())
        for customer_id in sorted(set(every["customer_id"].dropna())):
            mine = every[every["customer_id"] == customer_id]
            owed = customer_balance(mine).outstanding
            statement = statements.statement(customer_id, today - timedelta(days=89), today)
            closing = {s.currency: s.closing for s in statement.sections if s.closing}
            assert closing == {c: v for c, v in owed.items() if v}, customer_id
            assert all(s.closing == s.aging["total"] for s in statement.sections), customer_id
        cash = CashReceivedReport(services.engine, business_zone()).report(
            today - timedelta(days=29), today)
        kpis = {k.key: k for k in services.reports.kpis(today, collection_days=30)}
        assert cash.totals == kpis["collected"].values_by_currency
        assert OUTSIDE_STRIPE in set(cash.payments["method"])  # the demo marks some paid
    finally:
        services.close()
