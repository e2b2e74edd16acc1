"""Every "money in" and "owed" figure agrees, whichever way an invoice got paid.

One customer's book on the real emulator, through the real services and SDK, on the app
database under test (SQLite, or PostgreSQL with ``--app-database=postgresql``): an invoice
marked paid outside Stripe (``pay(paid_out_of_band=true)``, which lists no
InvoicePayment), one paid by card, one paid in two recorded part payments, one reduced by
a credit note, one left open and one written off. Then the statement's closing balance,
its aging and the customer's Outstanding agree; Cash received for the window equals the
Overview's Collected and the money that came in; the Invoices page's outstanding total
equals the Overview's Outstanding.
"""

from __future__ import annotations

from datetime import timedelta

from services.container import Services
from services.core.clock import business_today, business_zone
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem, Invoice
from services.customers.balances import customer_balance
from services.invoicing.credit_notes import CreditNoteRequest, Destination
from services.invoicing.payments import PaymentMethod
from services.readmodel.invoice_queries import InvoiceQuery, invoice_totals
from services.readmodel.payment_queries import OUTSIDE_STRIPE
from services.reporting.cash_received import CashReceivedReport
from services.reporting.receivables import InvoiceFilters
from services.reporting.statement import StatementReport
from tests.services.conftest import ADMIN, APPROVER


def _open(services: Services, customer_id: str, amount: int) -> Invoice:
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer_id, items=[DraftItem(amount=amount, description="Work")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=new_form_nonce())  # fmt: skip
    return services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())


def _record(services: Services, invoice: Invoice, amount: str) -> Invoice:
    return services.invoices.payments.record(
        APPROVER, invoice.id, amount_text=amount, received_on=None,
        method=PaymentMethod.BANK_TRANSFER, reference=None, overpayment_confirmed=False,
        form_nonce=new_form_nonce())


def test_paid_out_of_band_by_card_in_parts_and_credited_all_agree(  # type: ignore[no-untyped-def]
    services: Services, make_customer
) -> None:
    owner = make_customer()
    out_of_band = _open(services, owner.id, 100000)
    services.client.v1.invoices.pay(out_of_band.id, params={"paid_out_of_band": True})
    by_card = _open(services, owner.id, 50000)
    services.client.v1.invoices.pay(by_card.id, params={"payment_method": "pm_card_visa"})
    for paid in (out_of_band, by_card):
        services.read_model.refresh("invoice", paid.id)  # what their events do
    in_parts = _open(services, owner.id, 100000)
    _record(services, in_parts, "300")
    assert _record(services, in_parts, "700").status == "paid"
    credited = _open(services, owner.id, 80000)
    services.invoices.credit_notes.issue(ADMIN, CreditNoteRequest(
        invoice_id=credited.id, reason="order_change", destination=Destination.REDUCE_OWED.value,
        amount_text="200"), form_nonce=new_form_nonce())  # fmt: skip
    _open(services, owner.id, 40000)
    written_off = _open(services, owner.id, 25000)
    services.invoices.mark_uncollectible(ADMIN, written_off.id, reason="gone",
                                         form_nonce=new_form_nonce())
    today = business_today()
    owed = 60000 + 40000  # the credited invoice's remaining and the untouched one

    # the statement closes at what the aging holds open and the customer page's Outstanding
    statement = StatementReport(services.engine, business_zone()).statement(
        owner.id, today - timedelta(days=29), today)
    (usd,) = statement.sections
    balance = customer_balance(services.reports.invoices_table(
        InvoiceFilters(customer_id=owner.id, as_of=today)))
    assert usd.closing == usd.aging["total"] == balance.outstanding["usd"] == owed
    payments = usd.lines[usd.lines["kind"] == "payment"]
    assert sorted(payments["amount"]) == [-100000, -70000, -50000, -30000]
    (outside,) = [row for row in payments.itertuples() if row.object_id == out_of_band.id]
    assert OUTSIDE_STRIPE in outside.description and out_of_band.id in outside.description
    assert set(usd.open_invoices["open_amount"]) == {60000, 40000}

    # Cash received for the window == Overview's Collected == what came in
    cash = CashReceivedReport(services.engine, business_zone()).report(
        today - timedelta(days=29), today)
    kpis = {k.key: k for k in services.reports.kpis(today, collection_days=30)}
    came_in = 100000 + 50000 + 100000
    assert cash.totals == kpis["collected"].values_by_currency == {"usd": came_in}
    assert sorted(cash.payments["method"]) == sorted(
        [OUTSIDE_STRIPE, "Paid through Stripe", "Bank transfer", "Bank transfer"])

    # the Invoices page's outstanding (open) total is the Overview's Outstanding
    with services.engine.connect() as conn:
        (totals,) = invoice_totals(conn, InvoiceQuery())
    assert totals.outstanding == kpis["outstanding"].values_by_currency["usd"] == owed
    assert totals.written_off == 25000
    assert totals.amount_remaining == owed + 25000  # Stripe's sum: open and uncollectible
