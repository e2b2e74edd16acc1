"""Helpers for any table: money shown through services.core.money, selections that cannot
drift, exports. (The invoices table itself is :mod:`ui.invoice_table`.)

- :func:`with_money` adds display columns ("Total" = "$1,234.50") from integer
  minor-unit columns, per row's currency (JPY without decimals).
- :func:`selection_key` makes a table key that changes with the filter, so a
  selected row always means the row that was shown (streamlit-notes §1.3).
- :func:`selected` returns the selected row of the exact frame that was shown.
- :func:`export_buttons` offers CSV and Excel of exactly the frame shown, safe to open:
  text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return; OWASP's CSV-injection guidance) is kept as text,
  control characters that break a workbook are dropped, and numbers stay numbers.
  (The table toolbar's own download is switched off in ``.streamlit/config.toml``:
  it cannot be made safe.)
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ui.formatting import money

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML (and so .xlsx) cannot hold, and a bare carriage return (which splits a
# CSV row in Excel): no finance text needs them. Tabs and line feeds are kept (quoted).
_CONTROL = re.compile("[\x00-\x08\x0b-\x0d\x0e-\x1f\x7f]")


def _safe_text(value: Any, *, quote_formulas: bool) -> Any:
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value).encode("utf-8", "replace").decode("utf-8")
    if quote_formulas and text.startswith(FORMULA_STARTS):
        return "'" + text  # shown as text by every spreadsheet, never evaluated
    return text


def spreadsheet_safe(frame: pd.DataFrame, *, quote_formulas: bool = True) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot run as formulas or break a file.

    Only text cells change; numeric, date and boolean columns are kept as they are.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda value: _safe_text(value, quote_formulas=quote_formulas)
            )
    safe.columns = [_safe_text(str(name), quote_formulas=quote_formulas)
                    for name in safe.columns]
    return safe


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
    """The frame as CSV (UTF-8 with BOM so spreadsheet programs read accents), with
    formula-like text quoted (see :func:`spreadsheet_safe`)."""
    return spreadsheet_safe(shown).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(shown: pd.DataFrame, sheet: str = "Export") -> bytes:
    """The frame as an .xlsx workbook (dates without time zones, which Excel refuses).

    Every text cell is stored as text: a name such as ``=HYPERLINK(...)`` is shown as
    written and never becomes a formula; numbers stay numbers Excel can sum.
    """
    frame = spreadsheet_safe(shown, quote_formulas=False)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        for row in writer.sheets[sheet[:31]].iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl reads text starting with "=" as a formula
                    cell.data_type = "s"
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
