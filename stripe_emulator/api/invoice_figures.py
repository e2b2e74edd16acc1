"""The figures an invoice document prints, laid out so they add up on paper.

Shared by the invoice PDF (``api.invoice_pdf``) and the hosted invoice page
(``api.hosted_invoices``), so both show the same rows, in Stripe's order:

* each line with its amount (quantity × unit price) and, under it, the line's **own**
  discounts (its invoice item's ``discounts``) with what each took off that line;
* ``Subtotal`` — Stripe's ``subtotal``, which already has those line discounts taken
  off ("item discounts are already incorporated"), so Σ (line − its discounts) equals
  it;
* the **invoice-level** discounts only (the invoice's ``discounts``), each summed over
  the lines it touched — never the line discounts a second time;
* shipping, ``Total excluding tax``, each tax (rate, inclusive or not, the amount it
  is on), ``Total``, then applied balance, credit notes, amount paid, amount due.

On paper: subtotal − invoice discounts + shipping + exclusive taxes = total, and total
excluding tax + every tax = total (an inclusive tax is already inside the subtotal and
says ``incl.``). With ``rendering.amount_tax_display=exclude_tax`` the lines, the
subtotal (Stripe's ``subtotal_excluding_tax``) and the invoice discounts are shown
without inclusive tax, so there subtotal − invoice discounts + shipping + every tax =
total. All amounts are integer minor units of the invoice's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from stripe_emulator.lib.currencies import format_money
from stripe_emulator.models.invoice_totals import line_taxes


@dataclass(frozen=True)
class LineFigures:
    """One invoice line as printed: ``amount`` and each own discount in minor units
    (discounts negative), ``unit_price`` already formatted."""

    description: str
    quantity: str
    unit_price: str
    tax_percentages: str
    amount: int
    discounts: list[tuple[str, int]]


@dataclass(frozen=True)
class TotalRow:
    """One row of the totals block: ``amount`` in minor units (taken off: negative)."""

    label: str
    amount: int
    bold: bool = False


def percent(value: Any) -> str:
    """``19%`` / ``8.25%`` from a tax rate's or coupon's percentage."""
    return f"{Decimal(str(value)).normalize():f}%"


def tax_rates(invoice: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every tax rate the invoice uses, by id (with manual tax amounts' rates)."""
    found = {rate["id"]: rate for rate in invoice.get("default_tax_rates") or []}
    for line in invoice["_lines"]:
        found.update({rate["id"]: rate for rate in line.get("_tax_rates") or []})
        found.update({e["rate"]["id"]: e["rate"] for e in line.get("_tax_amounts") or []})
    return found


def discount_labels(invoice: dict[str, Any]) -> dict[str, str]:
    """``{discount id: "Loyalty (10% off)"}`` for the invoice's and its lines' discounts."""
    entries = list(invoice.get("_discounts") or [])
    for line in invoice["_lines"]:
        entries.extend(line.get("_discounts") or [])
    labels = {}
    for entry in entries:
        terms = entry["coupon"]
        off = percent(terms["percent_off"]) if terms.get("percent_off") is not None else \
            format_money(int(terms["amount_off"] or 0), terms.get("currency") or "usd")
        labels[entry["id"]] = f"{terms.get('name') or terms['id']} ({off} off)"
    return labels


def excludes_tax(invoice: dict[str, Any]) -> bool:
    """Whether ``rendering.amount_tax_display`` asks for amounts without inclusive tax."""
    return (invoice.get("rendering") or {}).get("amount_tax_display") == "exclude_tax"


def _own_ids(line: dict[str, Any]) -> set[str]:
    return {entry["id"] for entry in line.get("_discounts") or []}


def _inclusive_tax_before_invoice_discounts(invoice: dict[str, Any],
                                            line: dict[str, Any], own: int) -> int:
    """The inclusive tax inside (amount − own discounts), as Stripe's
    ``subtotal_excluding_tax`` counts it (manual tax amounts as given)."""
    if line.get("_tax_amounts") is not None:
        taxes = line.get("taxes") or []
    else:
        rates = line.get("_tax_rates") or invoice.get("default_tax_rates") or []
        taxes = line_taxes(int(line["amount"]) - own, rates)
    return sum(int(t["amount"]) for t in taxes if t["tax_behavior"] == "inclusive")


def _unit_price(line: dict[str, Any], currency: str) -> str:
    unit = (line.get("pricing") or {}).get("unit_amount_decimal")
    if unit is None:
        return ""
    if Decimal(unit) % 1 == 0:
        return format_money(int(Decimal(unit)), currency)
    return f"{unit} {currency.upper()}"


def long_date(timestamp: int | None) -> str:
    """``March 05, 2026`` (UTC) from a unix time; empty for none."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%B %d, %Y")


def _description(line: dict[str, Any]) -> str:
    description = line.get("description") or "Item"
    period = line.get("period") or {}
    if period.get("start") != period.get("end"):
        description += f" ({long_date(period['start'])} - {long_date(period['end'])})"
    return str(description)


def line_figures(invoice: dict[str, Any]) -> list[LineFigures]:
    """The lines as printed (see the module docstring)."""
    rates = tax_rates(invoice)
    labels = discount_labels(invoice)
    without_tax = excludes_tax(invoice)
    rows = []
    for line in invoice["_lines"]:
        own_ids = _own_ids(line)
        own = [(labels.get(d["discount"], "Discount"), -int(d["amount"]))
               for d in line.get("discount_amounts") or []
               if d["discount"] in own_ids and d["amount"]]
        amount = int(line["amount"])
        if without_tax:
            amount -= _inclusive_tax_before_invoice_discounts(invoice, line,
                                                              -sum(a for _, a in own))
        taxes = ", ".join(percent(rates[t["tax_rate_details"]["tax_rate"]]["percentage"])
                          for t in line.get("taxes") or []
                          if t["tax_rate_details"]["tax_rate"] in rates)
        rows.append(LineFigures(
            description=_description(line),
            quantity=str(line.get("quantity_decimal") or line["quantity"]),
            unit_price=_unit_price(line, invoice["currency"]), tax_percentages=taxes,
            amount=amount, discounts=own))
    return rows


def _invoice_discounts(invoice: dict[str, Any], net_total: int | None) -> list[TotalRow]:
    """The invoice-level discounts, each summed over its lines; with ``net_total`` (the
    amount they take off without inclusive tax) shared out so the rows sum to it."""
    labels = discount_labels(invoice)
    ids = [entry["id"] for entry in invoice.get("_discounts") or []]
    gross = {d["discount"]: int(d["amount"]) for d in invoice.get("total_discount_amounts")
             or [] if d["discount"] in ids and d["amount"]}
    shown = [d for d in ids if d in gross]
    if net_total is None or not shown:
        return [TotalRow(labels.get(d, "Discount"), -gross[d]) for d in shown]
    whole = sum(gross.values())
    rows, left = [], net_total
    for index, discount in enumerate(shown):
        part = left if index == len(shown) - 1 else gross[discount] * net_total // whole
        left -= part
        rows.append(TotalRow(labels.get(discount, "Discount"), -part))
    return rows


def total_rows(invoice: dict[str, Any]) -> list[TotalRow]:
    """Subtotal down to amount due (see the module docstring)."""
    currency = invoice["currency"]
    rates = tax_rates(invoice)
    shipping = int(invoice.get("amount_shipping") or 0)
    without_tax = excludes_tax(invoice)
    subtotal = int(invoice["subtotal_excluding_tax"] if without_tax and
                   invoice.get("subtotal_excluding_tax") is not None else invoice["subtotal"])
    rows = [TotalRow("Subtotal", subtotal)]
    net = subtotal + shipping - int(invoice["total_excluding_tax"]) if without_tax else None
    rows.extend(_invoice_discounts(invoice, net))
    if shipping:
        rows.append(TotalRow(invoice.get("_shipping_name") or "Shipping", shipping))
    if invoice.get("total_taxes"):
        rows.append(TotalRow("Total excluding tax", int(invoice["total_excluding_tax"])))
    for tax in invoice.get("total_taxes") or []:
        rate = rates.get(tax["tax_rate_details"]["tax_rate"], {})
        kind = " incl." if tax["tax_behavior"] == "inclusive" else ""
        label = (f"{rate.get('display_name', 'Tax')} ({percent(rate.get('percentage', 0))}"
                 f"{kind} on {format_money(int(tax['taxable_amount']), currency)})")
        rows.append(TotalRow(label, int(tax["amount"])))
    rows.append(TotalRow("Total", int(invoice["total"]), bold=True))
    if invoice.get("starting_balance"):
        rows.append(TotalRow("Applied balance", int(invoice["starting_balance"])))
    if invoice.get("pre_payment_credit_notes_amount"):
        rows.append(TotalRow("Credit notes", -int(invoice["pre_payment_credit_notes_amount"])))
    rows.append(TotalRow("Amount paid", int(invoice["amount_paid"])))
    rows.append(TotalRow("Amount due", int(invoice["amount_remaining"]), bold=True))
    return rows
