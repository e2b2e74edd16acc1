"""The ``coupon`` object and the ``discount`` objects made when one is applied.

A coupon takes ``percent_off`` or ``amount_off`` (in ``currency``, or another
currency through ``currency_options``) off the lines it applies to (all, or the
products of ``applies_to``). Applying it to an invoice or invoice item makes a
``discount`` (``di_…``): the invoice or item lists the discount's id, and
``expand[]=discounts`` shows it (``source.coupon`` names the coupon). Discounts
cannot be fetched by id; they live in their own table only so they can be
expanded. Each invoice or item also keeps, privately, the coupon terms it was
given (``_discounts``), so deleting or editing a coupon never changes an
existing invoice.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

COUPONS = register_table(TableSpec(name="coupons", object_name="coupon"))
DISCOUNTS = register_table(
    TableSpec(
        name="discounts",
        object_name="discount",
        columns=(Column("invoice"), Column("invoice_item")),
        indexes=(("invoice",), ("invoice_item",)),
        created_field="start",
    )
)


def new_coupon(*, coupon_id: str, created: int, duration: str) -> dict[str, Any]:
    """A coupon with every endive field (``applies_to``, ``currency_options`` includable)."""
    return {
        "id": coupon_id,
        "object": "coupon",
        "amount_off": None,
        "created": created,
        "currency": None,
        "duration": duration,
        "duration_in_months": None,
        "livemode": False,
        "max_redemptions": None,
        "metadata": {},
        "name": None,
        "percent_off": None,
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": True,
        "_applies_to": None,
        "_currency_options": {},
    }


def is_valid(coupon: dict[str, Any], now: int) -> bool:
    """Whether the coupon can still be applied (redemptions left, ``redeem_by`` not passed)."""
    if coupon.get("_deleted"):
        return False
    limit = coupon.get("max_redemptions")
    if limit is not None and int(coupon["times_redeemed"]) >= int(limit):
        return False
    return coupon.get("redeem_by") is None or now < int(coupon["redeem_by"])


def render(coupon: dict[str, Any], now: int) -> dict[str, Any]:
    """The coupon as the API shows it, ``valid`` as of ``now``."""
    shown = public(coupon)
    shown["valid"] = is_valid(coupon, now)
    return shown


def terms(coupon: dict[str, Any]) -> dict[str, Any]:
    """What an invoice keeps of a coupon to compute its discount amounts."""
    return {"id": coupon["id"], "name": coupon["name"], "percent_off": coupon["percent_off"],
            "amount_off": coupon["amount_off"], "currency": coupon["currency"],
            "currency_options": dict(coupon.get("_currency_options") or {}),
            "applies_to": coupon.get("_applies_to")}


def new_discount(*, discount_id: str, start: int, coupon: str, customer: str | None,
                 invoice: str | None, invoice_item: str | None) -> dict[str, Any]:
    """A ``discount`` (endive shape: the coupon under ``source``)."""
    return {
        "id": discount_id,
        "object": "discount",
        "checkout_session": None,
        "customer": customer,
        "customer_account": None,
        "end": None,
        "invoice": invoice,
        "invoice_item": invoice_item,
        "promotion_code": None,
        "source": {"coupon": coupon, "type": "coupon"},
        "start": start,
        "subscription": None,
        "subscription_item": None,
    }
