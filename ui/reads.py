"""The service reads the pages show, each cached once (see :mod:`ui.caching`), and how a
page says that a read failed.

Every read here is a :func:`ui.caching.cached_view` filed under the areas whose
writes change it, so ``invalidate("invoices")`` after an invoice action also
refreshes the reports built from invoices, and the pages' Refresh buttons use
:func:`ui.caching.refresher`. Each returns a :class:`ui.caching.Snapshot`
(value + "as of" time). Reads live here, not in page files, so each is
registered once for invalidation; add new ones here.

:func:`read_or_stop` and :func:`read_or_none` call a read (cached or not) and,
when the services refuse, say what failed in words instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NoReturn, TypeVar

import pandas as pd
import streamlit as st

from services.core.clock import business_today
from services.core.errors import DashboardError
from services.core.models import Customer, Invoice, Product
from services.reporting.invoice_list import InvoiceExport, InvoiceListPage, InvoiceOrder
from services.reporting.lookup import LookupResult
from services.reporting.receivables import InvoiceFilters, Kpi
from ui import runtime
from ui.caching import cached_view
from ui.text import plain

T = TypeVar("T")


def today() -> date:
    """The one "today" of every page: the day in the business time zone
    (``DASHBOARD_TIME_ZONE``, default the server's; :func:`services.core.clock.business_today`)."""
    return business_today()


# -- reading with a clear error ------------------------------------------------------------


def read_or_stop(read: Callable[..., T], *args: object, what: str) -> T:
    """Call ``read(*args)``; on a services error say what failed, in words, and stop."""
    try:
        return read(*args)
    except DashboardError as err:
        _stop_with(f"Could not load {what}: {plain(err)}")


def read_or_none(read: Callable[..., T], *args: object, what: str) -> T | None:
    """Like :func:`read_or_stop`, but the rest of the page still runs (``None`` on failure)."""
    try:
        return read(*args)
    except DashboardError as err:
        st.error(f"Could not load {what}: {plain(err)}", icon=":material/cloud_off:")
        return None


def _stop_with(message: str) -> NoReturn:
    st.error(message, icon=":material/cloud_off:")
    st.stop()


# -- invoices ------------------------------------------------------------------------------


@cached_view("invoices", "reports", ttl="2m", spinner="Loading invoices…",
             background_refresh=True)
def invoice_list_page(
    filters: InvoiceFilters, order: InvoiceOrder, page: int, page_size: int
) -> InvoiceListPage:
    """Page ``page`` of the invoices matching ``filters`` in ``order`` (sorted and cut in
    SQL), with the count and the totals per currency of all of them."""
    return runtime.services().reports.invoice_list_page(filters, order=order, page=page,
                                                        page_size=page_size)


def invoice_list_export(filters: InvoiceFilters, order: InvoiceOrder) -> InvoiceExport:
    """Every invoice matching ``filters`` in ``order`` (up to the export limit). Not
    cached: it runs once per export click, and keeping 100,000 rows would cost memory."""
    return runtime.services().reports.invoice_list_export(filters, order=order)


@cached_view("invoices", ttl="1m", spinner="Loading the invoice…")
def invoice(invoice_id: str) -> Invoice:
    """One invoice with its lines."""
    return runtime.services().invoices.get(invoice_id)


@cached_view("invoices", "audit", ttl="1m", spinner="Loading the history…")
def invoice_history(invoice_id: str) -> pd.DataFrame:
    """Who did what to an invoice, from the audit trail."""
    return runtime.services().audit.history(invoice_id)


@cached_view("audit", ttl="1m", spinner="Loading the audit log…")
def audit_choices() -> tuple[list[str], list[str]]:
    """The usernames and the actions found in the newest 5,000 audit entries, sorted (the
    Admin page's pickers; read once a minute, not on every run)."""
    entries = runtime.services().audit.table()
    return (sorted(entries["username"].dropna().unique()),
            sorted(entries["action"].dropna().unique()))


# -- customers -----------------------------------------------------------------------------


@cached_view("customers", ttl="5m", spinner="Loading customers…")
def customers_table() -> pd.DataFrame:
    """All customers (for pickers, filters and the Customers list)."""
    return runtime.services().customers.table()


@cached_view("customers", ttl="2m", spinner="Counting customers…")
def customers_count() -> int:
    """How many customers there are (the list and pickers show the newest 1,000)."""
    return runtime.services().customers.count()


@cached_view("customers", ttl="2m", spinner="Searching customers…")
def customers_found(text: str) -> list[Customer]:
    """Customers whose name or email matches ``text`` (at most 100)."""
    return runtime.services().customers.find(text, limit=100)


@cached_view("customers", ttl="2m", spinner="Loading the customer…")
def customer(customer_id: str) -> Customer:
    """One customer's details."""
    return runtime.services().customers.get(customer_id)


@cached_view("invoices", "customers", ttl="2m", spinner="Loading the customer's invoices…")
def customer_invoices(customer_id: str, as_of: date) -> pd.DataFrame:
    """One customer's invoices, overdue days counted to ``as_of``."""
    filters = InvoiceFilters(customer_id=customer_id, as_of=as_of)
    return runtime.services().reports.invoices_table(filters)


# -- catalog -------------------------------------------------------------------------------


@cached_view("catalog", ttl="5m", spinner="Loading the catalog…", max_entries=4)
def catalog(include_archived: bool) -> list[Product]:
    """Products with their prices; archived ones too when ``include_archived``.

    Call it with the flag as a positional argument (``catalog(False)``): Streamlit
    keys the cache by the arguments as passed, so every caller then shares one entry.
    """
    return runtime.services().catalog.products(include_archived)


@cached_view("catalog", ttl="5m", spinner="Loading the price list…", max_entries=4)
def price_list(include_archived: bool) -> pd.DataFrame:
    """One row per price (the Catalog page's table)."""
    return runtime.services().catalog.products_table(include_archived)


# -- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewData:
    """What the Overview page shows, all sums and counts computed in SQL: the KPIs, how
    many invoices finalized in the DSO period have each status, and the aging of the
    open invoices. The invoices behind a number are read when asked for
    (:func:`kpi_rows`, :func:`period_invoices`)."""

    kpis: list[Kpi]
    period_counts: dict[str, int]  # status → invoices finalized in the DSO period
    aging: pd.DataFrame


@cached_view("invoices", "reports", ttl="3m", spinner="Loading receivables…", max_entries=8)
def overview(as_of: date) -> OverviewData:
    """The Overview page's numbers, the DSO period's status counts and the aging table."""
    reports = runtime.services().reports
    return OverviewData(reports.kpis(as_of), reports.period_status_counts(as_of),
                        reports.aging(as_of))


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the invoices…", max_entries=8)
def kpi_rows(as_of: date, key: str) -> pd.DataFrame:
    """The invoices behind the Overview KPI ``key`` on ``as_of``."""
    return runtime.services().reports.kpi_rows(as_of, key)


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the invoices…", max_entries=8)
def period_invoices(as_of: date, status: str) -> pd.DataFrame:
    """The invoices of ``status`` finalized in the DSO period up to ``as_of``."""
    return runtime.services().reports.period_invoices(as_of, status)


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the aging report…")
def aging(as_of: date) -> pd.DataFrame:
    """Open amounts and counts per currency and aging bucket."""
    return runtime.services().reports.aging(as_of)


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the invoices…")
def aging_rows(as_of: date, bucket: str, currency: str) -> pd.DataFrame:
    """The open invoices in one aging bucket and currency."""
    return runtime.services().reports.aging_rows(as_of, bucket=bucket, currency=currency)


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the invoices…")
def aging_page(as_of: date, bucket: str, currency: str, customer_id: str | None,
               order: InvoiceOrder, page: int, page_size: int) -> InvoiceListPage:
    """One page of the open invoices in an aging bucket and currency (of one customer
    when given), sorted and cut in SQL, with the count and totals of all of them."""
    return runtime.services().reports.aging_page(
        as_of, bucket=bucket, currency=currency, customer_id=customer_id, order=order,
        page=page, page_size=page_size)


@cached_view("invoices", "customers", "catalog", ttl="30s", spinner="Looking up…",
             max_entries=256)
def lookup(text: str) -> list[LookupResult]:
    """Invoices, customers, products and prices matching ``text``, best first."""
    return runtime.services().lookup.search(text)
