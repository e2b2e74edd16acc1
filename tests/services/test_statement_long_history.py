"""A customer with a long history: the statement reads every invoice, payment and credit
note the customer ever had, and its figures (opening, each line with its running balance,
closing, what each invoice still owes and the aging) match a plain reference worked out
here from the objects as they were stored, so a faster way of reading them cannot change a
figure unnoticed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from services.core import clock
from services.core.business_days import day_of, day_start
from services.core.database import make_engine, write_transaction
from services.readmodel import store
from services.reporting.receivables import Reports
from services.reporting.statement import StatementReport
from tests.services.read_model_books import Book, at

CUSTOMER = "cus_longhistory"
FIRST_DAY = datetime(2026, 4, 1)
PERIODS = [(date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 8, 10), date(2026, 9, 19)),
           (date(2026, 1, 1), date(2026, 11, 25))]  # fmt: skip
#: the last period ends after every event: what is open then is what is open now
AFTER_EVERYTHING = PERIODS[-1]


@dataclass(frozen=True)
class Effect:
    """One change to what the customer owes, as the reference sees it."""

    at: int
    kind: str
    object_id: str
    invoice_id: str
    currency: str
    amount: int


def _when(day: datetime, days: int, hour: int, minute: int) -> str:
    return (day + timedelta(days=days, hours=hour, minutes=minute)).strftime("%Y-%m-%d %H:%M")


def _store_credit_note(book: Book, invoice_id: str, amount: int, when: str, n: int) -> str:
    """A pre-payment credit note of ``amount`` on an open invoice, as Stripe leaves both."""
    invoice = book.invoices[invoice_id]
    invoice["amount_due"] -= amount
    invoice["amount_remaining"] -= amount
    invoice["pre_payment_credit_notes_amount"] = amount
    note_id = f"cn_long{n:04d}"
    note = {"id": note_id, "object": "credit_note", "number": f"CN-{n:04d}",
            "invoice": invoice_id, "customer": CUSTOMER, "status": "issued",
            "type": "pre_payment", "reason": "order_change", "currency": invoice["currency"],
            "total": amount, "pre_payment_amount": amount, "post_payment_amount": 0,
            "created": at(when), "effective_at": at(when), "voided_at": None,
            "livemode": False}  # fmt: skip
    with write_transaction(book.engine) as conn:
        store.store_object(conn, "credit_note", note, store.now_version())
        store.store_object(conn, "invoice", dict(invoice), store.now_version(),
                           payments=book.payments[invoice_id])
    return note_id


@pytest.fixture
def history(app_database_url: str) -> tuple[Book, list[Effect]]:
    """60 invoices in two currencies, one every three days from April: open, paid, paid in two
    parts, voided, part paid then written off, overpaid, and some with a credit note
    before payment; each change at its own minute. Returns the book and the reference's
    effects, written down as each object is stored."""
    book = Book(make_engine(app_database_url), customer_id=CUSTOMER)
    book.store_customer()
    effects: list[Effect] = []
    for n in range(60):
        day = FIRST_DAY + timedelta(days=3 * n)
        currency = "eur" if n % 5 == 2 else "usd"
        total = 10_000 + 137 * n
        outcome = n % 6
        status = {3: "void", 4: "uncollectible"}.get(outcome, "open")
        closed = _when(day, 9, 9, n)
        invoice_id = book.invoice(
            total, finalized=_when(day, 0, 10, n), due=_when(day, 30, 0, 0), currency=currency,
            status=status, voided=closed if outcome == 3 else None,
            uncollectible=closed if outcome == 4 else None)  # fmt: skip
        effects.append(Effect(at(_when(day, 0, 10, n)), "invoice", invoice_id, invoice_id,
                              currency, total))
        due = total
        if n % 5 == 0 and outcome in (0, 2):
            note_id = _store_credit_note(book, invoice_id, 1_000, _when(day, 1, 11, n), n)
            effects.append(Effect(at(_when(day, 1, 11, n)), "credit note", note_id,
                                  invoice_id, currency, -1_000))
            due -= 1_000
        paid = []
        if outcome == 1:
            paid = [(due, _when(day, 5, 14, n))]
        elif outcome == 2:
            paid = [(due // 3, _when(day, 3, 15, n)), (due - due // 3, _when(day, 40, 16, n))]
        elif outcome == 4:
            paid = [(2_500, _when(day, 4, 15, n))]
        elif outcome == 5:
            paid = [(due + 1_234, _when(day, 6, 14, n))]
        for amount, when in paid:
            payment_id = book.pay(invoice_id, amount, when)
            effects.append(Effect(at(when), "payment", payment_id, invoice_id, currency,
                                  -amount))
        if outcome == 5:  # the excess goes to the customer's balance, after the payment
            effects.append(Effect(at(paid[0][1]), "balance transaction", invoice_id,
                                  invoice_id, currency, 1_234))
        if outcome in (3, 4):
            still_open = due - sum(amount for amount, _ in paid)
            effects.append(Effect(at(closed), "void" if outcome == 3 else "write-off",
                                  invoice_id, invoice_id, currency, -still_open))
    return book, effects


def _bucket(due: int, end: date) -> str:
    """The aging bucket of an invoice due at ``due`` on a past day ``end``."""
    if due >= day_start(end + timedelta(days=1), clock.business_zone()):
        return "current"
    late = max(1, (end - day_of(due, clock.business_zone())).days)
    return next(name for limit, name in ((30, "1-30"), (60, "31-60"), (90, "61-90"))
                if late <= limit) if late <= 90 else "90+"


@pytest.mark.parametrize("period", PERIODS)
def test_a_long_history_gives_the_figures_of_a_plain_reference(history, period) -> None:
    book, effects = history
    zone = clock.business_zone()
    begins, until = day_start(period[0], zone), day_start(period[1] + timedelta(days=1), zone)
    statement = StatementReport(book.engine).statement(CUSTOMER, *period)
    assert [s.currency for s in statement.sections] == ["eur", "usd"]
    shown_lines = 0
    for section in statement.sections:
        mine = [e for e in effects if e.currency == section.currency and e.at < until]
        during = sorted((e for e in mine if e.at >= begins), key=lambda e: e.at)  # stable
        opening = sum(e.amount for e in mine if e.at < begins)
        assert section.opening == opening
        shown = section.lines
        assert list(zip(shown["kind"], shown["object_id"], shown["invoice_id"],
                        shown["amount"], strict=True)) == [
            (e.kind, e.object_id, e.invoice_id, e.amount) for e in during]  # fmt: skip
        assert [int(d.timestamp()) for d in shown["date"]] == [e.at for e in during]
        running = [opening + sum(e.amount for e in during[: i + 1]) for i in range(len(during))]
        assert list(shown["balance"]) == running
        assert section.closing == opening + sum(e.amount for e in during)
        owed: dict[str, int] = {}
        for e in mine:
            owed[e.invoice_id] = owed.get(e.invoice_id, 0) + e.amount
        still_owed = {invoice_id: amount for invoice_id, amount in owed.items() if amount}
        opened = section.open_invoices
        assert dict(zip(opened["invoice_id"], opened["open_amount"], strict=True)) == still_owed
        aging = dict.fromkeys(["current", "1-30", "31-60", "61-90", "90+"], 0)
        for invoice_id, amount in still_owed.items():
            aging[_bucket(int(book.invoices[invoice_id]["due_date"]), period[1])] += amount
        assert section.aging == {**aging, "total": section.closing}
        shown_lines += len(during)
    # the book makes these figures real: lines in every period, something owed before it
    # (after the first) and at its end
    assert shown_lines > 10
    assert all(s.closing > 0 for s in statement.sections)
    assert period[0] < FIRST_DAY.date() or any(s.opening > 0 for s in statement.sections)


def test_after_every_event_the_aging_is_the_receivables_aging(history) -> None:
    book, _ = history
    statement = StatementReport(book.engine).statement(CUSTOMER, *AFTER_EVERYTHING)
    aging = Reports(book.engine).aging(AFTER_EVERYTHING[1], customer_id=CUSTOMER)
    for section in statement.sections:
        rows = aging[aging["currency"] == section.currency].set_index("bucket")
        receivable = {bucket: int(v) for bucket, v in rows["amount_remaining"].items()}
        assert receivable == section.aging
