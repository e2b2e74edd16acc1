"""Record payment: partial and dated payments received outside Stripe, through the real
services on the emulator (payment records attached to the invoice), on the app database
under test (SQLite, or PostgreSQL with ``--app-database=postgresql``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from stripe._invoice_service import InvoiceService

from services.container import Services
from services.core.clock import business_today, business_zone
from services.core.errors import InvalidInput, NotAllowedInState
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem, Invoice
from services.invoicing.payments import PaymentMethod, plan_payment
from services.readmodel.invoice_payment_list import payments_of_invoice
from services.reporting.cash_received import CashReceivedReport
from services.reporting.receivables import InvoiceFilters
from tests.services.conftest import ADMIN, APPROVER
from tests.services.stripe_requests import record_stripe_requests

DAY = 86_400


def _noon(day: date) -> int:
    return int(datetime.combine(day, time(12), tzinfo=business_zone()).timestamp())


@pytest.fixture
def open_1000(services: Services, make_customer):  # type: ignore[no-untyped-def]
    """A USD 1,000.00 invoice finalized 20 days ago (its customer is on a test clock)."""

    def make(amount: int = 100000) -> Invoice:
        frozen = int(datetime.now(UTC).timestamp()) - 20 * DAY
        clock = services.client.v1.test_helpers.test_clocks.create(
            params={"frozen_time": frozen})
        owner = make_customer(test_clock=clock.id)
        draft = services.invoices.create_draft(
            ADMIN, customer_id=owner.id,
            items=[DraftItem(amount=amount, description="Consulting, October")],
            days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
            form_nonce=new_form_nonce())  # fmt: skip
        return services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())

    return make


def _record(services: Services, invoice: Invoice, amount: str | None, **fields):  # type: ignore[no-untyped-def]
    values = {"received_on": None, "method": PaymentMethod.BANK_TRANSFER, "reference": None,
              "overpayment_confirmed": False, "form_nonce": new_form_nonce()} | fields
    return services.invoices.payments.record(APPROVER, invoice.id, amount_text=amount, **values)


def test_1000_paid_300_then_700_on_two_dates_ends_paid_with_both_payments_listed(
    services: Services, open_1000
) -> None:
    invoice = open_1000()
    today = business_today()
    first, second = today - timedelta(days=12), today - timedelta(days=3)

    partly = _record(services, invoice, "300.00", received_on=first, reference="TRX-1")
    assert (partly.status, partly.amount_paid, partly.amount_remaining) == ("open", 30000, 70000)
    shown = services.invoices.get(invoice.id)  # the read model has it at once
    assert (shown.status, shown.amount_paid, shown.amount_remaining) == ("open", 30000, 70000)

    paid = _record(services, invoice, "700", received_on=second, method=PaymentMethod.CHEQUE,
                   reference="cheque 1001")
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 100000, 0)
    assert paid.paid_at == datetime.fromtimestamp(_noon(second), tz=UTC)

    listed = payments_of_invoice(services.read_model, invoice.id)
    assert [(p.amount, p.received_at, p.method, p.reference, p.recorded_by) for p in listed] == [
        (30000, datetime.fromtimestamp(_noon(first), tz=UTC), "Bank transfer", "TRX-1",
         APPROVER.username),
        (70000, datetime.fromtimestamp(_noon(second), tz=UTC), "Cheque", "cheque 1001",
         APPROVER.username),
    ]
    assert services.invoices.get(invoice.id).status == "paid"
    reasons = list(services.audit.history(invoice.id)["reason"])
    assert any("$300.00 by bank transfer received " + first.isoformat() in str(r)
               for r in reasons)


def test_an_overpayment_is_refused_until_confirmed_then_credits_the_balance(
    services: Services, open_1000, monkeypatch
) -> None:
    invoice = open_1000()
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        _record(services, invoice, "1,250.00")
    assert caught.value.field == "confirm_overpayment"
    assert "$250.00 more than the $1,000.00 still owed" in str(caught.value)
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []

    paid = _record(services, invoice, "1,250.00", overpayment_confirmed=True)
    assert (paid.status, paid.amount_paid) == ("paid", 125000)
    balance = services.client.v1.customers.retrieve(invoice.customer_id or "").balance
    assert balance == -25000


def test_a_date_in_the_future_or_before_finalizing_is_refused_naming_the_field(
    services: Services, open_1000, monkeypatch
) -> None:
    invoice = open_1000()
    seen = record_stripe_requests(monkeypatch)
    for day, words in ((business_today() + timedelta(days=1), "in the future"),
                       (business_today() - timedelta(days=40), "finalized on")):
        with pytest.raises(InvalidInput) as caught:
            _record(services, invoice, "100", received_on=day)
        assert caught.value.field == "received_on" and words in str(caught.value)
    for amount, field in (("0", "amount"), ("12.345", "amount"), ("abc", "amount")):
        with pytest.raises(InvalidInput) as caught:
            _record(services, invoice, amount)
        assert caught.value.field == field
    with pytest.raises(InvalidInput) as caught:
        _record(services, invoice, "100", method="wire")
    assert caught.value.field == "method"
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []
    assert services.invoices.get(invoice.id).amount_paid == 0


def test_a_double_submit_records_one_payment(services: Services, open_1000) -> None:
    invoice = open_1000()
    nonce = new_form_nonce()
    first = _record(services, invoice, "250", form_nonce=nonce)
    again = _record(services, invoice, "250", form_nonce=nonce)
    assert first.amount_paid == again.amount_paid == 25000
    assert len(payments_of_invoice(services.read_model, invoice.id)) == 1


def test_a_retry_after_a_crash_between_report_and_attach_attaches_once(
    services: Services, open_1000, monkeypatch
) -> None:
    invoice = open_1000()
    nonce = new_form_nonce()
    real_attach = InvoiceService.attach_payment

    def crash(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the dashboard process died here")

    monkeypatch.setattr(InvoiceService, "attach_payment", crash)
    with pytest.raises(RuntimeError):
        _record(services, invoice, "400", form_nonce=nonce, reference="wire 7")
    monkeypatch.setattr(InvoiceService, "attach_payment", real_attach)
    done = _record(services, invoice, "400", form_nonce=nonce, reference="wire 7")
    assert (done.amount_paid, done.amount_remaining) == (40000, 60000)
    listed = payments_of_invoice(services.read_model, invoice.id)
    assert [(p.amount, p.reference) for p in listed] == [(40000, "wire 7")]


def test_paid_void_and_draft_invoices_take_no_payment(services: Services, make_invoice) -> None:
    for status in ("paid", "void", "draft"):
        invoice = make_invoice(status)
        with pytest.raises(NotAllowedInState) as caught:
            _record(services, invoice, "1")
        assert caught.value.field == "invoice_id"


def test_nothing_owed_needs_no_payment(make_invoice) -> None:
    invoice = make_invoice("open")
    settled = Invoice(**{**invoice.__dict__, "amount_remaining": 0, "amount_due": 0,
                         "total": 0})
    with pytest.raises(InvalidInput) as caught:
        plan_payment(settled, amount_text=None, received_on=None, method="cash",
                     reference=None, overpayment_confirmed=False)
    assert caught.value.field == "amount" and "no payment is needed" in str(caught.value)


def test_the_plan_says_what_remains(make_invoice) -> None:
    invoice = make_invoice("open")  # 2 x $10.00
    plan = plan_payment(invoice, amount_text="5", received_on=None, method="cash",
                        reference=" ", overpayment_confirmed=False)
    assert (plan.amount, plan.remaining_before, plan.remaining_after, plan.overpaid) == (
        500, 2000, 1500, 0)
    assert plan.reference is None and not plan.pays_in_full
    whole = plan_payment(invoice, amount_text="", received_on=None, method="cash",
                         reference="r", overpayment_confirmed=False)
    assert whole.amount == 2000 and whole.pays_in_full


def test_a_part_paid_invoice_is_outstanding_for_what_remains_and_cash_for_what_came_in(
    services: Services, open_1000
) -> None:
    invoice = open_1000()
    today = business_today()
    received = today - timedelta(days=2)
    _record(services, invoice, "300", received_on=received, reference="TRX-9")
    listed = services.reports.invoices_table(InvoiceFilters(customer_id=invoice.customer_id))
    assert [(r.status, r.amount_paid, r.amount_remaining) for r in listed.itertuples()] == [
        ("open", 30000, 70000)]
    kpis = {k.key: k for k in services.reports.kpis(today)}
    assert kpis["outstanding"].values_by_currency == {"usd": 70000}
    aging = services.reports.aging(today, customer_id=invoice.customer_id)
    assert int(aging[(aging["bucket"] == "total")]["amount_remaining"].sum()) == 70000
    cash = CashReceivedReport(services.engine, business_zone()).report(received, today)
    assert cash.totals == {"usd": 30000}
    (row,) = cash.payments.itertuples()
    assert (row.invoice_id, row.amount, row.method) == (invoice.id, 30000, "Bank transfer")
