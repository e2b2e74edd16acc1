"""What one customer owes: outstanding and overdue amounts per currency, from their invoices.

A pure function over the invoice table :meth:`services.reporting.receivables.Reports.invoices_table`
returns for one customer, so the Customers page shows the same numbers the
reports do. Amounts stay integer minor units and are never added across
currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class CustomerBalance:
    """One customer's receivables on a given day."""

    invoice_count: int
    open_count: int
    overdue_count: int
    outstanding: dict[str, int] = field(default_factory=dict)  # currency → minor units
    overdue: dict[str, int] = field(default_factory=dict)
    oldest_days_overdue: int = 0


def customer_balance(invoices: pd.DataFrame) -> CustomerBalance:
    """Sum one customer's invoice rows (columns of ``invoices_table``).

    Outstanding is what remains on open invoices; overdue is the part of it on
    invoices past their due date (``days_overdue > 0``, computed for the as-of day
    the table was built for).
    """
    open_rows = invoices[invoices["status"] == "open"]
    overdue_rows = open_rows[open_rows["days_overdue"] > 0]
    return CustomerBalance(
        invoice_count=len(invoices),
        open_count=len(open_rows),
        overdue_count=len(overdue_rows),
        outstanding=_by_currency(open_rows),
        overdue=_by_currency(overdue_rows),
        oldest_days_overdue=int(overdue_rows["days_overdue"].max()) if len(overdue_rows) else 0,
    )


def _by_currency(rows: pd.DataFrame) -> dict[str, int]:
    sums = rows.groupby("currency")["amount_remaining"].sum()
    return {str(currency): int(amount) for currency, amount in sums.items() if int(amount)}


BY_CUSTOMER_COLUMNS = [
    "customer_id", "customer", "email", "currency", "invoices", "amount_remaining",
    "oldest_days_overdue",
]  # fmt: skip


def balances_by_customer(invoices: pd.DataFrame) -> pd.DataFrame:
    """Invoice rows (e.g. one aging cell) grouped per customer and currency, the
    largest remaining amount first: how many invoices, how much, how old."""
    if invoices.empty:
        return pd.DataFrame(columns=BY_CUSTOMER_COLUMNS)
    keyed = invoices.assign(
        customer=invoices["customer"].fillna(""), email=invoices["email"].fillna("")
    )
    grouped = keyed.groupby(["customer_id", "customer", "email", "currency"], as_index=False).agg(
        invoices=("invoice_id", "count"),
        amount_remaining=("amount_remaining", "sum"),
        oldest_days_overdue=("days_overdue", "max"),
    )
    grouped = grouped.astype(
        {"invoices": "int64", "amount_remaining": "int64", "oldest_days_overdue": "int64"}
    )
    ordered = grouped.sort_values(
        ["amount_remaining", "customer_id"], ascending=[False, True], kind="stable"
    )
    return ordered[BY_CUSTOMER_COLUMNS].reset_index(drop=True)
