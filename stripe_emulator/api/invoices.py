"""HTTP edge of ``/v1/invoices``: CRUD, list, search, lines and the lifecycle actions."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import invoice_lifecycle, invoicing, partial_payments
from stripe_emulator.lib.params import (
    DISCOUNTS,
    LIST_FIELDS,
    NO_ACCOUNTS,
    NO_CONNECT,
    NO_SUBSCRIPTIONS,
    SEARCH_FIELDS,
    Array,
    Bool,
    Enum,
    Hash,
    Int,
    Metadata,
    Range,
    Raw,
    Schema,
    Str,
    Unsupported,
)
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.invoice import render

#: The order Stripe names them in its refusal message.
STATUS = Enum(choices=("draft", "open", "void", "paid", "uncollectible"))
COLLECTION_METHOD = Enum(choices=("charge_automatically", "send_invoice"))

_CUSTOM_FIELDS = Array(nullable=True, max_items=4, item=Hash(fields={
    "name": Str(required=True, max_length=40),
    "value": Str(required=True, max_length=140),
}))

_ADDRESS = Hash(fields={k: Str(max_length=5000) for k in
                        ("city", "country", "line1", "line2", "postal_code", "state")})
_AUTOMATIC_TAX = Hash(fields={"enabled": Bool(required=True), "liability": Hash(fields={
    "account": Str(), "type": Enum(required=True, choices=("account", "self"))})})
_RATE_DATA = Hash(fields={
    "delivery_estimate": Raw(),
    "display_name": Str(required=True, max_length=100),
    "fixed_amount": Hash(fields={"amount": Int(required=True, minimum=0),
                                 "currency": Str(required=True), "currency_options": Raw()}),
    "metadata": Metadata(),
    "tax_behavior": Enum(choices=("exclusive", "inclusive", "unspecified")),
    "tax_code": Str(),
    "type": Enum(choices=("fixed_amount",)),
})

_EDITABLE = {
    "account_tax_ids": Array(nullable=True, item=Str(), max_items=5),
    "application_fee_amount": Unsupported(reason=NO_CONNECT),
    "automatic_tax": _AUTOMATIC_TAX,
    "automatically_finalizes_at": Int(minimum=0),
    "default_source": Str(nullable=True),
    "default_tax_rates": Array(nullable=True, item=Str(), max_items=5),
    "discounts": DISCOUNTS,
    "effective_at": Int(nullable=True, minimum=0),
    "issuer": Hash(fields={"account": Str(), "type": Enum(required=True,
                                                          choices=("account", "self"))}),
    "number": Str(nullable=True, max_length=26),
    "on_behalf_of": Unsupported(reason=NO_CONNECT),
    "payment_settings": Hash(fields={
        "default_mandate": Str(nullable=True),
        "payment_method_options": Raw(),
        "payment_method_types": Array(nullable=True, item=Str()),
    }),
    "rendering": Hash(fields={
        "amount_tax_display": Enum(nullable=True,
                                   choices=("exclude_tax", "include_inclusive_tax")),
        "pdf": Hash(fields={"page_size": Enum(choices=("a4", "auto", "letter"))}),
        "template": Str(),
        "template_version": Int(nullable=True, minimum=0),
    }),
    "shipping_cost": Hash(nullable=True, fields={"shipping_rate": Str(),
                                                 "shipping_rate_data": _RATE_DATA}),
    "shipping_details": Hash(nullable=True, fields={
        "address": _ADDRESS, "name": Str(required=True, max_length=5000),
        "phone": Str(nullable=True, max_length=5000)}),
    "transfer_data": Unsupported(reason=NO_CONNECT),
    "auto_advance": Bool(),
    "collection_method": COLLECTION_METHOD,
    "custom_fields": _CUSTOM_FIELDS,
    "days_until_due": Int(minimum=0, maximum=36500),
    "default_payment_method": Str(nullable=True),
    "description": Str(nullable=True, max_length=1500),
    "due_date": Int(minimum=0),
    "footer": Str(nullable=True, max_length=5000),
    "metadata": Metadata(),
    "statement_descriptor": Str(nullable=True, max_length=22),
}

CREATE = Schema(
    **_EDITABLE,
    customer=Str(required=True),
    customer_account=Unsupported(reason=NO_ACCOUNTS),
    currency=Str(),
    from_invoice=Hash(fields={"action": Enum(required=True, choices=("revision",)),
                              "invoice": Str(required=True)}),
    pending_invoice_items_behavior=Enum(choices=("exclude", "include")),
    subscription=Unsupported(reason=NO_SUBSCRIPTIONS),
)
UPDATE = Schema(**_EDITABLE)
NONE = Schema()
FINALIZE = Schema(auto_advance=Bool())
PAY = Schema(forgive=Bool(), mandate=Str(nullable=True), off_session=Bool(),
             paid_out_of_band=Bool(), payment_method=Str(), source=Str())
LIST = Schema(**LIST_FIELDS, customer=Str(), status=STATUS,
              collection_method=COLLECTION_METHOD, created=Range(), due_date=Range(),
              subscription=Str(), customer_account=Str())
LINES = Schema(**LIST_FIELDS)
ATTACH_PAYMENT = Schema(payment_intent=Str(), payment_record=Str())
SEARCH = Schema(**SEARCH_FIELDS)

def create_invoice(call: ApiCall) -> dict[str, Any]:
    return render(invoicing.create_invoice(call.state, call.params(CREATE)))


def retrieve_invoice(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoicing.retrieve_invoice(call.state, call.path_params["id"]))


def update_invoice(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(invoicing.update_invoice(call.state, call.path_params["id"], fields))


def delete_invoice(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoicing.delete_invoice(call.state, call.path_params["id"]))


def list_invoices(call: ApiCall) -> dict[str, Any]:
    return invoicing.list_invoices(call.state, call.params(LIST), call.path)


def search_invoices(call: ApiCall) -> dict[str, Any]:
    return invoicing.search_invoices(call.state, call.params(SEARCH), call.path)


def list_lines(call: ApiCall) -> dict[str, Any]:
    return invoicing.list_lines(call.state, call.path_params["id"], call.params(LINES),
                                call.path)


def finalize_invoice(call: ApiCall) -> dict[str, Any]:
    fields = call.params(FINALIZE)
    return render(invoice_lifecycle.finalize_invoice(call.state, call.path_params["id"], fields))


def send_invoice(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoice_lifecycle.send_invoice(call.state, call.path_params["id"]))


def pay_invoice(call: ApiCall) -> dict[str, Any]:
    fields = call.params(PAY)
    return render(invoice_lifecycle.pay_invoice(call.state, call.path_params["id"], fields))


def attach_payment(call: ApiCall) -> dict[str, Any]:
    fields = call.params(ATTACH_PAYMENT)
    return render(partial_payments.attach_payment(call.state, call.path_params["id"], fields))


def void_invoice(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoice_lifecycle.void_invoice(call.state, call.path_params["id"]))


def mark_uncollectible(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(invoice_lifecycle.mark_uncollectible(call.state, call.path_params["id"]))


ROUTES: list[Route] = [
    get("/v1/invoices/search", search_invoices),
    post("/v1/invoices/{id}/finalize", finalize_invoice),
    post("/v1/invoices/{id}/send", send_invoice),
    post("/v1/invoices/{id}/pay", pay_invoice),
    post("/v1/invoices/{id}/attach_payment", attach_payment),
    post("/v1/invoices/{id}/void", void_invoice),
    post("/v1/invoices/{id}/mark_uncollectible", mark_uncollectible),
    get("/v1/invoices/{id}/lines", list_lines),
    post("/v1/invoices", create_invoice),
    get("/v1/invoices", list_invoices),
    get("/v1/invoices/{id}", retrieve_invoice),
    post("/v1/invoices/{id}", update_invoice),
    delete("/v1/invoices/{id}", delete_invoice),
]
