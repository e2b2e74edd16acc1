"""How numbers, dates, statuses and customers read on screen (money via services.core.money).

Plain functions returning strings, plus :func:`status_badge` which draws the
coloured invoice status. Nothing here talks to Stripe.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from services.core.clock import business_time
from services.core.money import format_amount

STATUS_LABELS = {
    "draft": "Draft",
    "open": "Open",
    "paid": "Paid",
    "void": "Void",
    "uncollectible": "Uncollectible",
}
_STATUS_COLOURS = {
    "draft": "gray",
    "open": "blue",
    "paid": "green",
    "void": "violet",
    "uncollectible": "red",
}
_STATUS_ICONS = {
    "draft": ":material/edit_note:",
    "open": ":material/schedule:",
    "paid": ":material/check_circle:",
    "void": ":material/block:",
    "uncollectible": ":material/money_off:",
}


def money(minor_units: int | None, currency: str) -> str:
    """An amount in the currency's own format ("$1,234.50", "¥1,235"); "—" when unknown."""
    if minor_units is None:
        return "—"
    return format_amount(int(minor_units), currency)


def money_text(amount: Any, currency: Any) -> str:
    """An amount from a table cell in its currency's format; "—" when amount or currency
    is unknown (``None``, NaN, no currency)."""
    if amount is None or pd.isna(amount) or not isinstance(currency, str) or not currency:
        return "—"
    return money(int(amount), currency)


def status_label(status: str) -> str:
    """The invoice status as finance staff say it ("Paid", "Uncollectible")."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_badge(status: str) -> None:
    """Draw the invoice status as a coloured badge."""
    st.badge(
        status_label(status),
        color=_STATUS_COLOURS.get(status, "gray"),  # type: ignore[arg-type]
        icon=_STATUS_ICONS.get(status),
    )


def day(value: date | datetime | None) -> str:
    """A date as "25 Nov 2026" ("—" when absent); a time is shown as its day in the
    business time zone (naive times are UTC, as stored)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = business_time(value)
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime | None) -> str:
    """A timestamp as "25 Nov 2026 14:03" in the business time zone ("—" when absent;
    naive values are UTC, as stored)."""
    if value is None:
        return "—"
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp (audit rows)
        value = value.to_pydatetime()
    local = business_time(value)
    return f"{local.day} {local:%b %Y %H:%M}"


def overdue_text(days: int) -> str:
    """"12 days overdue", "1 day overdue", or "Not overdue"."""
    if days <= 0:
        return "Not overdue"
    return f"{days} day{'s' if days != 1 else ''} overdue"


def customer_labels(customers: pd.DataFrame) -> dict[str, str]:
    """Customer id -> "Name (email)" for pickers, in the table's order."""
    labels: dict[str, str] = {}
    columns = customers[["customer_id", "name", "email"]]
    for customer_id, found_name, found_email in columns.itertuples(index=False, name=None):
        # a missing name or email is NaN in a text column (truthy, reads "nan"): not text
        name = found_name if isinstance(found_name, str) else None
        email = found_email if isinstance(found_email, str) else None
        shown = name or email or customer_id
        labels[customer_id] = f"{shown} ({email})" if email and name else shown
    return labels


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """``"1 customer"``, ``"2 customers"``: the count and the noun in the right number
    (``plural`` when adding "s" is wrong, e.g. ``count_of(n, "entry", "entries")``)."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"
