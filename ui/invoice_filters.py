"""The Invoices page's filters, sort and page size, kept in the URL so a view can be shared.

Every choice is a query parameter, so
``/invoices?status=Open&overdue=true&currency=EUR&customer=cus_…&paid_from=2026-11-01``
``&sort=Amount+due&order=Ascending&rows=250&page=3`` opens that exact page of that
list and a reload keeps it. :func:`filter_bar` draws the widgets and returns an
:class:`InvoiceQuery`: the service's ``InvoiceFilters``, the order (any shown column,
descending or ascending, sorted in SQL over the whole set) and the page size. The page
number itself is the pager's (``ui.invoice_listing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.core.money import SUPPORTED_CURRENCIES
from services.reporting.invoice_list import PAGE_SIZES, InvoiceOrder
from services.reporting.receivables import InvoiceFilters
from ui.customer_picker import customer_picker
from ui.formatting import STATUS_LABELS

#: The columns the list sorts by: the table's column label -> the report's column.
SORT_COLUMNS: dict[str, str] = {
    "Created": "created",
    "Number": "number",
    "Customer": "customer",
    "Status": "status",
    "Total": "total",
    "Amount due": "amount_due",
    "Amount paid": "amount_paid",
    "Amount remaining": "amount_remaining",
    "Due": "due_date",
    "Paid": "paid_at",
    "Days overdue": "days_overdue",
    "Currency": "currency",
}
DIRECTIONS = ("Descending", "Ascending")
DEFAULT_PAGE_SIZE = 100

DATE_FILTERS = (
    ("Created from", "created_from"),
    ("Created to", "created_to"),
    ("Due from", "due_from"),
    ("Due to", "due_to"),
    ("Paid from", "paid_from"),
    ("Paid to", "paid_to"),
)


@dataclass(frozen=True)
class InvoiceQuery:
    """Which invoices the user asked for, in which order, how many to a page."""

    filters: InvoiceFilters
    order: InvoiceOrder
    page_size: int = DEFAULT_PAGE_SIZE

    def key_parts(self) -> dict[str, object]:
        """The query as plain values (for table keys and the pager's reset)."""
        return {"filters": repr(self.filters), "order": repr(self.order),
                "rows": self.page_size}


def _customer_to_url() -> None:
    chosen = st.session_state.get("customer_filter")
    if chosen:
        st.query_params["customer"] = chosen
    else:
        st.query_params.pop("customer", None)


def filter_bar(customers: pd.DataFrame, as_of: date) -> InvoiceQuery:
    """Draw the filters, sort and page size (kept in the URL) and return what they select.

    Bound widgets store their *shown* option in the URL, so statuses and
    currencies use readable labels (``?status=Open&currency=EUR``); the customer
    is kept by id (``?customer=cus_…``) through ``st.query_params``. Dates are
    inclusive days; "Paid" is the day the invoice became fully paid.
    """
    top = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
    status_labels = top[0].multiselect(
        "Status", list(STATUS_LABELS.values()), key="status", bind="query-params",
        placeholder="All statuses",
    )
    customer = customer_picker(
        customers, key="customer_filter", wanted=st.query_params.get("customer"),
        on_change=_customer_to_url, placeholder="All customers", where=top[1],
    )
    currency = top[2].selectbox(
        "Currency", [c.upper() for c in SUPPORTED_CURRENCIES], index=None, key="currency",
        bind="query-params", placeholder="All",
    )
    overdue_only = top[3].toggle("Overdue only", key="overdue", bind="query-params")
    dates, *order_columns = st.columns([1, 2, 1, 1], vertical_alignment="bottom")
    chosen = _date_filters(dates)
    codes = {label: code for code, label in STATUS_LABELS.items()}
    filters = InvoiceFilters(
        statuses=tuple(codes[label] for label in status_labels),
        customer_id=customer,
        currency=currency.lower() if currency else None,
        overdue_only=bool(overdue_only),
        as_of=as_of,
        **chosen,
    )
    return InvoiceQuery(filters, *_order_and_size(order_columns))


def _date_filters(where: DeltaGenerator) -> dict[str, date | None]:
    """The six date filters in a "Dates" popover (its label counts those set): drawn only
    when opened, six date fields would otherwise be a good part of the page's drawing
    time in the browser."""
    # A date just picked is in the session state before its widget runs; one from a link
    # only in the URL until then.
    count = sum(1 for _text, name in DATE_FILTERS
                if (st.session_state[name] if name in st.session_state
                    else st.query_params.get(name)))
    label = f"Dates ({count} set)" if count else "Dates"
    with where.popover(label, icon=":material/calendar_month:", width="stretch"):
        pairs = [DATE_FILTERS[i:i + 2] for i in range(0, len(DATE_FILTERS), 2)]
        chosen: dict[str, date | None] = {}
        for pair in pairs:
            for column, (text, name) in zip(st.columns(2), pair, strict=True):
                chosen[name] = column.date_input(text, value=None, key=name,
                                                 bind="query-params")
    for (first_text, first), (last_text, last) in pairs:
        start, end = chosen[first], chosen[last]
        if start is not None and end is not None and start > end:
            st.warning(f"{first_text} is after {last_text.lower()}: no invoice can match. "
                       "Open Dates to change them.", icon=":material/event_busy:")
    return chosen


def _order_and_size(columns: list[DeltaGenerator]) -> tuple[InvoiceOrder, int]:
    by, direction, size = columns
    column = by.selectbox("Sort by", list(SORT_COLUMNS), key="sort", bind="query-params",
                          help="Sorts every matching invoice, not only this page")
    descending = direction.selectbox("Order", DIRECTIONS, key="order", bind="query-params")
    rows = size.selectbox("Rows per page", PAGE_SIZES, index=PAGE_SIZES.index(DEFAULT_PAGE_SIZE),
                          key="rows", bind="query-params")
    order = InvoiceOrder(SORT_COLUMNS.get(column, "created"), descending != "Ascending")
    return order, int(rows or DEFAULT_PAGE_SIZE)
