"""The ``credit_note`` and ``credit_note_line_item`` objects (endive shape, table).

A credit note lowers what an invoice asks for after it was finalized. Its ``total`` is split
(Stripe's partial-payment model, basil+): ``pre_payment_amount`` lowers the invoice's
``amount_remaining`` (and ``amount_due``), never below zero; ``post_payment_amount`` is the
rest, which goes to the customer's balance (``credit_amount``), back as a refund
(``refund_amount``/``refunds``) or outside Stripe (``out_of_band_amount``). ``type`` is
``pre_payment``, ``post_payment`` or ``mixed`` accordingly.

Like an invoice, a credit note keeps all its lines in the private ``_lines`` and embeds the
first :data:`EMBEDDED_LINES` in ``lines``; ``/v1/credit_notes/{id}/lines`` pages through all.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

CREDIT_NOTES = register_table(
    TableSpec(
        name="credit_notes",
        object_name="credit_note",
        columns=(Column("invoice"), Column("customer"), Column("status")),
        indexes=(("invoice",), ("customer",)),
    )
)

REASONS = ("duplicate", "fraudulent", "order_change", "product_unsatisfactory")
EMBEDDED_LINES = 10


def credit_note_number(invoice_number: str, sequence: int) -> str:
    """``<invoice number>-CN-<nn>``: the invoice's n-th credit note (``ABCD-0001-CN-01``)."""
    return f"{invoice_number}-CN-{sequence:02d}"


def new_line(*, line_id: str, kind: str, amount: int, description: str | None,
             quantity: int | None, unit_amount: int | None, invoice_line_item: str | None,
             discount_amounts: list[dict[str, Any]], tax_rates: list[dict[str, Any]],
             taxes: list[dict[str, Any]], metadata: dict[str, str]) -> dict[str, Any]:
    """One ``credit_note_line_item`` (``cnli_…``); ``amount`` is before discounts and tax."""
    return {
        "id": line_id,
        "object": "credit_note_line_item",
        "amount": amount,
        "description": description,
        "discount_amount": sum(d["amount"] for d in discount_amounts),
        "discount_amounts": discount_amounts,
        "invoice_line_item": invoice_line_item,
        "livemode": False,
        "metadata": metadata,
        "pretax_credit_amounts": [{"amount": d["amount"], "credit_balance_transaction": None,
                                   "discount": d["discount"], "type": "discount"}
                                  for d in discount_amounts],
        "quantity": quantity,
        "tax_rates": tax_rates,
        "taxes": taxes,
        "type": kind,
        "unit_amount": unit_amount,
        "unit_amount_decimal": None if unit_amount is None else str(unit_amount),
    }


def new_credit_note(*, credit_note_id: str, created: int, invoice: dict[str, Any],
                    number: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """An issued credit note for ``invoice`` with ``lines``; amounts set by the caller."""
    return {
        "id": credit_note_id,
        "object": "credit_note",
        "amount": 0,
        "amount_shipping": 0,
        "created": created,
        "currency": invoice["currency"],
        "customer": invoice["customer"],
        "customer_account": None,
        "customer_balance_transaction": None,
        "discount_amount": 0,
        "discount_amounts": [],
        "effective_at": created,
        "invoice": invoice["id"],
        "lines": lines_list(credit_note_id, lines),
        "livemode": False,
        "memo": None,
        "metadata": {},
        "number": number,
        "out_of_band_amount": None,
        "pdf": "",
        "post_payment_amount": 0,
        "pre_payment_amount": 0,
        "pretax_credit_amounts": [],
        "reason": None,
        "refunds": [],
        "shipping_cost": None,
        "status": "issued",
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "total": 0,
        "total_excluding_tax": 0,
        "total_taxes": [],
        "type": "pre_payment",
        "voided_at": None,
        "_lines": lines,
        "_test_clock": invoice["test_clock"],
    }


def lines_list(credit_note_id: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The embedded ``lines`` list (the first :data:`EMBEDDED_LINES`)."""
    return {"object": "list", "data": lines[:EMBEDDED_LINES],
            "has_more": len(lines) > EMBEDDED_LINES,
            "url": f"/v1/credit_notes/{credit_note_id}/lines"}


def render(credit_note: dict[str, Any]) -> dict[str, Any]:
    return public(credit_note)
