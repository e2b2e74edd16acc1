"""HTTP edge of ``/v1/credit_notes``: create, preview (and its lines), list, retrieve,
update, lines, void (Stripe's "Credit notes" API, ``CreditNoteCreateParams`` and friends)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import credit_notes
from stripe_emulator.lib.params import (
    LIST_FIELDS,
    Array,
    Decimal,
    Enum,
    Hash,
    Int,
    Metadata,
    Range,
    Schema,
    Str,
)
from stripe_emulator.lib.routing import ApiCall, Route, get, post
from stripe_emulator.models.credit_note import REASONS, render

_LINE = Hash(fields={
    "amount": Int(minimum=0),
    "description": Str(max_length=5000),
    "invoice_line_item": Str(),
    "metadata": Metadata(),
    "quantity": Int(minimum=1),
    "tax_amounts": Array(nullable=True, max_items=20, item=Hash(fields={
        "amount": Int(required=True, minimum=0), "tax_rate": Str(required=True),
        "taxable_amount": Int(required=True, minimum=0)})),
    "tax_rates": Array(nullable=True, item=Str()),
    "type": Enum(required=True, choices=("custom_line_item", "invoice_line_item")),
    "unit_amount": Int(minimum=0),
    "unit_amount_decimal": Decimal(places=12, minimum=0),
})
_REFUND = Hash(fields={
    "amount_refunded": Int(minimum=0),
    "payment_record_refund": Hash(fields={"payment_record": Str(required=True),
                                          "refund_group": Str(required=True)}),
    "refund": Str(),
    "type": Enum(choices=("payment_record_refund", "refund")),
})
_CREDIT_NOTE_FIELDS = {
    "amount": Int(minimum=0),
    "credit_amount": Int(minimum=0),
    "effective_at": Int(minimum=0),
    "email_type": Enum(choices=("credit_note", "none")),
    "invoice": Str(required=True),
    "lines": Array(item=_LINE),
    "memo": Str(max_length=5000),
    "metadata": Metadata(),
    "out_of_band_amount": Int(minimum=0),
    "reason": Enum(choices=REASONS),
    "refund_amount": Int(minimum=0),
    "refunds": Array(item=_REFUND),
    "shipping_cost": Hash(fields={"shipping_rate": Str()}),
}
CREATE = Schema(**_CREDIT_NOTE_FIELDS)
PREVIEW = CREATE
PREVIEW_LINES = Schema(**_CREDIT_NOTE_FIELDS, **LIST_FIELDS)
UPDATE = Schema(memo=Str(nullable=True, max_length=5000), metadata=Metadata())
LIST = Schema(**LIST_FIELDS, created=Range(), customer=Str(), customer_account=Str(),
              invoice=Str())
LINES = Schema(**LIST_FIELDS)
NONE = Schema()


def create_credit_note(call: ApiCall) -> dict[str, Any]:
    return render(credit_notes.create_credit_note(call.state, call.params(CREATE)))


def preview_credit_note(call: ApiCall) -> dict[str, Any]:
    return render(credit_notes.preview_credit_note(call.state, call.params(PREVIEW)))


def preview_lines(call: ApiCall) -> dict[str, Any]:
    return credit_notes.preview_lines(call.state, call.params(PREVIEW_LINES), call.path)


def list_credit_notes(call: ApiCall) -> dict[str, Any]:
    return credit_notes.list_credit_notes(call.state, call.params(LIST), call.path)


def retrieve_credit_note(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(credit_notes.retrieve_credit_note(call.state, call.path_params["id"]))


def update_credit_note(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(credit_notes.update_credit_note(call.state, call.path_params["id"], fields))


def void_credit_note(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(credit_notes.void_credit_note(call.state, call.path_params["id"]))


def list_lines(call: ApiCall) -> dict[str, Any]:
    return credit_notes.list_lines(call.state, call.path_params["id"], call.params(LINES),
                                   call.path)


ROUTES: list[Route] = [
    get("/v1/credit_notes/preview/lines", preview_lines),
    get("/v1/credit_notes/preview", preview_credit_note),
    post("/v1/credit_notes/{id}/void", void_credit_note),
    get("/v1/credit_notes/{id}/lines", list_lines),
    post("/v1/credit_notes", create_credit_note),
    get("/v1/credit_notes", list_credit_notes),
    get("/v1/credit_notes/{id}", retrieve_credit_note),
    post("/v1/credit_notes/{id}", update_credit_note),
]
