"""Aging buckets from open-invoice rows: same shape and edges as Reports.aging."""

from __future__ import annotations

import pandas as pd

from services.reporting.aging import aging_table
from services.reporting.receivables import INVOICE_COLUMNS


def open_rows(*cells: tuple[str, int, int]) -> pd.DataFrame:
    """(currency, amount_remaining, days_overdue) per open invoice."""
    records = [
        {column: None for column in INVOICE_COLUMNS}
        | {"invoice_id": f"in_{n}", "status": "open", "currency": currency,
           "amount_remaining": remaining, "days_overdue": days}
        for n, (currency, remaining, days) in enumerate(cells)
    ]
    return pd.DataFrame(records, columns=INVOICE_COLUMNS)


def test_each_invoice_lands_in_its_bucket_per_currency_with_totals():
    table = aging_table(open_rows(
        ("usd", 100, 0), ("usd", 200, 1), ("usd", 300, 30), ("usd", 400, 31),
        ("usd", 500, 90), ("usd", 600, 91), ("jpy", 7000, 45),
    ))
    cells = {(r.currency, r.bucket): (r.count, r.amount_remaining)
             for r in table.itertuples()}
    assert cells[("usd", "current")] == (1, 100)
    assert cells[("usd", "1-30")] == (2, 500)
    assert cells[("usd", "31-60")] == (1, 400)
    assert cells[("usd", "61-90")] == (1, 500)
    assert cells[("usd", "90+")] == (1, 600)
    assert cells[("usd", "total")] == (6, 2100)
    assert cells[("jpy", "31-60")] == (1, 7000)
    assert cells[("jpy", "current")] == (0, 0)
    assert list(table["currency"].unique()) == ["jpy", "usd"]  # sorted, never mixed
    assert len(table) == 12


def test_nothing_open_gives_an_empty_table():
    table = aging_table(open_rows())
    assert table.empty and list(table.columns) == ["currency", "bucket", "count",
                                                   "amount_remaining"]
