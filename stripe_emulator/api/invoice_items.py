"""HTTP edge of ``/v1/invoiceitems``."""

from __future__ import annotations

from typing import Any

from stripe_emulator.api.prices import TAX_BEHAVIOR
from stripe_emulator.backend import invoice_items
from stripe_emulator.lib.params import (
    DISCOUNTS,
    LIST_FIELDS,
    NO_ACCOUNTS,
    NO_SUBSCRIPTIONS,
    Array,
    Bool,
    Decimal,
    Enum,
    Hash,
    Int,
    Metadata,
    Range,
    Schema,
    Str,
    Unsupported,
)
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.invoice_item import render

#: Stripe's largest amount (8 digits of minor units), either sign for items.
MAX_AMOUNT = 99_999_999

_WRITABLE = {
    "amount": Int(minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT),
    "description": Str(nullable=True, max_length=5000),
    "discountable": Bool(),
    "metadata": Metadata(),
    "period": Hash(fields={"start": Int(required=True, minimum=0),
                           "end": Int(required=True, minimum=0)}),
    "price_data": Hash(fields={
        "currency": Str(required=True),
        "product": Str(required=True),
        "tax_behavior": Enum(choices=("exclusive", "inclusive", "unspecified")),
        "unit_amount": Int(minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT),
        "unit_amount_decimal": Decimal(places=12),
    }),
    "pricing": Hash(fields={"price": Str(required=True)}),
    "quantity": Int(minimum=0, maximum=1_000_000_000),
    "quantity_decimal": Decimal(places=12, minimum=0),
    "discounts": DISCOUNTS,
    "tax_behavior": TAX_BEHAVIOR,
    "tax_code": Str(nullable=True),
    "tax_rates": Array(nullable=True, item=Str(), max_items=10),
    "unit_amount_decimal": Decimal(places=12),
}

CREATE = Schema(**_WRITABLE, currency=Str(), customer=Str(), invoice=Str(),
                customer_account=Unsupported(reason=NO_ACCOUNTS),
                subscription=Unsupported(reason=NO_SUBSCRIPTIONS))
UPDATE = Schema(**_WRITABLE, invoicing_rules=Str(
    nullable=True, pattern=r"(?!)",
    pattern_hint="only '' (remove the rules) is accepted; setting invoicing rules is not "
                 "supported"))
NONE = Schema()
LIST = Schema(**LIST_FIELDS, customer=Str(), invoice=Str(), pending=Bool(), created=Range(),
              customer_account=Str())


def create_invoice_item(call: ApiCall) -> dict[str, Any]:
    return render(invoice_items.create_invoice_item(call.state, call.params(CREATE)))


def retrieve_invoice_item(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoice_items.retrieve_invoice_item(call.state, call.path_params["id"]))


def update_invoice_item(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(invoice_items.update_invoice_item(call.state, call.path_params["id"],
                                                    fields))


def delete_invoice_item(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return invoice_items.delete_invoice_item(call.state, call.path_params["id"])


def list_invoice_items(call: ApiCall) -> dict[str, Any]:
    return invoice_items.list_invoice_items(call.state, call.params(LIST), call.path)


ROUTES: list[Route] = [
    post("/v1/invoiceitems", create_invoice_item),
    get("/v1/invoiceitems", list_invoice_items),
    get("/v1/invoiceitems/{id}", retrieve_invoice_item),
    post("/v1/invoiceitems/{id}", update_invoice_item),
    delete("/v1/invoiceitems/{id}", delete_invoice_item),
]
