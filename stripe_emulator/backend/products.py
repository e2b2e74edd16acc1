"""Product use cases: create (optionally with a default price), retrieve, update,
delete (only without prices), list, search."""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.prices import create_price
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.search import search_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import product as model
from stripe_emulator.models.base import apply_metadata, deleted_stub
from stripe_emulator.models.price import PRICES
from stripe_emulator.models.product import PRODUCTS


def _apply_fields(product: dict[str, Any], fields: dict[str, Any]) -> None:
    for name in model.PLAIN_FIELDS:
        if name in fields:
            product[name] = fields[name]
    for name in ("images", "marketing_features"):
        if name in fields and fields[name] is None:
            product[name] = []
    if fields.get("marketing_features"):
        product["marketing_features"] = [{"name": f.get("name")}
                                         for f in fields["marketing_features"]]
    if fields.get("package_dimensions"):
        product["package_dimensions"] = {k: float(v)
                                         for k, v in fields["package_dimensions"].items()}
    if "metadata" in fields:
        product["metadata"] = apply_metadata(product["metadata"], fields["metadata"])


def create_product(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    product_id = fields.get("id") or new_id("prod")
    if state.store.get(PRODUCTS, product_id) is not None:
        raise InvalidRequestError(f"Product already exists: {product_id}",
                                  code="resource_already_exists", param="id")
    product = model.new_product(product_id=product_id, created=state.now(),
                                name=fields["name"], product_type=fields.get("type") or "service")
    _apply_fields(product, fields)
    state.store.insert(PRODUCTS, product)
    emit_event(state, "product.created", product)
    price_data = fields.get("default_price_data")
    if price_data is not None:
        price = create_price(state, {**price_data, "product": product_id})
        product["default_price"] = price["id"]
        state.store.update(PRODUCTS, product)
    return product


def retrieve_product(state: EmulatorState, product_id: str) -> dict[str, Any]:
    return state.store.require(PRODUCTS, product_id)


def update_product(state: EmulatorState, product_id: str,
                   fields: dict[str, Any]) -> dict[str, Any]:
    product = state.store.require(PRODUCTS, product_id)
    before = copy.deepcopy(product)
    if fields.get("default_price") is not None:
        price = state.store.require_reference(PRICES, fields["default_price"],
                                              param="default_price")
        if price["product"] != product_id:
            raise InvalidRequestError(
                f"The price `{price['id']}` does not belong to product `{product_id}`.",
                param="default_price")
        if not price["active"]:
            raise InvalidRequestError(
                "The default price of a product must be active.", param="default_price")
    if "default_price" in fields:
        product["default_price"] = fields["default_price"]
    _apply_fields(product, fields)
    if product != before:
        product["updated"] = state.now()
        state.store.update(PRODUCTS, product)
        emit_event(state, "product.updated", product, previous=before)
    return product


def delete_product(state: EmulatorState, product_id: str) -> dict[str, Any]:
    product = state.store.require(PRODUCTS, product_id)
    if state.store.count(PRICES, Where().eq("product", product_id).eq("inline", 0)):
        raise InvalidRequestError(
            "This product cannot be deleted because it has one or more user-created prices.",
            param="id",
        )
    state.store.delete(PRODUCTS, product_id)
    emit_event(state, "product.deleted", product)
    return deleted_stub("product", product_id)


def _visible() -> Where:
    return Where().raw("json_extract(data, '$._inline') IS NULL")


def list_products(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    where = _visible()
    for key in ("active", "shippable", "type", "url"):
        if params.get(key) is not None:
            where.eq(key, params[key])
    if params.get("ids"):
        where.isin("id", params["ids"])
    where.range("created", params.get("created"))
    return list_page(state.store, PRODUCTS, where, params, url, model.render)


def search_products(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    return search_page(state.store, PRODUCTS, model.SEARCH_FIELDS, params, url, model.render,
                       base=_visible())
