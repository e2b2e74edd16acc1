"""Tax rates and coupons as plain data, built from Stripe's objects.

A :class:`TaxRate` is Stripe's ``tax_rate`` (https://docs.stripe.com/api/tax_rates/object):
a percentage, inclusive (inside the amount) or exclusive (added on top), shown on
invoices under its display name. A :class:`Coupon` is Stripe's ``coupon``
(https://docs.stripe.com/api/coupons/object): percent off, or an amount off in minor
units of one currency. Labels are what pickers and totals show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.core.models import as_mapping, timestamp
from services.core.money import format_amount


def percent_text(value: float | Decimal | None) -> str:
    """``20`` → ``"20%"``, ``8.25`` → ``"8.25%"`` (no trailing zeros)."""
    if value is None:
        return "?%"
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return f"{text}%"


@dataclass(frozen=True)
class TaxRate:
    id: str
    display_name: str
    percentage: float
    inclusive: bool
    active: bool
    country: str | None
    jurisdiction: str | None
    description: str | None
    created: datetime

    @property
    def label(self) -> str:
        """``"VAT 20% (excl.) · DE"``: what pickers and totals show."""
        kind = "incl." if self.inclusive else "excl."
        place = " · ".join(p for p in (self.country, self.jurisdiction) if p)
        where = f" · {place}" if place else ""
        archived = " · archived" if not self.active else ""
        return f"{self.display_name} {percent_text(self.percentage)} ({kind}){where}{archived}"


@dataclass(frozen=True)
class Coupon:
    id: str
    name: str | None
    percent_off: float | None
    amount_off: int | None  # minor units of ``currency``
    currency: str | None
    duration: str
    valid: bool
    max_redemptions: int | None
    times_redeemed: int
    redeem_by: datetime | None
    created: datetime

    @property
    def off_text(self) -> str:
        """``"10% off"`` or ``"$5.00 off"``."""
        if self.percent_off is not None:
            return f"{percent_text(self.percent_off)} off"
        return f"{format_amount(self.amount_off or 0, self.currency or 'usd')} off"

    @property
    def label(self) -> str:
        """``"Loyalty (10% off)"``, or the coupon id when it has no name."""
        invalid = " · no longer valid" if not self.valid else ""
        return f"{self.name or self.id} ({self.off_text}){invalid}"

    def usable_in(self, currency: str) -> bool:
        """Whether the coupon can go on an invoice in ``currency`` now (valid, and an
        amount off only in its own currency)."""
        return self.valid and (self.amount_off is None or self.currency == currency)


def tax_rate_from_stripe(obj: Any) -> TaxRate:
    data = as_mapping(obj)
    return TaxRate(
        id=data["id"],
        display_name=data.get("display_name") or "",
        percentage=float(data.get("percentage") or 0),
        inclusive=bool(data.get("inclusive", False)),
        active=bool(data.get("active", True)),
        country=data.get("country"),
        jurisdiction=data.get("jurisdiction"),
        description=data.get("description"),
        created=timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
    )


def coupon_from_stripe(obj: Any) -> Coupon:
    data = as_mapping(obj)
    return Coupon(
        id=data["id"],
        name=data.get("name"),
        percent_off=data.get("percent_off"),
        amount_off=data.get("amount_off"),
        currency=data.get("currency"),
        duration=data.get("duration") or "once",
        valid=bool(data.get("valid", True)),
        max_redemptions=data.get("max_redemptions"),
        times_redeemed=int(data.get("times_redeemed") or 0),
        redeem_by=timestamp(data.get("redeem_by")),
        created=timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
    )


def distinct_labels(choices: Iterable[TaxRate | Coupon]) -> dict[str, str]:
    """Id → label for pickers and tables, each label told apart from the others.

    Two tax rates (or coupons) may carry the same display name, percentage and place;
    Streamlit's pickers keep a choice by its shown text, so equal labels would make two
    rates one. Where labels collide, each gets the end of its Stripe id appended
    (``"VAT 20% (excl.) · DE · …a1B2c3"``), or the whole id if those ends collide too.
    Order follows ``choices``.
    """
    chosen = list(choices)
    counts = Counter(choice.label for choice in chosen)
    labels = {c.id: (f"{c.label} · …{c.id[-6:]}" if counts[c.label] > 1 else c.label)
              for c in chosen}
    again = Counter(labels.values())
    return {c.id: (f"{c.label} · {c.id}" if again[labels[c.id]] > 1 else labels[c.id])
            for c in chosen}
