"""The Invoices page's rows: the newest ``SHOWN_ROWS`` at once, every one on request.

Reading a large book whole takes seconds, so the page first shows the newest
matching invoices (``reports.invoices_page``) and says plainly when there are
more, with a "Load all" button; that choice is kept per filter, so a new filter
starts with the quick view again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from ui import reads, tables
from ui.invoice_filters import InvoiceQuery

#: How many invoices the page shows before "Load all".
SHOWN_ROWS = 500


@dataclass(frozen=True)
class ShownInvoices:
    """The invoices the page shows, whether that is every match, and when they were read."""

    rows: pd.DataFrame
    complete: bool
    as_of: datetime


def _load_all_key(query: InvoiceQuery) -> str:
    return tables.selection_key("invoices_load_all", {"filters": repr(query.filters)})


def load(query: InvoiceQuery) -> ShownInvoices:
    """The newest ``SHOWN_ROWS`` matching invoices, or all of them once asked for."""
    if st.session_state.get(_load_all_key(query)):
        everything = reads.invoices_table(query.filters)
        return ShownInvoices(everything.value, True, everything.as_of)
    newest = reads.invoices_page(query.filters, SHOWN_ROWS)
    return ShownInvoices(newest.value.rows, newest.value.complete, newest.as_of)


def summary(shown: ShownInvoices, query: InvoiceQuery) -> None:
    """How many invoices are shown; when not all, say so and offer "Load all"."""
    count = len(shown.rows)
    plural = "s" if count != 1 else ""
    st.caption(f"{count} invoice{plural} · select a row to open it · "
               "the CSV and Excel exports contain exactly these rows")
    if shown.complete:
        return
    note, action = st.columns([5, 1], vertical_alignment="center")
    note.info(
        f"Showing the newest {count} of more than {count} invoices matching these filters. "
        "Sorting and the CSV and Excel exports cover only these rows; "
        "load all to see and export every one.",
        icon=":material/info:",
    )
    action.button("Load all", key=f"{_load_all_key(query)}.button", on_click=_ask_for_all,
                  args=(_load_all_key(query),), icon=":material/download:")


def _ask_for_all(key: str) -> None:
    st.session_state[key] = True
