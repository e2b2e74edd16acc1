"""The invoice filter bar, kept in the URL so a filtered view can be shared.

Every filter is kept in a query parameter, so
``/invoices?status=Open&overdue=true&currency=EUR&customer=cus_…`` opens that
exact list and a reload keeps it. :func:`filter_bar` draws the widgets and returns an
:class:`InvoiceQuery`: the service's ``InvoiceFilters`` plus the sort order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from services.core.money import SUPPORTED_CURRENCIES
from services.reporting.receivables import InvoiceFilters
from ui.formatting import STATUS_LABELS, customer_labels

SORTS: dict[str, tuple[str, bool]] = {  # label -> (column, ascending)
    "Newest first": ("created", False),
    "Oldest first": ("created", True),
    "Due soonest": ("due_date", True),
    "Most overdue": ("days_overdue", False),
    "Largest amount due": ("amount_due", False),
    "Customer A–Z": ("customer", True),
}


DATE_FILTERS = (
    ("Created from", "created_from"),
    ("Created to", "created_to"),
    ("Due from", "due_from"),
    ("Due to", "due_to"),
)


@dataclass(frozen=True)
class InvoiceQuery:
    """Which invoices the user asked for, and in which order: the service filters and the
    sort label (a key of :data:`SORTS`)."""

    filters: InvoiceFilters
    sort: str

    def key_parts(self) -> dict[str, object]:
        """The query as plain values (for table keys)."""
        return {"filters": repr(self.filters), "sort": self.sort}


def _customer_to_url() -> None:
    chosen = st.session_state.get("customer_filter")
    if chosen:
        st.query_params["customer"] = chosen
    else:
        st.query_params.pop("customer", None)


def filter_bar(customers: pd.DataFrame, as_of: date) -> InvoiceQuery:
    """Draw the filters (kept in the URL) and return what they select.

    Bound widgets store their *shown* option in the URL, so statuses and
    currencies use readable labels (``?status=Open&currency=EUR``); the customer
    is kept by id (``?customer=cus_…``) through ``st.query_params``.
    """
    labels = customer_labels(customers)
    wanted = st.query_params.get("customer")
    if wanted and wanted not in labels:
        labels = {wanted: wanted, **labels}  # a customer beyond the picker's first page
    ids = list(labels)
    top = st.columns([3, 2, 1, 1, 1], vertical_alignment="bottom")
    status_labels = top[0].multiselect(
        "Status", list(STATUS_LABELS.values()), key="status", bind="query-params",
        placeholder="All statuses",
    )
    customer = top[1].selectbox(
        "Customer", ids, index=ids.index(wanted) if wanted in labels else None,
        format_func=lambda cid: labels.get(cid, cid), key="customer_filter",
        on_change=_customer_to_url, placeholder="All customers",
    )
    currency = top[2].selectbox(
        "Currency", [c.upper() for c in SUPPORTED_CURRENCIES], index=None, key="currency",
        bind="query-params", placeholder="All",
    )
    overdue_only = top[3].toggle("Overdue only", key="overdue", bind="query-params")
    sort = top[4].selectbox("Sort", list(SORTS), key="sort", bind="query-params")
    dates = st.columns(4)
    created_from, created_to, due_from, due_to = (
        column.date_input(text, value=None, key=name, bind="query-params")
        for column, (text, name) in zip(dates, DATE_FILTERS, strict=True)
    )
    codes = {label: code for code, label in STATUS_LABELS.items()}
    filters = InvoiceFilters(
        statuses=tuple(codes[label] for label in status_labels),
        customer_id=customer,
        created_from=created_from,
        created_to=created_to,
        due_from=due_from,
        due_to=due_to,
        currency=currency.lower() if currency else None,
        overdue_only=bool(overdue_only),
        as_of=as_of,
    )
    return InvoiceQuery(filters, sort)
