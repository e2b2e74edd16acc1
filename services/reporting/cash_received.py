"""Cash received: the money that came in, by day, week or month, per currency.

Built from the dates of the invoices' payments (``services.readmodel.payment_queries``),
partial payments included, so "what was paid last week?" counts each payment on the
day its money arrived, not the day the invoice became fully paid. Every total keeps
the payments behind it. Amounts are integer minor units, never summed across
currencies. Days, weeks (starting on Monday, ISO 8601) and months are those of the
business time zone (:func:`services.core.clock.business_zone`, or the ``zone`` given),
cut at the zone's day starts (DST-correct), so a payment falls on the same day here as
on the customer statement and in the Invoices paid filter; ``received_at`` is shown in
that zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

import pandas as pd
from sqlalchemy import Engine

from services.core import clock
from services.core.business_days import day_range
from services.core.errors import InvalidInput
from services.readmodel.payment_queries import PaymentQuery, payments_received, received_totals

GRAINS = ("day", "week", "month")
PERIOD_COLUMNS = ["period", "label", "currency", "amount", "payments"]
#: The longest period one report covers (a daily report of 10 years helps nobody).
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class CashReceived:
    """Cash received from ``start`` to ``end`` (inclusive days), cut by ``grain``.

    ``periods``: one row per period and currency that received money (``period`` = its
    first day, ``label``, ``currency``, ``amount`` in minor units, ``payments`` count),
    oldest first. ``totals``: amount per currency over the whole range. ``payments``:
    every payment behind those numbers (``payment_queries.PAYMENT_COLUMNS`` plus
    ``period``).
    """

    grain: str
    start: date
    end: date
    periods: pd.DataFrame = field(repr=False)
    totals: dict[str, int]
    payments: pd.DataFrame = field(repr=False)

    def rows_behind(self, period: date, currency: str | None = None) -> pd.DataFrame:
        """The payments counted in one period (and currency when given), oldest first."""
        rows = self.payments[self.payments["period"] == period]
        if currency is not None:
            rows = rows[rows["currency"] == currency.lower()]
        return rows.reset_index(drop=True)


def period_start(day: date, grain: str) -> date:
    """The first day of the ``grain`` period that holds ``day`` (weeks start on Monday)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    raise InvalidInput(f"Group by day, week or month, not {grain!r}.", field="grain")


def period_label(first_day: date, grain: str) -> str:
    """"3 Nov 2026", "Week of 2 Nov 2026 (W45)" or "November 2026"."""
    if grain == "day":
        return f"{first_day.day} {first_day:%b %Y}"
    if grain == "week":
        return f"Week of {first_day.day} {first_day:%b %Y} (W{first_day.isocalendar().week:02d})"
    return f"{first_day:%B %Y}"


class CashReceivedReport:
    """Cash received, read from the read model behind ``engine``."""

    def __init__(self, engine: Engine, zone: tzinfo | None = None) -> None:
        self._engine = engine
        self._zone = zone if zone is not None else clock.business_zone()

    def report(
        self, start: date, end: date, grain: str = "day", *, currency: str | None = None
    ) -> CashReceived:
        """Money received on the days ``start``..``end`` (inclusive), per ``grain`` period and
        currency. Raises :class:`InvalidInput` naming ``grain``, ``start`` or ``end``."""
        if grain not in GRAINS:
            raise InvalidInput(f"Group by day, week or month, not {grain!r}.", field="grain")
        if end < start:
            raise InvalidInput(
                f"The period ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}).",
                field="end",
            )
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput(
                f"Choose a period of at most {MAX_DAYS} days.", field="start"
            )
        first, after = day_range(start, end, self._zone)
        query = PaymentQuery(start=first, end=after, currency=currency)
        payments = payments_received(self._engine, query)
        payments["received_at"] = payments["received_at"].dt.tz_convert(self._zone)
        payments["period"] = _period_starts(payments["received_at"], grain, self._zone)
        totals = {cur: amount for cur, (amount, _) in received_totals(self._engine, query).items()}
        return CashReceived(grain, start, end, _periods(payments, grain), totals, payments)


def _period_starts(received: pd.Series, grain: str, zone: tzinfo) -> pd.Series:
    """:func:`period_start` of each time's day in ``zone``, for the whole column at once."""
    days = received.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    if grain == "week":
        days = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    elif grain == "month":
        days = days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return pd.Series(days.dt.date, index=received.index, dtype=object)


def _periods(payments: pd.DataFrame, grain: str) -> pd.DataFrame:
    if payments.empty:
        return pd.DataFrame(columns=PERIOD_COLUMNS)
    grouped = (
        payments.groupby(["period", "currency"], sort=True)
        .agg(amount=("amount", "sum"), payments=("payment_id", "count"))
        .reset_index()
    )
    grouped["label"] = [period_label(first, grain) for first in grouped["period"]]
    grouped = grouped.astype({"amount": "int64", "payments": "int64"})
    return grouped[PERIOD_COLUMNS]
