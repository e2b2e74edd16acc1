"""Helpers for any table: money shown through services.core.money, selections that cannot
drift, exports. (The invoices table itself is :mod:`ui.invoice_table`.)

- :func:`with_money` adds display columns ("Total" = "$1,234.50") from integer
  minor-unit columns, per row's currency (JPY without decimals).
- :func:`selection_key` makes a table key that changes with the filter, so a
  selected row always means the row that was shown (streamlit-notes §1.3).
- :func:`selected` returns the selected row of the exact frame that was shown.
- :func:`export_buttons` offers CSV and Excel of exactly the frame shown.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ui.formatting import money

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_money(
    frame: pd.DataFrame, columns: Mapping[str, str], currency_column: str = "currency"
) -> pd.DataFrame:
    """Copy of ``frame`` with display columns, e.g. ``{"total": "Total"}``."""
    shown = frame.copy()
    for source, label in columns.items():
        shown[label] = [
            money(amount, currency)
            for amount, currency in zip(shown[source], shown[currency_column], strict=True)
        ]
    return shown


def selection_key(base: str, filters: Mapping[str, Any]) -> str:
    """A widget key tied to the current filter: a new filter starts with no selection."""
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode())
    return f"{base}.{digest.hexdigest()[:12]}"


def selected(event: Any, shown: pd.DataFrame) -> pd.Series | None:
    """The selected row of ``shown`` (the frame passed to ``st.dataframe``), if any."""
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if not rows or rows[0] >= len(shown):
        return None
    return shown.iloc[rows[0]]


def csv_bytes(shown: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with BOM so spreadsheet programs read accents)."""
    return shown.to_csv(index=False).encode("utf-8-sig")


def excel_bytes(shown: pd.DataFrame, sheet: str = "Export") -> bytes:
    """The frame as an .xlsx workbook (dates without time zones, which Excel refuses)."""
    frame = shown.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def export_buttons(shown: pd.DataFrame, basename: str, *, key: str) -> None:
    """CSV and Excel downloads of exactly ``shown`` (same rows, order and columns).

    The files are built only when clicked (callable data), so big tables stay fast.
    """
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "CSV", data=lambda: csv_bytes(shown), file_name=f"{basename}.csv", mime="text/csv",
        key=f"{key}.csv", icon=":material/download:", on_click="ignore",
    )
    right.download_button(
        "Excel", data=lambda: excel_bytes(shown), file_name=f"{basename}.xlsx", mime=EXCEL_MIME,
        key=f"{key}.xlsx", icon=":material/download:", on_click="ignore",
    )
