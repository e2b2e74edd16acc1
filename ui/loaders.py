"""Cached service reads used by the pages (each returns a :class:`ui.data.Snapshot`).

Loaders live here, not in page files, so each is registered once for
invalidation. Add new loaders with ``@cached_view(<areas>)``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ui import runtime
from ui.data import cached_view

if TYPE_CHECKING:
    from services.models import Invoice, Product
    from services.reports import InvoiceFilters


@cached_view("invoices", "reports", ttl="2m", spinner="Loading invoices…",
             background_refresh=True)
def invoices_table(filters: InvoiceFilters) -> pd.DataFrame:
    """The invoices matching ``filters`` (one row per invoice, amounts in minor units)."""
    return runtime.services().reports.invoices_table(filters)


@cached_view("invoices", ttl="1m", spinner="Loading the invoice…")
def invoice(invoice_id: str) -> Invoice:
    """One invoice with its lines."""
    return runtime.services().invoices.get(invoice_id)


@cached_view("invoices", "audit", ttl="1m", spinner="Loading the history…")
def invoice_history(invoice_id: str) -> pd.DataFrame:
    """Who did what to an invoice, from the audit trail."""
    return runtime.services().audit.history(invoice_id)


@cached_view("customers", ttl="5m", spinner="Loading customers…")
def customers_table() -> pd.DataFrame:
    """All customers (for pickers and filters)."""
    return runtime.services().customers.table()


@cached_view("catalog", ttl="5m", spinner="Loading the catalog…")
def products() -> list[Product]:
    """Active products with their prices (for the item picker)."""
    return runtime.services().catalog.products()


def customer_labels(customers: pd.DataFrame) -> dict[str, str]:
    """Customer id -> "Name (email)" for pickers, in the table's order."""
    labels: dict[str, str] = {}
    for row in customers.itertuples(index=False):
        name = row.name or row.email or row.customer_id
        labels[row.customer_id] = f"{name} ({row.email})" if row.email and row.name else name
    return labels


def warm_default_views() -> None:
    """Load what the Invoices page shows first (all invoices, all customers) into the
    caches, so the first person to open it does not wait for the whole list."""
    from services.reports import InvoiceFilters

    customers_table()
    invoices_table(InvoiceFilters(as_of=date.today()))
