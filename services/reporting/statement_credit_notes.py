"""Credit notes as lines of a customer statement (a source of ``statement.LINE_SOURCES``).

Stripe takes a credit note's ``pre_payment_amount`` off its invoice's ``amount_due``
(https://docs.stripe.com/invoicing/dashboard/credit-notes), so the statement shows the
invoice gross (its ``amount_due`` plus ``pre_payment_credit_notes_amount``) and each
credit note as a line of its own: ``-pre_payment_amount`` on the day it took effect, and
``+pre_payment_amount`` again on the day it was voided. The ``post_payment_amount`` of a
credit note on a paid invoice was owed by nobody: it shows as the credit note's line
and, beside it, where the money went (the customer's credit balance, naming its
``cbtxn_…``, or a refund, outside Stripe or not), so what the customer owes on invoices
is unchanged. Amounts are integer minor units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.core.money import format_amount
from services.readmodel.statement_queries import StoredCreditNote, customer_credit_notes
from services.reporting.statement_lines import StatementLine, StatementScope


def _where_it_went(data: Mapping[str, Any]) -> str:
    balance = data.get("customer_balance_transaction")
    if balance:
        found = balance if isinstance(balance, str) else balance.get("id")
        return f"credited to the customer's balance ({found})"
    if data.get("out_of_band_amount"):
        return "refunded outside Stripe"
    if data.get("refunds"):
        return "refunded"
    return "credited"


def _destination(note: StoredCreditNote) -> tuple[str, str]:
    """The line kind and Stripe id of where a post-payment credit went."""
    balance = note.data.get("customer_balance_transaction")
    if balance:
        return "balance transaction", str(balance if isinstance(balance, str) else balance["id"])
    return "refund", note.credit_note_id


def credit_note_lines(scope: StatementScope) -> list[StatementLine]:
    """Each credit note of the scope's customer that took effect before its ``until``
    (Unix seconds)."""
    lines: list[StatementLine] = []
    for note in customer_credit_notes(scope.engine, scope.customer_id, until=scope.until):
        lines += _lines_of(note, scope.until)
    return lines


def _lines_of(note: StoredCreditNote, until: int) -> list[StatementLine]:
    label = note.number or note.credit_note_id
    on = f" on {note.invoice_number or note.invoice_id}" if note.invoice_id else ""
    why = f" ({note.reason.replace('_', ' ')})" if note.reason else ""
    when = int(note.effective_at)

    def line(at: int, kind: str, words: str, object_id: str, amount: int) -> StatementLine:
        return StatementLine(at, kind, words, object_id, note.invoice_id, note.invoice_number,
                             note.currency, amount)

    lines = []
    if note.pre_payment_amount:
        lines.append(line(when, "credit note", f"Credit note {label}{on}{why}",
                          note.credit_note_id, -note.pre_payment_amount))
    if note.post_payment_amount:
        shown = format_amount(note.post_payment_amount, note.currency)
        lines.append(line(when, "credit note", f"Credit note {label}{on} after payment{why}",
                          note.credit_note_id, -note.post_payment_amount))
        kind, object_id = _destination(note)
        lines.append(line(when, kind,
                          f"{shown} of credit note {label} {_where_it_went(note.data)}",
                          object_id, note.post_payment_amount))
    if note.voided_at is not None and note.voided_at < until and note.pre_payment_amount:
        lines.append(line(int(note.voided_at), "void", f"Credit note {label} voided",
                          note.credit_note_id, note.pre_payment_amount))
    return lines
