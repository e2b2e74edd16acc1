"""One customer picker for every page, reaching every customer however large the book.

The customers table the pickers load holds the newest customers only (1,000 by
default). While the book holds no more than that, :func:`customer_picker` is a plain
selectbox over all of them. When it holds more, a "Find a customer (name or email)"
box above the selectbox searches every customer in SQL (``reads.customers_found``,
name accent/case-insensitive or email, at most 100 matches) and the selectbox offers
those matches. In both cases the customer already chosen (by a link's ``?customer=``
or an earlier choice) stays among the options, labelled from the read model, so it
stays selected even when it is not among the newest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from services.core.errors import DashboardError
from services.customers.records import NEWEST_CUSTOMERS
from ui import reads
from ui.formatting import customer_labels

FIND_LABEL = "Find a customer (name or email)"


def _labels_of_found(text: str) -> dict[str, str]:
    """Customer id -> picker label for the customers matching ``text`` (at most 100)."""
    found = reads.customers_found(text).value
    rows = pd.DataFrame(
        [{"customer_id": c.id, "name": c.name, "email": c.email} for c in found],
        columns=["customer_id", "name", "email"],
    )
    return customer_labels(rows)


def _label_of(customer_id: str) -> str:
    """The picker label of one customer; its id when the read model does not know it."""
    try:
        one = reads.customer(customer_id).value
    except DashboardError:
        return customer_id  # deleted, or not yet in the read model: shown by id
    rows = pd.DataFrame([{"customer_id": one.id, "name": one.name, "email": one.email}])
    return customer_labels(rows)[one.id]


def customer_picker(
    customers: pd.DataFrame,
    *,
    key: str,
    wanted: str | None = None,
    label: str = "Customer",
    placeholder: str = "Choose a customer",
    on_change: Callable[[], Any] | None = None,
    where: Any = st,
) -> str | None:
    """Draw the customer picker and return the chosen customer id (``cus_…``) or None.

    ``customers`` is the newest customers table (``reads.customers_table()``: columns
    ``customer_id``, ``name``, ``email``); ``key`` is the selectbox's session key (its
    search box is ``f"{key}.find"``); ``wanted`` is a customer id pre-selected from the
    URL; ``where`` is the container (a column) to draw in. When the book holds more
    customers than the table (``reads.customers_count()``), a search box finds any
    of them (a table shorter than the limit is the whole book, whatever a count cached
at another moment says). The chosen customer (``wanted`` or the session's value) is always an
    option, labelled "Name (email)" or by its id if the read model lacks it; options are
    in alphabetical order of their labels.
    Raises nothing of its own; read errors propagate from ``ui.reads``.
    """
    labels = customer_labels(customers)
    if len(labels) >= NEWEST_CUSTOMERS and reads.customers_count().value > len(labels):
        text = where.text_input(
            FIND_LABEL, key=f"{key}.find", placeholder="e.g. Acme or ap@acme.test",
            help=f"The list below shows the newest {len(labels):,} customers until you search",
        ).strip()
        if text:
            labels = _labels_of_found(text)
    current = st.session_state.get(key) or wanted
    if current and current not in labels:
        labels = {current: _label_of(current), **labels}
    ids = sorted(labels, key=lambda cid: (labels[cid].casefold(), cid))  # A to Z, as people look
    return where.selectbox(
        label, ids, index=ids.index(wanted) if wanted in labels else None,
        format_func=lambda cid: labels.get(cid, cid), key=key, on_change=on_change,
        placeholder=placeholder,
    )
