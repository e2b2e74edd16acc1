"""The one ordered route table of the emulator.

Each ``api/<resource>.py`` exports ``ROUTES`` (its own action routes already
placed before its ``/{id}`` routes); adding a resource is one name in the import
and one ``*module.ROUTES,`` line here. ``lib.routing.Router`` refuses, at
start-up, a table in which a route is shadowed by an earlier one.
"""

from __future__ import annotations

from stripe_emulator.api import (
    balance_transactions,
    coupons,
    credit_notes,
    customers,
    events,
    hosted_invoices,
    invoice_items,
    invoice_lines,
    invoice_payments,
    invoices,
    payment_records,
    prices,
    products,
    tax_rates,
    test_clocks,
    webhook_endpoints,
)
from stripe_emulator.lib.routing import Route

ROUTES: list[Route] = [
    *balance_transactions.ROUTES,
    *coupons.ROUTES,
    *credit_notes.ROUTES,
    *customers.ROUTES,
    *events.ROUTES,
    *hosted_invoices.ROUTES,
    *invoice_items.ROUTES,
    *invoice_lines.ROUTES,
    *invoice_payments.ROUTES,
    *invoices.ROUTES,
    *payment_records.ROUTES,
    *prices.ROUTES,
    *products.ROUTES,
    *tax_rates.ROUTES,
    *test_clocks.ROUTES,
    *webhook_endpoints.ROUTES,
]
