"""Cached service reads used by the pages (each returns a :class:`ui.data.Snapshot`).

Loaders live here, not in page files, so each is registered once for
invalidation. Add new loaders with ``@cached_view(<areas>)``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ui import runtime
from ui.data import cached_view

if TYPE_CHECKING:
    from services.core.models import Invoice, Product
    from services.reporting.receivables import InvoiceFilters, InvoiceListing

LOG = logging.getLogger(__name__)


@cached_view("invoices", "reports", ttl="2m", spinner="Loading invoices…",
             background_refresh=True)
def invoices_table(filters: InvoiceFilters) -> pd.DataFrame:
    """The invoices matching ``filters`` (one row per invoice, amounts in minor units)."""
    return runtime.services().reports.invoices_table(filters)


@cached_view("invoices", "reports", ttl="2m", spinner="Loading the newest invoices…",
             background_refresh=True)
def invoices_page(filters: InvoiceFilters, max_rows: int) -> InvoiceListing:
    """The newest ``max_rows`` invoices matching ``filters`` and whether that is all."""
    return runtime.services().reports.invoices_page(filters, max_rows=max_rows)


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
    """Load what the Invoices and Overview pages show first into the caches (from a
    background thread at server start, with no session), so the first person to open
    them does not wait for Stripe. Each view is tried on its own: a failure only
    costs that head start (the page then loads, and reports errors, itself)."""
    from services.reporting.receivables import InvoiceFilters
    from ui import cached_reads, invoice_listing

    views = (
        ("customers", customers_table),
        ("newest invoices",
         lambda: invoices_page(InvoiceFilters(as_of=date.today()), invoice_listing.SHOWN_ROWS)),
        ("overview", lambda: cached_reads.overview(cached_reads.today())),
    )
    for name, load in views:
        try:
            load()
        except Exception:  # e.g. Stripe unreachable
            LOG.warning("could not pre-load the %s view", name, exc_info=True)
