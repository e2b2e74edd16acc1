"""The ``invoice`` object: endive shape, table (indexed for lists and search), totals.

An invoice keeps every line in the private ``_lines`` (in Stripe's order); its
public ``lines`` holds the first :data:`EMBEDDED_LINES` of them, as Stripe
embeds, and ``GET /v1/invoices/{id}/lines`` pages through all. Fields removed
since basil (``paid``, ``paid_out_of_band``, ``charge``, ``payment_intent``,
``subscription``) are absent; payments are ``invoice_payment`` objects.
"""

from __future__ import annotations

import json
from typing import Any

from stripe_emulator.lib.search import SearchField, metadata_field
from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models import invoice_totals
from stripe_emulator.models.base import deleted_stub, full_address, public

INVOICES = register_table(
    TableSpec(
        name="invoices",
        object_name="invoice",
        columns=(
            Column("customer"),
            Column("status"),
            Column("collection_method"),
            Column("due_date", "INTEGER"),
            Column("number"),
            Column("currency"),
            Column("total", "INTEGER"),
            Column("test_clock"),
        ),
        indexes=(
            ("status",),
            ("customer",),
            ("customer", "status"),
            ("collection_method",),
            ("lower(number)",),
            ("due_date",),
        ),
    )
)

SEARCH_FIELDS = {
    "created": SearchField("created", "numeric", "created"),
    "currency": SearchField("currency", "token", "currency", lower_value=True),
    "customer": SearchField("customer", "token", "customer"),
    "metadata": metadata_field(),
    "number": SearchField("number", "string", "lower(number)", exact=True, lower_value=True),
    "receipt_number": SearchField("receipt_number", "string",
                                  "json_extract(data, '$.receipt_number')", exact=True),
    "status": SearchField("status", "string", "status", exact=True, lower_value=True),
    "subscription": SearchField(
        "subscription", "string",
        "json_extract(data, '$.parent.subscription_details.subscription')", exact=True),
    "total": SearchField("total", "numeric", "total"),
}

STATUSES = ("draft", "open", "paid", "uncollectible", "void")
#: Lines embedded in the invoice object itself (the rest via ``/lines``).
EMBEDDED_LINES = 10
#: Seconds after creation at which an ``auto_advance`` draft is finalized.
AUTO_FINALIZE_AFTER_SECONDS = 3600

def new_invoice(*, invoice_id: str, created: int, customer: dict[str, Any], currency: str,
                collection_method: str, test_clock: str | None) -> dict[str, Any]:
    """A draft invoice with every endive field at its default."""
    invoice: dict[str, Any] = {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Stripe emulator",
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": False,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None,
                          "provider": None, "status": None},
        "automatically_finalizes_at": None,
        "billing_reason": "manual",
        "collection_method": collection_method,
        "created": created,
        "currency": currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_account": None,
        "customer_address": None,
        "customer_email": None,
        "customer_name": None,
        "customer_phone": None,
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": None,
        "ending_balance": None,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": lines_list(invoice_id, [], has_more=False),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": {"default_mandate": None,
                             "payment_method_options": None,
                             "payment_method_types": None},
        "period_end": created,
        "period_start": created,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": {"amount_tax_display": None, "pdf": {"page_size": "auto"},
                      "template": None, "template_version": None},
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_details": None,
        "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                               "paid_at": None, "voided_at": None},
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": test_clock,
        "threshold_reason": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": created,
        "_lines": [],
    }
    copy_customer_snapshot(invoice, customer)
    return invoice


def lines_list(invoice_id: str, lines: list[dict[str, Any]], *, has_more: bool) -> dict:
    return {"object": "list", "data": lines, "has_more": has_more,
            "url": f"/v1/invoices/{invoice_id}/lines"}


def copy_customer_snapshot(invoice: dict[str, Any], customer: dict[str, Any]) -> None:
    """The ``customer_*`` fields mirror the customer (until finalization freezes them)."""
    invoice["customer_address"] = full_address(customer.get("address"))
    invoice["customer_email"] = customer.get("email")
    invoice["customer_name"] = customer.get("name")
    invoice["customer_phone"] = customer.get("phone")
    shipping = customer.get("shipping")
    invoice["customer_shipping"] = None if shipping is None else {
        "address": full_address(shipping.get("address")), "carrier": None,
        "name": shipping.get("name"), "phone": shipping.get("phone"),
        "tracking_number": None}
    invoice["customer_tax_exempt"] = customer.get("tax_exempt") or "none"
    invoice["customer_tax_ids"] = [{"type": t["type"], "value": t["value"]}
                                   for t in customer.get("_tax_ids") or []]


def recompute_totals(invoice: dict[str, Any]) -> None:
    """Discounts, taxes and totals from the lines (``models.invoice_totals``), the period,
    and the embedded first lines."""
    lines = invoice["_lines"]
    invoice_totals.compute(invoice)
    if lines:
        invoice["period_start"] = min(line["period"]["start"] for line in lines)
        invoice["period_end"] = max(line["period"]["end"] for line in lines)
    invoice["lines"] = lines_list(invoice["id"], [invoice_totals.public_line(line)
                                                  for line in lines[:EMBEDDED_LINES]],
                                  has_more=len(lines) > EMBEDDED_LINES)


def render(invoice: dict[str, Any], *, fresh: bool = False) -> dict[str, Any]:
    """The invoice as the API shows it (the deleted stub once deleted).

    ``fresh``: ``invoice`` was just read from the store for this answer alone (no copy).
    """
    if invoice.get("_deleted"):
        return deleted_stub("invoice", invoice["id"])
    return public(invoice, fresh=fresh)


def render_fresh(invoice: dict[str, Any]) -> dict[str, Any]:
    """:func:`render` of an invoice just read from the store (list and search pages)."""
    return render(invoice, fresh=True)


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a stored (JSON) object, several times faster than ``copy.deepcopy``."""
    return json.loads(json.dumps(obj))


def visible(obj: dict[str, Any]) -> dict[str, Any]:
    """The public keys of ``obj`` (shallow, for comparing before/after without copying)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}
