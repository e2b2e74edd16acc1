"""The Invoice page's timeline: every step, draft edit, payment and credit note, in the
order they happened.

Each event carries its instant (a UTC :class:`pandas.Timestamp`) until the very end:
the table is sorted on instants and only then written as text ("25 Nov 2026 14:03",
business time zone, by :func:`ui.formatting.moment`). What the dashboard did takes the
time of its audit row (``services.audit.history``): Stripe stamps objects of a customer
on a test clock with the clock's frozen time, which is not when anybody did anything.
What happened in Stripe alone (a customer paying online) keeps Stripe's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from ui.formatting import moment, money

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.readmodel.credit_note_queries import CreditNote
    from services.readmodel.invoice_payment_list import InvoicePaymentRow

#: Timeline steps: (label, invoice attribute with the time, audit actions that did it)
TIMELINE_STEPS = (
    ("Created", "created", ("create_draft", "duplicate_invoice")),
    ("Finalized", "finalized_at", ("finalize_invoice",)),
    ("Sent", None, ("send_invoice",)),
    ("Paid", "paid_at", ("record_payment",)),
    ("Voided", "voided_at", ("void_invoice",)),
    ("Marked uncollectible", "marked_uncollectible_at", ("mark_uncollectible",)),
)
#: Edits of a draft (:mod:`services.invoicing.draft_edits`), by audit action.
DRAFT_EDITS = {
    "add_line": "Line added",
    "update_line": "Line changed",
    "remove_line": "Line removed",
    "edit_draft_terms": "Terms, tax rates or invoice coupons changed",
}
TIMELINE_COLUMNS = ["When", "What", "Who", "Reason or note"]
SUCCESS = "success"  # audit rows of writes that went through
NO_PAYMENT_NEEDED = "No payment needed"

#: One timeline event: its instant (None: unknown, listed last) and its columns but "When".
Event = tuple[pd.Timestamp | None, dict[str, str]]


def instant(value: datetime | pd.Timestamp | None) -> pd.Timestamp | None:
    """``value`` as a UTC timestamp (naive values are UTC, as stored); None stays None."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def cell_text(value: object) -> str:
    """An audit cell as table text: "" when missing. The audit frame's text columns hold
    NaN, not None, for a missing value once any row has one (pandas' ``str`` dtype), and
    NaN is truthy: ``str(value or "")`` would write "nan"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def nothing_was_due(invoice: Invoice) -> bool:
    """A paid invoice of 0.00: Stripe marks it paid at finalization, nobody paid anything."""
    return invoice.status == "paid" and invoice.amount_due == 0 == invoice.amount_paid


def succeeded(history: pd.DataFrame, actions: Sequence[str]) -> pd.DataFrame:
    """The audit rows of ``actions`` that went through, oldest first, a repeated
    submission (same idempotency key, Stripe replayed its answer) counted once."""
    if not len(history):
        return history
    done = history[(history["outcome"] == SUCCESS) & history["action"].isin(list(actions))]
    keyed = done["idempotency_key"].notna()
    return pd.concat([done[keyed].drop_duplicates("idempotency_key"), done[~keyed]]
                     ).sort_values("at", kind="stable")


def step_events(invoice: Invoice, history: pd.DataFrame) -> list[Event]:
    """The status steps the invoice went through, and each edit of its draft."""
    events: list[Event] = []
    for step, attribute, actions in TIMELINE_STEPS:
        done = succeeded(history, actions)
        at = getattr(invoice, attribute) if attribute else None
        if at is None and (not len(done) or step == "Paid"):  # a part payment pays nothing
            continue
        audit = done.iloc[-1] if len(done) else None
        if audit is not None:
            events.append((instant(audit["at"]), {
                "What": step, "Who": cell_text(audit["username"]),
                "Reason or note": cell_text(audit.get("reason"))}))
        else:
            paid_by = NO_PAYMENT_NEEDED if nothing_was_due(invoice) else \
                "Stripe (customer payment)"
            events.append((instant(at), {"What": step,
                                         "Who": paid_by if step == "Paid" else "Stripe",
                                         "Reason or note": ""}))
    for _, edit in succeeded(history, list(DRAFT_EDITS)).iterrows():
        events.append((instant(edit["at"]), {
            "What": DRAFT_EDITS[str(edit["action"])], "Who": cell_text(edit["username"]),
            "Reason or note": ""}))
    return events


def money_events(payments: Sequence[InvoicePaymentRow], notes: Sequence[CreditNote],
                 history: pd.DataFrame) -> list[Event]:
    """Each payment, credit note and voided credit note. A payment recorded or a credit
    note issued in the dashboard takes the time of its own audit row: the one whose
    idempotency key the payment record's or credit note's metadata carries
    (``write_key``); the rest keep Stripe's time."""
    recorded = write_times(history, "record_payment")
    issued = write_times(history, "issue_credit_note")
    events: list[Event] = []
    for p in payments:
        at = recorded.get(p.write_key) if p.write_key else None
        events.append((at or instant(p.received_at), {
            "What": f"Payment of {money(p.amount, p.currency)} received ({p.method})",
            "Who": p.recorded_by or "Stripe (customer payment)",
            "Reason or note": p.reference or ""}))
    for n in notes:
        at = issued.get(n.write_key) if n.write_key else None
        events.append((at or instant(n.created), {
            "What": f"Credit note {n.number or n.id} of {money(n.total, n.currency)} issued",
            "Who": n.issued_by or "Stripe", "Reason or note": n.reason_label}))
        if n.voided_at is not None:
            events.append((instant(n.voided_at), {
                "What": f"Credit note {n.number or n.id} voided", "Who": "",
                "Reason or note": ""}))
    return events


def write_times(history: pd.DataFrame, action: str) -> dict[str, pd.Timestamp]:
    """The time of each successful ``action`` audit row, by its idempotency key (the
    first row of a key: a repeated submission did nothing new)."""
    if not len(history):
        return {}
    done = succeeded(history, [action])
    return {str(key): stamp for key, at in zip(done["idempotency_key"], done["at"], strict=True)
            if pd.notna(key) and (stamp := instant(at)) is not None}


def timeline_table(events: Sequence[Event]) -> pd.DataFrame:
    """``events`` in time order (unknown times last; ties keep their order), as text."""
    ordered = sorted(enumerate(events), key=lambda item: (
        item[1][0] is None, item[1][0] or pd.Timestamp(0, tz="UTC"), item[0]))
    return pd.DataFrame([{"When": moment(at.to_pydatetime() if at is not None else None), **row}
                         for _, (at, row) in ordered], columns=TIMELINE_COLUMNS)
