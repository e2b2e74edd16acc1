"""Aging buckets computed from open-invoice rows already in hand (no further Stripe call).

The Overview page gets the open invoices with the "outstanding" KPI
(:meth:`services.reporting.receivables.Reports.kpis`); bucketing those same rows here gives
the aging chart without listing every open invoice from Stripe a second time.
:meth:`services.reporting.receivables.Reports.aging` uses the same function on rows it reads
itself. One row per currency × bucket plus a ``total`` row per currency, amounts
in minor units.
"""

from __future__ import annotations

import pandas as pd

AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
AGING_COLUMNS = ["currency", "bucket", "count", "amount_remaining"]


def aging_table(open_rows: pd.DataFrame) -> pd.DataFrame:
    """Count and remaining amount per currency and age bucket of ``open_rows``
    (``invoices_table`` columns; ``days_overdue`` computed for the as-of day)."""
    rows: list[dict[str, object]] = []
    buckets = [aging_bucket(int(days)) for days in open_rows["days_overdue"]]
    frame = open_rows.assign(bucket=buckets)
    for currency in sorted(frame["currency"].unique()):
        of_currency = frame[frame["currency"] == currency]
        for bucket in (*AGING_BUCKETS, "total"):
            cell = of_currency if bucket == "total" else of_currency[
                of_currency["bucket"] == bucket]
            rows.append({"currency": currency, "bucket": bucket, "count": len(cell),
                         "amount_remaining": int(cell["amount_remaining"].sum())})
    return pd.DataFrame(rows, columns=AGING_COLUMNS).astype(
        {"count": "int64", "amount_remaining": "int64"}
    )


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
