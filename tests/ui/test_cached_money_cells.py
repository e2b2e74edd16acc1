"""A table kept in Streamlit's cache (pickled when stored, unpickled on every hit) shows and
exports exactly what it did when it was made, without formatting its amounts again."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from ui import exports
from ui.exports import MoneyText, csv_bytes, excel_bytes, money_cells


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "Customer": ["Acme", "Söhne", "Tanaka", "Nobody"],
        "Overdue amount": money_cells([123450, 99, 1235, None], ["usd", "eur", "jpy", "kwd"]),
    })  # fmt: skip


def test_a_cached_table_keeps_its_text_amounts_and_currencies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = _table()
    stored = pickle.dumps(table)

    def refuse(*_args: object) -> str:
        raise AssertionError("a cached amount was formatted again")

    monkeypatch.setattr(exports, "format_amount", refuse)
    restored = pickle.loads(stored)  # noqa: S301 (bytes this test made, as the cache does)
    cells = list(restored["Overdue amount"])
    assert cells == ["$1,234.50", "€0.99", "¥1,235", "—"]
    assert all(isinstance(cell, MoneyText) for cell in cells)
    assert [(c.minor_units, c.currency) for c in cells] == [
        (123450, "usd"), (99, "eur"), (1235, "jpy"), (None, "kwd")]


def test_a_cached_table_exports_the_same_numbers() -> None:
    table = _table()
    restored = pickle.loads(pickle.dumps(table))  # noqa: S301 (made here)
    assert csv_bytes(restored) == csv_bytes(table)
    text = csv_bytes(restored).decode("utf-8-sig").splitlines()
    assert text[1:] == ["Acme,1234.50,USD", "Söhne,0.99,EUR", "Tanaka,1235,JPY", "Nobody,,KWD"]
    assert len(excel_bytes(restored)) > 0
