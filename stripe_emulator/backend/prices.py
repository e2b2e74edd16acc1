"""Price use cases: create (one-time or recurring, ``product`` or ``product_data``),
retrieve, update, list, search, and inline prices for amount-only invoice items."""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.params import exclusive
from stripe_emulator.lib.search import search_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import price as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.price import PRICES
from stripe_emulator.models.product import PRODUCTS, new_product

MAX_UNIT_AMOUNT = 99_999_999


def _amount_decimal(fields: dict[str, Any]) -> str | None:
    exclusive(fields, "unit_amount", "unit_amount_decimal", "custom_unit_amount")
    if fields.get("unit_amount") is not None:
        return str(fields["unit_amount"])
    if fields.get("unit_amount_decimal") is not None:
        return fields["unit_amount_decimal"]
    if fields.get("custom_unit_amount") is not None:
        return None
    raise ParameterError("Missing required param: unit_amount.", code="parameter_missing",
                         param="unit_amount")


def _recurring(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if not value:
        return None
    count = value.get("interval_count") or 1
    limits = {"day": 1095, "week": 156, "month": 36, "year": 3}
    if count > limits[value["interval"]]:
        raise InvalidRequestError(
            "The maximum interval is three years.", param="recurring[interval_count]")
    return {
        "interval": value["interval"],
        "interval_count": count,
        "meter": value.get("meter"),
        "trial_period_days": value.get("trial_period_days"),
        "usage_type": value.get("usage_type") or "licensed",
    }


def _product_for(state: EmulatorState, fields: dict[str, Any]) -> str:
    exclusive(fields, "product", "product_data")
    if fields.get("product"):
        state.store.require_reference(PRODUCTS, fields["product"], param="product")
        return fields["product"]
    data = fields.get("product_data")
    if data is None:
        raise ParameterError("Missing required param: product.", code="parameter_missing",
                             param="product")
    product = new_product(product_id=data.get("id") or new_id("prod"), created=state.now(),
                          name=data["name"], product_type="service")
    if state.store.get(PRODUCTS, product["id"]) is not None:
        raise InvalidRequestError("Product already exists.", code="resource_already_exists",
                                  param="product_data[id]")
    for key in ("active", "statement_descriptor", "tax_code", "tax_details", "unit_label"):
        if data.get(key) is not None:
            product[key] = data[key]
    product["metadata"] = apply_metadata({}, data.get("metadata"))
    state.store.insert(PRODUCTS, product)
    emit_event(state, "product.created", product)
    return product["id"]


def _claim_lookup_key(state: EmulatorState, price: dict[str, Any], key: str | None,
                      transfer: bool) -> None:
    if key is None:
        price["lookup_key"] = None
        return
    holders = [p for p in state.store.select(PRICES, Where().eq("lookup_key", key))
               if p["id"] != price["id"]]
    for holder in holders:
        if not transfer:
            raise InvalidRequestError(
                f"A price (`{holder['id']}`) already uses that lookup key.", param="lookup_key")
        before = copy.deepcopy(holder)
        holder["lookup_key"] = None
        state.store.update(PRICES, holder)
        emit_event(state, "price.updated", holder, previous=before)
    price["lookup_key"] = key


def _tiers(raw: list[dict[str, Any]] | None, param: str) -> list[dict[str, Any]]:
    """Stripe's tier objects from the ``tiers`` parameter (ascending, the last up to inf)."""
    if not raw:
        raise ParameterError(f"Missing required param: {param}.", code="parameter_missing",
                             param=param)
    tiers: list[dict[str, Any]] = []
    for index, tier in enumerate(raw):
        name = f"{param}[{index}]"
        up_to = None if tier["up_to"] == "inf" else int(tier["up_to"])
        last = index == len(raw) - 1
        if (up_to is None) != last or (up_to is not None and tiers
                                       and up_to <= int(tiers[-1]["up_to"])):
            raise InvalidRequestError(
                "Tiers must be in ascending order of `up_to`, and only the last tier may (and "
                "must) use `up_to=inf`.", param=f"{name}[up_to]")
        exclusive(tier, "unit_amount", "unit_amount_decimal")
        exclusive(tier, "flat_amount", "flat_amount_decimal")
        unit = tier.get("unit_amount_decimal") or _text(tier.get("unit_amount"))
        flat = tier.get("flat_amount_decimal") or _text(tier.get("flat_amount"))
        if unit is None and flat is None:
            raise ParameterError(f"Missing required param: {name}[unit_amount].",
                                 code="parameter_missing", param=f"{name}[unit_amount]")
        tiers.append(model.tier(up_to=up_to, unit_amount_decimal=unit,
                                flat_amount_decimal=flat))
    return tiers


def _text(number: int | None) -> str | None:
    return None if number is None else str(number)


def _currency_options(fields: dict[str, Any], currency: str, tiered: bool) -> dict[str, Any]:
    """The ``currency_options`` given, by lowercase currency (the price's own excluded)."""
    options: dict[str, Any] = {}
    for code, option in (fields.get("currency_options") or {}).items():
        name = f"currency_options[{code}]"
        other = validate_currency(code, name)
        if other == currency:
            continue  # the price's own currency is described by the price itself
        if tiered:
            amount, tiers = None, _tiers(option.get("tiers"), f"{name}[tiers]")
        else:
            exclusive(option, "unit_amount", "unit_amount_decimal", "custom_unit_amount")
            amount = option.get("unit_amount_decimal") or _text(option.get("unit_amount"))
            tiers = None
            if amount is None and option.get("custom_unit_amount") is None:
                raise ParameterError(f"Missing required param: {name}[unit_amount].",
                                     code="parameter_missing", param=f"{name}[unit_amount]")
        options[other] = model.currency_option(
            unit_amount_decimal=amount, tax_behavior=option.get("tax_behavior"), tiers=tiers,
            custom_unit_amount=option.get("custom_unit_amount"))
    return options


def create_price(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    currency = validate_currency(fields["currency"])
    tiered = fields.get("billing_scheme") == "tiered"
    if tiered:
        exclusive(fields, "unit_amount", "unit_amount_decimal", "custom_unit_amount", "tiers")
        if not fields.get("tiers_mode"):
            raise ParameterError("Missing required param: tiers_mode.",
                                 code="parameter_missing", param="tiers_mode")
        tiers, amount = _tiers(fields.get("tiers"), "tiers"), None
    else:
        for name in ("tiers", "tiers_mode"):
            if fields.get(name):
                raise InvalidRequestError(f"`{name}` can only be used with "
                                          "`billing_scheme=tiered`.", param=name)
        tiers, amount = None, _amount_decimal(fields)
    options = _currency_options(fields, currency, tiered)
    product_id = _product_for(state, fields)
    custom = fields.get("custom_unit_amount")
    price = model.new_price(
        price_id=new_id("price"), created=state.now(), currency=currency, product=product_id,
        unit_amount_decimal=amount, recurring=_recurring(fields.get("recurring")),
        custom_unit_amount=None if custom is None else {
            "maximum": custom.get("maximum"), "minimum": custom.get("minimum"),
            "preset": custom.get("preset")},
    )
    for key in ("active", "nickname"):
        if fields.get(key) is not None:
            price[key] = fields[key]
    if tiered:
        price.update(billing_scheme="tiered", tiers_mode=fields["tiers_mode"], _tiers=tiers)
    price["_currency_options"] = options
    if fields.get("tax_behavior"):
        price["tax_behavior"] = fields["tax_behavior"]
    if fields.get("transform_quantity"):
        price["transform_quantity"] = fields["transform_quantity"]
    price["metadata"] = apply_metadata({}, fields.get("metadata"))
    if fields.get("lookup_key") is not None:
        _claim_lookup_key(state, price, fields["lookup_key"],
                          bool(fields.get("transfer_lookup_key")))
    state.store.insert(PRICES, price)
    emit_event(state, "price.created", price)
    return price


def mint_inline_price(state: EmulatorState, *, currency: str, unit_amount_decimal: str,
                      product: str | None = None, product_name: str | None = None,
                      test_clock: str | None = None, tax_behavior: str | None = None,
                      tax_code: str | None = None) -> dict[str, Any]:
    """A one-off inline price (as Stripe mints for amount-only invoice items).

    Without ``product`` an inline product named ``product_name`` (with ``tax_code``) is
    made too. Inline prices and products are hidden from lists and searches and emit no
    events. ``tax_behavior`` (an item's, for Stripe Tax) is kept on the price.
    """
    now = state.now(test_clock)
    if product is None:
        made = new_product(product_id=new_id("prod"), created=now,
                           name=product_name or "Invoice item", product_type="service")
        made["_inline"] = True
        made["active"] = False
        made["tax_code"] = tax_code
        state.store.insert(PRODUCTS, made)
        product = made["id"]
    price = model.new_price(price_id=new_id("price"), created=now, currency=currency,
                            product=product, unit_amount_decimal=unit_amount_decimal,
                            recurring=None)
    price["active"] = False
    price["_inline"] = True
    price["tax_behavior"] = tax_behavior or "unspecified"
    state.store.insert(PRICES, price)
    return price


def retrieve_price(state: EmulatorState, price_id: str) -> dict[str, Any]:
    return state.store.require(PRICES, price_id)


def update_price(state: EmulatorState, price_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    price = state.store.require(PRICES, price_id)
    before = copy.deepcopy(price)
    if fields.get("active") is False:
        product = state.store.get(PRODUCTS, price["product"])
        if product and product.get("default_price") == price_id:
            raise InvalidRequestError(
                "This price cannot be archived because it is the default price of its product.",
                param="active")
    if fields.get("active") is not None:
        price["active"] = fields["active"]
    if "nickname" in fields:
        price["nickname"] = fields["nickname"]
    if "metadata" in fields:
        price["metadata"] = apply_metadata(price["metadata"], fields["metadata"])
    if fields.get("tax_behavior") is not None:
        if price["tax_behavior"] in ("inclusive", "exclusive") and \
                fields["tax_behavior"] != price["tax_behavior"]:
            raise InvalidRequestError(
                "tax_behavior cannot be changed once it is set to inclusive or exclusive.",
                param="tax_behavior")
        price["tax_behavior"] = fields["tax_behavior"]
    if "lookup_key" in fields:
        _claim_lookup_key(state, price, fields["lookup_key"],
                          bool(fields.get("transfer_lookup_key")))
    if fields.get("currency_options"):
        price["_currency_options"] = {
            **(price.get("_currency_options") or {}),
            **_currency_options(fields, price["currency"], price["billing_scheme"] == "tiered")}
    state.store.update(PRICES, price)
    if before != price:
        emit_event(state, "price.updated", price, previous=before)
    return price


def list_prices(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    """Active prices by default (``active=false`` for archived ones); never inline ones."""
    where = Where().eq("inline", 0)
    where.eq("active", params["active"] if params.get("active") is not None else True)
    for key in ("product", "currency", "type"):
        if params.get(key) is not None:
            where.eq(key, params[key].lower() if key == "currency" else params[key])
    if params.get("lookup_keys"):
        where.isin("lookup_key", params["lookup_keys"])
    recurring = params.get("recurring") or {}
    for key in ("interval", "usage_type", "meter"):
        if recurring.get(key):
            where.raw(f"json_extract(data, '$.recurring.{key}') = ?", [recurring[key]])
    where.range("created", params.get("created"))
    return list_page(state.store, PRICES, where, params, url, model.render)


def search_prices(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    return search_page(state.store, PRICES, model.SEARCH_FIELDS, params, url, model.render,
                       base=Where().eq("inline", 0))
