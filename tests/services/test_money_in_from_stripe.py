"""Money in through the real pipeline: partial payments reported to the emulator as Stripe
records them (payment records attached to the invoice), copied into the read model, then
seen by Cash received and the customer statement on the days the money arrived."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.readmodel.copies import reread
from services.reporting.cash_received import CashReceivedReport
from services.reporting.statement import StatementReport
from tests.services.conftest import ADMIN

DAY = 86400


def _report(services: Services, amount: int, at: int) -> str:
    record = services.client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": amount}, "initiated_at": at,
        "payment_method_details": {"type": "custom", "custom": {"display_name": "Bank transfer",
                                                                "type": "bank_transfer"}},
        "outcome": "guaranteed", "guaranteed": {"guaranteed_at": at},
    })  # fmt: skip
    return record.id


def test_a_1000_invoice_paid_300_and_700_on_two_days(services: Services, make_customer,
                                                     make_price) -> None:
    customer = make_customer()
    price = make_price("500.00")
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=2)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    invoice = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    now = int(time.time())
    first, second = now - 3 * DAY, now - DAY
    for amount, at in ((30000, first), (70000, second)):
        services.client.v1.invoices.attach_payment(
            invoice.id, {"payment_record": _report(services, amount, at)})
    reread(services.read_model, "invoice", invoice.id)

    today = datetime.now(UTC).date()
    cash = CashReceivedReport(services.engine).report(today - timedelta(days=6), today, "day")
    mine = cash.payments[cash.payments["invoice_id"] == invoice.id]
    assert sorted(zip(mine["received_at"].map(lambda t: int(t.timestamp())), mine["amount"],
                      strict=True)) == [(first, 30000), (second, 70000)]
    # the method the payment record names once the read model expands it, else its kind
    assert set(mine["method"]) in ({"Bank transfer"}, {"Recorded outside Stripe"})
    assert all(str(source).startswith("pr_") for source in mine["payment_record"])

    statement = StatementReport(services.engine).statement(customer.id, today - timedelta(
        days=6), today)
    [usd] = statement.sections
    # the money was dated before the invoice was finalized (now): lines follow the dates
    assert list(usd.lines["kind"]) == ["payment", "payment", "invoice"]
    assert list(usd.lines["balance"]) == [-30000, -100000, 0]
    assert usd.opening == 0 and usd.closing == 0 and usd.aging["total"] == 0


def test_a_credit_note_of_200_on_an_open_1000_leaves_800_on_the_statement(
        services: Services, make_customer, make_price) -> None:
    customer = make_customer()
    price = make_price("500.00")
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=2)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    invoice = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    services.client.v1.credit_notes.create({"invoice": invoice.id, "amount": 20000,
                                            "reason": "order_change"})
    reread(services.read_model, "invoice", invoice.id)

    credit = services.client.v1.credit_notes.list({"invoice": invoice.id}).data[0]
    reread(services.read_model, "credit_note", credit.id)

    today = datetime.now(UTC).date()
    statement = StatementReport(services.engine).statement(customer.id, today, today)
    [usd] = statement.sections
    assert list(zip(usd.lines["kind"], usd.lines["object_id"], usd.lines["amount"],
                    strict=True)) == [("invoice", invoice.id, 100000),
                                      ("credit note", credit.id, -20000)]
    assert credit.number in usd.lines["description"][1]
    assert usd.closing == usd.aging["total"] == 80000


def test_a_credit_note_on_a_paid_invoice_to_the_balance_names_the_balance_transaction(
        services: Services, make_invoice) -> None:
    paid = make_invoice("paid")
    credit = services.client.v1.credit_notes.create(
        {"invoice": paid.id, "amount": 500, "credit_amount": 500, "reason": "duplicate"})
    reread(services.read_model, "invoice", paid.id)
    reread(services.read_model, "credit_note", credit.id)

    today = datetime.now(UTC).date()
    [usd] = StatementReport(services.engine).statement(paid.customer_id, today, today).sections
    notes = usd.lines[usd.lines["kind"].isin(["credit note", "balance transaction"])]
    assert list(notes["amount"]) == [-500, 500]  # owed by nobody: it went to the balance
    assert str(notes["object_id"].iloc[1]).startswith("cbtxn_")
    assert usd.closing == usd.aging["total"] == 0


def test_a_voided_credit_note_gives_the_amount_back_on_its_void_day(
        services: Services, make_invoice) -> None:
    invoice = make_invoice("open")  # 20.00
    credit = services.client.v1.credit_notes.create({"invoice": invoice.id, "amount": 500})
    services.client.v1.credit_notes.void_credit_note(credit.id)
    reread(services.read_model, "invoice", invoice.id)
    reread(services.read_model, "credit_note", credit.id)

    today = datetime.now(UTC).date()
    [usd] = StatementReport(services.engine).statement(invoice.customer_id, today,
                                                       today).sections
    assert list(zip(usd.lines["kind"], usd.lines["amount"], strict=True)) == [
        ("invoice", 2000), ("credit note", -500), ("void", 500)]
    assert usd.closing == usd.aging["total"] == 2000
