"""What was paid and credited on an invoice, in date order (for its PDF and hosted page).

Each entry is ``(unix time, label, amount in minor units)``: paid ``invoice_payment`` objects
(a card or bank debit PaymentIntent, or an attached payment record, labelled with its
method's display name and reference) and issued credit notes (labelled with their number;
the amount is the credit note's total, shown negative).
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.credit_note import CREDIT_NOTES
from stripe_emulator.models.payment import INVOICE_PAYMENTS
from stripe_emulator.models.payment_record import PAYMENT_RECORDS

Entry = tuple[int, str, int]


def _payment_label(state: EmulatorState, payment: dict[str, Any]) -> str:
    record_id = payment["payment"].get("payment_record")
    record = state.store.get(PAYMENT_RECORDS, record_id) if record_id else None
    if record is None:
        return "Payment"
    custom = (record["payment_method_details"] or {}).get("custom") or {}
    reference = ((record["processor_details"] or {}).get("custom") or {}).get(
        "payment_reference")
    label = f"Payment ({custom.get('display_name') or 'outside Stripe'})"
    return f"{label}, ref. {reference}" if reference else label


def history(state: EmulatorState, invoice_id: str) -> list[Entry]:
    """Paid payments and issued credit notes of the invoice, oldest first."""
    entries: list[Entry] = []
    for payment in state.store.select(INVOICE_PAYMENTS, Where().eq("invoice", invoice_id)
                                      .eq("status", "paid")):
        when = payment["status_transitions"]["paid_at"] or payment["created"]
        entries.append((int(when), _payment_label(state, payment), int(payment["amount_paid"])))
    for note in state.store.select(CREDIT_NOTES, Where().eq("invoice", invoice_id)
                                   .eq("status", "issued")):
        entries.append((int(note["effective_at"] or note["created"]),
                        f"Credit note {note['number']}", -int(note["total"])))
    return sorted(entries, key=lambda entry: entry[0])
