"""The invoice timeline gives each payment and credit note made in the dashboard the time
of its own audit row, linked by the write's idempotency key (which the payment record's
and credit note's metadata carry), not by guessing the n-th one (real services on the
emulator)."""

from __future__ import annotations

from datetime import timedelta

from services.core.clock import business_today
from services.invoicing.credit_notes import CreditNoteRequest, Destination
from services.invoicing.payments import PaymentMethod
from services.readmodel.credit_note_queries import credit_notes_of_invoice
from services.readmodel.invoice_payment_list import payments_of_invoice
from tests.ui import seed
from ui.invoice_timeline import instant, money_events


def test_payments_backdated_out_of_order_each_show_their_own_recording_time(services) -> None:  # type: ignore[no-untyped-def]
    customer = seed.clocked_customer(services, "Backdated", "backdated@example.com",
                                     days_ago=20)
    price = seed.one_time_price(services, "100.00")
    draft = seed.draft_invoice(services, customer.id, price.id)
    invoice = services.invoices.finalize(seed.ADMIN, draft.id, form_nonce=seed.nonce())
    today = business_today()
    # recorded first: received 2 days ago; recorded second: received 9 days ago
    for amount, days_ago in (("30", 2), ("20", 9)):
        services.invoices.payments.record(
            seed.ADMIN, invoice.id, amount_text=amount,
            received_on=today - timedelta(days=days_ago), method=PaymentMethod.CHEQUE,
            reference=None, overpayment_confirmed=False, form_nonce=seed.nonce())
    services.invoices.credit_notes.issue(seed.ADMIN, CreditNoteRequest(
        invoice_id=invoice.id, reason="order_change", destination=Destination.REDUCE_OWED,
        amount_text="5"), form_nonce=seed.nonce())

    history = services.audit.history(invoice.id)
    done = history[history["outcome"] == "success"]
    recorded_at = {  # the audit row of each write, found by the amount its reason names
        text: instant(done[done["reason"].str.contains(text, regex=False)]["at"].iloc[0])
        for text in ("$30.00", "$20.00")}
    (issued_at,) = [instant(at) for at in done[done["action"] == "issue_credit_note"]["at"]]
    assert recorded_at["$30.00"] < recorded_at["$20.00"] < issued_at

    payments = payments_of_invoice(services.read_model, invoice.id)
    assert [p.amount for p in payments] == [2000, 3000]  # listed by received date
    notes = credit_notes_of_invoice(services.engine, invoice.id)
    events = money_events(payments, notes, history)
    when = {row["What"]: at for at, row in events}
    assert when["Payment of $30.00 received (Cheque)"] == recorded_at["$30.00"]
    assert when["Payment of $20.00 received (Cheque)"] == recorded_at["$20.00"]
    assert when[f"Credit note {invoice.number}-CN-01 of $5.00 issued"] == issued_at
