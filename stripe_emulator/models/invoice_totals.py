"""An invoice's amounts as Stripe computes them: discounts, then taxes, then totals.

Per line (``amount`` = quantity × unit price, before discounts and taxes):

1. **Discounts**, only on ``discountable`` lines, one after the other on what is
   left: first the line's own (its invoice item's ``discounts``), then the
   invoice's. A percentage takes ``round_half_up(left × percent / 100)`` off each
   line; an amount off (in the invoice's currency, or the coupon's
   ``currency_options``) is capped at what is left and spread over the lines in
   proportion to what is left on each, the rounding remainder going to the first
   lines. A coupon with ``applies_to`` only touches lines of those products.
2. **Taxes** on what is left after every discount (discounts come before tax): the
   line's tax rates (its item's ``tax_rates``) or else the invoice's
   ``default_tax_rates``. Inclusive rates are inside the amount:
   ``tax = round_half_up(left × pct / (100 + Σ inclusive pct))``, and the
   ``taxable_amount`` is ``left`` minus them; exclusive rates are added on that net
   amount: ``round_half_up(net × pct / 100)``. Each line and each rate is rounded on
   its own, then summed (Stripe rounds per line item, half up).

Invoice: ``subtotal`` = Σ (amount − the lines' own discounts) (inclusive tax inside);
``subtotal_excluding_tax`` = the same without inclusive tax; ``total`` = subtotal −
invoice discounts + exclusive tax + ``amount_shipping``; ``total_excluding_tax`` = total
− every tax;
``total_discount_amounts``, ``total_pretax_credit_amounts`` and ``total_taxes``
aggregate the lines' per discount and per tax rate; ``amount_due`` = max(0, total +
starting balance − pre-payment credit notes); ``amount_remaining`` = amount due − amount paid.

A line given ``tax_amounts`` (manual tax amounts, ``add_lines``/``update_lines``) shows
those amounts as they are instead.

Pure functions over the invoice dict: the lines carry their item's tax rates, discount
terms and manual tax amounts in private keys (``_tax_rates``, ``_discounts``,
``_tax_amounts``), the invoice its own (``default_tax_rates``, ``_discounts``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def round_half_up(value: Decimal) -> int:
    """Nearest integer, halves away from zero (Stripe's rounding of money)."""
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def _amount_off(terms: dict[str, Any], currency: str) -> int:
    if terms["currency"] == currency:
        return int(terms["amount_off"])
    option = (terms.get("currency_options") or {}).get(currency)
    return int(option["amount_off"]) if option else 0


def _applies(terms: dict[str, Any], line: dict[str, Any]) -> bool:
    products = (terms.get("applies_to") or {}).get("products")
    if products is None:
        return True
    details = (line.get("pricing") or {}).get("price_details") or {}
    return details.get("product") in products


def _spread(total: int, weights: list[int]) -> list[int]:
    """``total`` over ``weights`` in proportion (largest remainders first, ties in order)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for index in remainders[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _discount(terms: dict[str, Any], lefts: list[int], currency: str) -> list[int]:
    """What one discount takes off each of the lines it applies to."""
    if terms.get("percent_off") is not None:
        percent = Decimal(str(terms["percent_off"]))
        return [round_half_up(Decimal(left) * percent / 100) if left > 0 else 0
                for left in lefts]
    positive = [max(0, left) for left in lefts]
    return _spread(min(_amount_off(terms, currency), sum(positive)), positive)


def line_taxes(left: int, rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``taxes`` of a line with ``left`` after discounts, under ``rates``."""
    inclusive = [r for r in rates if r["inclusive"]]
    inside = sum(Decimal(str(r["percentage"])) for r in inclusive)
    amounts = {r["id"]: round_half_up(Decimal(left) * Decimal(str(r["percentage"]))
                                      / (100 + inside)) for r in inclusive}
    net = left - sum(amounts.values())
    for rate in rates:
        if not rate["inclusive"]:
            amounts[rate["id"]] = round_half_up(Decimal(net) * Decimal(str(rate["percentage"]))
                                                / 100)
    return [{
        "amount": amounts[rate["id"]],
        "tax_behavior": "inclusive" if rate["inclusive"] else "exclusive",
        "tax_rate_details": {"tax_rate": rate["id"]},
        "taxability_reason": "standard_rated" if rate["percentage"] else "zero_rated",
        "taxable_amount": net,
        "type": "tax_rate_details",
    } for rate in rates]


def manual_taxes(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``taxes`` from the tax amounts a line was given (``tax_amounts``), as they were."""
    return [{
        "amount": entry["amount"],
        "tax_behavior": "inclusive" if entry["rate"]["inclusive"] else "exclusive",
        "tax_rate_details": {"tax_rate": entry["rate"]["id"]},
        "taxability_reason": entry["taxability_reason"],
        "taxable_amount": entry["taxable_amount"],
        "type": "tax_rate_details",
    } for entry in given]


def _rates_of(invoice: dict[str, Any], line: dict[str, Any]) -> list[dict[str, Any]]:
    return line.get("_tax_rates") or invoice.get("default_tax_rates") or []


def _apply_discounts(invoice: dict[str, Any], lines: list[dict[str, Any]]) -> list[list[tuple]]:
    """Per line, ``(discount id, amount, is the line's own)`` in the order applied."""
    currency = invoice["currency"]
    taken: list[list[tuple]] = [[] for _ in lines]
    lefts = [int(line["amount"]) for line in lines]
    for index, line in enumerate(lines):
        if not line.get("discountable"):
            continue
        for entry in line.get("_discounts") or []:
            off = _discount(entry["coupon"], [lefts[index]], currency)[0] \
                if _applies(entry["coupon"], line) else 0
            lefts[index] -= off
            taken[index].append((entry["id"], off, True))
    for entry in invoice.get("_discounts") or []:
        eligible = [i for i, line in enumerate(lines)
                    if line.get("discountable") and _applies(entry["coupon"], line)]
        offs = _discount(entry["coupon"], [lefts[i] for i in eligible], currency)
        for index, off in zip(eligible, offs, strict=True):
            lefts[index] -= off
            taken[index].append((entry["id"], off, False))
    return taken


def _add(totals: dict[Any, dict[str, Any]], key: Any, entry: dict[str, Any],
         fields: tuple[str, ...]) -> None:
    if key in totals:
        for name in fields:
            totals[key][name] += entry[name]
    else:
        totals[key] = dict(entry)


def compute(invoice: dict[str, Any]) -> None:
    """Set the discount, tax and total fields of ``invoice`` and of each of its lines."""
    lines = invoice["_lines"]
    taken = _apply_discounts(invoice, lines)
    subtotal = subtotal_excluding = exclusive_tax = all_tax = invoice_discounts = 0
    discount_totals: dict[Any, dict[str, Any]] = {}
    tax_totals: dict[Any, dict[str, Any]] = {}
    for line, offs in zip(lines, taken, strict=True):
        amount = int(line["amount"])
        own = sum(off for _, off, is_own in offs if is_own)
        left = amount - sum(off for _, off, _ in offs)
        rates = _rates_of(invoice, line)
        given = line.get("_tax_amounts")
        line["subtotal"] = amount
        line["discount_amounts"] = [{"amount": off, "discount": d} for d, off, _ in offs]
        line["pretax_credit_amounts"] = [
            {"amount": off, "credit_balance_transaction": None, "discount": d,
             "type": "discount"} for d, off, _ in offs]
        line["taxes"] = line_taxes(left, rates) if given is None else manual_taxes(given)
        subtotal += amount - own
        subtotal_excluding += amount - own - sum(
            t["amount"] for t in (line["taxes"] if given is not None
                                  else line_taxes(amount - own, rates))
            if t["tax_behavior"] == "inclusive")
        invoice_discounts += sum(off for _, off, is_own in offs if not is_own)
        for tax in line["taxes"]:
            all_tax += tax["amount"]
            exclusive_tax += tax["amount"] if tax["tax_behavior"] == "exclusive" else 0
            _add(tax_totals, (tax["tax_rate_details"]["tax_rate"], tax["tax_behavior"]), tax,
                 ("amount", "taxable_amount"))
        for credit in line["pretax_credit_amounts"]:
            _add(discount_totals, credit["discount"], credit, ("amount",))
    total = subtotal - invoice_discounts + exclusive_tax + int(invoice.get("amount_shipping") or 0)
    invoice.update(
        subtotal=subtotal, subtotal_excluding_tax=subtotal_excluding, total=total,
        total_excluding_tax=total - all_tax,
        total_discount_amounts=[{"amount": c["amount"], "discount": c["discount"]}
                                for c in discount_totals.values()],
        total_pretax_credit_amounts=list(discount_totals.values()),
        total_taxes=[dict(t, tax_rate_details=dict(t["tax_rate_details"]))
                     for t in tax_totals.values()],
    )
    invoice["amount_due"] = max(0, total + int(invoice["starting_balance"])
                                - int(invoice.get("pre_payment_credit_notes_amount") or 0))
    invoice["amount_remaining"] = max(0, invoice["amount_due"] - invoice["amount_paid"])


def public_line(line: dict[str, Any]) -> dict[str, Any]:
    """The line as the API shows it (its private keys left out)."""
    return {k: v for k, v in line.items() if not k.startswith("_")}
