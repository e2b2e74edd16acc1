"""HTTP edge of ``/v1/customers``: parameters declared once, then the backend."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import customers
from stripe_emulator.lib.params import (
    ADDRESS,
    LIST_FIELDS,
    SEARCH_FIELDS,
    Array,
    Bool,
    Enum,
    Hash,
    Int,
    Metadata,
    Range,
    Schema,
    Str,
)
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.customer import render

_INVOICE_SETTINGS = Hash(fields={
    "custom_fields": Array(nullable=True, max_items=4, item=Hash(fields={
        "name": Str(required=True, max_length=40),
        "value": Str(required=True, max_length=140),
    })),
    "default_payment_method": Str(nullable=True),
    "footer": Str(nullable=True, max_length=5000),
    "rendering_options": Hash(nullable=True, fields={
        "amount_tax_display": Enum(nullable=True,
                                   choices=("exclude_tax", "include_inclusive_tax")),
        "template": Str(nullable=True),
    }),
})

_WRITABLE = {
    "address": ADDRESS,
    "balance": Int(nullable=True),
    "business_name": Str(nullable=True, max_length=150),
    "description": Str(nullable=True, max_length=350),
    "email": Str(nullable=True, max_length=512),
    "individual_name": Str(nullable=True, max_length=150),
    "invoice_prefix": Str(pattern=r"[A-Z0-9]{1,12}",
                          pattern_hint="must be 1 to 12 uppercase letters or digits"),
    "invoice_settings": _INVOICE_SETTINGS,
    "metadata": Metadata(),
    "name": Str(nullable=True, max_length=256),
    "next_invoice_sequence": Int(minimum=1, maximum=1_000_000_000),
    "phone": Str(nullable=True, max_length=20),
    "preferred_locales": Array(nullable=True, item=Str()),
    "shipping": Hash(nullable=True, fields={
        "address": ADDRESS, "name": Str(required=True), "phone": Str(nullable=True)}),
    "tax_exempt": Enum(nullable=True, choices=("none", "exempt", "reverse")),
}

_CASH_BALANCE = Hash(fields={"settings": Hash(fields={
    "reconciliation_mode": Enum(choices=("automatic", "manual", "merchant_default"))})})


def _tax(*modes: str) -> Hash:
    return Hash(fields={"ip_address": Str(nullable=True, max_length=45),
                        "validate_location": Enum(choices=modes)})


_TAX_ID_DATA = Array(max_items=25, item=Hash(fields={
    "type": Str(required=True, pattern=r"[a-z]{2}_[a-z_]{2,8}",
                pattern_hint="must be a tax ID type such as eu_vat or us_ein"),
    "value": Str(required=True, max_length=64),
}))

CREATE = Schema(**_WRITABLE, payment_method=Str(), test_clock=Str(), cash_balance=_CASH_BALANCE,
                source=Str(), tax=_tax("deferred", "immediately"), tax_id_data=_TAX_ID_DATA,
                validate=Bool())
UPDATE = Schema(**_WRITABLE, default_source=Str(nullable=True), cash_balance=_CASH_BALANCE,
                source=Str(), tax=_tax("auto", "deferred", "immediately"), validate=Bool())
RETRIEVE = Schema()
LIST = Schema(**LIST_FIELDS, email=Str(max_length=512), created=Range(), test_clock=Str())
SEARCH = Schema(**SEARCH_FIELDS)

def create_customer(call: ApiCall) -> dict[str, Any]:
    return render(customers.create_customer(call.state, call.params(CREATE)))


def retrieve_customer(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(customers.retrieve_customer(call.state, call.path_params["id"]))


def update_customer(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(customers.update_customer(call.state, call.path_params["id"], fields))


def delete_customer(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(customers.delete_customer(call.state, call.path_params["id"]))


def list_customers(call: ApiCall) -> dict[str, Any]:
    return customers.list_customers(call.state, call.params(LIST), call.path)


def search_customers(call: ApiCall) -> dict[str, Any]:
    return customers.search_customers(call.state, call.params(SEARCH), call.path)


ROUTES: list[Route] = [
    get("/v1/customers/search", search_customers),
    post("/v1/customers", create_customer),
    get("/v1/customers", list_customers),
    get("/v1/customers/{id}", retrieve_customer),
    post("/v1/customers/{id}", update_customer),
    delete("/v1/customers/{id}", delete_customer),
]
