"""The Invoices page's list: one page of the filtered set, sorted in SQL, with a pager, the
count and the totals per currency of the whole set, and exports of the whole set.

The page number is a query parameter (``?page=3``, the pager's), like the filters,
order and page size (``ui.invoice_filters``), so a shared or reloaded link opens the
same page. A change of filter, order or page size starts again at page 1. The totals
and the exports cover every matching invoice, never only the page shown.
"""

from __future__ import annotations

import streamlit as st

from services.reporting.invoice_list import EXPORT_MAX_ROWS, InvoiceListPage
from ui import reads, tables
from ui.caching import Snapshot
from ui.formatting import money
from ui.invoice_filters import InvoiceQuery
from ui.invoice_table import shown_frame
from ui.ready_downloads import made_at_text, prepare_button, version_of
from ui.text import plain

PAGE_PARAM = "page"  # the pager's key and query parameter
_SCOPE = "invoice_list.scope"  # the query the current page number belongs to


def requested_page(query: InvoiceQuery) -> int:
    """The page asked for: the pager's, or the URL's on arrival; 1 again once the
    filters, order or page size change."""
    scope = repr(query.key_parts())
    previous = st.session_state.get(_SCOPE)
    st.session_state[_SCOPE] = scope
    if PAGE_PARAM not in st.session_state:  # arriving (the pager was not drawn last run)
        wanted = st.query_params.get(PAGE_PARAM, "1")
        return int(wanted) if wanted.isdigit() and int(wanted) > 0 else 1
    if previous != scope:
        st.session_state[PAGE_PARAM] = 1
        return 1
    return int(st.session_state[PAGE_PARAM])


def load(query: InvoiceQuery) -> Snapshot[InvoiceListPage]:
    """The page of invoices asked for, with the count and totals of the whole set."""
    return reads.read_or_stop(reads.invoice_list_page, query.filters, query.order,
                              requested_page(query), query.page_size, what="the invoices")


def summary(listing: InvoiceListPage) -> None:
    """Which rows are shown of how many, and the totals of every match per currency."""
    if not listing.count:
        st.info("No invoices match these filters.", icon=":material/filter_alt_off:")
        return
    st.caption(f"Rows {listing.first_row:,}–{listing.last_row:,} of {_invoices(listing.count)}"
               " · select a row to open it")
    for total in listing.totals:
        due, paid, owed = (money(amount, total.currency) for amount in
                           (total.amount_due, total.amount_paid, total.outstanding))
        # the Overview's words: Outstanding is open invoices only; uncollectible ones are
        # written off (Stripe still counts them in amount_remaining)
        written_off = (f" · written off (uncollectible) {money(total.written_off, total.currency)}"
                       if total.written_off else "")
        st.caption(plain(f"{total.currency.upper()}: {_invoices(total.count)} · amount due "
                         f"{due} · paid {paid} · outstanding (open) {owed}{written_off}"))


def pager(listing: InvoiceListPage) -> None:
    """First, previous, numbered, next and last page buttons (kept in the URL)."""
    if st.session_state.get(PAGE_PARAM, listing.page) != listing.page:
        st.session_state[PAGE_PARAM] = listing.page  # e.g. a page past the end of the set
    st.pagination(listing.pages, key=PAGE_PARAM, bind="query-params", width="stretch")


EXPORT_KEY = "invoices_export"


def export_buttons(query: InvoiceQuery, listing: InvoiceListPage, basename: str) -> None:
    """CSV and Excel of every matching invoice in the chosen order: "Prepare CSV and
    Excel" reads and builds them once, then both are downloads of those ready bytes
    (:mod:`ui.ready_downloads`: an early click never finds a dropped file). Other
    filters, order or figures of the set make them to be prepared again."""
    if not listing.count:
        return
    version = version_of(query.key_parts(), listing.count, listing.totals)
    files = prepare_button(EXPORT_KEY, version, lambda: _whole_set_files(query),
                           label="Prepare CSV and Excel of every match",
                           spinner="Reading every matching invoice…")
    if files is not None:
        left, right, note = st.columns([1, 1, 4], vertical_alignment="center")
        left.download_button(
            "CSV", data=files.files["csv"], file_name=f"{basename}.csv", mime="text/csv",
            key=f"{EXPORT_KEY}.csv", icon=":material/download:", on_click="ignore")
        right.download_button(
            "Excel", data=files.files["xlsx"], file_name=f"{basename}.xlsx",
            mime=tables.EXCEL_MIME, key=f"{EXPORT_KEY}.xlsx", icon=":material/download:",
            on_click="ignore")
        note.caption(made_at_text(files))
    if listing.count > EXPORT_MAX_ROWS:
        st.warning(f"The CSV and Excel files hold the first {EXPORT_MAX_ROWS:,} of "
                   f"{listing.count:,} matching invoices: narrow the filters to export the rest.",
                   icon=":material/warning:")
    else:
        st.caption(f"The CSV and Excel files hold all {_invoices(listing.count)}"
                   " in this order, not only this page.")


def _whole_set_files(query: InvoiceQuery) -> dict[str, bytes]:
    """The CSV and .xlsx bytes of every matching invoice, as the table shows them."""
    shown = shown_frame(reads.invoice_list_export(query.filters, query.order).rows)
    return {"csv": tables.csv_bytes(shown), "xlsx": tables.excel_bytes(shown)}


def _invoices(count: int) -> str:
    return f"{count:,} invoice{'s' if count != 1 else ''}"
