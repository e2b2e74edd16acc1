"""The Overdue & aging page's "who owes what" table: the largest debtors of one currency and
age, made ready to draw once per view and cached; and the page's first view, which the
server's start-up warm-up reads ahead (:func:`warm_default_view`).

At 100,000 invoices the table has 1,000 customers and up to seven money columns: 7,000
amounts formatted per currency (:class:`ui.exports.MoneyText`) and 1,000 customer links.
Built on every run of the page (each rerun a click causes) that cost 0.1-0.6 s of Python
on a loaded 2-core server, for a table that only changes with the read model. So the
rows are read (grouped, ranked and cut in SQL: ``services.reporting.receivables``'s
``debtors``), formatted and linked in one cached view, filed under the invoice and report
areas like every read of :mod:`ui.reads`: a write or a Refresh clears it. No Stripe
request is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.reporting.invoice_list import InvoiceOrder
from services.reporting.receivables import AGING_BUCKETS, OVERDUE
from ui import navigation, reads, runtime, tables
from ui.caching import cached_view
from ui.charts import BUCKET_TITLES

#: Ages whose amounts are (at least partly) not past due: ranked by the open amount.
OPEN_AGES = ("total", "current")
MAX_LISTED = 1_000  # customers drawn; totals cover them all
PAGE_SIZE = 100  # invoices per page of the drill-down
#: The drill-down's orders; the first is the page's default.
ORDERS = {"largest": InvoiceOrder("amount_remaining", descending=True),
          "most overdue": InvoiceOrder("days_overdue", descending=True)}


def money_columns(bucket: str) -> dict[str, str]:
    """Source column → label of the money columns shown for ``bucket`` (an aging bucket,
    ``"overdue"`` or ``"total"``): the open or overdue amount; for all open, how much of it
    is overdue; for all open and all overdue, where the overdue amount lies by age."""
    columns = {"amount_remaining": "Open amount" if bucket in OPEN_AGES else "Overdue amount"}
    if bucket == "total":
        columns["amount_overdue"] = "Of which overdue"
    if bucket in ("total", OVERDUE):
        columns.update({f"amount_{age}": BUCKET_TITLES[age]
                        for age in AGING_BUCKETS if age != "current"})
    return columns


@dataclass(frozen=True)
class DebtorsTable:
    """One view of who owes what.

    ``rows``: the ``limit`` largest debtors, largest first, with the service's columns
    (``customer_id``, ``customer``, ``email``, ``invoices``, ``amount_remaining``,
    ``amount_overdue``, ``amount_<bucket>``, ``oldest_days_overdue``, minor units), an
    ``open`` column (link to the customer's page) and one :class:`ui.exports.MoneyText`
    column per entry of ``money_columns``. ``customers``, ``invoices``,
    ``amount_remaining`` and ``amount_overdue`` count and sum every debtor of the age, not
    only the rows listed (minor units of the one currency).
    """

    rows: pd.DataFrame
    money_columns: dict[str, str]
    customers: int
    invoices: int
    amount_remaining: int
    amount_overdue: int


@cached_view("invoices", "reports", ttl="3m", spinner="Loading who owes what…")
def debtors_table(as_of: date, bucket: str, currency: str, limit: int) -> DebtorsTable:
    """The ``limit`` customers owing most in ``currency`` (lower-case code) and ``bucket`` on
    ``as_of`` (ranked by the open amount for all open and not yet due, else by the overdue
    amount), ready to draw. Raises the services' ``DashboardError`` when the read fails and
    ``ValueError`` for an unknown bucket."""
    rank = "amount_remaining" if bucket in OPEN_AGES else "amount_overdue"
    found = runtime.services().reports.debtors(as_of, currency=currency, bucket=bucket,
                                               rank=rank, limit=limit)
    labels = money_columns(bucket)
    shown = tables.with_money(found.rows, labels)
    shown.insert(0, "open", [navigation.customer_url(c) for c in shown["customer_id"]])
    return DebtorsTable(shown.reset_index(drop=True), labels, found.customers,
                        found.invoices, found.amount_remaining, found.amount_overdue)


def warm_default_view(as_of: date) -> None:
    """Read what the page shows first on ``as_of`` into the caches: the aging, and for the
    first currency (alphabetical) every overdue debtor and the first page of their
    invoices, largest first. Raises what the reads raise (``DashboardError``)."""
    aging = reads.aging(as_of).value
    currencies = sorted(aging["currency"].unique())
    if not currencies:
        return
    debtors_table(as_of, OVERDUE, currencies[0], MAX_LISTED)
    reads.aging_page(as_of, OVERDUE, currencies[0], None, ORDERS["largest"], 1, PAGE_SIZE)
