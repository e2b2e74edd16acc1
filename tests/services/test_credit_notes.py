"""Credit notes through the real services on the emulator: what is owed, aging, the
customer's balance and next invoice, preview, lines, void, double submit, the read model
(SQLite, or PostgreSQL with ``--app-database=postgresql``)."""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.clock import business_today
from services.core.errors import InvalidInput, NotAllowedInState, PermissionDenied
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem, Invoice
from services.invoicing.credit_notes import CreditLine, CreditNoteRequest, Destination
from tests.services.conftest import ADMIN, APPROVER, CLERK
from tests.services.stripe_requests import record_stripe_requests


@pytest.fixture
def invoice_of(services: Services, make_customer):  # type: ignore[no-untyped-def]
    """An invoice of the given amounts (minor units of USD), open or paid."""

    def make(*amounts: int, status: str = "open", customer_id: str | None = None) -> Invoice:
        owner = customer_id or make_customer().id
        draft = services.invoices.create_draft(
            ADMIN, customer_id=owner,
            items=[DraftItem(amount=amount, description=f"Work {n}")
                   for n, amount in enumerate(amounts, start=1)],
            days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
            form_nonce=new_form_nonce())  # fmt: skip
        invoice = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
        if status == "paid":
            invoice = services.invoices.record_payment(ADMIN, invoice.id, note="wire",
                                                       form_nonce=new_form_nonce())
        return invoice

    return make


def _request(invoice: Invoice, destination: Destination = Destination.REDUCE_OWED,
             **fields) -> CreditNoteRequest:  # type: ignore[no-untyped-def]
    return CreditNoteRequest(invoice_id=invoice.id, reason=fields.pop("reason", "order_change"),
                             destination=destination, **fields)


def _aging_usd(services: Services, customer_id: str | None) -> int:
    aging = services.reports.aging(business_today(), customer_id=customer_id)
    rows = aging[(aging["currency"] == "usd") & (aging["bucket"] == "total")]
    return int(rows["amount_remaining"].sum())


def test_a_200_credit_note_on_an_open_1000_leaves_800_due_and_800_in_aging(
    services: Services, invoice_of
) -> None:
    invoice = invoice_of(100000)
    request = _request(invoice, amount_text="200", memo="Late delivery")
    preview = services.invoices.credit_notes.preview(APPROVER, request)
    assert (preview.total, preview.reduced_owed, preview.to_balance, preview.remaining_before,
            preview.remaining_after) == (20000, 20000, 0, 100000, 80000)
    assert services.invoices.credit_notes.of_invoice(invoice.id) == []  # a preview issues none

    note = services.invoices.credit_notes.issue(APPROVER, request, form_nonce=new_form_nonce())
    assert (note.status, note.total, note.reduced_owed, note.memo) == (
        "issued", 20000, 20000, "Late delivery")
    assert note.number == f"{invoice.number}-CN-01" and note.issued_by == APPROVER.username

    shown = services.invoices.get(invoice.id)  # the read model, at once
    assert (shown.status, shown.amount_due, shown.amount_remaining) == ("open", 80000, 80000)
    assert _aging_usd(services, invoice.customer_id) == 80000
    assert [n.id for n in services.invoices.credit_notes.of_invoice(invoice.id)] == [note.id]
    assert [n.id for n in services.invoices.credit_notes.of_customer(
        invoice.customer_id or "")] == [note.id]


def test_a_credit_note_on_a_paid_invoice_to_the_balance_reduces_the_next_invoice(
    services: Services, invoice_of
) -> None:
    paid = invoice_of(50000, status="paid")
    assert paid.status == "paid"
    refused = _request(paid, amount_text="120")
    with pytest.raises(InvalidInput) as caught:  # nothing is owed any more: choose where
        services.invoices.credit_notes.preview(APPROVER, refused)
    assert caught.value.field == "destination"

    request = _request(paid, Destination.CUSTOMER_BALANCE, amount_text="120",
                       reason="product_unsatisfactory")
    preview = services.invoices.credit_notes.preview(APPROVER, request)
    assert (preview.reduced_owed, preview.to_balance, preview.outside_stripe) == (0, 12000, 0)
    note = services.invoices.credit_notes.issue(APPROVER, request, form_nonce=new_form_nonce())
    assert (note.to_balance, note.reason_label) == (12000, "Product unsatisfactory")

    following = invoice_of(30000, customer_id=paid.customer_id)
    assert (following.total, following.amount_due) == (30000, 18000)
    assert _aging_usd(services, paid.customer_id) == 18000


def test_crediting_lines_and_refunds_outside_stripe(services: Services, invoice_of) -> None:
    invoice = invoice_of(40000, 60000)
    services.invoices.payments.record(
        APPROVER, invoice.id, amount_text="700", received_on=None, method="bank_transfer",
        reference="part", form_nonce=new_form_nonce())
    second = invoice.lines[1] if invoice.lines[1].amount == 60000 else invoice.lines[0]
    request = _request(invoice, Destination.OUTSIDE_STRIPE,
                       lines=(CreditLine(second.id, 1),), reason="duplicate")
    preview = services.invoices.credit_notes.preview(APPROVER, request)
    assert (preview.total, preview.reduced_owed, preview.outside_stripe) == (60000, 30000, 30000)
    note = services.invoices.credit_notes.issue(APPROVER, request, form_nonce=new_form_nonce())
    assert (note.reduced_owed, note.outside_stripe) == (30000, 30000)
    shown = services.invoices.get(invoice.id)
    assert (shown.status, shown.amount_remaining) == ("paid", 0)


def test_a_double_submit_issues_one_credit_note(services: Services, invoice_of) -> None:
    invoice = invoice_of(10000)
    request = _request(invoice, amount_text="10")
    nonce = new_form_nonce()
    first = services.invoices.credit_notes.issue(APPROVER, request, form_nonce=nonce)
    again = services.invoices.credit_notes.issue(APPROVER, request, form_nonce=nonce)
    assert first.id == again.id
    assert len(services.client.v1.credit_notes.list({"invoice": invoice.id}).data) == 1
    assert services.invoices.get(invoice.id).amount_remaining == 9000


def test_voiding_makes_the_amount_owed_again(services: Services, invoice_of) -> None:
    invoice = invoice_of(10000)
    note = services.invoices.credit_notes.issue(APPROVER, _request(invoice, amount_text="30"),
                                                form_nonce=new_form_nonce())
    voided = services.invoices.credit_notes.void(APPROVER, note.id, form_nonce=new_form_nonce())
    assert voided.status == "void" and voided.voided_at is not None
    assert services.invoices.get(invoice.id).amount_remaining == 10000
    assert [n.status for n in services.invoices.credit_notes.of_invoice(invoice.id)] == ["void"]
    with pytest.raises(NotAllowedInState) as caught:
        services.invoices.credit_notes.void(APPROVER, note.id, form_nonce=new_form_nonce())
    assert caught.value.field == "credit_note_id"


def test_form_checks_come_before_stripe(services: Services, invoice_of, monkeypatch) -> None:
    invoice = invoice_of(10000)
    line = invoice.lines[0]
    cases = [
        (_request(invoice, amount_text="10", reason=None), "reason"),
        (_request(invoice, amount_text="10", reason="too_expensive"), "reason"),
        (_request(invoice), "amount"),
        (_request(invoice, amount_text="10", lines=(CreditLine(line.id, 1),)), "amount"),
        (_request(invoice, amount_text="0"), "amount"),
        (_request(invoice, amount_text="1.234"), "amount"),
        (_request(invoice, lines=(CreditLine(line.id, 2),)), "lines[0].quantity"),
        (_request(invoice, amount_text="150"), "destination"),
        (CreditNoteRequest(invoice.id, "duplicate", "somewhere", amount_text="1"), "destination"),
        (_request(invoice, amount_text="1", memo="a\x00b"), "memo"),
    ]
    seen = record_stripe_requests(monkeypatch)
    for request, field in cases:
        with pytest.raises(InvalidInput) as caught:
            services.invoices.credit_notes.issue(APPROVER, request, form_nonce=new_form_nonce())
        assert caught.value.field == field, (request, caught.value)
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []


def test_only_approvers_issue_and_drafts_and_void_invoices_take_none(
    services: Services, invoice_of, make_invoice
) -> None:
    invoice = invoice_of(10000)
    with pytest.raises(PermissionDenied):
        services.invoices.credit_notes.preview(CLERK, _request(invoice, amount_text="1"))
    with pytest.raises(PermissionDenied):
        services.invoices.credit_notes.issue(CLERK, _request(invoice, amount_text="1"),
                                             form_nonce=new_form_nonce())
    for status in ("draft", "void"):
        other = make_invoice(status)
        with pytest.raises(NotAllowedInState) as caught:
            services.invoices.credit_notes.preview(APPROVER, _request(other, amount_text="1"))
        assert caught.value.field == "invoice_id"


def test_credit_note_events_bring_the_note_and_its_invoice(
    services: Services, invoice_of
) -> None:
    invoice = invoice_of(10000)
    created = services.client.v1.credit_notes.create({"invoice": invoice.id, "amount": 2500})
    event = next(e for e in services.client.v1.events.list({"type": "credit_note.created",
                                                            "limit": 20}).data
                 if e.data.object.id == created.id)
    snapshots = services.read_model.snapshots_for_event(event.to_dict())
    assert {(s.kind, s.object_id) for s in snapshots} == {("credit_note", created.id),
                                                          ("invoice", invoice.id)}
    services.read_model.save(snapshots)
    assert services.invoices.get(invoice.id).amount_remaining == 7500
    assert [n.id for n in services.invoices.credit_notes.of_invoice(invoice.id)] == [created.id]
