"""The invoice filter bar, kept in the URL so a filtered view can be shared.

Every widget is bound to a query parameter (``bind="query-params"``), so
``/invoices?status=open&overdue=true&currency=eur`` opens that exact view and
a reload keeps it. :func:`filter_bar` draws the widgets and returns the
service's ``InvoiceFilters`` plus the sort order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from services.money import SUPPORTED_CURRENCIES
from services.reports import InvoiceFilters
from ui.formatting import STATUS_LABELS

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
class InvoiceView:
    """What the user asked to see: the service filters and the sort order."""

    filters: InvoiceFilters
    sort: str

    def key_parts(self) -> dict[str, object]:
        """The view as plain values (for table keys and cache arguments)."""
        return {"filters": repr(self.filters), "sort": self.sort}


def filter_bar(customers: pd.DataFrame, as_of: date) -> InvoiceView:
    """Draw the filters (bound to the URL) and return what they select."""
    names = dict(zip(customers["id"], customers["name"], strict=True)) if len(customers) else {}
    top = st.columns([3, 2, 1, 1, 1], vertical_alignment="bottom")
    statuses = top[0].multiselect(
        "Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, key="status",
        bind="query-params", placeholder="All statuses",
    )
    customer = top[1].selectbox(
        "Customer", list(names), index=None, format_func=lambda cid: names.get(cid, cid),
        key="customer", bind="query-params", placeholder="All customers",
    )
    currency = top[2].selectbox(
        "Currency", list(SUPPORTED_CURRENCIES), index=None, format_func=str.upper,
        key="currency", bind="query-params", placeholder="All",
    )
    overdue_only = top[3].toggle("Overdue only", key="overdue", bind="query-params")
    sort = top[4].selectbox("Sort", list(SORTS), key="sort", bind="query-params")
    dates = st.columns(4)
    created_from, created_to, due_from, due_to = (
        column.date_input(text, value=None, key=name, bind="query-params")
        for column, (text, name) in zip(dates, DATE_FILTERS, strict=True)
    )
    filters = InvoiceFilters(
        statuses=tuple(statuses),
        customer_id=customer,
        created_from=created_from,
        created_to=created_to,
        due_from=due_from,
        due_to=due_to,
        currency=currency,
        overdue_only=bool(overdue_only),
        as_of=as_of,
    )
    return InvoiceView(filters, sort)
