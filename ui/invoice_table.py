"""The invoices table as shown: money formatted per currency, dates as dates.

The shown frame is also what the CSV and Excel exports contain. The Invoices page
draws its page (sorted in SQL) with :func:`shown_frame` and :func:`column_config`;
the report pages (Overview, Overdue & aging, Customers) show their invoice rows the
same way with :func:`show_invoices`, sorted by one of :data:`SORTS`, where selecting
a row opens that invoice (the one drawn in that row, even if the list has changed
since: :func:`ui.tables.selected`). Drafts and voided invoices show no amount
remaining (one is not owed yet, the other no longer is), as the list's totals count,
and a voided invoice no amount due either ("—" on screen, an empty cell in exports),
as on the Invoice page.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from ui import navigation
from ui.formatting import status_label
from ui.tables import selected, with_money

INVOICE_PAGE = "pages/invoice.py"
NOTHING_REMAINING = ("draft", "void")

#: The report pages' orders: label -> (column, ascending), sorted in pandas.
SORTS: dict[str, tuple[str, bool]] = {
    "Newest first": ("created", False),
    "Oldest first": ("created", True),
    "Due soonest": ("due_date", True),
    "Most overdue": ("days_overdue", False),
    "Largest amount due": ("amount_due", False),
    "Customer A–Z": ("customer", True),
}

COLUMNS = {
    "number": "Number",
    "customer": "Customer",
    "status": "Status",
    "Total": "Total",
    "Amount due": "Amount due",
    "Amount paid": "Amount paid",
    "Amount remaining": "Amount remaining",
    "created": "Created",
    "due_date": "Due",
    "paid_at": "Paid",
    "days_overdue": "Days overdue",
    "currency": "Currency",
    "invoice_id": "Invoice ID",
}


def _ordered(invoices: pd.DataFrame, sort: str | None) -> pd.DataFrame:
    if sort is None:
        return invoices
    column, ascending = SORTS.get(sort, SORTS["Newest first"])
    return invoices.sort_values(column, ascending=ascending, kind="stable", na_position="last")


def shown_frame(invoices: pd.DataFrame, sort: str | None = None) -> pd.DataFrame:
    """The rows and columns the user sees (``reports`` columns in, labels out): in the
    order given (``sort=None``: rows already sorted in SQL) or one of :data:`SORTS`."""
    ordered = _ordered(invoices, sort)
    owed = ordered["amount_remaining"].astype(object).where(
        ~ordered["status"].isin(NOTHING_REMAINING), None)
    due = ordered["amount_due"].astype(object).where(ordered["status"] != "void", None)
    money = with_money(
        ordered.assign(amount_remaining=owed, amount_due=due),
        {"total": "Total", "amount_due": "Amount due", "amount_paid": "Amount paid",
         "amount_remaining": "Amount remaining"},
    )
    money["status"] = money["status"].map(status_label)
    money["currency"] = money["currency"].str.upper()
    money["number"] = money["number"].fillna("(draft)")
    money["created"] = pd.to_datetime(money["created"]).dt.date
    money["paid_at"] = pd.to_datetime(money["paid_at"]).dt.date
    shown = money[list(COLUMNS)].rename(columns=COLUMNS)
    return shown.reset_index(drop=True)


def column_config() -> dict[str, ColumnConfig]:
    """How each shown column renders."""
    return {
        "Number": st.column_config.TextColumn(pinned=True),
        "Created": st.column_config.DateColumn(format="D MMM YYYY"),
        "Due": st.column_config.DateColumn(format="D MMM YYYY"),
        "Paid": st.column_config.DateColumn(
            format="D MMM YYYY", help="The day the invoice became fully paid"),
        "Days overdue": st.column_config.NumberColumn(format="%d", help="0 when not overdue"),
        "Total": st.column_config.TextColumn(alignment="right"),
        "Amount due": st.column_config.TextColumn(
            alignment="right", help="— for a voided invoice: nothing is owed"),
        "Amount paid": st.column_config.TextColumn(alignment="right"),
        "Amount remaining": st.column_config.TextColumn(
            alignment="right", help="— for drafts and voided invoices: nothing is owed"),
    }


def _listed(shown: pd.DataFrame) -> str:
    """"3 invoices", or "136 rows for 91 invoices (…)" when invoices repeat."""
    invoices = shown["Invoice ID"].nunique()
    words = f"{invoices:,} invoice{'s' if invoices != 1 else ''}"
    if len(shown) == invoices:
        return words
    return f"{len(shown):,} rows for {words} (an invoice counted two ways has a row for each)"


def show_invoices(
    rows: pd.DataFrame,
    *,
    key: str,
    sort: str | None = "Newest first",
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Invoice rows (``reports`` columns) as on the Invoices page; selecting a row opens
    that invoice. ``extra`` adds source columns under a label, right after the number (in
    sight on a narrow screen). An invoice listed on more than one row (e.g. counted both
    as receivable and as invoiced in a period) is counted once in the caption, which then
    says how many rows there are. Returns the frame shown (what an export must contain)."""
    shown = shown_frame(rows, sort)
    if extra:
        ordered = _ordered(rows, sort)
        for position, (source, label) in enumerate(extra.items(), start=1):
            shown.insert(position, label, ordered[source].to_numpy())
    if shown.empty:
        st.info("No invoices here.")
        return shown
    event = st.dataframe(
        shown, key=key, hide_index=True, column_config=column_config(), width="stretch",
        on_select="rerun", selection_mode="single-row", placeholder="",
    )
    st.caption(f"{_listed(shown)} · select a row to open it")
    if (row := selected(event, shown, key=key, id_column="Invoice ID",
                        what="invoice")) is not None:
        navigation.go(INVOICE_PAGE, query_params={"invoice": row["Invoice ID"]})
    return shown
