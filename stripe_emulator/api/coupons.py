"""HTTP edge of ``/v1/coupons``."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import coupons
from stripe_emulator.lib.params import (
    LIST_FIELDS,
    Array,
    Decimal,
    Enum,
    Hash,
    Int,
    Map,
    Metadata,
    Range,
    Schema,
    Str,
)
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.coupon import render

_CURRENCY_OPTIONS = Map(key_pattern=r"[A-Za-z]{3}", key_hint="must be a currency code",
                        value=Hash(fields={"amount_off": Int(required=True, minimum=1)}))

CREATE = Schema(
    amount_off=Int(minimum=1, maximum=99_999_999),
    applies_to=Hash(fields={"products": Array(item=Str())}),
    currency=Str(),
    currency_options=_CURRENCY_OPTIONS,
    duration=Enum(choices=("forever", "once", "repeating")),
    duration_in_months=Int(minimum=1),
    id=Str(max_length=200, pattern=r"[A-Za-z0-9_\-]+",
           pattern_hint="may contain only letters, digits, - and _"),
    max_redemptions=Int(minimum=1),
    metadata=Metadata(),
    name=Str(max_length=40),
    percent_off=Decimal(places=2),
    redeem_by=Int(minimum=0),
)
UPDATE = Schema(currency_options=_CURRENCY_OPTIONS, metadata=Metadata(),
                name=Str(nullable=True, max_length=40))
NONE = Schema()
LIST = Schema(**LIST_FIELDS, created=Range())


def _render(call: ApiCall, coupon: dict[str, Any]) -> dict[str, Any]:
    return render(coupon, call.state.now())


def create_coupon(call: ApiCall) -> dict[str, Any]:
    return _render(call, coupons.create_coupon(call.state, call.params(CREATE)))


def retrieve_coupon(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return _render(call, coupons.retrieve_coupon(call.state, call.path_params["id"]))


def update_coupon(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return _render(call, coupons.update_coupon(call.state, call.path_params["id"], fields))


def delete_coupon(call: ApiCall) -> dict[str, Any]:
    call.params(NONE)
    return coupons.delete_coupon(call.state, call.path_params["id"])


def list_coupons(call: ApiCall) -> dict[str, Any]:
    return coupons.list_coupons(call.state, call.params(LIST), call.path)


ROUTES: list[Route] = [
    post("/v1/coupons", create_coupon),
    get("/v1/coupons", list_coupons),
    get("/v1/coupons/{id}", retrieve_coupon),
    post("/v1/coupons/{id}", update_coupon),
    delete("/v1/coupons/{id}", delete_coupon),
]
