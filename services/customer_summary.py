"""What one customer owes: outstanding and overdue amounts per currency, from their invoices.

A pure function over the invoice table :meth:`services.reports.Reports.invoices_table`
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
