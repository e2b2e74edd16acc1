"""Figure 2 of ``bench.read_model_bench``: page views, the old way against the read model.

``run_views`` times each view both ways (``bench.live_reports``, Stripe live, against
``services.reports`` / ``services.lookup`` on the read model): Overview KPIs, the Invoices
page's first 500 rows (no filter, and open EUR only), Overdue & aging with its "total"
drill-down, and the lookup box (a name, an email, an invoice number, an amount). Each
view gives Stripe requests per view, wall time p50, and whether both ways answered the
same.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import stripe

from bench.live_reports import LiveLookup, LiveReports
from bench.request_counter import RequestCounter
from services.container import Services
from services.reporting.receivables import InvoiceFilters


@dataclass
class ViewFigure:
    """One row of figure 2: a page view's requests and p50 seconds, old way and read model."""

    view: str
    live_requests: float | None = None
    live_p50: float | None = None
    model_requests: float = 0.0
    model_p50: float = 0.0
    same: str = ""
    notes: list[str] = field(default_factory=list)


def _timed(call: Callable[[], Any], counter: RequestCounter,
           repeat: int) -> tuple[list[float], float, Any]:
    """Wall seconds per call, mean Stripe requests per call, and the last answer."""
    seconds: list[float] = []
    requests = 0
    answer: Any = None
    for _ in range(repeat):
        before = counter.total()
        started = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - started)
        requests += counter.total() - before
    return seconds, requests / max(repeat, 1), answer


def _same(live: Any, model: Any) -> bool:
    """Whether both ways answered the same (frames compared on their values)."""
    if isinstance(live, pd.DataFrame):
        try:  # the same values; dtypes may differ (object vs pandas strings)
            pd.testing.assert_frame_equal(live.reset_index(drop=True),
                                          model.reset_index(drop=True), check_dtype=False)
        except AssertionError:
            return False
        return True
    if isinstance(live, tuple):
        return all(_same(a, b) for a, b in zip(live, model, strict=True))
    if isinstance(live, list) and live and hasattr(live[0], "values_by_currency"):
        return [k.values_by_currency for k in live] == [k.values_by_currency for k in model]
    if isinstance(live, list):  # lookup results: the same object found first
        return [r.object_id for r in live][:1] == [r.object_id for r in model][:1]
    if hasattr(live, "rows"):
        return list(live.rows["invoice_id"]) == list(model.rows["invoice_id"])
    return bool(live == model)


def run_views(services: Services, live_client: stripe.StripeClient, counter: RequestCounter,
              sample: dict[str, Any], repeat: int, live_repeat: int) -> list[ViewFigure]:
    """Each page view both ways: requests per view, p50 wall time, same answer."""
    as_of = datetime.now(UTC).date()
    live, live_lookup = LiveReports(live_client), LiveLookup(live_client)
    model, lookup = services.reports, services.lookup

    def overdue_page(reports: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (reports.aging(as_of),
                reports.aging_rows(as_of, bucket="total", currency="usd"))

    everything = InvoiceFilters(as_of=as_of)
    open_eur = InvoiceFilters(statuses=("open",), currency="eur", as_of=as_of)
    views: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("Overview KPIs", lambda: live.kpis(as_of), lambda: model.kpis(as_of)),
        ("Invoices, first 500 (no filter)", lambda: live.invoices_page(everything),
         lambda: model.invoices_page(everything)),
        ("Invoices, first 500 (open, EUR)", lambda: live.invoices_page(open_eur),
         lambda: model.invoices_page(open_eur)),
        ("Overdue & aging (+ drill-down)", lambda: overdue_page(live),
         lambda: overdue_page(model)),
    ]
    for kind in ("name", "email", "number", "amount"):
        text = sample[f"lookup_{kind}"]
        views.append((f"Lookup: {kind} ({text})", _bind(live_lookup.search, text),
                      _bind(lookup.search, text)))
    figures = []
    for name, live_call, model_call in views:
        print(f"  {name} ...", flush=True)
        model_seconds, model_requests, model_answer = _timed(model_call, counter, repeat)
        figure = ViewFigure(name, model_requests=model_requests,
                            model_p50=statistics.median(model_seconds))
        if live_repeat > 0:
            try:
                live_seconds, live_requests, live_answer = _timed(live_call, counter,
                                                                  live_repeat)
                figure.live_requests = live_requests
                figure.live_p50 = statistics.median(live_seconds)
                figure.same = "yes" if _same(live_answer, model_answer) else "NO"
            except Exception as err:  # e.g. a 429 from the search budget
                figure.same = f"old way failed: {type(err).__name__}: {err}"[:80]
        figures.append(figure)
    return figures


def _bind(function: Callable[[str], Any], text: str) -> Callable[[], Any]:
    return lambda: function(text)
