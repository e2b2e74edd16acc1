"""The Overview's Collected figure and the rows behind it agree: the drill-down
(``Reports.kpi_rows("collected")``) lists the receipts of the window, the same rows Cash
received shows for those days, and they sum to Collected per currency. Real services and
SDK on the emulator, on the app database under test (SQLite, or PostgreSQL with
``--app-database=postgresql``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.container import Services
from services.core.clock import business_today, business_zone
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem, Invoice
from services.invoicing.payments import PaymentMethod
from services.readmodel.payment_queries import OUTSIDE_STRIPE
from services.reporting.cash_received import CashReceivedReport
from tests.services.conftest import ADMIN, APPROVER

DAY = 86_400
WINDOW = 7


def _open(services: Services, customer_id: str, amount: int, currency: str = "usd") -> Invoice:
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer_id, items=[DraftItem(amount=amount, description="Work")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency=currency,
        form_nonce=new_form_nonce())  # fmt: skip
    return services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())


def _record(services: Services, invoice: Invoice, amount: str, days_ago: int) -> Invoice:
    return services.invoices.payments.record(
        APPROVER, invoice.id, amount_text=amount,
        received_on=business_today() - timedelta(days=days_ago),
        method=PaymentMethod.BANK_TRANSFER, reference=None, overpayment_confirmed=False,
        form_nonce=new_form_nonce())


def test_collected_rows_are_the_window_receipts_and_sum_to_the_figure(  # type: ignore[no-untyped-def]
    services: Services, make_customer
) -> None:
    # finalized 20 days ago on a test clock, so payments can be dated before the window
    frozen = int(datetime.now(UTC).timestamp()) - 20 * DAY
    clock = services.client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    owner = make_customer(test_clock=clock.id)
    other = make_customer()
    # fully paid inside the window, but its first part came 12 days ago (before it)
    straddling = _open(services, owner.id, 100000)
    _record(services, straddling, "400", days_ago=12)
    assert _record(services, straddling, "600", days_ago=2).status == "paid"
    # a part payment in the window on an invoice still open
    part_paid = _open(services, owner.id, 50000)
    assert _record(services, part_paid, "150", days_ago=3).status == "open"
    # marked paid outside Stripe today (no InvoicePayment listed)
    out_of_band = _open(services, other.id, 30000)
    services.client.v1.invoices.pay(out_of_band.id, params={"paid_out_of_band": True})
    services.read_model.refresh("invoice", out_of_band.id)
    # another currency, part paid in the window
    euros = _open(services, other.id, 20000, currency="eur")
    _record(services, euros, "50", days_ago=0)

    today = business_today()
    kpis = {k.key: k for k in services.reports.kpis(today, collection_days=WINDOW)}
    rows = services.reports.kpi_rows(today, "collected", collection_days=WINDOW)

    collected = kpis["collected"]
    assert collected.values_by_currency == {"usd": 60000 + 15000 + 30000, "eur": 5000}
    summed = {str(c): int(a) for c, a in rows.groupby("currency")["amount"].sum().items()}
    assert summed == collected.values_by_currency
    assert len(rows) == collected.invoices == 4
    # the straddling invoice is behind Collected with its in-window part only
    assert list(rows[rows["invoice_id"] == straddling.id]["amount"]) == [60000]
    assert list(rows[rows["invoice_id"] == part_paid.id]["amount"]) == [15000]
    (outside,) = rows[rows["invoice_id"] == out_of_band.id].itertuples()
    assert (outside.amount, outside.method) == (30000, OUTSIDE_STRIPE)
    assert {"number", "customer", "amount", "received_at", "method"} <= set(rows.columns)
    assert all(stamp.date() >= today - timedelta(days=WINDOW - 1) for stamp in rows["received_at"])

    # the same rows Cash received lists for those days
    cash = CashReceivedReport(services.engine, business_zone()).report(
        today - timedelta(days=WINDOW - 1), today)
    assert cash.totals == collected.values_by_currency
    assert sorted(cash.payments["payment_id"]) == sorted(rows["payment_id"])
