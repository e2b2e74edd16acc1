"""How a customer statement shows: per currency the opening balance, the lines with their
running balance, the closing balance and the aging; CSV, Excel and PDF of all of it.

The files hold the same rows as the screen: an "Opening balance" row, every line (its
Stripe object id included) and a "Closing balance" row per currency, amounts as
numbers (:func:`ui.tables.with_money`). Every file is made before it is clicked (CSV
and Excel cached per content, the PDF kept per content in the session), so an early
click never meets a dropped download; a long statement's files are made when asked
(a "Prepare" button: more than ``ui.tables.READY_EXPORT_ROWS`` rows for CSV and Excel,
more than :data:`READY_PDF_ROWS` for the PDF).

:func:`prepared` formats a statement's rows once (:class:`StatementView`); the page's
cached read (``ui.report_reads.statement``) keeps that, so a rerun of a 2,000-line
statement does not format its 4,000 amounts again.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.reporting.aging import AGING_BUCKETS
from services.reporting.statement import CurrencyStatement, CustomerStatement
from services.reporting.statement_pdf import KIND_WORDS, statement_pdf
from ui import navigation, tables
from ui.charts import BUCKET_TITLES
from ui.formatting import money
from ui.ready_downloads import kept_bytes, prepare_button, version_of
from ui.text import plain

READY_PDF_ROWS = 150  # a statement with more rows (about 1.5 s of PDF) makes its PDF when asked
COLUMNS = {"date": "Date", "kind": "Kind", "description": "Description",
           "number": "Invoice", "object_id": "Stripe object", "Amount": "Amount",
           "Balance": "Balance", "currency": "Currency"}  # fmt: skip


def statement_rows(section: CurrencyStatement) -> pd.DataFrame:
    """Opening balance, the lines, closing balance: the rows shown and exported."""
    day_before = pd.NaT
    opening = {"date": day_before, "kind": "", "description": "Opening balance", "number": None,
               "object_id": None, "amount": None, "balance": section.opening}
    closing = {**opening, "description": "Closing balance", "balance": section.closing}
    lines = section.lines.assign(kind=section.lines["kind"].map(lambda k: KIND_WORDS.get(k, k)))
    rows = pd.DataFrame([opening, *lines.to_dict("records"), closing])
    rows["currency"] = section.currency
    rows["date"] = [None if pd.isna(value) else value.date() for value in rows["date"]]
    rows = tables.with_money(rows, {"amount": "Amount", "balance": "Balance"})
    rows["currency"] = section.currency.upper()
    return rows[list(COLUMNS)].rename(columns=COLUMNS).reset_index(drop=True)


def all_rows(statement: CustomerStatement) -> pd.DataFrame:
    """Every currency's rows, one after the other (the CSV and Excel files)."""
    return _one_after_another(tuple(statement_rows(s) for s in statement.sections))


def _one_after_another(sections: tuple[pd.DataFrame, ...]) -> pd.DataFrame:
    return pd.concat(sections, ignore_index=True) if sections else pd.DataFrame(
        columns=list(COLUMNS.values()))


@dataclass(frozen=True)
class StatementView:
    """A statement ready to draw: ``shown`` holds each currency section's rows (as
    :func:`statement_rows`, in the order of ``statement.sections``), ``rows`` all of them
    (the files) and ``version`` names the content (its downloads are kept per version)."""

    statement: CustomerStatement
    shown: tuple[pd.DataFrame, ...]
    rows: pd.DataFrame
    version: str


def prepared(statement: CustomerStatement) -> StatementView:
    """Format ``statement``'s rows once: the screen's tables, the files' rows, the version."""
    shown = tuple(statement_rows(section) for section in statement.sections)
    rows = _one_after_another(shown)
    version = version_of(statement.customer_id, statement.name, statement.email,
                         statement.start, statement.end, tables.csv_bytes(rows),
                         [section.aging for section in statement.sections])
    return StatementView(statement, shown, rows, version)


def _aging(section: CurrencyStatement) -> None:
    titles = {**BUCKET_TITLES, "total": "All open"}
    cells = {titles.get(b, b): money(section.aging[b], section.currency)
             for b in (*AGING_BUCKETS, "total")}
    st.caption("Open at the end of the period, by days overdue")
    st.dataframe(pd.DataFrame([cells]), hide_index=True, width="stretch", placeholder="")


@st.cache_data(max_entries=16, ttl="15m", show_spinner=False)
def _pdf_of(version: str, _statement: CustomerStatement) -> bytes:
    """The statement's PDF, made once per ``version`` (its content) for every session."""
    return statement_pdf(_statement)


def show(view: StatementView, *, key: str) -> None:
    """Draw the statement, then its CSV, Excel and PDF downloads."""
    statement = view.statement
    who = statement.name or statement.email or statement.customer_id
    st.subheader(f"Statement of {plain(who)}")
    st.caption(f"{plain(statement.customer_id)} · {statement.start:%d %b %Y} to "
               f"{statement.end:%d %b %Y}")
    navigation.link("pages/customers.py", "Customer page",
                    query_params={"customer": statement.customer_id}, icon=":material/person:")
    if not statement.sections:
        st.info("No invoices or payments up to the end of this period.")
    for section, rows_shown in zip(statement.sections, view.shown, strict=True):
        currency = section.currency
        st.markdown(f"#### {currency.upper()}")
        tiles = st.columns(3)
        tiles[0].metric("Opening balance", money(section.opening, currency))
        tiles[1].metric("Closing balance", money(section.closing, currency))
        tiles[2].metric("Lines in the period", len(section.lines))
        st.dataframe(rows_shown, hide_index=True, width="stretch", key=f"{key}.{currency}",
                     placeholder="",
                     column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")})
        _aging(section)
    basename = f"statement-{statement.customer_id}-{statement.start}-{statement.end}"
    rows, version = view.rows, view.version
    # CSV and Excel: ready bytes per content, made when asked for a long statement
    tables.export_buttons_or_prepare(rows, basename, key=f"{key}.export", version=version,
                                     what="rows")
    # The PDF too is made before the click and kept for this content, so its address
    # survives the page running again (ui.ready_downloads); the same content's PDF is
    # shared by every session (each page load is a new session). A long statement's PDF
    # takes seconds (about 10 ms a line), so it is made when asked.
    if len(rows) <= READY_PDF_ROWS:
        pdf = kept_bytes(f"{key}.pdf", version, lambda: _pdf_of(version, statement))
    else:
        files = prepare_button(f"{key}.pdf", version,
                               lambda: {"file": _pdf_of(version, statement)},
                               label=f"Prepare the PDF ({len(rows):,} rows)",
                               spinner="Making the PDF…")
        if files is None:
            return
        pdf = files.files["file"]
    st.download_button(
        "PDF", data=pdf, file_name=f"{basename}.pdf",
        mime="application/pdf", key=f"{key}.pdf", icon=":material/picture_as_pdf:",
        on_click="ignore",
    )
