"""Aging tables: open receivables per currency × age bucket, and who owes what in one bucket.

:meth:`services.reporting.receivables.Reports.aging` counts and sums the buckets in
SQL (:func:`services.readmodel.receivable_queries.aging_cells`) and lays the cells
out here with :func:`aging_frame`; :func:`aging_table` does the same from open-invoice
rows already in hand (same shape, same edges). One row per currency × bucket plus
a ``total`` row per currency, amounts in integer minor units, currencies sorted and
never mixed.

:func:`debtors` groups the invoices of a drill-down per customer, with both what is
open and what of it is overdue, sorted by the amount the view is about.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from services.readmodel.receivable_queries import AGING_BUCKETS

__all__ = ["AGING_BUCKETS", "AGING_COLUMNS", "DEBTOR_COLUMNS", "aging_bucket", "aging_frame",
           "aging_table", "debtors", "totals_by_currency"]

AGING_COLUMNS = ["currency", "bucket", "count", "amount_remaining"]
DEBTOR_COLUMNS = [
    "customer_id", "customer", "email", "currency", "invoices", "amount_remaining",
    "overdue_invoices", "amount_overdue", "oldest_days_overdue",
]  # fmt: skip


def aging_frame(cells: Mapping[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    """The aging table from ``{(currency, bucket): (count, amount_remaining)}``: every
    bucket of every currency present (empty ones at zero) and a ``total`` per currency."""
    rows: list[dict[str, object]] = []
    for currency in sorted({currency for currency, _ in cells}):
        count_sum = amount_sum = 0
        for bucket in AGING_BUCKETS:
            count, amount = cells.get((currency, bucket), (0, 0))
            count_sum, amount_sum = count_sum + count, amount_sum + amount
            rows.append({"currency": currency, "bucket": bucket, "count": count,
                         "amount_remaining": amount})
        rows.append({"currency": currency, "bucket": "total", "count": count_sum,
                     "amount_remaining": amount_sum})
    return pd.DataFrame(rows, columns=AGING_COLUMNS).astype(
        {"count": "int64", "amount_remaining": "int64"}
    )


def aging_table(open_rows: pd.DataFrame) -> pd.DataFrame:
    """Count and remaining amount per currency and age bucket of ``open_rows``
    (``invoices_table`` columns; ``days_overdue`` computed for the as-of day)."""
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    for currency, days, amount in zip(open_rows["currency"], open_rows["days_overdue"],
                                      open_rows["amount_remaining"], strict=True):
        key = (str(currency), aging_bucket(int(days)))
        count, total = cells.get(key, (0, 0))
        cells[key] = (count + 1, total + int(amount))
    return aging_frame(cells)


def aging_bucket(days_overdue: int) -> str:
    """``0`` → current, ``1..30`` → 1-30, … ``91+`` → 90+."""
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


def debtors(invoices: pd.DataFrame, *, by: str = "amount_overdue") -> pd.DataFrame:
    """Open-invoice rows (``invoices_table`` columns) per customer and currency.

    Each row: how many invoices and how much remains open (``amount_remaining``), how
    many of them are past due and how much remains on those (``amount_overdue``), and
    the oldest days overdue. Sorted by ``by`` (``"amount_overdue"`` or
    ``"amount_remaining"``), largest first, then by customer id. Minor units.
    """
    if by not in ("amount_overdue", "amount_remaining"):
        raise ValueError("by must be amount_overdue or amount_remaining")
    if invoices.empty:
        return pd.DataFrame(columns=DEBTOR_COLUMNS)
    late = invoices["days_overdue"] > 0
    keyed = invoices.assign(
        customer=invoices["customer"].fillna(""), email=invoices["email"].fillna(""),
        overdue_invoices=late.astype("int64"),
        amount_overdue=invoices["amount_remaining"].where(late, 0),
    )
    grouped = keyed.groupby(["customer_id", "customer", "email", "currency"], as_index=False).agg(
        invoices=("invoice_id", "count"),
        amount_remaining=("amount_remaining", "sum"),
        overdue_invoices=("overdue_invoices", "sum"),
        amount_overdue=("amount_overdue", "sum"),
        oldest_days_overdue=("days_overdue", "max"),
    )
    numbers = ["invoices", "amount_remaining", "overdue_invoices", "amount_overdue",
               "oldest_days_overdue"]
    grouped = grouped.astype({column: "int64" for column in numbers})
    ordered = grouped.sort_values([by, "customer_id"], ascending=[False, True], kind="stable")
    return ordered[DEBTOR_COLUMNS].reset_index(drop=True)


def totals_by_currency(rows: pd.DataFrame, column: str = "amount_remaining") -> dict[str, int]:
    """The sum of ``column`` (minor units) per currency of ``rows``; {} when empty."""
    if rows.empty:
        return {}
    sums = rows.groupby("currency")[column].sum()
    return {str(currency): int(amount) for currency, amount in sums.items()}
