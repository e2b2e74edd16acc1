"""Cached reads behind the report pages (Overview, Catalog, Customers, Overdue, Lookup).

Each is a :func:`ui.data.cached_view` filed under the areas whose writes change
it, so the foundation's ``invalidate("invoices")`` after an invoice action also
refreshes these, and the pages' Refresh buttons use :func:`ui.data.refresher`.
Each returns a :class:`ui.data.Snapshot` (value + "as of" time). :func:`load`
shows a services error in words and stops the page instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NoReturn, TypeVar

import pandas as pd
import streamlit as st

from services.core.errors import DashboardError
from services.core.models import Customer, Product
from services.reporting.aging import aging_table
from services.reporting.lookup import LookupResult
from services.reporting.receivables import InvoiceFilters, Kpi
from ui import runtime
from ui.data import cached_view

T = TypeVar("T")
PERIOD_PART = "invoiced in period"  # how reports.kpis tags the DSO period's invoices


@dataclass(frozen=True)
class OverviewData:
    """What the Overview page shows, all from one ``reports.kpis`` call: the KPIs,
    the invoices finalized in the DSO period (by status) and the aging of the
    open invoices behind "outstanding"."""

    kpis: list[Kpi]
    period_invoices: pd.DataFrame
    aging: pd.DataFrame

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)


def today() -> date:
    """The as-of day the reports default to (UTC, like Stripe's due dates)."""
    return datetime.now(UTC).date()


def load(read: Callable[..., T], *args: object, what: str) -> T:
    """Call ``read(*args)``; on a services error say what failed, in words, and stop."""
    try:
        return read(*args)
    except DashboardError as err:
        _stop_with(f"Could not load {what}: {err}")


def try_load(read: Callable[..., T], *args: object, what: str) -> T | None:
    """Like :func:`load`, but the rest of the page still runs (``None`` on failure)."""
    try:
        return read(*args)
    except DashboardError as err:
        st.error(f"Could not load {what}: {err}", icon=":material/cloud_off:")
        return None


def _stop_with(message: str) -> NoReturn:
    st.error(message, icon=":material/cloud_off:")
    st.stop()


@cached_view("invoices", "reports", ttl="3m", spinner="Loading receivables…", max_entries=8)
def overview(as_of: date) -> OverviewData:
    kpis = runtime.services().reports.kpis(as_of)
    outstanding = next(k for k in kpis if k.key == "outstanding").rows
    dso_rows = next(k for k in kpis if k.key == "dso").rows
    period = dso_rows[dso_rows["part"] == PERIOD_PART].drop(columns=["part"])
    return OverviewData(kpis, period.reset_index(drop=True), aging_table(outstanding))


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the aging report…")
def aging(as_of: date) -> pd.DataFrame:
    return runtime.services().reports.aging(as_of)


@cached_view("invoices", "reports", ttl="3m", spinner="Loading the invoices…")
def aging_rows(as_of: date, bucket: str, currency: str) -> pd.DataFrame:
    return runtime.services().reports.aging_rows(as_of, bucket=bucket, currency=currency)


@cached_view("invoices", "customers", ttl="2m", spinner="Loading the customer's invoices…")
def customer_invoices(customer_id: str, as_of: date) -> pd.DataFrame:
    filters = InvoiceFilters(customer_id=customer_id, as_of=as_of)
    return runtime.services().reports.invoices_table(filters)


@cached_view("catalog", ttl="5m", spinner="Loading the catalog…", max_entries=4)
def catalog(include_archived: bool) -> list[Product]:
    return runtime.services().catalog.products(include_archived)


@cached_view("catalog", ttl="5m", spinner="Loading the price list…", max_entries=4)
def price_list(include_archived: bool) -> pd.DataFrame:
    return runtime.services().catalog.products_table(include_archived)


@cached_view("customers", ttl="2m", spinner="Searching customers…")
def customers_found(text: str) -> list[Customer]:
    return runtime.services().customers.find(text, limit=100)


@cached_view("customers", ttl="2m", spinner="Loading the customer…")
def customer(customer_id: str) -> Customer:
    return runtime.services().customers.get(customer_id)


@cached_view("invoices", "customers", "catalog", ttl="30s", spinner="Looking up…",
             max_entries=256)
def lookup(text: str) -> list[LookupResult]:
    return runtime.services().lookup.search(text)
