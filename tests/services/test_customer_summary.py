"""A customer's outstanding and overdue amounts, per currency, from their invoice rows."""

from __future__ import annotations

import pandas as pd

from services.customers.balances import balances_by_customer, customer_balance
from services.reporting.receivables import INVOICE_COLUMNS


def rows(*invoices: tuple[str, str, int, int]) -> pd.DataFrame:
    """(status, currency, amount_remaining, days_overdue) per invoice."""
    records = [
        {column: None for column in INVOICE_COLUMNS}
        | {"invoice_id": f"in_{n}", "status": status, "currency": currency,
           "amount_remaining": remaining, "days_overdue": days}
        for n, (status, currency, remaining, days) in enumerate(invoices)
    ]
    return pd.DataFrame(records, columns=INVOICE_COLUMNS)


def test_open_invoices_make_the_outstanding_and_past_due_ones_the_overdue():
    balance = customer_balance(rows(
        ("open", "usd", 1000, 0), ("open", "usd", 2550, 12), ("open", "jpy", 5000, 95),
        ("paid", "usd", 0, 0), ("void", "eur", 0, 0), ("draft", "eur", 700, 0),
    ))
    assert balance.invoice_count == 6
    assert balance.open_count == 3
    assert balance.overdue_count == 2
    assert balance.outstanding == {"usd": 3550, "jpy": 5000}
    assert balance.overdue == {"usd": 2550, "jpy": 5000}
    assert balance.oldest_days_overdue == 95


def test_a_customer_with_nothing_open_owes_nothing():
    balance = customer_balance(rows(("paid", "usd", 0, 0)))
    assert (balance.outstanding, balance.overdue, balance.oldest_days_overdue) == ({}, {}, 0)
    empty = customer_balance(rows())
    assert (empty.invoice_count, empty.outstanding) == (0, {})


def test_an_aging_cell_groups_per_customer_largest_balance_first():
    frame = rows(("open", "usd", 1000, 40), ("open", "usd", 500, 35), ("open", "usd", 4000, 31))
    frame["customer_id"] = ["cus_a", "cus_a", "cus_b"]
    frame["customer"] = ["Acme", "Acme", None]
    frame["email"] = ["ap@acme.test", "ap@acme.test", "b@b.test"]
    grouped = balances_by_customer(frame)
    assert list(grouped["customer_id"]) == ["cus_b", "cus_a"]
    acme = grouped.iloc[1]
    counted = (acme["invoices"], acme["amount_remaining"], acme["oldest_days_overdue"])
    assert counted == (2, 1500, 40)
    assert grouped.iloc[0]["customer"] == ""  # a customer without a name still shows up
    assert balances_by_customer(rows()).empty
