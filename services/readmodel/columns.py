"""The indexed columns of each read-model table, taken from the Stripe object.

Pure functions: ``<kind>_row(obj)`` → the table's row without ``data``/``version``,
where ``obj`` is the object as Stripe sent it (a dict). Text for search is folded
with :func:`fold`: case-insensitive and accent-insensitive ("Söhne" → "sohne",
"Straße" → "strasse").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any


def fold(text: str | None) -> str | None:
    """``text`` without case and accents, for search (None stays None)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def object_id(value: Any) -> str | None:
    """The id of an expandable field (a string, or an expanded object's ``id``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return str(found) if found is not None else None
    return None


def _common(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "deleted": bool(obj.get("deleted", False)),
            "livemode": bool(obj.get("livemode", False))}


def customer_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(obj),
        "name": obj.get("name"),
        "name_folded": fold(obj.get("name")),
        "email": obj.get("email"),
        "email_folded": fold(obj.get("email")),
        "currency": obj.get("currency"),
        "test_clock": object_id(obj.get("test_clock")),
        "created": obj.get("created"),
    }


def product_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(obj),
        "name": obj.get("name"),
        "name_folded": fold(obj.get("name")),
        "active": bool(obj.get("active", True)),
        "created": obj.get("created"),
    }


def price_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    recurring = obj.get("recurring") or {}
    return {
        **_common(obj),
        "product_id": object_id(obj.get("product")),
        "active": bool(obj.get("active", True)),
        "currency": obj.get("currency"),
        "unit_amount": obj.get("unit_amount"),
        "type": obj.get("type"),
        "recurring_interval": recurring.get("interval"),
        "nickname": obj.get("nickname"),
        "created": obj.get("created"),
    }


def invoice_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    transitions = obj.get("status_transitions") or {}
    metadata = obj.get("metadata") or {}
    customer = obj.get("customer")
    expanded = customer if isinstance(customer, Mapping) else {}
    name = obj.get("customer_name") or expanded.get("name")
    email = obj.get("customer_email") or expanded.get("email")
    lines = obj.get("lines") or {}
    return {
        **_common(obj),
        "number": obj.get("number"),
        "number_folded": fold(obj.get("number")),
        "status": obj.get("status") or "draft",
        "customer_id": object_id(customer),
        "customer_name": name,
        "customer_name_folded": fold(name),
        "customer_email": email,
        "customer_email_folded": fold(email),
        "currency": obj.get("currency"),
        "subtotal": int(obj.get("subtotal") or 0),
        "total": int(obj.get("total") or 0),
        "amount_due": int(obj.get("amount_due") or 0),
        "amount_paid": int(obj.get("amount_paid") or 0),
        "amount_remaining": int(obj.get("amount_remaining") or 0),
        "created": int(obj.get("created") or 0),
        "due_date": obj.get("due_date"),
        "finalized_at": transitions.get("finalized_at"),
        "paid_at": transitions.get("paid_at"),
        "voided_at": transitions.get("voided_at"),
        "marked_uncollectible_at": transitions.get("marked_uncollectible_at"),
        "collection_method": obj.get("collection_method"),
        "hosted_invoice_url": obj.get("hosted_invoice_url"),
        "po_number": metadata.get("po_number"),
        "po_number_folded": fold(metadata.get("po_number")),
        "metadata_folded": metadata_text(metadata),
        "description": obj.get("description"),
        "lines_complete": not lines.get("has_more", False),
    }


def line_row(invoice_id: str, position: int, obj: Mapping[str, Any]) -> dict[str, Any]:
    pricing = obj.get("pricing") or {}
    price_details = pricing.get("price_details") or {}
    return {
        "id": obj["id"],
        "invoice_id": invoice_id,
        "position": position,
        "description": obj.get("description"),
        "description_folded": fold(obj.get("description")),
        "amount": int(obj.get("amount") or 0),
        "currency": obj.get("currency"),
        "quantity": obj.get("quantity"),
        "price_id": object_id(price_details.get("price")),
        "invoice_item_id": invoice_item_of(obj),
    }


def metadata_text(metadata: Mapping[str, Any] | None) -> str | None:
    """Every metadata value folded, one per line in key order (None when there are none)."""
    values = [fold(str(value)) for _, value in sorted((metadata or {}).items()) if value]
    return "\n".join(value for value in values if value) or None


def invoice_item_of(line: Mapping[str, Any]) -> str | None:
    """The ``ii_…`` id of the invoice item an invoice line shows, if it shows one."""
    parent = line.get("parent") or {}
    details = parent.get("invoice_item_details") or {}
    return object_id(details.get("invoice_item")) or object_id(line.get("invoice_item"))


def payment_row(invoice_id: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    payment = obj.get("payment") or {}
    transitions = obj.get("status_transitions") or {}
    return {
        "id": obj["id"],
        "invoice_id": invoice_id,
        "status": obj.get("status"),
        "amount_paid": obj.get("amount_paid"),
        "amount_requested": obj.get("amount_requested"),
        "currency": obj.get("currency"),
        "payment_type": payment.get("type"),
        "created": obj.get("created"),
        "paid_at": transitions.get("paid_at"),
    }


def tax_rate_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(obj),
        "display_name": obj.get("display_name"),
        "percentage": obj.get("percentage"),
        "inclusive": bool(obj.get("inclusive", False)),
        "active": bool(obj.get("active", True)),
        "country": obj.get("country"),
        "jurisdiction": obj.get("jurisdiction"),
        "created": obj.get("created"),
    }


def coupon_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(obj),
        "name": obj.get("name"),
        "percent_off": obj.get("percent_off"),
        "amount_off": obj.get("amount_off"),
        "currency": obj.get("currency"),
        "duration": obj.get("duration"),
        "valid": bool(obj.get("valid", True)),
        "max_redemptions": obj.get("max_redemptions"),
        "times_redeemed": int(obj.get("times_redeemed") or 0),
        "redeem_by": obj.get("redeem_by"),
        "created": obj.get("created"),
    }


def credit_note_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(obj),
        "number": obj.get("number"),
        "invoice_id": object_id(obj.get("invoice")),
        "customer_id": object_id(obj.get("customer")),
        "status": obj.get("status"),
        "type": obj.get("type"),
        "reason": obj.get("reason"),
        "currency": obj.get("currency"),
        "total": int(obj.get("total") or 0),
        "pre_payment_amount": int(obj.get("pre_payment_amount") or 0),
        "post_payment_amount": int(obj.get("post_payment_amount") or 0),
        "out_of_band_amount": obj.get("out_of_band_amount"),
        "memo": obj.get("memo"),
        "created": obj.get("created"),
        "effective_at": obj.get("effective_at"),
        "voided_at": obj.get("voided_at"),
    }


ROWS = {
    "customer": customer_row,
    "product": product_row,
    "price": price_row,
    "invoice": invoice_row,
    "tax_rate": tax_rate_row,
    "coupon": coupon_row,
    "credit_note": credit_note_row,
}
