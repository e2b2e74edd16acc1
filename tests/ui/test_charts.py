"""The Overview's and the aging page's charts: what they draw, from integer minor units."""

from __future__ import annotations

import pandas as pd

from ui import charts


def test_status_chart_draws_every_status_given_in_that_order_zeros_included():
    counts = pd.DataFrame({"status": ["open", "paid", "void", "uncollectible"],
                           "count": [3, 0, 1, 0]})
    chart = charts.status_chart(counts, title="Invoiced in the last 90 days")
    assert chart.spec["title"] == "Invoiced in the last 90 days"
    assert chart.spec["encoding"]["y"]["sort"] == ["open", "paid", "void", "uncollectible"]
    assert chart.data.to_dict("records") == [
        {"status": "open", "count": 3}, {"status": "paid", "count": 0},
        {"status": "void", "count": 1}, {"status": "uncollectible", "count": 0}]


def test_aging_chart_carries_minor_units_and_the_amount_formatted_per_currency():
    aging = pd.DataFrame({
        "currency": ["jpy", "jpy", "eur", "jpy"],
        "bucket": ["current", "90+", "current", "total"],
        "count": [2, 1, 5, 3],
        "amount_remaining": [1500, 250000, 999, 251500],
    })
    chart = charts.aging_chart(aging, "jpy")
    rows = chart.data.to_dict("records")
    assert [(r["bucket"], r["amount_remaining"], r["amount"]) for r in rows] == [
        ("current", 1500, "¥1,500"), ("90+", 250000, "¥250,000")]
    assert [r["title"] for r in rows] == ["Not yet due", "Over 90 days"]
    # JPY has no minor unit: the axis divides by 1 (USD would divide by 100)
    assert "datum.value / 1," in chart.spec["encoding"]["y"]["axis"]["labelExpr"]
    assert chart.spec["title"] == "Open JPY by age"
