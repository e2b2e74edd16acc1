"""Discount names kept when a write's answer names an invoice's discounts by id only.

The read model stores invoices with ``total_discount_amounts[].discount`` expanded
(:data:`services.readmodel.sync.INVOICE_EXPAND`), so each discount amount is shown
under its coupon's name. Stripe's answers to finalize, send, void, mark uncollectible
and pay carry the discount as a bare ``di_…`` id unless asked to expand it
(https://docs.stripe.com/api/invoices/object#invoice_object-total_discount_amounts-discount,
https://docs.stripe.com/expand). A discount never changes once made (its coupon, its
place on the invoice or a line), so the expanded copy already stored for that invoice
serves for the new answer; only a discount not stored yet needs the invoice read again.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select

from services.readmodel.tables import OBJECT_TABLES


def _entries(invoice: Mapping[str, Any]) -> list[Any]:
    return list(invoice.get("total_discount_amounts") or [])


def bare_discount_ids(invoice: Mapping[str, Any]) -> set[str]:
    """The ids of the invoice's discount amounts whose discount is not expanded."""
    return {str(entry["discount"]) for entry in _entries(invoice)
            if isinstance(entry, Mapping) and isinstance(entry.get("discount"), str)}


def _stored_discounts(engine: Engine, invoice_id: str) -> dict[str, Mapping[str, Any]]:
    """The expanded discounts of the stored copy of ``invoice_id``, by discount id."""
    table = OBJECT_TABLES["invoice"]
    with engine.connect() as conn:
        raw = conn.execute(select(table.c.data).where(table.c.id == invoice_id)).scalar()
    if raw is None:
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for entry in _entries(json.loads(raw)):
        discount = entry.get("discount") if isinstance(entry, Mapping) else None
        if isinstance(discount, Mapping) and discount.get("id"):
            found[str(discount["id"])] = discount
    return found


def with_stored_discounts(engine: Engine, invoice: Mapping[str, Any]) -> dict[str, Any] | None:
    """``invoice`` (a Stripe invoice as a dict) with each bare discount id in
    ``total_discount_amounts`` replaced by the expanded discount stored for that
    invoice; ``invoice`` unchanged (a copy) when none is bare; None when a bare id is
    not stored expanded (the caller reads the invoice again, expanded)."""
    wanted = bare_discount_ids(invoice)
    result = copy.deepcopy(dict(invoice))
    if not wanted:
        return result
    stored = _stored_discounts(engine, str(invoice.get("id")))
    if not wanted <= set(stored):
        return None
    for entry in result["total_discount_amounts"]:
        if isinstance(entry, dict) and isinstance(entry.get("discount"), str):
            entry["discount"] = copy.deepcopy(dict(stored[entry["discount"]]))
    return result
