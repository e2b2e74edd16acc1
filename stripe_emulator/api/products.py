"""HTTP edge of ``/v1/products``."""

from __future__ import annotations

from typing import Any

from stripe_emulator.api.prices import PRICE_AMOUNT_FIELDS, TAX_BEHAVIOR
from stripe_emulator.backend import products
from stripe_emulator.lib.params import (
    LIST_FIELDS,
    SEARCH_FIELDS,
    Array,
    Bool,
    Decimal,
    Enum,
    Hash,
    Metadata,
    Range,
    Schema,
    Str,
)
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.product import render

_COMMON = {
    "active": Bool(),
    "description": Str(nullable=True, max_length=40000),
    "images": Array(nullable=True, item=Str(), max_items=8),
    "marketing_features": Array(nullable=True, max_items=15, item=Hash(
        fields={"name": Str(required=True, max_length=80)})),
    "metadata": Metadata(),
    "package_dimensions": Hash(nullable=True, fields={
        k: Decimal(required=True, places=2) for k in ("height", "length", "weight", "width")}),
    "shippable": Bool(nullable=True),
    "statement_descriptor": Str(nullable=True, max_length=22),
    "tax_code": Str(nullable=True),
    "tax_details": Hash(nullable=True, fields={"tax_code": Str(nullable=True),
                                               "performance_location": Str(nullable=True)}),
    "unit_label": Str(nullable=True, max_length=12),
    "url": Str(nullable=True, max_length=5000),
}

CREATE = Schema(
    **_COMMON,
    name=Str(required=True, max_length=5000),
    id=Str(max_length=255),
    type=Enum(choices=("good", "service")),
    default_price_data=Hash(fields={"currency": Str(required=True), **PRICE_AMOUNT_FIELDS,
                                    "metadata": Metadata(), "tax_behavior": TAX_BEHAVIOR}),
)
UPDATE = Schema(**_COMMON, name=Str(max_length=5000), default_price=Str(nullable=True))
RETRIEVE = Schema()
LIST = Schema(**LIST_FIELDS, active=Bool(), shippable=Bool(), url=Str(),
              type=Enum(choices=("good", "service")), ids=Array(item=Str()), created=Range())
SEARCH = Schema(**SEARCH_FIELDS)

def create_product(call: ApiCall) -> dict[str, Any]:
    return render(products.create_product(call.state, call.params(CREATE)))


def retrieve_product(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(products.retrieve_product(call.state, call.path_params["id"]))


def update_product(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(products.update_product(call.state, call.path_params["id"], fields))


def delete_product(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return products.delete_product(call.state, call.path_params["id"])


def list_products(call: ApiCall) -> dict[str, Any]:
    return products.list_products(call.state, call.params(LIST), call.path)


def search_products(call: ApiCall) -> dict[str, Any]:
    return products.search_products(call.state, call.params(SEARCH), call.path)


ROUTES: list[Route] = [
    get("/v1/products/search", search_products),
    post("/v1/products", create_product),
    get("/v1/products", list_products),
    get("/v1/products/{id}", retrieve_product),
    post("/v1/products/{id}", update_product),
    delete("/v1/products/{id}", delete_product),
]
