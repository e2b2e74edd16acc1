"""Plain data the services hand to pages: frozen dataclasses, never Stripe objects.

Each ``*_from_stripe`` builder takes a Stripe object (stripe-python 16
``StripeObject``, which is not a dict: it is read through ``to_dict()``) or a
plain mapping of the same shape, so the builders are testable on Stripe's
example fixtures. Amounts stay integer minor units; times become UTC datetimes
and due dates calendar dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from services.core.business_days import as_of_moment, day_of, days_overdue
from services.core.money import format_amount


def as_mapping(obj: Any) -> dict[str, Any]:
    """A plain dict for a StripeObject, a mapping, or ``None`` (→ empty)."""
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


def object_id(value: Any) -> str | None:
    """The id of an expandable field: the string itself, or the expanded object's id."""
    if value is None or isinstance(value, str):
        return value
    return as_mapping(value).get("id")


def timestamp(value: int | None) -> datetime | None:
    """Unix seconds → aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(int(value), tz=UTC)


def calendar_date(value: int | None) -> date | None:
    """Unix seconds → the calendar date in the business time zone
    (:func:`services.core.business_days.day_of`)."""
    return None if value is None else day_of(int(value))


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def to_params(self) -> dict[str, str]:
        """Stripe's ``address`` parameter (empty parts sent as ``""`` to clear them)."""
        return {
            "line1": self.line1 or "",
            "line2": self.line2 or "",
            "city": self.city or "",
            "state": self.state or "",
            "postal_code": self.postal_code or "",
            "country": (self.country or "").upper(),
        }

    @property
    def one_line(self) -> str:
        parts = [self.line1, self.line2, self.postal_code, self.city, self.state, self.country]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Customer:
    id: str
    name: str | None
    email: str | None
    description: str | None
    address: Address | None
    created: datetime
    currency: str | None
    invoice_prefix: str | None
    test_clock: str | None = None


@dataclass(frozen=True)
class Price:
    id: str
    product_id: str
    unit_amount: int | None
    currency: str
    type: str
    interval: str | None
    interval_count: int | None
    nickname: str | None
    active: bool

    @property
    def display(self) -> str:
        """``"$10.00"`` for one-time, ``"$10.00 / month"`` or ``"$30.00 / 3 months"``."""
        amount = (
            "custom amount"
            if self.unit_amount is None
            else format_amount(self.unit_amount, self.currency)
        )
        if self.interval is None:
            return amount
        if (self.interval_count or 1) == 1:
            return f"{amount} / {self.interval}"
        return f"{amount} / {self.interval_count} {self.interval}s"


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str | None
    active: bool
    created: datetime
    prices: tuple[Price, ...] = ()


@dataclass(frozen=True)
class InvoiceLine:
    id: str
    invoice_item_id: str | None
    description: str | None
    quantity: int
    unit_amount: int | None
    amount: int
    currency: str
    price_id: str | None


@dataclass(frozen=True)
class Invoice:
    id: str
    number: str | None
    status: str
    customer_id: str | None
    customer_name: str | None
    customer_email: str | None
    currency: str
    subtotal: int
    total: int
    amount_due: int
    amount_paid: int
    amount_remaining: int
    created: datetime
    due_date: date | None
    finalized_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    marked_uncollectible_at: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    memo: str | None
    footer: str | None
    po_number: str | None
    collection_method: str | None
    lines: tuple[InvoiceLine, ...]
    livemode: bool
    days_until_due: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    lines_complete: bool = True
    due_at: int | None = None  # Stripe's due_date: the moment (Unix seconds) it falls due

    def days_overdue(self, as_of: date) -> int:
        """Days an open invoice is overdue on ``as_of`` (0 if not overdue), as every list
        counts them (:func:`services.core.business_days.days_overdue`: once the due moment
        has passed, calendar days of the business zone, at least 1)."""
        if self.status != "open" or self.due_date is None:
            return 0
        if self.due_at is None:  # built by hand with a day only
            return max((as_of - self.due_date).days, 0)
        return days_overdue(self.due_at, as_of, as_of_moment(as_of))

    def is_overdue(self, as_of: date) -> bool:
        return self.days_overdue(as_of) > 0


@dataclass(frozen=True)
class DraftItem:
    """One line of the New-invoice form before it is saved: a price × quantity,
    or a custom amount (minor units) with a description."""

    price_id: str | None = None
    quantity: int = 1
    amount: int | None = None
    description: str | None = None
    #: The line's own tax rates (``txr_…``; empty: the invoice's default tax rates apply).
    tax_rates: tuple[str, ...] = ()
    #: Coupons (ids) discounting this line only.
    coupons: tuple[str, ...] = ()


def address_from_stripe(obj: Any) -> Address | None:
    data = as_mapping(obj)
    if not data or not any(data.values()):
        return None
    return Address(
        line1=data.get("line1"),
        line2=data.get("line2"),
        city=data.get("city"),
        state=data.get("state"),
        postal_code=data.get("postal_code"),
        country=data.get("country"),
    )


def customer_from_stripe(obj: Any) -> Customer:
    data = as_mapping(obj)
    return Customer(
        id=data["id"],
        name=data.get("name"),
        email=data.get("email"),
        description=data.get("description"),
        address=address_from_stripe(data.get("address")),
        created=timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
        currency=data.get("currency"),
        invoice_prefix=data.get("invoice_prefix"),
        test_clock=object_id(data.get("test_clock")),
    )


def price_from_stripe(obj: Any) -> Price:
    data = as_mapping(obj)
    recurring = data.get("recurring") or {}
    return Price(
        id=data["id"],
        product_id=object_id(data.get("product")) or "",
        unit_amount=data.get("unit_amount"),
        currency=data.get("currency") or "",
        type=data.get("type") or ("recurring" if recurring else "one_time"),
        interval=recurring.get("interval"),
        interval_count=recurring.get("interval_count"),
        nickname=data.get("nickname"),
        active=bool(data.get("active", True)),
    )


def product_from_stripe(obj: Any, prices: tuple[Price, ...] = ()) -> Product:
    data = as_mapping(obj)
    return Product(
        id=data["id"],
        name=data.get("name") or "",
        description=data.get("description"),
        active=bool(data.get("active", True)),
        created=timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
        prices=prices,
    )


def line_from_stripe(obj: Any) -> InvoiceLine:
    data = as_mapping(obj)
    pricing = data.get("pricing") or {}
    price_details = pricing.get("price_details") or {}
    parent = data.get("parent") or {}
    item_details = parent.get("invoice_item_details") or {}
    quantity = data.get("quantity")
    return InvoiceLine(
        id=data["id"],
        invoice_item_id=object_id(item_details.get("invoice_item")),
        description=data.get("description"),
        quantity=1 if quantity is None else int(quantity),
        unit_amount=_whole_minor_units(pricing.get("unit_amount_decimal")),
        amount=int(data.get("amount") or 0),
        currency=data.get("currency") or "",
        price_id=object_id(price_details.get("price")),
    )


def invoice_from_stripe(obj: Any, lines: list[Any] | None = None) -> Invoice:
    """An :class:`Invoice`; ``lines`` overrides the embedded (possibly partial) line list."""
    data = as_mapping(obj)
    transitions = data.get("status_transitions") or {}
    metadata = dict(data.get("metadata") or {})
    embedded = data.get("lines") or {}
    raw_lines = lines if lines is not None else (embedded.get("data") or [])
    customer = data.get("customer")
    expanded = {} if customer is None or isinstance(customer, str) else as_mapping(customer)
    return Invoice(
        id=data["id"],
        number=data.get("number"),
        status=data.get("status") or "draft",
        customer_id=object_id(customer),
        customer_name=data.get("customer_name") or expanded.get("name"),
        customer_email=data.get("customer_email") or expanded.get("email"),
        currency=data.get("currency") or "",
        subtotal=int(data.get("subtotal") or 0),
        total=int(data.get("total") or 0),
        amount_due=int(data.get("amount_due") or 0),
        amount_paid=int(data.get("amount_paid") or 0),
        amount_remaining=int(data.get("amount_remaining") or 0),
        created=timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
        due_date=calendar_date(data.get("due_date")),
        finalized_at=timestamp(transitions.get("finalized_at")),
        paid_at=timestamp(transitions.get("paid_at")),
        voided_at=timestamp(transitions.get("voided_at")),
        marked_uncollectible_at=timestamp(transitions.get("marked_uncollectible_at")),
        hosted_invoice_url=data.get("hosted_invoice_url"),
        invoice_pdf=data.get("invoice_pdf"),
        memo=data.get("description"),
        footer=data.get("footer"),
        po_number=metadata.get("po_number"),
        collection_method=data.get("collection_method"),
        lines=tuple(line_from_stripe(line) for line in raw_lines),
        livemode=bool(data.get("livemode", False)),
        days_until_due=_days_until_due(data),
        metadata=metadata,
        lines_complete=lines is not None or not embedded.get("has_more", False),
        due_at=None if data.get("due_date") is None else int(data["due_date"]),
    )


def _days_until_due(data: Mapping[str, Any]) -> int | None:
    """Stripe's invoice has no ``days_until_due`` field: due date minus creation, in days."""
    if data.get("days_until_due") is not None:
        return int(data["days_until_due"])
    due, created = data.get("due_date"), data.get("created")
    if due is None or created is None:
        return None
    return max(0, round((int(due) - int(created)) / 86400))


def _whole_minor_units(value: Any) -> int | None:
    if value is None:
        return None
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else None
