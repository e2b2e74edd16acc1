"""One invoice with all its lines, for the Invoice page, from the read model.

The invoice is its stored JSON (``rm_invoices.data``) with the lines from
``rm_invoice_lines`` in Stripe's order, so an invoice with more lines than Stripe
embeds (10) still shows them all. When the invoice is not stored yet (made a moment
ago elsewhere) or its stored lines are known to be partial, it is re-read from
Stripe once (:func:`services.readmodel.copies.reread`) and answered from the stored
copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, select

from services.core.models import Invoice, invoice_from_stripe
from services.readmodel.copies import looks_like_stripe_id, reread
from services.readmodel.sync import ReadModelSync
from services.readmodel.tables import invoice_lines, invoices


@dataclass(frozen=True)
class StoredInvoice:
    """An invoice as stored: its JSON, its stored lines in order, and flags."""

    data: Mapping[str, Any]
    lines: list[Mapping[str, Any]]
    lines_complete: bool
    deleted: bool


def stored_invoice(engine: Engine, invoice_id: str) -> StoredInvoice | None:
    """The stored copy of ``invoice_id`` with its lines, or None when there is none."""
    with engine.connect() as conn:
        row = conn.execute(
            select(invoices.c.data, invoices.c.deleted, invoices.c.lines_complete).where(
                invoices.c.id == invoice_id
            )
        ).first()
        if row is None:
            return None
        lines = [
            json.loads(data)
            for data in conn.scalars(
                select(invoice_lines.c.data)
                .where(invoice_lines.c.invoice_id == invoice_id)
                .order_by(invoice_lines.c.position)
            )
        ]
    return StoredInvoice(json.loads(row.data), lines, bool(row.lines_complete), bool(row.deleted))


def invoice_with_lines(sync: ReadModelSync, invoice_id: str) -> Invoice | None:
    """``invoice_id`` with all its lines; None when it was deleted or Stripe does not know it."""
    found = stored_invoice(sync.engine, invoice_id)
    if found is None or (not found.deleted and not found.lines_complete):
        if not looks_like_stripe_id(invoice_id):
            return None
        reread(sync, "invoice", invoice_id)
        found = stored_invoice(sync.engine, invoice_id)
    if found is None or found.deleted:
        return None
    invoice = invoice_from_stripe(found.data, lines=list(found.lines))
    return replace(invoice, lines_complete=found.lines_complete)
