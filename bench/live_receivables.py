"""The old invoice reports, for benches only: every call lists invoices from Stripe live.

:class:`LiveReports` is ``services/reporting/receivables.py`` as of commit ``2ee06c0``
(``invoices_table``, ``invoices_page``, ``overdue``, ``aging``, ``aging_rows``, ``kpis``),
recreated from git history so ``bench.read_model_bench`` can time the old way against the
read model in one process; nothing in the product imports it. It lists invoices 100 per
request through Stripe's list filters (status, customer, created, due_date), checks the
currency itself, and returns the same frames and dataclasses (``InvoiceFilters``,
``InvoiceListing``, ``Kpi``) as today's ``Reports``. Only imports were adapted; the logic
is as it was. Importable from ``bench.live_reports`` too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pandas as pd
import stripe

from services.core.models import Invoice, invoice_from_stripe
from services.core.stripe_errors import stripe_call
from services.reporting.aging import AGING_BUCKETS, aging_bucket, aging_table
from services.reporting.receivables import (
    INVOICE_COLUMNS,
    INVOICE_STATUSES,
    InvoiceFilters,
    InvoiceListing,
    Kpi,
)

__all__ = ["LiveReports"]

PAGE_SIZE = 100
COLLECTION_PERIOD_DAYS = 30
DSO_PERIOD_DAYS = 90
_MONEY = ["total", "amount_due", "amount_paid", "amount_remaining", "days_overdue"]


class LiveReports:
    """Invoice reports read from Stripe on every call (the old ``Reports``)."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def invoices_table(self, filters: InvoiceFilters) -> pd.DataFrame:
        """One row per invoice matching ``filters``, newest first."""
        as_of = filters.as_of or datetime.now(UTC).date()
        invoices, _ = self._invoices(filters, as_of)
        return self._frame(invoices, as_of)

    def invoices_page(self, filters: InvoiceFilters, *, max_rows: int = 500) -> InvoiceListing:
        """The newest ``max_rows`` invoices matching ``filters`` (same columns and order
        as :meth:`invoices_table`), reading no more of Stripe than that needs;
        ``complete`` says whether they are all the matching invoices."""
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        as_of = filters.as_of or datetime.now(UTC).date()
        invoices, complete = self._invoices(filters, as_of, max_rows=max_rows)
        return InvoiceListing(self._frame(invoices, as_of), complete)

    def overdue(self, as_of: date) -> pd.DataFrame:
        """Open invoices due before ``as_of``, most overdue first."""
        frame = self.invoices_table(InvoiceFilters(overdue_only=True, as_of=as_of))
        return frame.sort_values(
            ["days_overdue", "amount_remaining"], ascending=False, kind="stable"
        ).reset_index(drop=True)

    def aging(self, as_of: date) -> pd.DataFrame:
        """Open receivables by currency × bucket (count, amount_remaining), with a
        ``total`` row per currency."""
        return aging_table(self.invoices_table(InvoiceFilters(statuses=("open",), as_of=as_of)))

    def aging_rows(
        self, as_of: date, *, bucket: str, currency: str, customer_id: str | None = None
    ) -> pd.DataFrame:
        """The invoices behind one aging cell (``bucket="total"`` for the whole currency)."""
        if bucket not in (*AGING_BUCKETS, "total"):
            raise ValueError(f"bucket must be one of {', '.join(AGING_BUCKETS)} or total")
        frame = self._open_with_buckets(as_of, customer_id)
        chosen = frame[frame["currency"] == currency.lower()]
        if bucket != "total":
            chosen = chosen[chosen["bucket"] == bucket]
        return chosen.drop(columns=["bucket"]).reset_index(drop=True)

    def kpis(
        self,
        as_of: date,
        *,
        collection_days: int = COLLECTION_PERIOD_DAYS,
        dso_days: int = DSO_PERIOD_DAYS,
    ) -> list[Kpi]:
        """Outstanding, overdue, collected (in the ``collection_days`` up to ``as_of``)
        and DSO (over the ``dso_days`` up to ``as_of``)."""
        if collection_days < 1 or dso_days < 1:
            raise ValueError("KPI periods must be at least one day")
        # Three list reads in all: every open invoice, every paid one created by as_of
        # (collected and the period's paid sales are both cut from it), and the period's
        # uncollectible ones.
        open_rows = self.invoices_table(InvoiceFilters(statuses=("open",), as_of=as_of))
        overdue_rows = open_rows[open_rows["days_overdue"] > 0].reset_index(drop=True)
        paid_rows = self.invoices_table(
            InvoiceFilters(statuses=("paid",), created_to=as_of, as_of=as_of)
        )
        collected_rows = _collected(paid_rows, as_of, collection_days)
        dso_values, dso_rows = self._dso(as_of, open_rows, paid_rows, dso_days)
        return [
            Kpi(
                "outstanding",
                "Outstanding (open invoices)",
                _sum_by_currency(open_rows, "amount_remaining"),
                int(open_rows["invoice_id"].nunique()),
            ),
            Kpi(
                "overdue",
                "Overdue (open, past due date)",
                _sum_by_currency(overdue_rows, "amount_remaining"),
                int(overdue_rows["invoice_id"].nunique()),
            ),
            Kpi(
                "collected",
                f"Collected in the last {collection_days} days",
                _sum_by_currency(collected_rows, "amount_paid"),
                int(collected_rows["invoice_id"].nunique()),
            ),
            Kpi(
                "dso",
                f"Days sales outstanding (last {dso_days} days)",
                dso_values,
                int(dso_rows["invoice_id"].nunique()),
                unit="days",
            ),
        ]

    # -- internals -------------------------------------------------------------------
    def _dso(
        self, as_of: date, open_rows: pd.DataFrame, paid_rows: pd.DataFrame, days: int
    ) -> tuple[dict[str, int], pd.DataFrame]:
        """DSO = receivables ÷ invoiced in the period × days in the period, per currency.

        Invoiced = finalized invoices (open, paid, uncollectible) created in the period;
        the open and paid ones are cut from the rows already read.
        """
        start = as_of - timedelta(days=days - 1)
        uncollectible = self.invoices_table(
            InvoiceFilters(
                statuses=("uncollectible",), created_from=start, created_to=as_of, as_of=as_of
            )
        )
        parts = [_created_within(open_rows, start, as_of),
                 _created_within(paid_rows, start, as_of), uncollectible]
        sales = pd.concat([part for part in parts if not part.empty] or [uncollectible],
                          ignore_index=True)
        sales = sales.sort_values("created", ascending=False, kind="stable")  # as _invoices
        sales = sales.reset_index(drop=True)
        receivable = _sum_by_currency(open_rows, "amount_remaining")
        invoiced = _sum_by_currency(sales, "total")
        values = {
            currency: round(receivable.get(currency, 0) / amount * days)
            for currency, amount in invoiced.items()
            if amount > 0
        }
        rows = pd.concat(
            [open_rows.assign(part="receivable"), sales.assign(part="invoiced in period")],
            ignore_index=True,
        )
        return values, rows

    def _open_with_buckets(self, as_of: date, customer_id: str | None = None) -> pd.DataFrame:
        frame = self.invoices_table(
            InvoiceFilters(statuses=("open",), customer_id=customer_id, as_of=as_of)
        )
        return frame.assign(bucket=[aging_bucket(int(d)) for d in frame["days_overdue"]])

    def _invoices(
        self, filters: InvoiceFilters, as_of: date, *, max_rows: int | None = None
    ) -> tuple[list[Invoice], bool]:
        """Matching invoices newest first (at most ``max_rows``), and whether that is all.

        ``overdue_only`` is ``status=open`` with ``due_date`` before ``as_of``, both on
        Stripe's side; only the currency (no Stripe list filter) is checked here.
        """
        statuses = ("open",) if filters.overdue_only else filters.statuses
        unknown = set(statuses) - set(INVOICE_STATUSES)
        if unknown:
            raise ValueError(f"unknown invoice status {sorted(unknown)[0]!r}")
        base: dict[str, object] = {}
        if filters.customer_id:
            base["customer"] = filters.customer_id
        created = _range(filters.created_from, filters.created_to)
        if created:
            base["created"] = created
        due_to = filters.due_to
        if filters.overdue_only:
            yesterday = as_of - timedelta(days=1)
            due_to = yesterday if due_to is None else min(due_to, yesterday)
        due = _range(filters.due_from, due_to)
        if due:
            base["due_date"] = due
        currency = filters.currency.lower() if filters.currency else None
        keep = None if currency is None else (lambda i: i.currency == currency)
        invoices: list[Invoice] = []
        left_unread = False
        for status in statuses or (None,):
            params = dict(base) if status is None else {**base, "status": status}
            # Each status is listed newest first, so the newest max_rows overall are among
            # the newest max_rows of each; one more than max_rows proves there are more.
            found, more = self._list(params, keep=keep,
                                     wanted=None if max_rows is None else max_rows + 1)
            invoices.extend(found)
            left_unread = left_unread or more
        if filters.overdue_only:
            invoices = [i for i in invoices if i.is_overdue(as_of)]
        # Stable: invoices made in the same second keep Stripe's newest-first order.
        invoices.sort(key=lambda i: i.created, reverse=True)
        if max_rows is None:
            return invoices, True
        return invoices[:max_rows], not left_unread and len(invoices) <= max_rows

    def _list(
        self,
        params: dict[str, object],
        *,
        keep: Callable[[Invoice], bool] | None = None,
        wanted: int | None = None,
    ) -> tuple[list[Invoice], bool]:
        """Invoices matching ``params`` (and ``keep``), 100 per request, until ``wanted``
        of them are read; the flag says whether matching invoices were left unread.

        Pages are read with the SDK's ``raw_request`` (same client, retries and
        errors) and turned straight into :class:`Invoice`: building a full
        ``StripeObject`` tree per invoice first costs about twice the HTTP time
        on large books and nothing in a report needs it.
        """
        invoices: list[Invoice] = []
        cursor: str | None = None
        while True:
            limit = PAGE_SIZE
            if wanted is not None and keep is None:  # every row read is wanted
                limit = min(PAGE_SIZE, wanted - len(invoices))
            page_params = {**params, "limit": limit}
            if cursor is not None:
                page_params["starting_after"] = cursor
            response = stripe_call(
                partial(self._client.raw_request, "get", "/v1/invoices", **page_params)
            )
            page = response.data
            rows = page.get("data") or []
            read = (invoice_from_stripe(raw) for raw in rows)
            invoices.extend(read if keep is None else filter(keep, read))
            if not page.get("has_more") or not rows:
                return invoices, False
            if wanted is not None and len(invoices) >= wanted:
                return invoices, True
            cursor = rows[-1]["id"]

    @staticmethod
    def _frame(invoices: list[Invoice], as_of: date) -> pd.DataFrame:
        rows = [
            {
                "invoice_id": i.id,
                "number": i.number,
                "customer_id": i.customer_id,
                "customer": i.customer_name,
                "email": i.customer_email,
                "status": i.status,
                "currency": i.currency,
                "total": i.total,
                "amount_due": i.amount_due,
                "amount_paid": i.amount_paid,
                "amount_remaining": i.amount_remaining,
                "created": i.created,
                "due_date": i.due_date,
                "days_overdue": i.days_overdue(as_of),
                "hosted_invoice_url": i.hosted_invoice_url,
                "paid_at": i.paid_at,
                "finalized_at": i.finalized_at,
            }
            for i in invoices
        ]
        frame = pd.DataFrame(rows, columns=INVOICE_COLUMNS)
        frame = frame.astype({column: "int64" for column in _MONEY})
        for column in ("created", "paid_at", "finalized_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame


def _range(start: date | None, end: date | None) -> dict[str, int]:
    """Stripe range filter for inclusive calendar days (UTC)."""
    bounds: dict[str, int] = {}
    if start is not None:
        bounds["gte"] = int(datetime.combine(start, time.min, tzinfo=UTC).timestamp())
    if end is not None:
        next_day = end + timedelta(days=1)
        bounds["lt"] = int(datetime.combine(next_day, time.min, tzinfo=UTC).timestamp())
    return bounds


def _collected(paid_rows: pd.DataFrame, as_of: date, days: int) -> pd.DataFrame:
    """The paid invoices whose payment falls in the ``days`` up to ``as_of``."""
    start = as_of - timedelta(days=days - 1)
    paid_on = paid_rows["paid_at"].dt.date
    return paid_rows[(paid_on >= start) & (paid_on <= as_of)].reset_index(drop=True)


def _created_within(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Rows created on the calendar days ``start``..``end`` (UTC), as Stripe's filter."""
    bounds = _range(start, end)
    created = frame["created"]
    low = pd.Timestamp(bounds["gte"], unit="s", tz="UTC")
    high = pd.Timestamp(bounds["lt"], unit="s", tz="UTC")
    return frame[(created >= low) & (created < high)]


def _sum_by_currency(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    sums = frame.groupby("currency")[column].sum()
    return {str(currency): int(amount) for currency, amount in sums.items()}
