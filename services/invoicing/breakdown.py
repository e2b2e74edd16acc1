"""An invoice's amounts as Stripe computed them: subtotal, each discount, each tax, total.

Nothing here does arithmetic on money: every figure is read from Stripe's own fields
(https://docs.stripe.com/api/invoices/object: ``subtotal``, ``total_discount_amounts``,
``total_excluding_tax``, ``total_taxes``, ``total``, ``amount_due``; per line
``amount``, ``discount_amounts`` and ``taxes``), whether the invoice is a stored
draft, a finalized invoice or the answer of ``invoices.create_preview``. Only the
labels are ours: a tax under its rate's display name and percentage, a discount under
its coupon's name. Amounts are integer minor units of ``currency``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.core.models import as_mapping, line_from_stripe, object_id
from services.core.rates_and_coupons import Coupon, TaxRate, coupon_from_stripe, percent_text


@dataclass(frozen=True)
class TaxAmount:
    """One tax on a line or on the invoice: ``amount`` of ``taxable_amount``."""

    label: str  # "VAT 20%" or "VAT 20% incl."
    tax_rate_id: str | None
    inclusive: bool
    taxable_amount: int
    amount: int


@dataclass(frozen=True)
class DiscountAmount:
    """One discount's amount on a line or on the invoice."""

    label: str  # "Loyalty (10% off)"
    discount_id: str | None
    amount: int
    #: True for the invoice's own discounts; False for a line's, which Stripe's
    #: ``subtotal`` already has taken off ("item discounts are already incorporated").
    on_invoice: bool = True
    coupon_id: str | None = None


@dataclass(frozen=True)
class LineBreakdown:
    """One line: its amount before discounts, then its discounts and taxes."""

    id: str
    invoice_item_id: str | None
    description: str | None
    quantity: int
    unit_amount: int | None
    amount: int
    discounts: tuple[DiscountAmount, ...]
    taxes: tuple[TaxAmount, ...]
    tax_rate_ids: tuple[str, ...]
    discount_ids: tuple[str, ...]  # the line's own discounts (di_…), not the invoice's
    #: The line's own ``tax_rates`` (empty: the invoice's ``default_tax_rates`` apply);
    #: ``tax_rate_ids`` also names the defaults Stripe taxed the line with.
    own_tax_rate_ids: tuple[str, ...] = ()

    @property
    def coupon_ids(self) -> tuple[str, ...]:
        """The coupons behind the line's OWN discounts: ``discount_amounts`` also lists the
        invoice's discounts as applied to the line, which are not the line's to edit."""
        own = set(self.discount_ids)
        return tuple(d.coupon_id for d in self.discounts
                     if d.coupon_id and d.discount_id in own)


@dataclass(frozen=True)
class InvoiceBreakdown:
    """The invoice's figures, each exactly as Stripe gives it."""

    currency: str
    subtotal: int
    discounts: tuple[DiscountAmount, ...]
    total_excluding_tax: int
    taxes: tuple[TaxAmount, ...]
    total: int
    amount_due: int
    amount_paid: int
    amount_remaining: int
    lines: tuple[LineBreakdown, ...]
    default_tax_rate_ids: tuple[str, ...]
    #: Stripe's ``starting_balance`` (customer balance applied; negative: a credit) and
    #: ``pre_payment_credit_notes_amount`` (taken off ``amount_due``) and
    #: ``post_payment_credit_notes_amount`` (refunded or credited after payment).
    starting_balance: int = 0
    pre_payment_credit_notes: int = 0
    post_payment_credit_notes: int = 0

    @property
    def discount_total(self) -> int:
        """The sum of Stripe's discount amounts, line and invoice discounts alike."""
        return sum(discount.amount for discount in self.discounts)

    @property
    def invoice_discounts(self) -> tuple[DiscountAmount, ...]:
        """The discounts taken off the subtotal (the invoice's own coupons)."""
        return tuple(d for d in self.discounts if d.on_invoice)

    @property
    def coupon_ids(self) -> tuple[str, ...]:
        """The coupons behind the invoice's own discounts."""
        return tuple(d.coupon_id for d in self.invoice_discounts if d.coupon_id)

    @property
    def line_discounts(self) -> tuple[DiscountAmount, ...]:
        """The lines' own discounts, already inside Stripe's subtotal."""
        return tuple(d for d in self.discounts if not d.on_invoice)


def breakdown_from_stripe(
    invoice: Any,
    *,
    lines: Sequence[Any] | None = None,
    tax_rates: Mapping[str, TaxRate] | None = None,
    coupons: Mapping[str, Coupon] | None = None,
) -> InvoiceBreakdown:
    """The breakdown of a Stripe invoice (object or dict); ``lines`` replaces the embedded
    ones when they are partial; ``tax_rates`` and ``coupons`` (by id) name taxes and
    discounts (an expanded ``total_discount_amounts[].discount`` names its coupon too)."""
    data = as_mapping(invoice)
    rates = tax_rates or {}
    discount_labels = _discount_labels(data, coupons or {})
    on_invoice = {str(object_id(d)) for d in data.get("discounts") or []}
    raw_lines = list(lines) if lines is not None else list(
        (data.get("lines") or {}).get("data") or [])
    return InvoiceBreakdown(
        currency=data.get("currency") or "",
        subtotal=int(data.get("subtotal") or 0),
        discounts=tuple(_discounts(data.get("total_discount_amounts"), discount_labels,
                                   on_invoice)),
        total_excluding_tax=int(data.get("total_excluding_tax") or data.get("total") or 0),
        taxes=tuple(_taxes(data.get("total_taxes"), rates)),
        total=int(data.get("total") or 0),
        amount_due=int(data.get("amount_due") or 0),
        amount_paid=int(data.get("amount_paid") or 0),
        amount_remaining=int(data.get("amount_remaining") or 0),
        lines=tuple(_line(as_mapping(line), rates, discount_labels) for line in raw_lines),
        default_tax_rate_ids=tuple(
            str(object_id(rate)) for rate in data.get("default_tax_rates") or []),
        starting_balance=int(data.get("starting_balance") or 0),
        pre_payment_credit_notes=int(data.get("pre_payment_credit_notes_amount") or 0),
        post_payment_credit_notes=int(data.get("post_payment_credit_notes_amount") or 0),
    )


def _discount_labels(
    data: Mapping[str, Any], coupons: Mapping[str, Coupon]
) -> dict[str, tuple[str, str]]:
    """Discount id → ("coupon name (10% off)", coupon id), from expanded discounts."""
    labels: dict[str, tuple[str, str]] = {}
    for entry in data.get("total_discount_amounts") or []:
        discount = as_mapping(entry).get("discount")
        if not isinstance(discount, Mapping) and not hasattr(discount, "to_dict"):
            continue
        found = as_mapping(discount)
        source = found.get("source") or {}
        coupon = source.get("coupon") if isinstance(source, Mapping) else None
        coupon = coupon or found.get("coupon")  # older API versions
        if isinstance(coupon, Mapping) or hasattr(coupon, "to_dict"):
            named = coupon_from_stripe(coupon)
            labels[str(found.get("id"))] = (named.label, named.id)
        elif isinstance(coupon, str):
            known = coupons.get(coupon)
            labels[str(found.get("id"))] = (known.label if known else f"Coupon {coupon}",
                                            coupon)
    return labels


def _discounts(
    entries: Any, labels: Mapping[str, tuple[str, str]], on_invoice: set[str] | None = None
) -> list[DiscountAmount]:
    """Discount amounts; ``on_invoice`` holds the invoice's own discount ids (None: a
    line's discounts, all its own)."""
    found: list[DiscountAmount] = []
    for entry in entries or []:
        item = as_mapping(entry)
        discount_id = object_id(item.get("discount"))
        label, coupon_id = labels.get(str(discount_id), ("Discount", None))
        own = on_invoice is not None and str(discount_id) in on_invoice
        found.append(DiscountAmount(label, discount_id, int(item.get("amount") or 0), own,
                                    coupon_id))
    return found


def _taxes(entries: Any, rates: Mapping[str, TaxRate]) -> list[TaxAmount]:
    found: list[TaxAmount] = []
    for entry in entries or []:
        item = as_mapping(entry)
        details = item.get("tax_rate_details") or {}
        rate_id = object_id(details.get("tax_rate"))
        inclusive = item.get("tax_behavior") == "inclusive"
        rate = rates.get(str(rate_id))
        if rate is not None:
            label = f"{rate.display_name} {percent_text(rate.percentage)}"
        else:
            label = "Tax"
        found.append(TaxAmount(f"{label} incl." if inclusive else label, rate_id, inclusive,
                               int(item.get("taxable_amount") or 0),
                               int(item.get("amount") or 0)))
    return found


def _line(
    data: Mapping[str, Any], rates: Mapping[str, TaxRate],
    labels: Mapping[str, tuple[str, str]],
) -> LineBreakdown:
    shown = line_from_stripe(data)
    taxes = _taxes(data.get("taxes"), rates)
    own_rate_ids = [str(object_id(rate)) for rate in data.get("tax_rates") or []]
    rate_ids = list(own_rate_ids)
    if not rate_ids:
        rate_ids = [tax.tax_rate_id for tax in taxes if tax.tax_rate_id]
    return LineBreakdown(
        id=shown.id,
        invoice_item_id=shown.invoice_item_id,
        description=shown.description,
        quantity=shown.quantity,
        unit_amount=shown.unit_amount,
        amount=shown.amount,
        discounts=tuple(_discounts(data.get("discount_amounts"), labels)),
        taxes=tuple(taxes),
        tax_rate_ids=tuple(rate_ids),
        discount_ids=tuple(str(object_id(d)) for d in data.get("discounts") or []),
        own_tax_rate_ids=tuple(own_rate_ids),
    )
