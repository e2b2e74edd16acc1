"""The bench book: invoices written straight into the emulator's store, no HTTP.

``fill_invoices`` spreads ``size`` invoices over the customers already in the store
(``bench.emulator_bench.fill_customers`` puts them there) and over the last 400 days, in
every status (``STATUS_CYCLE``: 40 % paid, 30 % open, 20 % draft, 5 % void, 5 %
uncollectible), four in five in USD and one in five in EUR, one line each except one in
``LONG_EVERY`` with ``LONG_LINES`` lines (more than the 10 an invoice embeds). It also
picks the lookup targets the page-view figure searches for. Used by
``bench.read_model_bench`` and the browser benches (``bench.browser_book``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from bench.emulator_bench import fill_customers
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import (
    INVOICES,
    copy_customer_snapshot,
    new_invoice,
    recompute_totals,
)
from stripe_emulator.models.invoice_line import line_for_item

__all__ = ["DAY", "LONG_EVERY", "LONG_LINES", "STATUS_CYCLE", "fill_customers",
           "fill_invoices"]

DAY = 86_400
#: Status of the n-th filled invoice: 40 % paid, 30 % open, 20 % draft, 5 % void, 5 % bad.
STATUS_CYCLE = ("paid",) * 8 + ("open",) * 6 + ("draft",) * 4 + ("void", "uncollectible")
LONG_EVERY = 500  # one invoice in this many has LONG_LINES lines
LONG_LINES = 25


def fill_invoices(state: EmulatorState, size: int, sample: dict[str, Any],
                  on_batch: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
    """``size`` invoices over every customer, created over the last 400 days (see module
    doc); ``on_batch`` sees each batch of stored invoices (for a direct read-model fill)."""
    customers = state.store.select(CUSTOMERS, Where().eq("deleted", 0))
    now = int(time.time())
    step = 400 * DAY // max(size, 1)
    first = now - 400 * DAY
    rng = random.Random(7)
    sequences: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    for n in range(size):
        customer = customers[(n * 7919) % len(customers)]
        created = first + n * step
        currency = "eur" if n % 5 == 4 else "usd"
        invoice = new_invoice(invoice_id=new_id("in"), created=created, customer=customer,
                              currency=currency, collection_method="send_invoice",
                              test_clock=None)
        copy_customer_snapshot(invoice, customer)
        invoice["due_date"] = created + 30 * DAY
        count = LONG_LINES if n % LONG_EVERY == LONG_EVERY - 1 else 1
        for _ in range(count):
            amount = rng.randrange(500, 500_000)
            invoice["_lines"].append(line_for_item(new_id("il"), _item(invoice, amount),
                                                   invoice["id"]))
        recompute_totals(invoice)
        status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
        invoice["status"] = status
        transitions = invoice["status_transitions"]
        if status != "draft":
            sequence = sequences.get(customer["id"], 0) + 1
            sequences[customer["id"]] = sequence
            invoice["number"] = f"{customer['invoice_prefix']}-{sequence:04d}"
            transitions["finalized_at"] = created
        if status == "paid":
            paid_at = min(created + rng.randrange(1, 45) * DAY, now)
            invoice["amount_paid"], invoice["amount_remaining"] = invoice["amount_due"], 0
            transitions["paid_at"] = paid_at
        elif status == "void":
            transitions["voided_at"] = created + DAY
        elif status == "uncollectible":
            transitions["marked_uncollectible_at"] = created + 60 * DAY
        batch.append(invoice)
        if len(batch) == 5000 or n == size - 1:
            state.store.insert_many(INVOICES, batch)
            if on_batch is not None:
                on_batch(batch)
            batch = []
    for customer in customers:
        if customer["id"] in sequences:
            customer["next_invoice_sequence"] = sequences[customer["id"]] + 1
            state.store.update(CUSTOMERS, customer)
    # Lookup targets: a customer with invoices, one numbered invoice and its total.
    numbered = next(i for i in state.store.select(INVOICES, Where().eq("status", "open"),
                                                  limit=50) if i["number"])
    owner = state.store.get(CUSTOMERS, numbered["customer"])
    assert owner is not None
    sample.update(lookup_name=owner["name"], lookup_email=owner["email"],
                  lookup_number=numbered["number"],
                  lookup_amount=f"{numbered['total'] / 100:.2f} {numbered['currency'].upper()}")
    sample["lines_pages"] = sum(1 for n in range(size) if n % LONG_EVERY == LONG_EVERY - 1)


def _item(invoice: dict[str, Any], amount: int) -> dict[str, Any]:
    return {"id": new_id("ii"), "amount": amount, "currency": invoice["currency"],
            "description": "Monthly service", "discountable": True, "metadata": {},
            "period": {"start": invoice["created"], "end": invoice["created"]},
            "pricing": {"price_details": {"price": new_id("price"), "product": new_id("prod")},
                        "type": "price_details", "unit_amount_decimal": str(amount)},
            "quantity": 1, "quantity_decimal": "1"}
