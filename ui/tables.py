"""Helpers for any table: money shown through services.core.money, selections that cannot
drift, exports. (The invoices table itself is :mod:`ui.invoice_table`.)

- :func:`with_money` adds display columns ("Total" = "$1,234.50") from integer
  minor-unit columns, per row's currency (JPY without decimals).
- :func:`selection_key` makes a table key that changes with the filter, so a
  selected row always means the row that was shown (streamlit-notes §1.3).
- :func:`selected` returns the selected row of the exact frame that was shown.
- :func:`export_buttons` offers CSV and Excel of exactly the frame shown, safe to open
  and ready to sum (:mod:`ui.exports`): amounts made with :func:`with_money` become
  numbers in the currency's major unit beside a currency column, dates stay dates,
  formula-like text stays text. (The table toolbar's own download is switched off in
  ``.streamlit/config.toml``: it cannot be made safe.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ui.exports import (
    FORMULA_STARTS,
    MoneyText,
    csv_bytes,
    excel_bytes,
    money_cells,
    spreadsheet_safe,
)

__all__ = ["FORMULA_STARTS", "MoneyText", "csv_bytes", "excel_bytes", "export_buttons",
           "selected", "selection_key", "spreadsheet_safe", "with_money"]

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_money(
    frame: pd.DataFrame, columns: Mapping[str, str], currency_column: str = "currency"
) -> pd.DataFrame:
    """Copy of ``frame`` with display columns, e.g. ``{"total": "Total"}``: each cell a
    :class:`ui.exports.MoneyText` ("$1,234.50" on screen, a number in exports; "—" and
    an empty cell when the amount is None/NaN)."""
    shown = frame.copy()
    for source, label in columns.items():
        cells = money_cells(shown[source], shown[currency_column])
        cells.index = shown.index
        shown[label] = cells
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
