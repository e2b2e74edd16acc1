"""What a credit note credits: its lines and totals from the create/preview parameters.

Follows Stripe's "Create a credit note" (``lines`` or ``amount``): amounts are minor units
of the invoice's currency.

* ``lines[][type]=invoice_line_item``: ``invoice_line_item`` (a line of the invoice) with
  ``amount`` (before discounts and tax) or ``quantity`` (× the line's unit amount, at most
  the line's quantity). The line's share of the invoice line's discounts
  (``round_half_up(discount × amount / line amount)``) and the invoice line's tax rates (or
  the invoice's defaults) apply, computed as invoices do (``models.invoice_totals``);
  ``tax_amounts`` give the taxes as they are. What the line's issued credit notes already
  credited counts against the line: more is refused naming ``lines[i][amount]`` (or
  ``[quantity]``).
* ``lines[][type]=custom_line_item``: ``description``, ``quantity`` (default 1) ×
  ``unit_amount`` (or ``unit_amount_decimal``), its own ``tax_rates`` or ``tax_amounts``.
* ``amount`` alone: one custom line of that amount, no tax. With ``lines`` too it must
  equal their total (refused naming ``amount``).

Totals: ``subtotal`` = Σ line amounts; ``discount_amount`` = Σ line discounts;
``total`` = subtotal − discounts + exclusive taxes (= ``amount``);
``subtotal_excluding_tax``/``total_excluding_tax`` without inclusive/all taxes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.backend.tax_rates import tax_rates_for
from stripe_emulator.lib.errors import InvalidRequestError, ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import credit_note as model
from stripe_emulator.models.credit_note import CREDIT_NOTES
from stripe_emulator.models.invoice_totals import line_taxes, round_half_up
from stripe_emulator.models.tax_rate import TAX_RATES


def build_lines(state: EmulatorState, invoice: dict[str, Any],
                fields: dict[str, Any]) -> list[dict[str, Any]]:
    """The credit note's lines from ``lines`` or ``amount`` (one of them, or
    ``shipping_cost``, is required: ``parameter_missing`` naming ``amount``)."""
    given = fields.get("lines")
    if not given and fields.get("amount") is None:
        raise ParameterError("One of amount, lines, or shipping_cost must be provided.",
                             code="parameter_missing", param="amount")
    if not given:
        amount = int(fields["amount"])
        return [model.new_line(line_id=new_id("cnli"), kind="custom_line_item", amount=amount,
                               description=None, quantity=1, unit_amount=amount,
                               invoice_line_item=None, discount_amounts=[], tax_rates=[],
                               taxes=[], metadata={})]
    credited = _credited_per_line(state, invoice["id"])
    lines = []
    for index, entry in enumerate(given):
        prefix = f"lines[{index}]"
        if entry["type"] == "invoice_line_item":
            line = _invoice_line(state, invoice, entry, prefix, credited)
        else:
            line = _custom_line(state, entry, prefix)
        lines.append(line)
    return lines


def _credited_per_line(state: EmulatorState, invoice_id: str) -> dict[str, int]:
    """Per invoice line, what issued (not void) credit notes already credited."""
    credited: dict[str, int] = {}
    for note in state.store.select(CREDIT_NOTES, Where().eq("invoice", invoice_id)
                                   .eq("status", "issued")):
        for line in note["_lines"]:
            if line["invoice_line_item"]:
                credited[line["invoice_line_item"]] = (
                    credited.get(line["invoice_line_item"], 0) + int(line["amount"]))
    return credited


def _unit_amount(line: dict[str, Any]) -> Decimal:
    pricing = line.get("pricing") or {}
    if pricing.get("unit_amount_decimal") is not None:
        return Decimal(str(pricing["unit_amount_decimal"]))
    return Decimal(int(line["amount"])) / max(1, int(line.get("quantity") or 1))


def _invoice_line(state: EmulatorState, invoice: dict[str, Any], entry: dict[str, Any],
                  prefix: str, credited: dict[str, int]) -> dict[str, Any]:
    line_id = entry.get("invoice_line_item")
    if not line_id:
        raise ParameterError(f"Missing required param: {prefix}[invoice_line_item].",
                             code="parameter_missing", param=f"{prefix}[invoice_line_item]")
    line = next((li for li in invoice["_lines"] if li["id"] == line_id), None)
    if line is None:
        raise InvalidRequestError(
            f"No such line item: '{line_id}' on invoice {invoice['id']}.",
            code="resource_missing", param=f"{prefix}[invoice_line_item]")
    for name in ("description", "unit_amount", "unit_amount_decimal", "tax_rates"):
        if entry.get(name) is not None:
            raise InvalidRequestError(f"`{name}` is only valid on a custom_line_item line.",
                                      param=f"{prefix}[{name}]")
    if entry.get("amount") is not None and entry.get("quantity") is not None:
        raise ParameterError("You may only specify one of these parameters: amount, quantity.",
                             code="parameters_exclusive", param=f"{prefix}[quantity]")
    quantity = entry.get("quantity")
    param = f"{prefix}[quantity]" if quantity is not None else f"{prefix}[amount]"
    if quantity is not None:
        if quantity > int(line.get("quantity") or 1):
            raise InvalidRequestError(
                f"The quantity to credit ({quantity}) exceeds the line's quantity "
                f"({line.get('quantity')}).", param=param)
        amount = round_half_up(_unit_amount(line) * quantity)
    else:
        amount = int(entry["amount"]) if entry.get("amount") is not None else int(line["amount"])
    left = int(line["amount"]) - credited.get(line_id, 0)
    if amount > left:
        raise InvalidRequestError(
            f"The amount to credit for line item {line_id} ({amount}) exceeds what remains "
            f"to be credited on it ({left}).", param=param)
    credited[line_id] = credited.get(line_id, 0) + amount
    whole = int(line["amount"]) or 1
    discounts = [{"amount": round_half_up(Decimal(d["amount"]) * amount / whole),
                  "discount": d["discount"]} for d in line.get("discount_amounts") or []]
    rates = line.get("_tax_rates") or invoice.get("default_tax_rates") or []
    left_after = amount - sum(d["amount"] for d in discounts)
    taxes = _manual_taxes(state, entry, prefix) if entry.get("tax_amounts") else \
        line_taxes(left_after, rates)
    return model.new_line(line_id=new_id("cnli"), kind="invoice_line_item", amount=amount,
                          description=line.get("description"), quantity=quantity or 1,
                          unit_amount=None, invoice_line_item=line_id,
                          discount_amounts=discounts, tax_rates=[dict(r) for r in rates],
                          taxes=taxes, metadata=dict(entry.get("metadata") or {}))


def _custom_line(state: EmulatorState, entry: dict[str, Any], prefix: str) -> dict[str, Any]:
    if entry.get("invoice_line_item") is not None or entry.get("amount") is not None:
        name = "invoice_line_item" if entry.get("invoice_line_item") is not None else "amount"
        raise InvalidRequestError(f"`{name}` is only valid on an invoice_line_item line.",
                                  param=f"{prefix}[{name}]")
    if entry.get("unit_amount") is not None and entry.get("unit_amount_decimal") is not None:
        raise ParameterError("You may only specify one of these parameters: unit_amount, "
                             "unit_amount_decimal.", code="parameters_exclusive",
                             param=f"{prefix}[unit_amount_decimal]")
    if entry.get("unit_amount") is None and entry.get("unit_amount_decimal") is None:
        raise ParameterError(f"Missing required param: {prefix}[unit_amount].",
                             code="parameter_missing", param=f"{prefix}[unit_amount]")
    quantity = entry.get("quantity") or 1
    unit = Decimal(str(entry["unit_amount_decimal"])) \
        if entry.get("unit_amount_decimal") is not None else Decimal(entry["unit_amount"])
    amount = round_half_up(unit * quantity)
    if entry.get("tax_amounts") and entry.get("tax_rates"):
        raise ParameterError("You may only specify one of these parameters: tax_amounts, "
                             "tax_rates.", code="parameters_exclusive",
                             param=f"{prefix}[tax_rates]")
    rates = tax_rates_for(state, entry.get("tax_rates"), f"{prefix}[tax_rates]")
    taxes = _manual_taxes(state, entry, prefix) if entry.get("tax_amounts") else \
        line_taxes(amount, rates)
    line = model.new_line(line_id=new_id("cnli"), kind="custom_line_item", amount=amount,
                          description=entry.get("description"), quantity=quantity,
                          unit_amount=round_half_up(unit), invoice_line_item=None,
                          discount_amounts=[], tax_rates=rates, taxes=taxes,
                          metadata=dict(entry.get("metadata") or {}))
    line["unit_amount_decimal"] = format(unit.normalize(), "f")
    return line


def _manual_taxes(state: EmulatorState, entry: dict[str, Any],
                  prefix: str) -> list[dict[str, Any]]:
    taxes = []
    for index, given in enumerate(entry["tax_amounts"]):
        rate = state.store.require_reference(
            TAX_RATES, given["tax_rate"], param=f"{prefix}[tax_amounts][{index}][tax_rate]")
        taxes.append({
            "amount": given["amount"],
            "tax_behavior": "inclusive" if rate["inclusive"] else "exclusive",
            "tax_rate_details": {"tax_rate": rate["id"]},
            "taxability_reason": "standard_rated",
            "taxable_amount": given["taxable_amount"],
            "type": "tax_rate_details",
        })
    return taxes


def apply_totals(credit_note: dict[str, Any]) -> None:
    """Set the credit note's amounts from its lines."""
    lines = credit_note["_lines"]
    subtotal = sum(int(line["amount"]) for line in lines)
    discount = sum(int(line["discount_amount"]) for line in lines)
    taxes = [tax for line in lines for tax in line["taxes"] or []]
    exclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "exclusive")
    inclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "inclusive")
    total = subtotal - discount + exclusive
    per_rate: dict[tuple[str, str], dict[str, Any]] = {}
    for tax in taxes:
        key = (tax["tax_rate_details"]["tax_rate"], tax["tax_behavior"])
        if key in per_rate:
            per_rate[key]["amount"] += tax["amount"]
            per_rate[key]["taxable_amount"] += tax["taxable_amount"]
        else:
            per_rate[key] = dict(tax, tax_rate_details=dict(tax["tax_rate_details"]))
    per_discount: dict[str, int] = {}
    for line in lines:
        for entry in line["discount_amounts"]:
            per_discount[entry["discount"]] = per_discount.get(entry["discount"], 0) + \
                entry["amount"]
    credit_note.update(
        amount=total, subtotal=subtotal, subtotal_excluding_tax=subtotal - inclusive,
        discount_amount=discount, total=total, total_excluding_tax=total - exclusive - inclusive,
        total_taxes=list(per_rate.values()),
        discount_amounts=[{"amount": a, "discount": d} for d, a in per_discount.items()],
        pretax_credit_amounts=[{"amount": a, "credit_balance_transaction": None,
                                "discount": d, "type": "discount"}
                               for d, a in per_discount.items()],
    )

