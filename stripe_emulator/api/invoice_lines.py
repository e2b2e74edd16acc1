"""HTTP edge of a draft's line endpoints and of ``POST /v1/invoices/create_preview``.

``/v1/invoices/{id}/add_lines``, ``/update_lines``, ``/remove_lines`` (the invoice is
answered) and ``/v1/invoices/{id}/lines/{line_item_id}`` (the line is answered); the
preview answers the invoice that would be made.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.api.invoice_items import MAX_AMOUNT
from stripe_emulator.api.prices import TAX_BEHAVIOR
from stripe_emulator.backend import invoice_lines, invoice_preview
from stripe_emulator.lib.params import (
    ADDRESS,
    DISCOUNTS,
    NO_ACCOUNTS,
    NO_CONNECT,
    NO_SUBSCRIPTIONS,
    Array,
    Bool,
    Decimal,
    Enum,
    Field,
    Hash,
    Int,
    Metadata,
    Schema,
    Str,
    Unsupported,
)
from stripe_emulator.lib.routing import ApiCall, Route, post
from stripe_emulator.models.invoice import render

_PRODUCT_DATA = Hash(fields={
    "description": Str(max_length=40000), "images": Array(item=Str(), max_items=8),
    "metadata": Metadata(), "name": Str(required=True, max_length=5000), "tax_code": Str(),
    "tax_details": Hash(fields={"performance_location": Str(), "tax_code": Str(nullable=True)}),
    "unit_label": Str(max_length=12)})
_PRICE_DATA = Hash(fields={
    "currency": Str(required=True), "product": Str(), "product_data": _PRODUCT_DATA,
    "tax_behavior": TAX_BEHAVIOR, "unit_amount": Int(minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT),
    "unit_amount_decimal": Decimal(places=12)})
_TAX_AMOUNTS = Array(nullable=True, item=Hash(fields={
    "amount": Int(required=True, minimum=0),
    "tax_rate_data": Hash(required=True, fields={
        "country": Str(), "description": Str(), "display_name": Str(required=True),
        "inclusive": Bool(required=True), "jurisdiction": Str(),
        "jurisdiction_level": Enum(choices=("city", "country", "county", "district",
                                            "multiple", "state")),
        "percentage": Decimal(required=True, places=4, minimum=0), "state": Str(),
        "tax_type": Str()}),
    "taxability_reason": Str(),
    "taxable_amount": Int(required=True, minimum=0),
}))

#: What one line may set (``add_lines``, ``update_lines``, the line update).
LINE_FIELDS: dict[str, Field] = {
    "amount": Int(minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT),
    "description": Str(nullable=True, max_length=5000),
    "discountable": Bool(),
    "discounts": DISCOUNTS,
    "metadata": Metadata(),
    "period": Hash(fields={"start": Int(required=True, minimum=0),
                           "end": Int(required=True, minimum=0)}),
    "price_data": _PRICE_DATA,
    "pricing": Hash(fields={"price": Str()}),
    "quantity": Int(minimum=0, maximum=1_000_000_000),
    "quantity_decimal": Decimal(places=12, minimum=0),
    "tax_amounts": _TAX_AMOUNTS,
    "tax_rates": Array(nullable=True, item=Str(), max_items=10),
}

ADD_LINES = Schema(invoice_metadata=Metadata(), lines=Array(required=True, max_items=250, item=Hash(
    fields={**LINE_FIELDS, "invoice_item": Str()})))
UPDATE_LINES = Schema(invoice_metadata=Metadata(), lines=Array(
    required=True, max_items=250, item=Hash(fields={**LINE_FIELDS, "id": Str(required=True)})))
REMOVE_LINES = Schema(invoice_metadata=Metadata(), lines=Array(
    required=True, max_items=250, item=Hash(fields={
        "behavior": Enum(required=True, choices=("delete", "unassign")),
        "id": Str(required=True)})))
UPDATE_LINE = Schema(**LINE_FIELDS)

_PREVIEW_ITEM = Hash(fields={
    **{k: v for k, v in LINE_FIELDS.items() if k not in ("pricing", "tax_amounts")},
    "currency": Str(), "invoiceitem": Str(), "price": Str(),
    "tax_behavior": TAX_BEHAVIOR, "tax_code": Str(nullable=True),
    "unit_amount": Int(minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT),
    "unit_amount_decimal": Decimal(places=12),
})
PREVIEW = Schema(
    automatic_tax=Hash(fields={"enabled": Bool(required=True), "liability": Hash(fields={
        "account": Str(), "type": Enum(required=True, choices=("account", "self"))})}),
    currency=Str(),
    customer=Str(),
    customer_account=Unsupported(reason=NO_ACCOUNTS),
    customer_details=Hash(fields={
        "address": ADDRESS,
        "shipping": Hash(nullable=True, fields={"address": ADDRESS, "name": Str(required=True),
                                                "phone": Str(nullable=True)}),
        "tax": Hash(fields={"ip_address": Str(nullable=True)}),
        "tax_exempt": Enum(nullable=True, choices=("exempt", "none", "reverse")),
        "tax_ids": Array(item=Hash(fields={"type": Str(required=True),
                                           "value": Str(required=True)})),
    }),
    discounts=DISCOUNTS,
    invoice_items=Array(max_items=250, item=_PREVIEW_ITEM),
    issuer=Hash(fields={"account": Str(), "type": Enum(required=True,
                                                       choices=("account", "self"))}),
    on_behalf_of=Unsupported(reason=NO_CONNECT),
    preview_mode=Enum(choices=("next", "recurring")),
    schedule=Unsupported(reason=NO_SUBSCRIPTIONS),
    schedule_details=Unsupported(reason=NO_SUBSCRIPTIONS),
    subscription=Unsupported(reason=NO_SUBSCRIPTIONS),
    subscription_details=Unsupported(reason=NO_SUBSCRIPTIONS),
)


def add_lines(call: ApiCall) -> dict[str, Any]:
    fields = call.params(ADD_LINES)
    return render(invoice_lines.add_lines(call.state, call.path_params["id"], fields))


def update_lines(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE_LINES)
    return render(invoice_lines.update_lines(call.state, call.path_params["id"], fields))


def remove_lines(call: ApiCall) -> dict[str, Any]:
    fields = call.params(REMOVE_LINES)
    return render(invoice_lines.remove_lines(call.state, call.path_params["id"], fields))


def update_line(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE_LINE)
    return invoice_lines.update_line(call.state, call.path_params["id"],
                                     call.path_params["line_item_id"], fields)


def create_preview(call: ApiCall) -> dict[str, Any]:
    return invoice_preview.create_preview(call.state, call.params(PREVIEW))


ROUTES: list[Route] = [
    post("/v1/invoices/create_preview", create_preview),
    post("/v1/invoices/{id}/add_lines", add_lines),
    post("/v1/invoices/{id}/update_lines", update_lines),
    post("/v1/invoices/{id}/remove_lines", remove_lines),
    post("/v1/invoices/{id}/lines/{line_item_id}", update_line),
]
