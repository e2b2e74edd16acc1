"""How the Cash received page shows its report: totals per currency, the periods table and
the payments behind a period (money through :func:`ui.tables.with_money`, so the exports
carry numbers).

:func:`prepared` formats the report's tables once (:class:`CashView`); the page's cached
read (``ui.report_reads.cash_received``) keeps that, so a rerun of a period with 5,000
payments does not format them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from services.readmodel.payment_queries import without_payment
from services.reporting.cash_received import CashReceived
from ui.formatting import money
from ui.tables import with_money

DEFAULT_DAYS = 30  # the page opens on the last 30 days, today included
DEFAULT_GRAIN = "day"

PAYMENT_COLUMNS = {
    "received_at": "Received", "number": "Invoice", "customer": "Customer", "Amount": "Amount",
    "currency": "Currency", "method": "Method", "payment_id": "Payment ID",
    "source": "Payment record or intent", "invoice_id": "Invoice ID",
}  # fmt: skip


def show_totals(report: CashReceived) -> None:
    """One tile per currency: the total received and the number of payments."""
    if not report.totals:
        return
    counts = report.payments.groupby("currency")["payment_id"].count().to_dict()
    tiles = st.columns(min(len(report.totals), 4))
    for index, (currency, amount) in enumerate(sorted(report.totals.items())):
        count = int(counts.get(currency, 0))
        tiles[index % len(tiles)].metric(
            f"Received in {currency.upper()}", money(amount, currency),
            help=f"{count} payment{'s' if count != 1 else ''} from "
                 f"{report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}",
        )


def periods_shown(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per period and currency: Period, Currency, Received, Payments (and the
    hidden ``period`` first day the drill-down needs and ``row_id``, "2026-11-02 USD",
    which a selection resolves through)."""
    shown = with_money(periods, {"amount": "Received"})
    shown["Currency"] = shown["currency"].str.upper()
    shown = shown.rename(columns={"label": "Period", "payments": "Payments"})
    shown["row_id"] = [f"{first} {code}" for first, code in
                       zip(shown["period"], shown["Currency"], strict=True)]
    return shown[["period", "row_id", "Period", "Currency", "Received", "Payments"]].reset_index(
        drop=True)


def payments_shown(payments: pd.DataFrame) -> pd.DataFrame:
    """The payments as listed: when, invoice, customer, amount, method and Stripe ids (no
    payment id, an empty cell, for money marked paid outside Stripe: there is no payment
    object, and the invoice id it is keyed by is already in the Invoice ID column)."""
    shown = with_money(payments, {"amount": "Amount"})
    shown["payment_id"] = shown["payment_id"].astype(object).where(
        ~without_payment(shown), None)
    shown["currency"] = shown["currency"].str.upper()
    shown["number"] = shown["number"].fillna("(no number)")
    shown["customer"] = shown["customer"].fillna(shown["email"])
    shown["source"] = shown["payment_record"].fillna(shown["payment_intent"])
    return shown[list(PAYMENT_COLUMNS)].rename(columns=PAYMENT_COLUMNS).reset_index(drop=True)


@dataclass(frozen=True)
class CashView:
    """The report ready to draw: ``periods`` as :func:`periods_shown`, ``payments`` every
    payment as :func:`payments_shown` (the drill-down of one period formats its own)."""

    report: CashReceived
    periods: pd.DataFrame
    payments: pd.DataFrame


def prepared(report: CashReceived) -> CashView:
    """Format ``report``'s periods and every payment once."""
    return CashView(report, periods_shown(report.periods), payments_shown(report.payments))


def payments_file_name(start: date, end: date, grain: str, period: date | None = None,
                       currency: str | None = None) -> str:
    """The payments files' name (no extension), saying what they hold. Every payment of the
    view from ``start`` to ``end``: ``payments-received-2026-06-01-2026-06-30``. Those of
    one ``period`` (its first day, as in the periods table) in one ``currency``:
    ``payments-received-2026-06-usd-2026-06-01-2026-06-30`` by month,
    ``payments-received-2026-w23-usd-2026-06-01-2026-06-07`` by (ISO) week,
    ``payments-received-2026-06-03-usd`` by day; the days named are the period's days
    within the view (a month cut by the view's first or last day says so)."""
    if period is None or currency is None:
        return f"payments-received-{start}-{end}"
    code = currency.lower()
    if grain == "day":
        return f"payments-received-{period}-{code}"
    if grain == "week":
        year, week, _ = period.isocalendar()
        name, last = f"{year}-w{week:02d}", period + timedelta(days=6)
    else:
        name = f"{period:%Y-%m}"
        next_month = (period.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = next_month - timedelta(days=1)
    return f"payments-received-{name}-{code}-{max(period, start)}-{min(last, end)}"
