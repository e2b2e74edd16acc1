"""One business clock: every page's "today" and every shown time come from one place.

Issue 14 item 7: the Invoices and Invoice pages used the server's local date while
Overview, Overdue and Customers used UTC, so days overdue differed between pages
around midnight. Now ``services.core.clock.business_today`` (time zone from
``DASHBOARD_TIME_ZONE``, default the server's) is the only source, and the demo
timeline shows when an action happened, not a test clock's frozen time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services.container import Services
from services.core import clock
from services.core.business_days import day_start
from services.core.errors import ConfigurationError
from services.core.idempotency import new_form_nonce
from services.core.settings import Settings
from services.customers.balances import customer_balance
from services.reporting.receivables import InvoiceFilters
from services.reporting.statement import StatementReport
from tests.services.conftest import ADMIN
from ui import reads
from ui.config import settings_mapping
from ui.invoice_detail import timeline_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _server_zone_afterwards():  # type: ignore[no-untyped-def]
    yield
    clock.use_business_time_zone(None)


def at(text: str):  # type: ignore[no-untyped-def]
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return lambda: moment


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Europe/Berlin", date(2026, 3, 11)), ("America/New_York", date(2026, 3, 10)),
     ("UTC", date(2026, 3, 10))],
)  # fmt: skip
def test_today_is_the_day_in_the_business_time_zone(zone: str, day: date) -> None:
    clock.use_business_time_zone(ZoneInfo(zone))
    assert clock.business_today(at("2026-03-10T23:30:00")) == day
    shown = clock.business_time(datetime(2026, 3, 10, 23, 30))  # naive = UTC, as stored
    assert shown.date() == day


def test_the_time_zone_setting(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert Settings.from_mapping({"DASHBOARD_TIME_ZONE": "Asia/Tokyo"}).time_zone == ZoneInfo(
        "Asia/Tokyo"
    )
    assert Settings.from_mapping({}).time_zone is None  # the server's local zone
    monkeypatch.setenv("DASHBOARD_TIME_ZONE", "Europe/Berlin")  # what app.py reads
    assert settings_mapping()["DASHBOARD_TIME_ZONE"] == "Europe/Berlin"
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_mapping({"DASHBOARD_TIME_ZONE": "Mars/Olympus"})
    assert caught.value.field == "DASHBOARD_TIME_ZONE"


def _days_overdue_on_every_page(services: Services, invoice, today: date) -> dict[str, int]:  # type: ignore[no-untyped-def]
    reports = services.reports
    mine = InvoiceFilters(customer_id=invoice.customer_id)
    listed = reports.invoices_table(mine)  # a service's own default "today"
    on_the_page = reports.invoices_table(InvoiceFilters(customer_id=invoice.customer_id,
                                                        as_of=today))  # fmt: skip
    overdue_rows = reports.aging_rows(today, bucket="total", currency="usd",
                                      customer_id=invoice.customer_id)  # fmt: skip
    statement = StatementReport(services.engine).statement(invoice.customer_id, today, today)
    return {
        "Invoices (default)": int(listed["days_overdue"].iloc[0]),
        "Invoices / Customers": int(on_the_page["days_overdue"].iloc[0]),
        "Overdue": int(overdue_rows["days_overdue"].iloc[0]),
        "Customers balance": customer_balance(on_the_page).oldest_days_overdue,
        "Statement": int(statement.sections[0].open_invoices["days_overdue"].iloc[0]),
        "Invoice": services.invoices.get(invoice.id).days_overdue(today),
    }


def test_every_page_counts_the_same_days_overdue_around_midnight(
    services: Services, make_invoice, monkeypatch
) -> None:
    clock.use_business_time_zone(ZoneInfo("Pacific/Kiritimati"))  # UTC+14
    invoice = make_invoice("open")
    assert invoice.due_date is not None and invoice.due_at is not None
    # the due day is the business zone's day of Stripe's due moment
    assert invoice.due_date == datetime.fromtimestamp(
        invoice.due_at, ZoneInfo("Pacific/Kiritimati")).date()
    midnight = day_start(invoice.due_date + timedelta(days=11))  # in Kiritimati
    pages = ["Invoices (default)", "Invoices / Customers", "Overdue", "Customers balance",
             "Statement", "Invoice"]
    for seconds, days in ((-1800, 10), (1800, 11)):  # 23:30 and 00:30 there
        now = datetime.fromtimestamp(midnight + seconds, UTC)
        monkeypatch.setattr(clock, "utc_now", lambda now=now: now)
        today = reads.today()  # what Invoices, Invoice, Overview, Overdue and Customers use
        assert today == clock.business_today() == invoice.due_date + timedelta(days=days)
        assert _days_overdue_on_every_page(services, invoice, today) == dict.fromkeys(
            pages, days), now


def test_overdue_once_the_due_moment_has_passed(
    services: Services, make_invoice, monkeypatch
) -> None:
    clock.use_business_time_zone(ZoneInfo("America/Los_Angeles"))
    invoice = make_invoice("open")
    assert invoice.due_at is not None
    for seconds, days, bucket in ((-60, 0, "current"), (60, 1, "1-30")):
        now = datetime.fromtimestamp(invoice.due_at + seconds, UTC)
        monkeypatch.setattr(clock, "utc_now", lambda now=now: now)
        today = clock.business_today()
        assert today == invoice.due_date  # the due day itself
        assert _days_overdue_on_every_page(services, invoice, today) == dict.fromkeys(
            ["Invoices (default)", "Invoices / Customers", "Overdue", "Customers balance",
             "Statement", "Invoice"], days)
        aging = services.reports.aging(today, customer_id=invoice.customer_id)
        held = aging[(aging["bucket"] == bucket) & (aging["currency"] == "usd")]
        assert int(held["count"].iloc[0]) == 1
        overdue = services.reports.invoices_table(InvoiceFilters(
            customer_id=invoice.customer_id, overdue_only=True, as_of=today))
        assert len(overdue) == days


_OTHER_CLOCKS = re.compile(
    r"date\.today\(\)|datetime\.now\(UTC\)\.date\(\)|utcnow\(|\.astimezone\(\)"
)


def test_no_page_or_service_derives_a_day_or_a_shown_time_from_another_clock() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("services", "ui", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "clock.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _OTHER_CLOCKS.search(line)
    ] + [
        f"app.py:{number}: {line.strip()}"
        for number, line in enumerate((ROOT / "app.py").read_text().splitlines(), start=1)
        if _OTHER_CLOCKS.search(line)
    ]
    assert found == []


def test_the_timeline_shows_when_the_action_happened(
    services: Services, make_customer, make_invoice
) -> None:
    # A demo customer lives on a test clock frozen 200 days ago: Stripe stamps what is
    # done for them with that frozen time.
    frozen = int((datetime.now(UTC) - timedelta(days=200)).timestamp())
    test_clock = services.client.v1.test_helpers.test_clocks.create(
        params={"frozen_time": frozen}
    )
    draft = make_invoice("draft", customer=make_customer(test_clock=test_clock.id))
    finalized = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    assert finalized.finalized_at is not None
    assert finalized.finalized_at.timestamp() < frozen + 86_400  # Stripe's stamp: frozen time
    rows = timeline_rows(finalized, services.audit.history(finalized.id))
    when = rows.set_index("What")["When"]
    today = clock.business_today()
    assert f"{today.day} {today:%b %Y}" in when["Finalized"]
    assert f"{today.day} {today:%b %Y}" in when["Created"]
    assert isinstance(rows, pd.DataFrame)
