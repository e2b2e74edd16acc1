"""Coupon use cases (create, retrieve, update, delete, list) and redeeming coupons into
discounts on invoices and invoice items (:func:`apply_discounts`).

Redeeming counts towards ``times_redeemed``; a coupon past ``redeem_by`` or out of
redemptions (``valid: false``) cannot be redeemed. Deleting a coupon leaves the
discounts already made from it working (invoices keep the coupon's terms).
"""

from __future__ import annotations

import copy
import secrets
import string
from decimal import Decimal
from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import InvalidRequestError, MissingReferenceError, ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.params import exclusive
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import coupon as model
from stripe_emulator.models.base import apply_metadata, deleted_stub
from stripe_emulator.models.coupon import COUPONS, DISCOUNTS
from stripe_emulator.models.product import PRODUCTS

#: Stripe allows at most this many discounts on one invoice or item.
MAX_DISCOUNTS = 20


def _coupon_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _currency_options(state: EmulatorState, options: dict[str, Any] | None,
                      currency: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for code, option in (options or {}).items():
        other = validate_currency(code, f"currency_options[{code}]")
        if other != currency:
            result[other] = {"amount_off": option["amount_off"]}
    return result


def create_coupon(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    exclusive(fields, "percent_off", "amount_off")
    if fields.get("percent_off") is None and fields.get("amount_off") is None:
        raise ParameterError("Missing required param: percent_off.", code="parameter_missing",
                             param="percent_off")
    coupon_id = fields.get("id") or _coupon_id()
    if state.store.get(COUPONS, coupon_id) is not None:
        raise InvalidRequestError("Coupon already exists.", code="resource_already_exists",
                                  param="id")
    now = state.now()
    duration = fields.get("duration") or "once"
    coupon = model.new_coupon(coupon_id=coupon_id, created=now, duration=duration)
    if fields.get("percent_off") is not None:
        percent = Decimal(fields["percent_off"])
        if not Decimal(0) < percent <= Decimal(100):
            raise InvalidRequestError("Invalid percent_off: must be greater than 0 and at most "
                                      "100.", param="percent_off")
        coupon["percent_off"] = float(percent)
    else:
        if not fields.get("currency"):
            raise ParameterError("Missing required param: currency.", code="parameter_missing",
                                 param="currency")
        coupon["amount_off"] = fields["amount_off"]
        coupon["currency"] = validate_currency(fields["currency"])
        coupon["_currency_options"] = _currency_options(
            state, fields.get("currency_options"), coupon["currency"])
    if duration == "repeating":
        if fields.get("duration_in_months") is None:
            raise ParameterError("Missing required param: duration_in_months.",
                                 code="parameter_missing", param="duration_in_months")
        coupon["duration_in_months"] = fields["duration_in_months"]
    elif fields.get("duration_in_months") is not None:
        raise InvalidRequestError("duration_in_months can only be set when duration is "
                                  "'repeating'.", param="duration_in_months")
    if fields.get("redeem_by") is not None:
        if fields["redeem_by"] <= now:
            raise InvalidRequestError("Invalid redeem_by: must be in the future.",
                                      param="redeem_by")
        coupon["redeem_by"] = fields["redeem_by"]
    products = (fields.get("applies_to") or {}).get("products")
    if products is not None:
        for index, product_id in enumerate(products):
            state.store.require_reference(PRODUCTS, product_id,
                                          param=f"applies_to[products][{index}]")
        coupon["_applies_to"] = {"products": list(products)}
    coupon["max_redemptions"] = fields.get("max_redemptions")
    coupon["name"] = fields.get("name")
    coupon["metadata"] = apply_metadata({}, fields.get("metadata"))
    state.store.insert(COUPONS, coupon)
    emit_event(state, "coupon.created", model.render(coupon, now))
    return coupon


def retrieve_coupon(state: EmulatorState, coupon_id: str) -> dict[str, Any]:
    return state.store.require(COUPONS, coupon_id)


def update_coupon(state: EmulatorState, coupon_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    coupon = state.store.require(COUPONS, coupon_id)
    before = copy.deepcopy(coupon)
    if "name" in fields:
        coupon["name"] = fields["name"]
    if "metadata" in fields:
        coupon["metadata"] = apply_metadata(coupon["metadata"], fields["metadata"])
    if fields.get("currency_options"):
        if coupon["amount_off"] is None:
            raise InvalidRequestError("currency_options can only be set on amount_off coupons.",
                                      param="currency_options")
        coupon["_currency_options"] = {**coupon["_currency_options"], **_currency_options(
            state, fields["currency_options"], coupon["currency"])}
    state.store.update(COUPONS, coupon)
    if coupon != before:
        now = state.now()
        emit_event(state, "coupon.updated", model.render(coupon, now),
                   previous=model.render(before, now))
    return coupon


def delete_coupon(state: EmulatorState, coupon_id: str) -> dict[str, Any]:
    coupon = state.store.require(COUPONS, coupon_id)
    state.store.delete(COUPONS, coupon_id)
    emit_event(state, "coupon.deleted", model.render(coupon, state.now()))
    return deleted_stub("coupon", coupon_id)


def list_coupons(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    now = state.now()
    where = Where().range("created", params.get("created"))
    return list_page(state.store, COUPONS, where, params, url,
                     lambda coupon: model.render(coupon, now))


def _redeem(state: EmulatorState, coupon_id: str, name: str, currency: str, now: int
            ) -> dict[str, Any]:
    coupon = state.store.require_reference(COUPONS, coupon_id, param=name)
    if not model.is_valid(coupon, now):
        raise InvalidRequestError(
            f"Coupon {coupon_id} is no longer valid: it is past its redeem_by date or has been "
            "redeemed its max_redemptions times.", param=name)
    if coupon["amount_off"] is not None and currency != coupon["currency"] and \
            currency not in coupon["_currency_options"]:
        raise InvalidRequestError(
            f"Coupon {coupon_id} takes an amount off in {coupon['currency']} and cannot "
            f"discount an invoice in {currency}.", param=name)
    coupon["times_redeemed"] = int(coupon["times_redeemed"]) + 1
    state.store.update(COUPONS, coupon)
    return coupon


def apply_discounts(state: EmulatorState, entries: list[dict[str, Any]] | None, param: str, *,
                    owner: dict[str, Any], now: int) -> None:
    """Set the discounts of ``owner`` (an invoice or invoice item) from ``entries``.

    Each entry is ``{"coupon": …}`` (redeemed into a new discount),
    ``{"discount": di_…}`` (one ``owner`` already has, kept) or
    ``{"promotion_code": …}`` (the emulator has none, so it is always missing). ``None``
    or ``''`` removes them all. Sets ``owner["discounts"]`` (ids) and the private
    ``owner["_discounts"]`` (``{"id", "coupon": terms}``).
    """
    if len(entries or []) > MAX_DISCOUNTS:
        raise InvalidRequestError(f"You can apply at most {MAX_DISCOUNTS} discounts.",
                                  param=param)
    current = {d["id"]: d for d in owner.get("_discounts") or []}
    chosen: list[dict[str, Any]] = []
    is_item = owner.get("object") == "invoiceitem"
    for index, entry in enumerate(entries or []):
        name = f"{param}[{index}]"
        exclusive(entry, "coupon", "discount", "promotion_code")
        if entry.get("discount"):
            kept = current.get(entry["discount"])
            if kept is None:
                raise MissingReferenceError("discount", entry["discount"],
                                            param=f"{name}[discount]")
            chosen.append(kept)
        elif entry.get("promotion_code"):
            raise MissingReferenceError("promotion code", entry["promotion_code"],
                                        param=f"{name}[promotion_code]")
        elif entry.get("coupon"):
            if any(d["coupon"]["id"] == entry["coupon"] for d in chosen):
                raise InvalidRequestError(f"Coupon {entry['coupon']} was given more than once.",
                                          param=f"{name}[coupon]")
            coupon = _redeem(state, entry["coupon"], f"{name}[coupon]", owner["currency"], now)
            discount = model.new_discount(
                discount_id=new_id("di"), start=now, coupon=coupon["id"],
                customer=owner.get("customer"),
                invoice=owner.get("invoice") if is_item else owner["id"],
                invoice_item=owner["id"] if is_item else None)
            state.store.insert(DISCOUNTS, discount)
            chosen.append({"id": discount["id"], "coupon": model.terms(coupon)})
        else:
            raise ParameterError(f"Missing required param: {name}[coupon].",
                                 code="parameter_missing", param=f"{name}[coupon]")
    owner["discounts"] = [d["id"] for d in chosen]
    owner["_discounts"] = chosen


def discounts(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``discounts`` of invoices, items and lines: the ``discount`` objects."""
    found = []
    for discount_id in value or []:
        discount = state.store.get(DISCOUNTS, discount_id) if isinstance(discount_id, str) \
            else discount_id
        found.append(discount if discount is not None else discount_id)
    return found


def discount(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """One ``discount`` reference (``discount_amounts[].discount`` and friends)."""
    if not isinstance(value, str):
        return value
    return state.store.get(DISCOUNTS, value) or value


def coupon(state: EmulatorState, value: Any, _owner: dict[str, Any]) -> Any:
    """``discount.source.coupon``; the id stays if the coupon was deleted."""
    if not isinstance(value, str):
        return value
    found = state.store.get(COUPONS, value)
    return model.render(found, state.now()) if found else value


def applies_to(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``coupon.applies_to`` (includable)."""
    stored = state.store.get(COUPONS, owner["id"]) or {}
    return stored.get("_applies_to") or {"products": []}


def currency_options(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``coupon.currency_options`` (includable): the amount off per currency."""
    stored = state.store.get(COUPONS, owner["id"]) or {}
    if stored.get("amount_off") is None:
        return {}
    return {stored["currency"]: {"amount_off": stored["amount_off"]},
            **stored.get("_currency_options", {})}
