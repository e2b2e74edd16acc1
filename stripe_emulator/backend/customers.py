"""Customer use cases: create, retrieve, update, delete, list, search (with events)."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from stripe_emulator.backend.customer_details import apply_details
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.payments import test_payment_method
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import (
    InvalidRequestError,
    MissingReferenceError,
    ResourceMissingError,
)
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.search import search_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import customer as model
from stripe_emulator.models.base import apply_metadata, full_address, public
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.test_clock import TEST_CLOCKS


def _prefix_taken(state: EmulatorState, prefix: str, except_id: str | None = None) -> bool:
    where = Where().eq("invoice_prefix", prefix)
    if except_id:
        where.raw("id != ?", [except_id])
    return state.store.count(CUSTOMERS, where) > 0


def _unique_prefix(state: EmulatorState) -> str:
    while True:
        prefix = secrets.token_hex(4).upper()
        if not _prefix_taken(state, prefix):
            return prefix


def _apply_fields(state: EmulatorState, customer: dict[str, Any], fields: dict[str, Any]) -> None:
    for name in model.PLAIN_FIELDS:
        if name in fields:
            customer[name] = fields[name]
    if "preferred_locales" in fields and fields["preferred_locales"] is None:
        customer["preferred_locales"] = []
    if "tax_exempt" in fields and fields["tax_exempt"] is None:
        customer["tax_exempt"] = "none"
    if "balance" in fields and fields["balance"] is None:
        customer["balance"] = 0
    if "address" in fields:
        customer["address"] = full_address(fields["address"])
    if fields.get("shipping") is not None:
        shipping = fields["shipping"]
        customer["shipping"] = {"address": full_address(shipping.get("address")),
                                "name": shipping.get("name"), "phone": shipping.get("phone")}
    if "metadata" in fields:
        customer["metadata"] = apply_metadata(customer["metadata"], fields["metadata"])
    if "invoice_settings" in fields:
        settings = customer["invoice_settings"]
        for key, value in (fields["invoice_settings"] or {}).items():
            if key == "default_payment_method" and value is not None:
                test_payment_method(value, param="invoice_settings[default_payment_method]")
            settings[key] = value
    if "default_source" in fields:
        source = fields["default_source"]
        if source is not None and source_of(customer, source) is None:
            raise MissingReferenceError("source", source, param="default_source")
        customer["default_source"] = source
    if fields.get("invoice_prefix") is not None:
        prefix = fields["invoice_prefix"]
        if _prefix_taken(state, prefix, except_id=customer["id"]):
            raise InvalidRequestError(
                f"The invoice prefix {prefix} is already in use by another customer.",
                param="invoice_prefix",
            )
        customer["invoice_prefix"] = prefix
    if fields.get("next_invoice_sequence") is not None:
        customer["next_invoice_sequence"] = fields["next_invoice_sequence"]
    if fields.get("payment_method"):
        test_payment_method(fields["payment_method"])
        customer["_payment_methods"].append(fields["payment_method"])
    apply_details(state, customer, fields)


def source_of(customer: dict[str, Any], source_id: str) -> dict[str, Any] | None:
    """The customer's attached source (card) ``source_id``, if it has one."""
    return next((s for s in customer.get("_sources") or [] if s["id"] == source_id), None)


def create_customer(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    clock_id = fields.get("test_clock")
    if clock_id:
        state.store.require_reference(TEST_CLOCKS, clock_id, param="test_clock")
    customer = model.new_customer(
        customer_id=new_id("cus"), created=state.now(clock_id),
        invoice_prefix="", test_clock=clock_id,
    )
    _apply_fields(state, customer, fields)
    if not customer["invoice_prefix"]:
        customer["invoice_prefix"] = _unique_prefix(state)
    state.store.insert(CUSTOMERS, customer)
    emit_event(state, "customer.created", customer)
    return customer


def retrieve_customer(state: EmulatorState, customer_id: str) -> dict[str, Any]:
    """The customer, or its deleted stub once deleted (Stripe answers 200)."""
    return state.store.require(CUSTOMERS, customer_id)


def live_customer(state: EmulatorState, customer_id: str, param: str = "id") -> dict[str, Any]:
    """The customer in the URL if not deleted, else 404 naming ``param``."""
    customer = state.store.get(CUSTOMERS, customer_id)
    if customer is None or customer.get("_deleted"):
        raise ResourceMissingError("customer", customer_id, param=param)
    return customer


def referenced_customer(state: EmulatorState, customer_id: str,
                        param: str = "customer") -> dict[str, Any]:
    """The live customer a parameter names, else 400 ``resource_missing`` naming ``param``."""
    customer = state.store.get(CUSTOMERS, customer_id)
    if customer is None or customer.get("_deleted"):
        raise MissingReferenceError("customer", customer_id, param=param)
    return customer


def update_customer(state: EmulatorState, customer_id: str,
                    fields: dict[str, Any]) -> dict[str, Any]:
    customer = live_customer(state, customer_id)
    before = copy.deepcopy(customer)
    _apply_fields(state, customer, fields)
    save_customer(state, customer, before)
    return customer


def save_customer(state: EmulatorState, customer: dict[str, Any],
                  before: dict[str, Any]) -> None:
    """Persist a changed customer and emit ``customer.updated`` if anything visible changed.

    Other use cases (invoice numbering, balances) call this after changing a customer.
    """
    state.store.update(CUSTOMERS, customer)
    if public(before) != public(customer):
        emit_event(state, "customer.updated", customer, previous=before)


def delete_customer(state: EmulatorState, customer_id: str) -> dict[str, Any]:
    customer = live_customer(state, customer_id)
    customer["_deleted"] = True
    state.store.update(CUSTOMERS, customer)
    emit_event(state, "customer.deleted", public(customer))
    return customer


def list_customers(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    """Newest first; clock customers only when ``test_clock`` is given."""
    where = Where().eq("deleted", 0).eq("test_clock", params.get("test_clock"))
    if params.get("email") is not None:
        where.eq("email", params["email"])
    where.range("created", params.get("created"))
    return list_page(state.store, CUSTOMERS, where, params, url, model.render)


def search_customers(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    return search_page(state.store, CUSTOMERS, model.SEARCH_FIELDS, params, url, model.render,
                       base=Where().eq("deleted", 0))
