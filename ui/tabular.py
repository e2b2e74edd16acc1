"""Tables for the report pages: money in each row's own currency, links that open, exports.

Services hand over integer minor units and a ``currency`` column; these helpers
turn them into what a finance user reads (``$1,234.50``, ``¥1,235``) only at the
last moment, through :func:`services.money.format_amount`. The exported files
keep the same columns as the table on screen, so "export" means "what I see".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from services.money import format_amount

INVOICE_PAGE_URL = "/invoice"
CUSTOMER_PAGE_URL = "/customers"

#: Columns of an invoice table as shown, with their headers.
INVOICE_VIEW = {
    "open": "Open",
    "number": "Number",
    "customer": "Customer",
    "status": "Status",
    "total": "Total",
    "amount_paid": "Paid",
    "amount_remaining": "Remaining",
    "due_date": "Due",
    "days_overdue": "Days overdue",
}


def invoice_url(invoice_id: str) -> str:
    """In-app link to one invoice (the Invoice page reads ``?invoice=``)."""
    return f"{INVOICE_PAGE_URL}?{urlencode({'invoice': invoice_id})}"


def customer_url(customer_id: str) -> str:
    """In-app link to one customer's view on the Customers page."""
    return f"{CUSTOMER_PAGE_URL}?{urlencode({'customer': customer_id})}"


def money_text(amount: object, currency: object) -> str:
    """One amount in its currency's own format; blank when unknown."""
    if amount is None or pd.isna(amount) or not currency or pd.isna(currency):
        return ""
    return format_amount(int(amount), str(currency))  # type: ignore[call-overload]


def with_money(
    frame: pd.DataFrame, columns: Iterable[str], currency_column: str = "currency"
) -> pd.DataFrame:
    """A copy with the money ``columns`` formatted in each row's currency."""
    shown = frame.copy()
    for column in columns:
        shown[column] = [
            money_text(amount, currency)
            for amount, currency in zip(frame[column], frame[currency_column], strict=True)
        ]
    return shown


def invoice_view(frame: pd.DataFrame, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Invoice rows (``reports`` columns) as shown: money formatted, a link per row."""
    shown = with_money(frame, ["total", "amount_paid", "amount_remaining"])
    shown["open"] = [invoice_url(i) for i in frame["invoice_id"]]
    columns = [*INVOICE_VIEW, *extra]
    return shown[columns].reset_index(drop=True)


def invoice_columns() -> dict[str, object]:
    """``column_config`` for :func:`invoice_view` tables."""
    config: dict[str, object] = {key: label for key, label in INVOICE_VIEW.items()}
    config["open"] = st.column_config.LinkColumn("Open", display_text="Open", width="small")
    config["due_date"] = st.column_config.DateColumn("Due", format="YYYY-MM-DD")
    config["days_overdue"] = st.column_config.NumberColumn("Days overdue", format="%d")
    return config


def show_invoices(frame: pd.DataFrame, *, key: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Render invoice rows; returns the frame exactly as shown (for export)."""
    shown = invoice_view(frame, extra)
    if shown.empty:
        st.info("No invoices here.")
        return shown
    st.dataframe(
        shown, key=key, hide_index=True, column_config=invoice_columns(), width="stretch"
    )
    return shown


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8, header row, no index)."""
    return frame.to_csv(index=False).encode("utf-8")


def excel_bytes(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    """The table as an Excel workbook (times in UTC without zone: Excel has none)."""
    plain = frame.copy()
    for column in plain.columns:
        if isinstance(plain[column].dtype, pd.DatetimeTZDtype):
            plain[column] = plain[column].dt.tz_convert("UTC").dt.tz_localize(None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        plain.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def export_buttons(frame: pd.DataFrame, *, name: str, key: str) -> None:
    """CSV and Excel downloads of exactly ``frame`` (what the table shows)."""
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Export CSV", data=lambda: csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv",
        key=f"{key}.csv", icon=":material/download:", on_click="ignore",
        disabled=frame.empty,
    )
    right.download_button(
        "Export Excel", data=lambda: excel_bytes(frame, name), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}.xlsx", icon=":material/download:", on_click="ignore",
        disabled=frame.empty,
    )
