"""Cached reads behind the report pages, each stamped with the moment it was loaded.

Stripe list calls are slow and rate limited, so the pages read through these
``st.cache_data`` functions (shared by all users: nothing here depends on the
role). Each returns a :class:`Loaded` so the page can say "As of hh:mm:ss";
the Refresh button and every write clear the functions that read what changed
(:func:`forget_invoices`, :func:`forget_catalog`, :func:`forget_customers`).
Errors are never cached: a failed load is tried again on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, NoReturn, TypeVar

import pandas as pd
import streamlit as st

from services.errors import DashboardError
from services.lookup import LookupResult
from services.models import Customer, Product
from services.reports import Kpi
from ui import runtime

T = TypeVar("T")
TTL = "3m"


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """A value and when it was read from Stripe."""

    value: T
    at: datetime


@dataclass(frozen=True)
class OverviewData:
    """What the Overview page shows: KPIs, invoices by status, aging per currency."""

    kpis: list[Kpi]
    invoices: pd.DataFrame  # every invoice (for the by-status counts and their rows)
    aging: pd.DataFrame


def _now() -> datetime:
    return datetime.now(UTC).astimezone()


def today() -> date:
    """The as-of day the reports default to (UTC, like Stripe's due dates)."""
    return datetime.now(UTC).date()


def load(read: Callable[..., T], *args: object, what: str) -> T:
    """Call ``read`` under a spinner; on a services error say so in words and stop."""
    with st.spinner(f"Loading {what}…"):
        try:
            return read(*args)
        except DashboardError as err:
            _stop_with(f"Could not load {what}: {err}")


def _stop_with(message: str) -> NoReturn:
    st.error(message, icon=":material/cloud_off:")
    st.stop()


# -- invoices and receivables -----------------------------------------------------------
@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def overview(as_of: date) -> Loaded[OverviewData]:
    from services.reports import InvoiceFilters

    reports = runtime.services().reports
    data = OverviewData(
        kpis=reports.kpis(as_of),
        invoices=reports.invoices_table(InvoiceFilters(as_of=as_of)),
        aging=reports.aging(as_of),
    )
    return Loaded(data, _now())


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def aging(as_of: date) -> Loaded[pd.DataFrame]:
    return Loaded(runtime.services().reports.aging(as_of), _now())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def aging_rows(as_of: date, bucket: str, currency: str) -> Loaded[pd.DataFrame]:
    rows = runtime.services().reports.aging_rows(as_of, bucket=bucket, currency=currency)
    return Loaded(rows, _now())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def customer_invoices(customer_id: str, as_of: date) -> Loaded[pd.DataFrame]:
    from services.reports import InvoiceFilters

    filters = InvoiceFilters(customer_id=customer_id, as_of=as_of)
    return Loaded(runtime.services().reports.invoices_table(filters), _now())


def forget_invoices() -> None:
    """Refresh / after an invoice changed: read invoices from Stripe again."""
    for cached in (overview, aging, aging_rows, customer_invoices, lookup):
        cached.clear()


# -- catalog --------------------------------------------------------------------------
@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def products(include_archived: bool) -> Loaded[list[Product]]:
    return Loaded(runtime.services().catalog.products(include_archived), _now())


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def products_table(include_archived: bool) -> Loaded[pd.DataFrame]:
    return Loaded(runtime.services().catalog.products_table(include_archived), _now())


def forget_catalog() -> None:
    products.clear()
    products_table.clear()
    lookup.clear()


# -- customers ------------------------------------------------------------------------
@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def customers_table() -> Loaded[pd.DataFrame]:
    return Loaded(runtime.services().customers.table(), _now())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def customers_found(text: str) -> Loaded[list[Customer]]:
    return Loaded(runtime.services().customers.find(text, limit=100), _now())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def customer(customer_id: str) -> Loaded[Customer]:
    return Loaded(runtime.services().customers.get(customer_id), _now())


def forget_customers() -> None:
    for cached in (customers_table, customers_found, customer, lookup, overview):
        cached.clear()


# -- lookup ---------------------------------------------------------------------------
@st.cache_data(ttl="30s", max_entries=256, show_spinner=False)
def lookup(text: str) -> Loaded[list[LookupResult]]:
    return Loaded(runtime.services().lookup.search(text), _now())
