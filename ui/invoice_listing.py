"""The Invoices page's list: one page of the filtered set, sorted in SQL, with a pager, the
count and the totals per currency of the whole set, and exports of the whole set.

The page number is a query parameter (``?page=3``, written by the pager), like the filters,
order and page size (``ui.invoice_filters``), so a shared or reloaded link opens the
same page. A change of filter, order or page size starts again at page 1. The totals
and the exports cover every matching invoice, never only the page shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from services.reporting.invoice_list import EXPORT_MAX_ROWS, InvoiceListPage
from ui import reads, tables
from ui.caching import Snapshot
from ui.formatting import money
from ui.invoice_filters import InvoiceQuery
from ui.invoice_table import shown_frame
from ui.ready_downloads import made_at_text, prepare_button, version_of
from ui.text import plain

PAGE_PARAM = "page"  # the query parameter of the page shown (not written for page 1)
_PAGER = "invoice_list.pager"  # the pager widgets' keys: _PAGER.<generation>
_SCOPE = "invoice_list.scope"  # the query the page asked for this run belongs to
_SHOWN = "invoice_list.shown"  # _Paging: what the last run showed


@dataclass(frozen=True)
class _Paging:
    """What the list showed last run: the query (``scope``), the ``page``, the
    ``generation`` of the pager drawn and the ``?page=`` value the URL was left with."""

    scope: str
    page: int
    generation: int
    in_url: str | None

    @property
    def pager(self) -> str:
        return f"{_PAGER}.{self.generation}"


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and int(text) > 0 else 1


def requested_page(query: InvoiceQuery) -> int:
    """The page asked for: the URL's on arrival (a link, a reload, another page before)
    or when the URL changed since the last run (back, forward); else the pager's, and 1
    again once the filters, order or page size change."""
    scope = repr(query.key_parts())
    st.session_state[_SCOPE] = scope
    shown = st.session_state.get(_SHOWN)
    url = st.query_params.get(PAGE_PARAM)
    if not isinstance(shown, _Paging) or shown.pager not in st.session_state \
            or url != shown.in_url:  # arriving, or the URL was changed outside the pager
        return _page_number(url)
    if shown.scope != scope:
        return 1
    return int(st.session_state[shown.pager])


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
    """First, previous, numbered, next and last page buttons, on ``listing.page``; the
    page is written to the URL (``?page=``, none for page 1).

    The page to show is given only as the pager's default, never also through
    ``st.session_state`` (Streamlit logs a warning with a stack trace when a widget gets
    both): when it differs from the pager's own value (another query, a page past the
    end of the set, a link), a pager under a new key starts on it. Hence no
    ``bind="query-params"`` either: a bound widget's key is its parameter's name, and
    its value can only be moved through ``st.session_state``.
    """
    shown = st.session_state.get(_SHOWN)
    generation = shown.generation if isinstance(shown, _Paging) else 0
    if st.session_state.get(f"{_PAGER}.{generation}", listing.page) != listing.page:
        generation += 1
    st.pagination(listing.pages, default=listing.page, key=f"{_PAGER}.{generation}",
                  width="stretch")
    in_url = None if listing.page == 1 else str(listing.page)
    if st.query_params.get(PAGE_PARAM) != in_url:
        if in_url is None:
            st.query_params.pop(PAGE_PARAM, None)
        else:
            st.query_params[PAGE_PARAM] = in_url
    st.session_state[_SHOWN] = _Paging(str(st.session_state.get(_SCOPE)), listing.page,
                                       generation, in_url)


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
