"""Helpers for any table: money shown through services.core.money, selections that cannot
drift, exports. (The invoices table itself is :mod:`ui.invoice_table`.)

- :func:`with_money` adds display columns ("Total" = "$1,234.50") from integer
  minor-unit columns, per row's currency (JPY without decimals).
- :func:`selection_key` makes a table key that changes with the filter, so a
  selected row always means the row that was shown (streamlit-notes §1.3).
- :func:`selected` returns the row of the object the user clicked: the position the
  browser sends is read in the ids rendered with the table the user saw (remembered
  per table key), never in data re-read after a write or a background refresh; when
  that object is no longer listed it says so and returns ``None``.
- :func:`export_buttons` offers CSV and Excel of exactly the frame shown, safe to open
  and ready to sum (:mod:`ui.exports`): amounts made with :func:`with_money` become
  numbers in the currency's major unit beside a currency column, dates stay dates,
  formula-like text stays text. (The table toolbar's own download is switched off in
  ``.streamlit/config.toml``: it cannot be made safe.) :func:`export_buttons_or_prepare`
  does the same for a table of any length, making the files of a long one when asked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
from ui.ready_downloads import prepare_button

__all__ = ["FORMULA_STARTS", "READY_EXPORT_ROWS", "MoneyText", "csv_bytes", "excel_bytes",
           "export_buttons", "export_buttons_or_prepare", "selected", "selection_key",
           "spreadsheet_safe", "with_money"]

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


@dataclass(frozen=True)
class _Rendered:
    """What a selectable table showed last: its row ids in order, the selection the
    browser reported then, and the id that selection resolved to."""

    ids: tuple[str, ...]
    rows: tuple[int, ...]
    chosen: str | None


def _rendered_key(key: str) -> str:
    return f"_ui_rendered_rows.{key}"


def _rows_of(state: Any) -> tuple[int, ...]:
    """The selected row positions in a dataframe's event or session-state value."""
    selection = getattr(state, "selection", None)
    if selection is None and isinstance(state, Mapping):
        selection = state.get("selection")
    if isinstance(selection, Mapping):
        return tuple(selection.get("rows") or ())
    return tuple(getattr(selection, "rows", []) or [])


def selected(
    event: Any,
    shown: pd.DataFrame,
    *,
    key: str | None = None,
    id_column: str | None = None,
    what: str = "row",
) -> pd.Series | None:
    """The row of ``shown`` (the frame passed to ``st.dataframe``) for the object clicked.

    ``event`` is what ``st.dataframe(..., key=key, on_select="rerun")`` returned;
    ``id_column`` names the column holding each row's object id (e.g. ``"Invoice ID"``).
    The browser only sends a row *position*, which means the row it drew: so the ids
    of every frame shown are remembered under ``key`` and a new selection is read in
    the ids shown last, then found by id in ``shown`` (rows may have moved, e.g. a
    newer invoice made by another user since). A selection kept across reruns keeps
    meaning the object first resolved. If that object is no longer in ``shown``, a
    warning naming ``what`` is shown and ``None`` returned. Without ``key`` and
    ``id_column`` the position is read in ``shown`` itself (only safe when the frame
    cannot change between runs).
    """
    rows = _rows_of(event)
    if key is None or id_column is None:
        if not rows or rows[0] >= len(shown):
            return None
        return shown.iloc[rows[0]]
    ids = tuple(str(value) for value in shown[id_column])
    before: _Rendered | None = st.session_state.get(_rendered_key(key))
    chosen: str | None = None
    if rows:
        if before is not None and before.rows == rows:
            chosen = before.chosen  # the same selection as last run: the same object
        elif before is not None:
            chosen = before.ids[rows[0]] if rows[0] < len(before.ids) else None
        elif rows[0] < len(ids):  # nothing drawn by this session yet: the frame is all
            chosen = ids[rows[0]]
    st.session_state[_rendered_key(key)] = _Rendered(ids, rows, chosen)
    if not rows:
        return None
    if chosen is None or chosen not in ids:
        st.warning(
            f"The {what} you selected is no longer in this list (it was changed or removed "
            "since the list was drawn), so nothing was opened. Select again.",
            icon=":material/sync_problem:",
        )
        return None
    return shown.iloc[ids.index(chosen)]


def keep_selection(key: str, ids: Iterable[object]) -> None:
    """Before drawing a table whose selection stays (a drill-down), move the kept
    selection to where its object now is in ``ids`` (the rows about to be drawn), so
    the highlighted row is the object whose details are shown. Call it right before
    ``st.dataframe(..., key=key)``, then :func:`selected` with the same key."""
    before: _Rendered | None = st.session_state.get(_rendered_key(key))
    if before is None or not before.rows or before.chosen is None:
        return
    if _rows_of(st.session_state.get(key)) != before.rows:
        return  # the user has just selected something else: selected() reads it
    now = [str(value) for value in ids]
    if before.chosen not in now:
        return  # selected() says it is gone
    position = now.index(before.chosen)
    if (position,) != before.rows:
        st.session_state[key] = {"selection": {"rows": [position], "columns": []}}
    st.session_state[_rendered_key(key)] = _Rendered(tuple(now), (position,), before.chosen)


def forget_selection(key: str) -> None:
    """Drop a table's selection and what it showed (e.g. once the selection was used)."""
    st.session_state.pop(key, None)
    st.session_state.pop(_rendered_key(key), None)


def export_buttons(
    shown: pd.DataFrame | Callable[[], pd.DataFrame], basename: str, *, key: str
) -> None:
    """CSV and Excel downloads of exactly ``shown`` (same rows, order and columns).

    A frame on screen is offered as ready bytes whose download address depends only
    on the content: the address the browser holds stays valid when the page runs
    again meanwhile (a click in the first half second after loading, while the login
    cookie's extra run replaces the page, used to hit a file Streamlit had just
    dropped: a deferred download gets a new address on every run). The bytes are
    cached per content, so reruns do not rebuild them. ``shown`` may instead be a
    callable that makes the frame when clicked (a whole filtered set of which the
    page shows one page); that download is built on click.
    """
    left, right, _ = st.columns([1, 1, 4])
    csv_data: Any
    excel_data: Any
    if callable(shown):
        make = shown
        csv_data, excel_data = (lambda: csv_bytes(make())), (lambda: excel_bytes(make()))
    else:
        csv_data, excel_data = _export_files(shown)
    left.download_button(
        "CSV", data=csv_data, file_name=f"{basename}.csv", mime="text/csv",
        key=f"{key}.csv", icon=":material/download:", on_click="ignore",
    )
    right.download_button(
        "Excel", data=excel_data, file_name=f"{basename}.xlsx",
        mime=EXCEL_MIME, key=f"{key}.xlsx", icon=":material/download:", on_click="ignore",
    )


@st.cache_data(max_entries=32, ttl="15m", show_spinner=False)
def _export_files(shown: pd.DataFrame) -> tuple[bytes, bytes]:
    """The CSV and .xlsx bytes of a frame, built once per content (the frame is hashed
    once per run for both)."""
    return csv_bytes(shown), excel_bytes(shown)


#: Tables longer than this get their files made when asked: an .xlsx takes about 1 ms a
#: row (5,000 audit entries: 5-8 s), too long to spend on every page load.
READY_EXPORT_ROWS = 500


def export_buttons_or_prepare(
    shown: pd.DataFrame, basename: str, *, key: str, version: str, what: str
) -> None:
    """:func:`export_buttons` for up to :data:`READY_EXPORT_ROWS` rows; for a longer
    ``shown`` a "Prepare CSV and Excel of these N ``what``" button makes both files once
    (:func:`ui.ready_downloads.prepare_button`, kept until ``version`` changes: pass a
    text naming the filters and the data's freshness), then offers them for download."""
    if len(shown) <= READY_EXPORT_ROWS:
        export_buttons(shown, basename, key=key)
        return
    files = prepare_button(key, version,
                           lambda: {"csv": csv_bytes(shown), "xlsx": excel_bytes(shown)},
                           label=f"Prepare CSV and Excel of these {len(shown):,} {what}")
    if files is None:
        return
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("CSV", data=files.files["csv"], file_name=f"{basename}.csv",
                         mime="text/csv", key=f"{key}.csv", icon=":material/download:",
                         on_click="ignore")
    right.download_button("Excel", data=files.files["xlsx"], file_name=f"{basename}.xlsx",
                          mime=EXCEL_MIME, key=f"{key}.xlsx", icon=":material/download:",
                          on_click="ignore")
