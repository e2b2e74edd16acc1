"""Invoice drill-down tables and in-app links for the report pages.

The report pages (Overview, Overdue & aging, Customers) show invoice rows the
same way the Invoices page does (:mod:`ui.invoice_table`: money per currency,
dates as dates) and, like it, open an invoice when its row is selected. Links
to one invoice or one customer are built here so every page spells them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ui import navigation, tables
from ui.formatting import money
from ui.invoice_table import SORTS, column_config, shown_frame

INVOICE_PAGE = "pages/invoice.py"


def invoice_url(invoice_id: str) -> str:
    """In-app link to one invoice (the Invoice page reads ``?invoice=``)."""
    return f"/invoice?{urlencode({'invoice': invoice_id})}"


def customer_url(customer_id: str) -> str:
    """In-app link to one customer's view on the Customers page."""
    return f"/customers?{urlencode({'customer': customer_id})}"


def money_text(amount: Any, currency: Any) -> str:
    """One amount in its currency's own format; "—" when amount or currency is unknown."""
    if amount is None or pd.isna(amount) or not isinstance(currency, str) or not currency:
        return "—"
    return money(int(amount), currency)


def show_invoices(
    rows: pd.DataFrame,
    *,
    key: str,
    sort: str = "Newest first",
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Invoice rows (``reports`` columns) as on the Invoices page; selecting a row opens
    that invoice. ``extra`` adds source columns under a label. Returns the frame shown
    (what an export must contain)."""
    shown = shown_frame(rows, sort)
    if extra:
        column, ascending = SORTS[sort]
        ordered = rows.sort_values(column, ascending=ascending, kind="stable", na_position="last")
        for source, label in extra.items():
            shown[label] = ordered[source].to_numpy()
    if shown.empty:
        st.info("No invoices here.")
        return shown
    event = st.dataframe(
        shown, key=key, hide_index=True, column_config=column_config(), width="stretch",
        on_select="rerun", selection_mode="single-row",
    )
    st.caption(f"{len(shown)} invoice{'s' if len(shown) != 1 else ''} · select a row to open it")
    if (row := tables.selected(event, shown)) is not None:
        navigation.go(INVOICE_PAGE, query_params={"invoice": row["Invoice ID"]})
    return shown
