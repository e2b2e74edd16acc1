"""One business day everywhere: a payment falls on the same day on every view.

Days are those of the business time zone (``DASHBOARD_TIME_ZONE``), not UTC: a payment
at 23:30 in Los Angeles (07:30 the next day in UTC) or at 00:30 in Kiritimati (10:30
the day before in UTC) is on its local day on Cash received (by day, week and month),
on the customer statement, in the Invoices paid filter and on the Invoice page, also
across the day daylight saving time ends (1 Nov 2026 in Los Angeles, a 25-hour day).
Runs on SQLite and, with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest

from services.container import Services
from services.core import clock
from services.core.business_days import day_edges, day_range, day_start
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.readmodel.invoice_payment_list import payments_of_invoice
from services.reporting.cash_received import CashReceivedReport
from services.reporting.receivables import InvoiceFilters
from services.reporting.statement import StatementReport
from tests.services.conftest import ADMIN
from ui.exports import excel_bytes
from ui.formatting import day
from ui.invoice_money import payment_rows

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
#: Local times of payments next to midnight, on both sides of the end of DST in LA.
PAYMENTS = {
    "America/Los_Angeles": [datetime(2026, 10, 31, 23, 30), datetime(2026, 11, 1, 23, 30),
                            datetime(2026, 11, 2, 0, 30)],
    "Pacific/Kiritimati": [datetime(2026, 10, 31, 0, 30), datetime(2026, 11, 1, 23, 30),
                           datetime(2026, 11, 2, 0, 30)],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _server_zone_afterwards() -> Iterator[None]:
    yield
    clock.use_business_time_zone(None)


def test_day_starts_follow_daylight_saving_time() -> None:
    # 1 Nov 2026 lasts 25 hours in Los Angeles; 8 Mar 2026 23 hours
    assert day_start(date(2026, 11, 2), LOS_ANGELES) - day_start(date(2026, 11, 1),
                                                                 LOS_ANGELES) == 25 * 3600
    assert day_start(date(2026, 3, 9), LOS_ANGELES) - day_start(date(2026, 3, 8),
                                                                LOS_ANGELES) == 23 * 3600
    assert day_start(date(2026, 3, 1), KIRITIMATI) == int(
        datetime(2026, 2, 28, 10, tzinfo=UTC).timestamp())
    assert day_range(date(2026, 11, 1), date(2026, 11, 1), LOS_ANGELES) == (
        day_start(date(2026, 11, 1), LOS_ANGELES), day_start(date(2026, 11, 2), LOS_ANGELES))
    edges = day_edges(date(2026, 10, 31), date(2026, 11, 2), LOS_ANGELES)
    assert [b - a for a, b in pairwise(edges)] == [86_400, 90_000, 86_400]


def _paid_invoice(services: Services, make_customer, make_price, at: datetime) -> str:  # type: ignore[no-untyped-def]
    """A 10.00 USD invoice paid in full by a bank transfer received at ``at``."""
    customer = make_customer()
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(price_id=make_price().id, quantity=1)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    opened = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    seconds = int(at.timestamp())
    record = services.client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": opened.amount_due},
        "initiated_at": seconds, "outcome": "guaranteed",
        "guaranteed": {"guaranteed_at": seconds},
        "payment_method_details": {"type": "custom", "custom": {
            "display_name": "Bank transfer", "type": "bank_transfer"}},
    })  # fmt: skip
    services.client.v1.invoices.attach_payment(draft.id, {"payment_record": record.id})
    services.upkeep.sync.refresh("invoice", draft.id)
    return draft.id


@pytest.mark.parametrize("zone_name", sorted(PAYMENTS))
def test_a_payment_is_on_its_local_day_on_every_view(
    services: Services, make_customer, make_price, zone_name: str
) -> None:  # type: ignore[no-untyped-def]
    zone = ZoneInfo(zone_name)
    clock.use_business_time_zone(zone)
    moments = [local.replace(tzinfo=zone) for local in PAYMENTS[zone_name]]
    made = [_paid_invoice(services, make_customer, make_price, at) for at in moments]
    local_days = [at.date() for at in moments]
    # each payment's UTC day differs from its local day: UTC days would put it elsewhere
    assert [at.astimezone(UTC).date() for at in moments] != local_days

    first, last = date(2026, 10, 26), date(2026, 11, 8)
    cash = CashReceivedReport(services.engine)
    by_day = cash.report(first, last, "day")
    mine = by_day.payments[by_day.payments["invoice_id"].isin(made)]
    assert list(mine["period"]) == local_days
    assert [moment.date() for moment in mine["received_at"]] == local_days  # shown times
    for grain, expected in (
        ("week", [local - timedelta(days=local.weekday()) for local in local_days]),
        ("month", [local.replace(day=1) for local in local_days]),
    ):
        report = cash.report(first, last, grain)
        rows = report.payments[report.payments["invoice_id"].isin(made)]
        assert list(rows["period"]) == expected, grain
    one_day = cash.report(local_days[0], local_days[0], "day")
    assert made[0] in set(one_day.payments["invoice_id"])
    assert not set(made[1:]) & set(one_day.payments["invoice_id"])

    for invoice_id, local in zip(made, local_days, strict=True):
        paid_that_day = services.reports.invoices_table(
            InvoiceFilters(paid_from=local, paid_to=local))
        assert invoice_id in set(paid_that_day["invoice_id"])
        row = paid_that_day[paid_that_day["invoice_id"] == invoice_id].iloc[0]
        assert row["paid_at"].date() == local  # the Paid column of the Invoices page
        before = local - timedelta(days=1)
        day_before = services.reports.invoices_table(
            InvoiceFilters(paid_from=before, paid_to=before))
        assert invoice_id not in set(day_before["invoice_id"])
        invoice = services.invoices.get(invoice_id)
        rows = payment_rows(payments_of_invoice(services.read_model, invoice_id))
        assert list(rows["Received"]) == [f"{local.day} {local:%b %Y}"]  # the Invoice page
        assert invoice.paid_at is not None
        assert day(invoice.paid_at) == f"{local.day} {local:%b %Y}"

        statement = StatementReport(services.engine).statement(
            str(invoice.customer_id), local, local)
        lines = statement.sections[0].lines
        paid_lines = lines[lines["kind"] == "payment"]
        assert [at.date() for at in paid_lines["date"]] == [local]
        earlier = StatementReport(services.engine).statement(
            str(invoice.customer_id), local - timedelta(days=3), local - timedelta(days=1))
        assert all((section.lines["kind"] != "payment").all() for section in earlier.sections)


def test_a_shown_due_date_is_the_day_of_the_due_moment_there(
    services: Services, make_invoice
) -> None:  # type: ignore[no-untyped-def]
    clock.use_business_time_zone(KIRITIMATI)
    invoice = make_invoice("open")
    assert invoice.due_at is not None
    there = datetime.fromtimestamp(invoice.due_at, KIRITIMATI).date()
    assert invoice.due_date == there
    listed = services.reports.invoices_table(InvoiceFilters(customer_id=invoice.customer_id))
    assert list(listed["due_date"]) == [there]
    same_day = services.reports.invoices_table(InvoiceFilters(
        customer_id=invoice.customer_id, due_from=there, due_to=there))
    assert list(same_day["invoice_id"]) == [invoice.id]
    for other in (there - timedelta(days=1), there + timedelta(days=1)):
        assert services.reports.invoices_table(InvoiceFilters(
            customer_id=invoice.customer_id, due_from=other, due_to=other)).empty


def test_an_excel_file_shows_the_times_of_the_business_zone() -> None:
    clock.use_business_time_zone(LOS_ANGELES)
    received = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # 1 Nov 23:30 in Los Angeles
    frame = pd.DataFrame({"Received": pd.Series([received]).dt.tz_convert(UTC),
                          "When": pd.Series([received], dtype=object)})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame))).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]] == [datetime(2026, 11, 1, 23, 30)] * 2
