"""Altair charts of receivables: aging buckets per currency and invoices by status.

Amounts reach the chart as integer minor units; the axis labels divide by the
currency's minor unit in the browser and the tooltips carry the amount already
formatted, so no float ever stands for money in Python.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from services.core.money import currency_exponent, format_amount
from services.reporting.receivables import AGING_BUCKETS, INVOICE_STATUSES

#: Not yet due in blue, then warmer the older the debt.
BUCKET_COLOURS = ("#4c78a8", "#f2cf5b", "#f58518", "#e45756", "#9d2b2b")
BUCKET_TITLES = {
    "current": "Not yet due",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "Over 90 days",
}


def aging_chart(aging: pd.DataFrame, currency: str) -> alt.Chart:
    """Bars of the open amount per aging bucket, for one currency."""
    cells = aging[(aging["currency"] == currency) & (aging["bucket"] != "total")].copy()
    cells["amount"] = [format_amount(int(a), currency) for a in cells["amount_remaining"]]
    cells["title"] = [BUCKET_TITLES[b] for b in cells["bucket"]]
    cells["short"] = ["Current" if b == "current" else b for b in cells["bucket"]]
    scale = 10 ** currency_exponent(currency)
    return (
        alt.Chart(cells, title=f"Open {currency.upper()} by age")
        .mark_bar()
        .encode(
            x=alt.X(
                "short:N", sort=["Current", *AGING_BUCKETS[1:]], title="Days past due",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y(
                "amount_remaining:Q",
                title=f"Open amount ({currency.upper()})",
                axis=alt.Axis(labelExpr=f"format(datum.value / {scale}, ',')"),
            ),
            color=alt.Color(
                "title:N", legend=None,
                scale=alt.Scale(domain=list(BUCKET_TITLES.values()), range=BUCKET_COLOURS),
            ),
            tooltip=[
                alt.Tooltip("title:N", title="Age"),
                alt.Tooltip("count:Q", title="Invoices"),
                alt.Tooltip("amount:N", title="Open amount"),
            ],
        )
        .properties(height=240)
    )


def status_counts(invoices: pd.DataFrame) -> pd.DataFrame:
    """How many invoices have each status (every status listed, even at zero)."""
    counts = invoices["status"].value_counts()
    return pd.DataFrame(
        {
            "status": list(INVOICE_STATUSES),
            "count": [int(counts.get(status, 0)) for status in INVOICE_STATUSES],
        }
    )


def status_chart(counts: pd.DataFrame, title: str = "Invoices by status") -> alt.Chart:
    """Horizontal bars: invoices per status."""
    return (
        alt.Chart(counts, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=list(INVOICE_STATUSES), title=None),
            x=alt.X("count:Q", title="Invoices", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("status:N"), alt.Tooltip("count:Q", title="Invoices")],
        )
        .properties(height=240)
    )
