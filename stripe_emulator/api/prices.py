"""HTTP edge of ``/v1/prices`` (no DELETE: prices are archived with ``active=false``)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import prices
from stripe_emulator.lib.params import (
    LIST_FIELDS,
    SEARCH_FIELDS,
    Array,
    Bool,
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
from stripe_emulator.lib.routing import ApiCall, Route, get, post
from stripe_emulator.models.price import render

TAX_BEHAVIOR = Enum(choices=("exclusive", "inclusive", "unspecified"))

#: Amount and recurrence parameters shared with ``product.default_price_data``.
PRICE_AMOUNT_FIELDS = {
    "unit_amount": Int(minimum=0, maximum=prices.MAX_UNIT_AMOUNT),
    "unit_amount_decimal": Decimal(places=12, minimum=0),
    "custom_unit_amount": Hash(fields={
        "enabled": Bool(required=True),
        "maximum": Int(minimum=0),
        "minimum": Int(minimum=0),
        "preset": Int(minimum=0),
    }),
    "recurring": Hash(fields={
        "interval": Enum(required=True, choices=("day", "week", "month", "year")),
        "interval_count": Int(minimum=1),
        "meter": Str(),
        "trial_period_days": Int(minimum=0),
        "usage_type": Enum(choices=("licensed", "metered")),
    }),
}

_TIER = Hash(fields={
    "up_to": Str(required=True, pattern=r"inf|\d+", pattern_hint="must be an integer or inf"),
    "flat_amount": Int(minimum=0, maximum=prices.MAX_UNIT_AMOUNT),
    "flat_amount_decimal": Decimal(places=12, minimum=0),
    "unit_amount": Int(minimum=0, maximum=prices.MAX_UNIT_AMOUNT),
    "unit_amount_decimal": Decimal(places=12, minimum=0),
})
_CURRENCY_OPTIONS = Map(key_pattern=r"[A-Za-z]{3}", key_hint="must be a currency code",
                        value=Hash(fields={
                            "custom_unit_amount": PRICE_AMOUNT_FIELDS["custom_unit_amount"],
                            "tax_behavior": TAX_BEHAVIOR,
                            "tiers": Array(item=_TIER),
                            "unit_amount": PRICE_AMOUNT_FIELDS["unit_amount"],
                            "unit_amount_decimal": PRICE_AMOUNT_FIELDS["unit_amount_decimal"],
                        }))

CREATE = Schema(
    currency=Str(required=True),
    **PRICE_AMOUNT_FIELDS,
    active=Bool(),
    billing_scheme=Enum(choices=("per_unit", "tiered")),
    currency_options=_CURRENCY_OPTIONS,
    tiers=Array(item=_TIER),
    tiers_mode=Enum(choices=("graduated", "volume")),
    lookup_key=Str(max_length=200),
    metadata=Metadata(),
    nickname=Str(max_length=5000),
    product=Str(),
    product_data=Hash(fields={
        "name": Str(required=True, max_length=5000),
        "active": Bool(),
        "id": Str(),
        "metadata": Metadata(),
        "statement_descriptor": Str(max_length=22),
        "tax_code": Str(),
        "tax_details": Hash(fields={"performance_location": Str(),
                                    "tax_code": Str(nullable=True)}),
        "unit_label": Str(max_length=12),
    }),
    tax_behavior=TAX_BEHAVIOR,
    transfer_lookup_key=Bool(),
    transform_quantity=Hash(fields={"divide_by": Int(required=True, minimum=1),
                                    "round": Enum(required=True, choices=("down", "up"))}),
)
UPDATE = Schema(
    active=Bool(),
    currency_options=_CURRENCY_OPTIONS,
    lookup_key=Str(nullable=True, max_length=200),
    metadata=Metadata(),
    nickname=Str(nullable=True, max_length=5000),
    tax_behavior=TAX_BEHAVIOR,
    transfer_lookup_key=Bool(),
)
RETRIEVE = Schema()
LIST = Schema(
    **LIST_FIELDS,
    active=Bool(),
    currency=Str(),
    product=Str(),
    type=Enum(choices=("one_time", "recurring")),
    lookup_keys=Array(item=Str(), max_items=10),
    recurring=Hash(fields={"interval": Enum(choices=("day", "week", "month", "year")),
                           "meter": Str(), "usage_type": Enum(choices=("licensed", "metered"))}),
    created=Range(),
)
SEARCH = Schema(**SEARCH_FIELDS)

def create_price(call: ApiCall) -> dict[str, Any]:
    return render(prices.create_price(call.state, call.params(CREATE)))


def retrieve_price(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(prices.retrieve_price(call.state, call.path_params["id"]))


def update_price(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(prices.update_price(call.state, call.path_params["id"], fields))


def list_prices(call: ApiCall) -> dict[str, Any]:
    return prices.list_prices(call.state, call.params(LIST), call.path)


def search_prices(call: ApiCall) -> dict[str, Any]:
    return prices.search_prices(call.state, call.params(SEARCH), call.path)


ROUTES: list[Route] = [
    get("/v1/prices/search", search_prices),
    post("/v1/prices", create_price),
    get("/v1/prices", list_prices),
    get("/v1/prices/{id}", retrieve_price),
    post("/v1/prices/{id}", update_price),
]
