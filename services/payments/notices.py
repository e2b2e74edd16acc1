"""The words of the messages sent to customers about their invoice payments.

One function per message; each returns ``(subject, body)``. Amounts are integer
minor units and are shown in the invoice's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.core.money import currency_exponent, to_major


@dataclass(frozen=True)
class InvoiceSummary:
    """What a notice needs to know about the invoice."""

    invoice_id: str
    number: str | None
    customer_name: str | None
    amount: int
    currency: str
    hosted_invoice_url: str | None = None

    @property
    def label(self) -> str:
        """The invoice number when it has one, otherwise its id."""
        return self.number or self.invoice_id


def format_money(minor_units: int, currency: str) -> str:
    """``(123450, "usd")`` → ``"1,234.50 USD"``; exact (Decimal), never through floats."""
    exponent = currency_exponent(currency)
    return f"{to_major(minor_units, currency):,.{exponent}f} {currency.upper()}"


def _greeting(summary: InvoiceSummary) -> str:
    return f"Hello {summary.customer_name}," if summary.customer_name else "Hello,"


def payment_confirmation(summary: InvoiceSummary, paid_at: int | None) -> tuple[str, str]:
    """Sent once when the invoice is paid."""
    when = ""
    if paid_at:
        when = f" on {datetime.fromtimestamp(paid_at, UTC):%d %B %Y}"
    subject = f"Payment received for invoice {summary.label}"
    body = (
        f"{_greeting(summary)}\n\n"
        f"Thank you: we received your payment of "
        f"{format_money(summary.amount, summary.currency)} for invoice {summary.label}{when}.\n"
        "The invoice is now paid; no further action is needed.\n"
    )
    return subject, body


def payment_processing(summary: InvoiceSummary) -> tuple[str, str]:
    """Sent when a bank debit starts (it settles days later)."""
    subject = f"We received your payment for invoice {summary.label}"
    body = (
        f"{_greeting(summary)}\n\n"
        f"We received your payment of {format_money(summary.amount, summary.currency)} for "
        f"invoice {summary.label}; it is being processed.\n"
        "Bank debits usually take a few business days to settle. We will confirm when it has.\n"
    )
    return subject, body


def payment_failed(summary: InvoiceSummary, *, reminder: bool = False) -> tuple[str, str]:
    """Sent when a payment attempt fails, with the link to pay again."""
    prefix = "Reminder: " if reminder else ""
    subject = f"{prefix}Payment failed for invoice {summary.label}, please try again"
    link = summary.hosted_invoice_url or "(ask us for a payment link)"
    body = (
        f"{_greeting(summary)}\n\n"
        f"Your payment of {format_money(summary.amount, summary.currency)} for invoice "
        f"{summary.label} did not go through.\n"
        f"Please try again with this link: {link}\n"
    )
    return subject, body
