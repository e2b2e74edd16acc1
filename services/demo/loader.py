"""Loads the demo book into a brand-new emulator through the public Stripe API.

Only ever used in emulator mode. Each customer lives on a Stripe test clock
that starts about 200 days in the past; the loader walks the clock forward
through the plan of :mod:`services.demo.book` (issue, finalize, send, pay,
void, write off), so invoice dates, due dates and aging are genuinely
backdated, then leaves the clock at the present. One bank debit is started
after the clock reaches the present, so it is still processing; one card
payment fails.

Every call carries an idempotency key derived from the plan, so a load that
was interrupted replays what was done and carries on. A finished load is
marked on the catalog (product metadata ``demo_data=complete``) and is never
loaded twice.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import stripe
from stripe.params import InvoiceCreateParams, InvoiceItemCreateParams, PriceCreateParams

from services.demo.book import (
    CATALOG,
    DemoCustomer,
    Outcome,
    PlannedInvoice,
    demo_customers,
    plan_demo_book,
)

if TYPE_CHECKING:
    from services.container import Services

LOG = logging.getLogger(__name__)
DAY = 86_400
#: How far in the past every demo clock starts.
BOOK_STARTS_DAYS_AGO = 200
_MARKER_KEY = "demo_data"
_KEY_PREFIX = "demo-v1"


@dataclass(frozen=True)
class DemoSummary:
    """What the loader made (or found already made)."""

    products: int
    customers: int
    invoices: int
    by_outcome: dict[str, int]
    already_loaded: bool = False


def load_demo_data(services: Services, *, now: int | None = None) -> DemoSummary:
    """Fill the emulator behind ``services`` with the demo book (once)."""
    return DemoLoader(services.client, now=now).load()


class DemoLoader:
    """Replays the demo plan against one Stripe client."""

    def __init__(self, client: stripe.StripeClient, *, now: int | None = None) -> None:
        self._client = client
        self._now = int(now if now is not None else time.time())
        self._prices: dict[str, str] = {}
        self._invoice_ids: dict[str, str] = {}

    def load(self) -> DemoSummary:
        if self._already_loaded():
            LOG.info("demo data already loaded")
            return DemoSummary(0, 0, 0, {}, already_loaded=True)
        first_product = self._load_catalog()
        plans = plan_demo_book()
        customers = demo_customers()
        for customer in customers:
            mine = [p for p in plans if p.customer_key == customer.key]
            self._load_customer_book(customer, mine)
        self._client.v1.products.update(
            first_product,
            {"metadata": {_MARKER_KEY: "complete"}},
            options={"idempotency_key": f"{_KEY_PREFIX}-marker"},
        )
        counts = Counter(p.outcome.value for p in plans)
        LOG.info("demo data loaded: %d invoices for %d customers", len(plans), len(customers))
        return DemoSummary(len(CATALOG), len(customers), len(plans), dict(counts))

    # -- catalog -----------------------------------------------------------------

    def _already_loaded(self) -> bool:
        found = self._client.v1.products.search(
            {"query": f"metadata['{_MARKER_KEY}']:'complete'", "limit": 1}
        )
        return bool(found.data)

    def _load_catalog(self) -> str:
        first: str | None = None
        for entry in CATALOG:
            product = self._client.v1.products.create(
                {"name": entry.name, "description": entry.description,
                 "metadata": {_MARKER_KEY: "loading"}},
                options={"idempotency_key": f"{_KEY_PREFIX}-product-{entry.key}"},
            )
            first = first or product.id
            params: PriceCreateParams = {
                "product": product.id, "currency": entry.currency,
                "unit_amount": entry.unit_amount,
            }
            if entry.recurring_interval:
                params["recurring"] = {"interval": entry.recurring_interval}
            price = self._client.v1.prices.create(
                params, options={"idempotency_key": f"{_KEY_PREFIX}-price-{entry.key}"}
            )
            self._prices[entry.key] = price.id
        if first is None:
            raise RuntimeError("the demo catalog is empty")
        return first

    # -- one customer's history --------------------------------------------------

    def _load_customer_book(self, customer: DemoCustomer, plans: list[PlannedInvoice]) -> None:
        clock = self._client.v1.test_helpers.test_clocks.create(
            {"frozen_time": self._days_ago(BOOK_STARTS_DAYS_AGO), "name": customer.name},
            options={"idempotency_key": f"{_KEY_PREFIX}-clock-{customer.key}"},
        )
        customer_id = self._client.v1.customers.create(
            {
                "name": customer.name, "email": customer.email, "test_clock": clock.id,
                "description": "Demo customer",
                "address": {"line1": customer.line1, "city": customer.city,
                            "postal_code": customer.postal_code, "country": customer.country},
            },
            options={"idempotency_key": f"{_KEY_PREFIX}-customer-{customer.key}"},
        ).id
        steps = self._timeline(customer_id, customer, plans)
        clock_time = int(clock.frozen_time)
        for at, label, step in sorted(steps, key=lambda s: (s[0], s[1])):
            clock_time = self._advance(clock.id, clock_time, at, label)
            step()
        clock_time = self._advance(clock.id, clock_time, self._now, "present")
        for plan in plans:  # started at the present, so the clock never settles it
            if plan.outcome is Outcome.BANK_DEBIT_PROCESSING:
                self._pay(plan, "pm_usBankAccount", "bank")

    def _timeline(
        self, customer_id: str, customer: DemoCustomer, plans: list[PlannedInvoice]
    ) -> list[tuple[int, str, Callable[[], None]]]:
        steps: list[tuple[int, str, Callable[[], None]]] = []
        for plan in plans:
            issued = self._days_ago(plan.issued_days_ago)
            issue = self._issue_step(customer_id, customer.currency, plan)
            steps.append((issued, f"{plan.key}-a", issue))
            if plan.settled_days_ago is not None:
                settled = max(self._days_ago(plan.settled_days_ago), issued + 3600)
                steps.append((settled, f"{plan.key}-b", self._settle_step(plan)))
        return steps

    def _issue_step(
        self, customer_id: str, currency: str, plan: PlannedInvoice
    ) -> Callable[[], None]:
        def issue() -> None:
            invoice_id = self._create_invoice(customer_id, currency, plan)
            self._invoice_ids[plan.key] = invoice_id
            if plan.outcome is Outcome.DRAFT:
                return
            self._act(plan, "finalize_invoice", {})
            self._act(plan, "send_invoice", {})
            if plan.outcome is Outcome.CARD_FAILED:
                self._pay(plan, "pm_card_chargeDeclined", "declined")

        return issue

    def _settle_step(self, plan: PlannedInvoice) -> Callable[[], None]:
        def settle() -> None:
            if plan.outcome is Outcome.PAID_OUT_OF_BAND:
                self._act(plan, "pay", {"paid_out_of_band": True})
            elif plan.outcome is Outcome.PAID_BY_CARD:
                self._pay(plan, "pm_card_visa", "card")
            elif plan.outcome is Outcome.VOID:
                self._act(plan, "void_invoice", {})
            elif plan.outcome is Outcome.UNCOLLECTIBLE:
                self._act(plan, "mark_uncollectible", {})

        return settle

    def _create_invoice(self, customer_id: str, currency: str, plan: PlannedInvoice) -> str:
        metadata = {"po_number": plan.po_number} if plan.po_number else {}
        params: InvoiceCreateParams = {
            "customer": customer_id, "collection_method": "send_invoice",
            "days_until_due": plan.days_until_due, "auto_advance": False, "currency": currency,
            "metadata": metadata,
        }
        if plan.memo:
            params["description"] = plan.memo
        invoice = self._client.v1.invoices.create(
            params, options={"idempotency_key": f"{_KEY_PREFIX}-invoice-{plan.key}"}
        )
        for number, line in enumerate(plan.lines):
            item: InvoiceItemCreateParams = {"customer": customer_id, "invoice": invoice.id}
            if line.catalog_key is not None:
                item["pricing"] = {"price": self._prices[line.catalog_key]}
                item["quantity"] = line.quantity
            elif line.amount is None or line.description is None:
                raise ValueError(f"demo line {plan.key}/{number} has no amount or description")
            else:
                item["amount"] = line.amount
                item["currency"] = currency
                item["description"] = line.description
            self._client.v1.invoice_items.create(
                item, options={"idempotency_key": f"{_KEY_PREFIX}-item-{plan.key}-{number}"}
            )
        return invoice.id

    def _act(self, plan: PlannedInvoice, action: str, params: dict[str, Any]) -> None:
        method = getattr(self._client.v1.invoices, action)
        method(
            self._invoice_ids[plan.key],
            params,
            options={"idempotency_key": f"{_KEY_PREFIX}-{action}-{plan.key}"},
        )

    def _pay(self, plan: PlannedInvoice, payment_method: str, label: str) -> None:
        try:
            self._act(plan, "pay", {"payment_method": payment_method})
        except stripe.CardError:
            if label != "declined":
                raise  # only the planned failure may fail

    # -- time ----------------------------------------------------------------------

    def _days_ago(self, days: int) -> int:
        return self._now - days * DAY

    def _advance(self, clock_id: str, current: int, target: int, label: str) -> int:
        if target <= current:
            return current
        self._client.v1.test_helpers.test_clocks.advance(
            clock_id,
            {"frozen_time": target},
            options={"idempotency_key": f"{_KEY_PREFIX}-advance-{clock_id}-{label}"},
        )
        self._wait_until_ready(clock_id)
        return target

    def _wait_until_ready(self, clock_id: str, timeout_seconds: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            clock = self._client.v1.test_helpers.test_clocks.retrieve(clock_id)
            if clock.status == "ready":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"test clock {clock_id} still {clock.status}")
            time.sleep(0.05)
