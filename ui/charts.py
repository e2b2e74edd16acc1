"""Charts of receivables: aging buckets per currency and invoices by status, as Vega-Lite
specs drawn by ``st.vega_lite_chart`` (no Altair: importing it costs the first page that
draws a chart half a second, and validating an Altair chart about 20 ms a chart a run).

Amounts reach the chart as integer minor units; the axis labels divide by the
currency's minor unit in the browser and the tooltips carry the amount already
formatted, so no float ever stands for money in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from services.core.money import currency_exponent, format_amount
from services.reporting.receivables import AGING_BUCKETS

#: Not yet due in blue, then warmer the older the debt.
BUCKET_COLOURS = ("#4c78a8", "#f2cf5b", "#f58518", "#e45756", "#9d2b2b")
BUCKET_TITLES = {
    "current": "Not yet due",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "Over 90 days",
}


@dataclass(frozen=True)
class VegaLiteChart:
    """A chart to draw with ``st.vega_lite_chart(chart.data, chart.spec)``: its rows and its
    Vega-Lite spec as plain dictionaries. (An Altair chart is validated and converted on
    every run of the page, about 20 ms a chart on an idle server, several times that on a
    busy one; this spec costs nothing to make.)"""

    data: pd.DataFrame
    spec: dict[str, Any]


def aging_chart(aging: pd.DataFrame, currency: str) -> VegaLiteChart:
    """Bars of the open amount per aging bucket, for one currency (``aging``: the
    ``AGING_COLUMNS`` rows of ``services.reporting``; minor units). Draw it with
    ``st.vega_lite_chart(chart.data, chart.spec, width="stretch")``."""
    cells = aging[(aging["currency"] == currency) & (aging["bucket"] != "total")]
    cells = cells[["bucket", "count", "amount_remaining"]].reset_index(drop=True)
    cells["amount"] = [format_amount(int(a), currency) for a in cells["amount_remaining"]]
    cells["title"] = [BUCKET_TITLES[b] for b in cells["bucket"]]
    cells["short"] = ["Current" if b == "current" else b for b in cells["bucket"]]
    scale = 10 ** currency_exponent(currency)
    code = currency.upper()
    spec: dict[str, Any] = {
        "title": f"Open {code} by age",
        "mark": {"type": "bar"},
        "height": 240,
        "encoding": {
            "x": {"field": "short", "type": "nominal", "title": "Days past due",
                  "sort": ["Current", *AGING_BUCKETS[1:]], "axis": {"labelAngle": 0}},
            "y": {"field": "amount_remaining", "type": "quantitative",
                  "title": f"Open amount ({code})",
                  "axis": {"labelExpr": f"format(datum.value / {scale}, ',')"}},
            "color": {"field": "title", "type": "nominal", "legend": None,
                      "scale": {"domain": list(BUCKET_TITLES.values()),
                                "range": list(BUCKET_COLOURS)}},
            "tooltip": [
                {"field": "title", "type": "nominal", "title": "Age"},
                {"field": "count", "type": "quantitative", "title": "Invoices"},
                {"field": "amount", "type": "nominal", "title": "Open amount"},
            ],
        },
    }
    return VegaLiteChart(cells, spec)


def status_chart(counts: pd.DataFrame, title: str = "Invoices by status") -> VegaLiteChart:
    """Horizontal bars: invoices per status, top to bottom in the order of ``counts``' rows
    (columns ``status`` and ``count``; list every status to show, zeros included). Draw it
    with ``st.vega_lite_chart(chart.data, chart.spec, width="stretch")``."""
    rows = counts[["status", "count"]].reset_index(drop=True)
    spec: dict[str, Any] = {
        "title": title,
        "mark": {"type": "bar"},
        "height": 240,
        "encoding": {
            "y": {"field": "status", "type": "nominal", "sort": list(rows["status"]),
                  "title": None},
            "x": {"field": "count", "type": "quantitative", "title": "Invoices",
                  "axis": {"tickMinStep": 1}},
            "tooltip": [
                {"field": "status", "type": "nominal", "title": "Status"},
                {"field": "count", "type": "quantitative", "title": "Invoices"},
            ],
        },
    }
    return VegaLiteChart(rows, spec)
