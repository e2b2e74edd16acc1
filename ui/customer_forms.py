"""The customer form (create and edit) and the customer tables of the Customers page.

One form layout serves both uses: a new customer starts empty, an edit starts
from the customer's current details (filled in once per form instance, so what
the user typed survives reruns). Errors appear under the field the services
name (``name``, ``email``, ``address.country``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from services.core.models import Address, Customer
from ui import forms
from ui.forms import widget_key
from ui.navigation import customer_url

ADDRESS_FIELDS = {
    "address.line1": "Address line 1",
    "address.line2": "Address line 2",
    "address.postal_code": "Postal code",
    "address.city": "City",
    "address.state": "State / region",
    "address.country": "Country (two letters, e.g. US)",
}
FIELDS = ("name", "email", "description", *ADDRESS_FIELDS)


def prefill(form: str, customer: Customer) -> None:
    """Start an edit form from the customer's details (only fields not yet touched)."""
    address = customer.address or Address()
    current = {
        "name": customer.name or "",
        "email": customer.email or "",
        "description": customer.description or "",
        **{field: getattr(address, field.split(".", 1)[1]) or "" for field in ADDRESS_FIELDS},
    }
    for field, text in current.items():
        st.session_state.setdefault(widget_key(form, field), text)


def address_of(form: str, *, editing: bool) -> Address | None:
    """The address typed into ``form``; ``None`` for a new customer without one."""
    parts = {field.split(".", 1)[1]: (forms.value(form, field) or "").strip() or None
             for field in ADDRESS_FIELDS}
    if not editing and not any(parts.values()):
        return None
    return Address(**parts)


def customer_form(
    form: str,
    *,
    title: str,
    submit_label: str,
    write: Callable[[str], Customer],
    success: Callable[[Customer], str],
    then: Callable[[Customer], None],
    clear_after: bool,
) -> None:
    """Render the form; ``write(nonce)`` makes the one service call on submit."""
    with st.form(form):
        st.subheader(title)
        name_col, email_col = st.columns(2)
        with name_col:
            st.text_input("Name", key=widget_key(form, "name"), max_chars=256)
            forms.field_error(form, "name")
        with email_col:
            st.text_input("Email", key=widget_key(form, "email"), placeholder="e.g. ap@example.com")
            forms.field_error(form, "email")
        st.text_input("Description (optional)", key=widget_key(form, "description"))
        columns = st.columns(3)
        for index, (field, label) in enumerate(ADDRESS_FIELDS.items()):
            with columns[index % 3]:
                st.text_input(label, key=widget_key(form, field))
                forms.field_error(form, field)
        forms.submit_button(  # a double click saves once; the next click saves again
            form, submit_label, write, success=success,
            clear=FIELDS if clear_after else (), then=then, type="primary",
        )
        forms.other_errors(form, shown=("name", "email", *ADDRESS_FIELDS))


def customers_frame(customers: list[Customer]) -> pd.DataFrame:
    """Customers found by a search, in the same columns as ``customers.table()``."""
    rows: list[dict[str, Any]] = [
        {
            "customer_id": c.id, "name": c.name, "email": c.email,
            "description": c.description,
            "address": c.address.one_line if c.address else None,
            "currency": c.currency, "created": c.created,
        }
        for c in customers
    ]
    columns = ["customer_id", "name", "email", "description", "address", "currency", "created"]
    return pd.DataFrame(rows, columns=columns)


def customers_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The customer table as shown: a link per row first."""
    shown = frame.copy()
    shown.insert(0, "open", [customer_url(c) for c in frame["customer_id"]])
    return shown[["open", "name", "email", "description", "address", "customer_id", "created"]]


CUSTOMER_COLUMNS: dict[str, Any] = {
    "open": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
    "name": "Name", "email": "Email", "description": "Description", "address": "Address",
    "customer_id": "Customer id",
    "created": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD"),
}
