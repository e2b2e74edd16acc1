"""Money received outside Stripe, recorded on an invoice: partial and dated payments.

Follows Stripe's "Accept partial payments" for invoices paid outside Stripe
(https://docs.stripe.com/invoicing/partial-payments, API 2026-10-28.endive): the
payment is reported as a PaymentRecord (``POST /v1/payment_records/report_payment``:
``amount_requested``, ``initiated_at``, ``outcome=guaranteed`` with ``guaranteed_at``,
``payment_method_details[type]=custom`` with the method's display name,
``processor_details[custom][payment_reference]``, ``customer_details``, ``metadata``) and
then attached to the invoice (``POST /v1/invoices/{id}/attach_payment``). Stripe keeps the
invoice open until ``amount_paid`` reaches ``amount_due``; the completing payment makes it
paid, dated by that payment; an overpayment is credited to the customer's balance.

What is checked before anything is sent (:class:`InvalidInput` naming the field):
the amount (``amount``: minor units of the invoice's currency, its rules from
:mod:`services.core.money`; blank means what remains), the date the money arrived
(``received_on``: not in the future, not before the invoice was finalized, both in the
business time zone), the method (``method``), the reference (``reference``), and an
overpayment (``confirm_overpayment``: refused unless confirmed). A 0.00 invoice needs no
payment.

Exactly once: both calls carry idempotency keys derived from the form's key, the record's
metadata names that key, and the payment's time is fixed by the first attempt (the write
intent's start), so submitting the same form again after a crash replays Stripe's first
answers and attaches the payment once; a form already attached is answered without
writing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

import stripe
from sqlalchemy import select
from stripe.params import PaymentRecordReportPaymentParams

from services.core import limits
from services.core.access import Action, Actor
from services.core.clock import business_time, business_today, business_zone, utc_now
from services.core.errors import InvalidInput
from services.core.idempotency import idempotency_key, sub_key
from services.core.intents import write_intents
from services.core.models import Invoice, as_mapping, invoice_from_stripe, object_id
from services.core.money import format_amount, parse_amount
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.invoicing.rules import require_status
from services.readmodel.copies import copy_or_reread
from services.readmodel.sync import ReadModelSync

#: The invoice is read with its payments and each payment's record (method, reference).
PAYMENTS_EXPAND = ["payments", "payments.data.payment.payment_record"]
#: Metadata key on the PaymentRecord naming the form submission that made it.
FORM_KEY = "dashboard_payment"
#: A payment reference longer than this is refused (Stripe's metadata values take 500).
REFERENCE_LENGTH = limits.METADATA_VALUE


class PaymentMethod(StrEnum):
    """How money came in outside Stripe."""

    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    CASH = "cash"
    OTHER = "other"


#: The name shown on screen and sent as ``payment_method_details.custom.display_name``.
METHOD_NAMES: dict[PaymentMethod, str] = {
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.CHEQUE: "Cheque",
    PaymentMethod.CASH: "Cash",
    PaymentMethod.OTHER: "Other",
}


@dataclass(frozen=True)
class PaymentPlan:
    """What recording a payment will do, for the confirmation (minor units of ``currency``).

    ``remaining_after`` is what is still owed afterwards (0 when paid in full) and
    ``overpaid`` what goes beyond what is owed (credited to the customer's balance).
    """

    invoice_id: str
    currency: str
    amount: int
    remaining_before: int
    remaining_after: int
    overpaid: int
    received_on: date
    method: PaymentMethod
    reference: str | None

    @property
    def pays_in_full(self) -> bool:
        return self.remaining_after == 0

    def summary(self) -> str:
        """One line for the audit trail: amount, method, date and reference."""
        reference = f", reference {self.reference}" if self.reference else ""
        return (f"{format_amount(self.amount, self.currency)} by "
                f"{METHOD_NAMES[self.method].lower()} received {self.received_on.isoformat()}"
                f"{reference}")


def payment_method(value: object) -> PaymentMethod:
    """``value`` (a :class:`PaymentMethod` or its text) or :class:`InvalidInput` on ``method``."""
    try:
        return PaymentMethod(str(value or "").strip())
    except ValueError as exc:
        names = ", ".join(name.lower() for name in METHOD_NAMES.values())
        raise InvalidInput(f"Choose how the money came in ({names}).", field="method") from exc


def plan_payment(
    invoice: Invoice,
    *,
    amount_text: str | None,
    received_on: date | None,
    method: object,
    reference: str | None,
    overpayment_confirmed: bool,
    today: date | None = None,
) -> PaymentPlan:
    """Check a payment on ``invoice`` and say what it will do; nothing is sent.

    Raises :class:`~services.core.errors.NotAllowedInState` (``invoice_id``) unless the
    invoice is open or uncollectible, and :class:`InvalidInput` naming ``amount`` (not an
    amount of the currency, zero, nothing owed), ``received_on`` (in the future, before
    the invoice was finalized), ``method``, ``reference`` or ``confirm_overpayment`` (more
    than what remains, not confirmed).
    """
    require_status(invoice, Action.RECORD_PAYMENT)
    remaining = invoice.amount_remaining
    currency = invoice.currency
    if remaining <= 0:
        raise InvalidInput(
            f"Nothing is owed on invoice {invoice.number or invoice.id}: no payment is needed.",
            field="amount",
        )
    amount = _amount(amount_text, currency, remaining)
    chosen = payment_method(method)
    ref = clean_text(reference, field="reference", label="payment reference",
                     max_length=REFERENCE_LENGTH) or None  # fmt: skip
    day = _received_on(invoice, received_on, today or business_today())
    overpaid = max(0, amount - remaining)
    if overpaid and not overpayment_confirmed:
        raise InvalidInput(
            f"{format_amount(amount, currency)} is {format_amount(overpaid, currency)} more "
            f"than the {format_amount(remaining, currency)} still owed. Confirm the overpayment "
            "(the excess is credited to the customer's balance) or lower the amount.",
            field="confirm_overpayment",
        )
    return PaymentPlan(invoice.id, currency, amount, remaining, max(0, remaining - amount),
                       overpaid, day, chosen, ref)


def _amount(text: str | None, currency: str, remaining: int) -> int:
    if text is None or not str(text).strip():
        return remaining
    try:
        amount = parse_amount(str(text), currency)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="amount") from exc
    if amount <= 0:
        raise InvalidInput("The amount received must be more than zero.", field="amount")
    return amount


def _received_on(invoice: Invoice, received_on: date | None, today: date) -> date:
    day = received_on or today
    if day > today:
        raise InvalidInput(
            f"The money cannot have arrived in the future ({day.isoformat()}; today is "
            f"{today.isoformat()}).",
            field="received_on",
        )
    if invoice.finalized_at is not None:
        finalized = business_time(invoice.finalized_at).date()
        if day < finalized:
            raise InvalidInput(
                f"The invoice was finalized on {finalized.isoformat()}; a payment for it "
                f"cannot have arrived before that ({day.isoformat()}).",
                field="received_on",
            )
    return day


def payment_moment(day: date, *, finalized_at: datetime | None, first_attempt: datetime) -> int:
    """When the money is recorded as received (Unix seconds): noon of ``day`` in the business
    time zone (a calendar day in any reading within 12 hours of it), not before the
    invoice was finalized and not after the first attempt to record it (so never in the
    future, and the same for every retry of one submission)."""
    noon = datetime.combine(day, time(12), tzinfo=business_zone()).astimezone(UTC)
    moment = max(noon, finalized_at) if finalized_at is not None else noon
    return int(min(moment, first_attempt).timestamp())


class InvoicePayments:
    """Record payments received outside Stripe on invoices (partial, dated)."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model

    def record(
        self,
        actor: Actor,
        invoice_id: str,
        *,
        amount_text: str | None,
        received_on: date | None,
        method: object,
        reference: str | None,
        overpayment_confirmed: bool = False,
        form_nonce: str,
    ) -> Invoice:
        """Record a payment of ``amount_text`` (blank: what remains) received on
        ``received_on`` (None: now, see :meth:`_now_for`) by ``method`` with ``reference``;
        the invoice as Stripe has it afterwards (with its payments).

        Raises what :func:`plan_payment` raises (before anything is sent),
        :class:`~services.core.errors.PermissionDenied` below approver, and Stripe's
        refusals in the project's words. Audited as ``record_payment``.
        """
        payload = {"invoice": invoice_id, "amount": (amount_text or "").strip(),
                   "received_on": received_on, "method": str(method or ""),
                   "reference": reference or "", "overpayment": bool(overpayment_confirmed)}
        key = idempotency_key(actor, "record_payment", key_safe(payload), form_nonce)
        with self._writes.write(actor, Action.RECORD_PAYMENT, "record_payment",
                                object_id=invoice_id, key=key) as w:
            current = self._live(invoice_id)
            if _attached_by(current, key):  # this submission already went through
                return invoice_from_stripe(current)
            invoice = invoice_from_stripe(current)
            plan = plan_payment(invoice, amount_text=amount_text, received_on=received_on,
                                method=method, reference=reference,
                                overpayment_confirmed=overpayment_confirmed)
            w.reason = plan.summary()
            first_attempt = self._first_attempt(key)
            at = payment_moment(plan.received_on, finalized_at=invoice.finalized_at,
                                first_attempt=first_attempt) if received_on is not None \
                else self._now_for(invoice, first_attempt)
            params = self._report_params(actor, invoice, plan, at, key)
            record = w.call(lambda: self._client.v1.payment_records.report_payment(
                params=params, options={"idempotency_key": sub_key(key, "report")}))
            attached = w.call(lambda: self._client.v1.invoices.attach_payment(
                invoice_id, params={"payment_record": record.id, "expand": PAYMENTS_EXPAND},
                options={"idempotency_key": sub_key(key, "attach")}))
        return invoice_from_stripe(attached)

    def _report_params(self, actor: Actor, invoice: Invoice, plan: PaymentPlan, at: int,
                       key: str) -> PaymentRecordReportPaymentParams:
        params: PaymentRecordReportPaymentParams = {
            "amount_requested": {"currency": invoice.currency, "value": plan.amount},
            "initiated_at": at,
            "outcome": "guaranteed",
            "guaranteed": {"guaranteed_at": at},
            "payment_method_details": {
                "type": "custom",
                "custom": {"display_name": METHOD_NAMES[plan.method], "type": plan.method.value},
            },
            "description": f"Payment for invoice {invoice.number or invoice.id}",
            "metadata": {"invoice": invoice.id, "recorded_by": actor.username,
                         "received_on": plan.received_on.isoformat(), FORM_KEY: key},
        }
        if invoice.customer_id:
            params["customer_details"] = {"customer": invoice.customer_id}
        if plan.reference:
            params["processor_details"] = {"type": "custom",
                                           "custom": {"payment_reference": plan.reference}}
        return params

    def _live(self, invoice_id: str) -> dict[str, Any]:
        """The invoice as Stripe has it now, with its payments and their records."""
        return as_mapping(stripe_call(lambda: self._client.v1.invoices.retrieve(
            invoice_id, params={"expand": PAYMENTS_EXPAND})))

    def _now_for(self, invoice: Invoice, first_attempt: datetime) -> int:
        """"Now" for a payment given no date: the first attempt's time, or, for a customer
        on a Stripe test clock, the clock's time (Stripe's own "now" for that customer)."""
        customer = copy_or_reread(self._read_model, "customer", invoice.customer_id or "") \
            if invoice.customer_id else None
        clock_id = object_id((customer or {}).get("test_clock"))
        if clock_id:
            clock = as_mapping(stripe_call(
                lambda: self._client.v1.test_helpers.test_clocks.retrieve(clock_id)))
            if clock.get("frozen_time") is not None:
                return int(clock["frozen_time"])
        return int(first_attempt.timestamp())

    def _first_attempt(self, key: str) -> datetime:
        """When this submission was first tried (its write intent), else now."""
        with self._read_model.engine.connect() as conn:
            started = conn.execute(select(write_intents.c.started_at).where(
                write_intents.c.idempotency_key == key)).scalar()
        if started is None:
            return utc_now()
        return started if started.tzinfo is not None else started.replace(tzinfo=UTC)


def _attached_by(invoice: dict[str, Any], key: str) -> bool:
    """Whether one of the invoice's payments is the record this submission made."""
    for payment in (invoice.get("payments") or {}).get("data") or []:
        record = (payment.get("payment") or {}).get("payment_record")
        if isinstance(record, dict) and (record.get("metadata") or {}).get(FORM_KEY) == key:
            return True
    return False
