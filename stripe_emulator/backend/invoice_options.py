"""The invoice parameters beyond the basics, applied on create and on draft updates.

``default_tax_rates`` and ``discounts`` (they change the totals, see
``models.invoice_totals``), ``default_payment_method``/``default_source`` (checked to
exist), ``account_tax_ids`` (``''`` clears; the emulated account has no tax IDs, so any
id is a missing reference), ``number`` (a
chosen number, kept at finalization), ``effective_at``, ``automatically_finalizes_at``
(needs ``auto_advance``), ``issuer``, ``automatic_tax`` (the emulated account has not
activated Stripe Tax, so only ``enabled=false``), ``payment_settings``, ``rendering``
(the PDF's page size and tax display), ``shipping_details`` and ``shipping_cost``
(an inline shipping rate adds ``amount_shipping`` to the total), and
``from_invoice`` (a revision of a finalized invoice, see :func:`start_revision`).
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.coupons import apply_discounts
from stripe_emulator.backend.customers import source_of
from stripe_emulator.backend.payments import test_payment_method
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.backend.tax_rates import tax_rates_for
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, MissingReferenceError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.base import full_address
from stripe_emulator.models.invoice import INVOICES

#: ``automatically_finalizes_at`` may be at most this far ahead (five years).
MAX_FINALIZE_AHEAD = 5 * 365 * 86_400
NO_STRIPE_TAX = ("Stripe Tax has not been activated on your account (the emulated account "
                 "never has it): use tax rates (`default_tax_rates`, `tax_rates`) instead.")


def check_references(state: EmulatorState, customer: dict[str, Any],
                     fields: dict[str, Any]) -> None:
    """Refuse (400 ``resource_missing``) objects named by parameters that do not exist."""
    if fields.get("default_payment_method"):
        test_payment_method(fields["default_payment_method"], param="default_payment_method")
    if fields.get("default_source") and source_of(customer, fields["default_source"]) is None:
        raise MissingReferenceError("source", fields["default_source"], param="default_source")
    for index, tax_id in enumerate(fields.get("account_tax_ids") or []):
        # The emulator serves no /v1/tax_ids for the account: an account tax ID names nothing.
        raise MissingReferenceError("tax ID", tax_id, param=f"account_tax_ids[{index}]")


def apply_options(state: EmulatorState, invoice: dict[str, Any], fields: dict[str, Any],
                  now: int) -> None:
    """Apply the parameters this module owns to the draft ``invoice``."""
    if "default_tax_rates" in fields:
        invoice["default_tax_rates"] = tax_rates_for(state, fields["default_tax_rates"],
                                                     "default_tax_rates")
    if "discounts" in fields:
        apply_discounts(state, fields["discounts"], "discounts", owner=invoice, now=now)
    if "default_source" in fields:
        invoice["default_source"] = fields["default_source"]
    if "account_tax_ids" in fields:
        invoice["account_tax_ids"] = fields["account_tax_ids"] or None
    if "number" in fields:
        _set_number(state, invoice, fields["number"])
    if "effective_at" in fields:
        invoice["effective_at"] = fields["effective_at"]
    if fields.get("automatic_tax") is not None:
        if fields["automatic_tax"]["enabled"]:
            raise InvalidRequestError(NO_STRIPE_TAX, param="automatic_tax[enabled]")
        invoice["automatic_tax"]["enabled"] = False
    if fields.get("issuer") is not None:
        _set_issuer(invoice, fields["issuer"])
    if fields.get("payment_settings") is not None:
        _set_payment_settings(invoice, fields["payment_settings"])
    if fields.get("rendering") is not None:
        _set_rendering(invoice, fields["rendering"])
    if "shipping_details" in fields:
        details = fields["shipping_details"]
        invoice["shipping_details"] = None if details is None else {
            "address": full_address(details["address"]), "name": details["name"],
            "phone": details.get("phone")}
    if "shipping_cost" in fields:
        _set_shipping_cost(state, invoice, fields["shipping_cost"])


def finalize_at(invoice: dict[str, Any], fields: dict[str, Any], now: int) -> None:
    """``automatically_finalizes_at``: a chosen time for an ``auto_advance`` draft."""
    when = fields.get("automatically_finalizes_at")
    if when is None:
        return
    if not invoice["auto_advance"]:
        raise InvalidRequestError(
            "automatically_finalizes_at can only be set on an invoice with auto_advance=true.",
            param="automatically_finalizes_at")
    if not now < when <= now + MAX_FINALIZE_AHEAD:
        raise InvalidRequestError("automatically_finalizes_at must be in the future and at most "
                                  "5 years ahead.", param="automatically_finalizes_at")
    invoice["_finalize_at"] = when


def _set_number(state: EmulatorState, invoice: dict[str, Any], number: str | None) -> None:
    if number is not None:
        taken = state.store.count(INVOICES, Where().raw("lower(number) = ?", [number.lower()])
                                  .raw("id != ?", [invoice["id"]]))
        if taken:
            raise InvalidRequestError(f"Invoice number {number} is already in use.",
                                      param="number")
    invoice["number"] = number


def _set_issuer(invoice: dict[str, Any], issuer: dict[str, Any]) -> None:
    if issuer["type"] == "account":
        if not issuer.get("account"):
            raise InvalidRequestError("Missing required param: issuer[account].",
                                      code="parameter_missing", param="issuer[account]")
        # The emulator has no connected accounts: every account id names nothing.
        raise MissingReferenceError("account", issuer["account"], param="issuer[account]")
    invoice["issuer"] = {"type": "self"}


def _plain(value: Any) -> Any:
    """Form strings as JSON values (``"true"`` → true, digits → int), recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _set_payment_settings(invoice: dict[str, Any], settings: dict[str, Any]) -> None:
    current = invoice["payment_settings"]
    if "default_mandate" in settings:
        current["default_mandate"] = settings["default_mandate"]
    if "payment_method_options" in settings:
        current["payment_method_options"] = _plain(settings["payment_method_options"])
    if "payment_method_types" in settings:
        current["payment_method_types"] = settings["payment_method_types"]


def _set_rendering(invoice: dict[str, Any], rendering: dict[str, Any]) -> None:
    current = invoice["rendering"]
    for name in ("amount_tax_display", "template", "template_version"):
        if name in rendering:
            current[name] = rendering[name]
    if (rendering.get("pdf") or {}).get("page_size"):
        current["pdf"] = {"page_size": rendering["pdf"]["page_size"]}


def _set_shipping_cost(state: EmulatorState, invoice: dict[str, Any],
                       cost: dict[str, Any] | None) -> None:
    if cost is None:
        invoice["shipping_cost"] = None
        invoice["amount_shipping"] = 0
        return
    if cost.get("shipping_rate"):
        # The emulator serves no /v1/shipping_rates: a shipping rate id names nothing.
        raise MissingReferenceError("shipping rate", cost["shipping_rate"],
                                    param="shipping_cost[shipping_rate]")
    data = cost.get("shipping_rate_data")
    if data is None:
        raise InvalidRequestError("Missing required param: shipping_cost[shipping_rate_data].",
                                  code="parameter_missing",
                                  param="shipping_cost[shipping_rate_data]")
    fixed = data.get("fixed_amount") or {"amount": 0, "currency": invoice["currency"]}
    if validate_currency(fixed["currency"], "shipping_cost[shipping_rate_data][fixed_amount]"
                                            "[currency]") != invoice["currency"]:
        raise InvalidRequestError("The shipping rate's currency must be the invoice's.",
                                  param="shipping_cost[shipping_rate_data][fixed_amount]")
    amount = int(fixed["amount"])
    invoice["shipping_cost"] = {"amount_subtotal": amount, "amount_tax": 0,
                                "amount_total": amount, "shipping_rate": new_id("shr"),
                                "taxes": []}
    invoice["_shipping_name"] = data["display_name"]
    invoice["amount_shipping"] = amount


def start_revision(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any] | None:
    """The finalized invoice ``from_invoice`` revises (its number and lines carry over)."""
    source = fields.get("from_invoice")
    if source is None:
        return None
    original = state.store.require_reference(INVOICES, source["invoice"],
                                             param="from_invoice[invoice]")
    if original["status"] not in ("open", "uncollectible"):
        raise InvalidRequestError("Only open or uncollectible invoices can be revised.",
                                  param="from_invoice[invoice]")
    if original["customer"] != fields["customer"]:
        raise InvalidRequestError("A revision must be for the customer of the invoice it "
                                  "revises.", param="customer")
    return original
