"""HTTP edge of ``/v1/customers/{customer}/balance_transactions``: list, create, retrieve,
update (Stripe's "Customer balance transactions" API)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import balance_transactions
from stripe_emulator.lib.params import LIST_FIELDS, Int, Metadata, Range, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, get, post
from stripe_emulator.models.balance_transaction import render

CREATE = Schema(amount=Int(required=True), currency=Str(required=True),
                description=Str(max_length=350), metadata=Metadata())
UPDATE = Schema(description=Str(nullable=True, max_length=350), metadata=Metadata())
LIST = Schema(**LIST_FIELDS, created=Range(), invoice=Str())
NONE = Schema()


def list_transactions(call: ApiCall) -> dict[str, Any]:
    return balance_transactions.list_transactions(
        call.state, call.path_params["customer"], call.params(LIST), call.path)


def create_transaction(call: ApiCall) -> dict[str, Any]:
    return render(balance_transactions.create_transaction(
        call.state, call.path_params["customer"], call.params(CREATE)))


def retrieve_transaction(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return render(balance_transactions.retrieve_transaction(
        call.state, call.path_params["customer"], call.path_params["id"]))


def update_transaction(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(balance_transactions.update_transaction(
        call.state, call.path_params["customer"], call.path_params["id"], fields))


ROUTES: list[Route] = [
    get("/v1/customers/{customer}/balance_transactions", list_transactions),
    post("/v1/customers/{customer}/balance_transactions", create_transaction),
    get("/v1/customers/{customer}/balance_transactions/{id}", retrieve_transaction),
    post("/v1/customers/{customer}/balance_transactions/{id}", update_transaction),
]
