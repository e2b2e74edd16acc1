"""A customer's tax IDs, tax location, cash-balance settings and card sources.

They are set through customer parameters (``tax_id_data``, ``tax``,
``cash_balance``, ``source``) and shown, as Stripe does, only when asked for:
the customer's includable fields ``tax_ids``, ``tax``, ``cash_balance``,
``sources``, ``subscriptions`` and ``invoice_credit_balance`` (loaders below,
listed in ``backend.registry``). The values live in private keys of the
stored customer (``_tax_ids``, ``_tax``, ``_cash_balance``, ``_sources``).

Card sources come from Stripe's test tokens (``tok_visa``, ``tok_mastercard``…):
each makes a ``card_…`` that pays like the matching test payment method
(``pm_card_visa``…); ``tok_chargeDeclined`` cannot be attached (402), as on Stripe.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import CardError, InvalidRequestError, MissingReferenceError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_object
from stripe_emulator.models.customer import CUSTOMERS, new_card, new_tax_id

#: Test token → (brand, last4, funding, the test payment method it pays like).
TEST_TOKENS: dict[str, tuple[str, str, str, str]] = {
    "tok_visa": ("Visa", "4242", "credit", "pm_card_visa"),
    "tok_visa_debit": ("Visa", "5556", "debit", "pm_card_visa_debit"),
    "tok_mastercard": ("MasterCard", "4444", "credit", "pm_card_mastercard"),
    "tok_amex": ("American Express", "8431", "credit", "pm_card_amex"),
    "tok_discover": ("Discover", "1117", "credit", "pm_card_discover"),
    "tok_chargeCustomerFail": ("Visa", "0341", "credit", "pm_card_chargeCustomerFail"),
}
#: Tokens of cards Stripe declines when they are attached.
DECLINED_TOKENS = frozenset({"tok_chargeDeclined", "tok_visa_chargeDeclined",
                             "tok_chargeDeclinedInsufficientFunds"})
#: At most this many tax IDs per customer (Stripe's limit).
MAX_TAX_IDS = 25


def apply_details(state: EmulatorState, customer: dict[str, Any], fields: dict[str, Any]) -> None:
    """Apply ``tax_id_data``, ``tax``, ``cash_balance`` and ``source`` to ``customer``."""
    for data in fields.get("tax_id_data") or []:
        tax_ids = customer.setdefault("_tax_ids", [])
        if len(tax_ids) >= MAX_TAX_IDS:
            raise InvalidRequestError(f"A customer can have at most {MAX_TAX_IDS} tax IDs.",
                                      param="tax_id_data")
        tax_ids.append(new_tax_id(tax_id=new_id("txi"), created=customer["created"],
                                  customer=customer["id"], tax_type=data["type"],
                                  value=data["value"]))
    if fields.get("cash_balance") is not None:
        mode = ((fields["cash_balance"].get("settings") or {}).get("reconciliation_mode")
                or "automatic")
        customer["_cash_balance"] = {"reconciliation_mode": mode}
    if fields.get("tax") is not None:
        tax = dict(customer.get("_tax") or {})
        if "ip_address" in fields["tax"]:
            tax["ip_address"] = fields["tax"]["ip_address"]
        customer["_tax"] = tax
        if fields["tax"].get("validate_location") == "immediately" and \
                tax_location(customer) is None:
            raise InvalidRequestError(
                "The customer's location isn't recognized: a country (and, in the US, a "
                "postal code) is needed.", code="customer_tax_location_invalid",
                param="tax[validate_location]")
    if fields.get("source"):
        attach_source(state, customer, fields["source"])


def attach_source(state: EmulatorState, customer: dict[str, Any], token: str) -> dict[str, Any]:
    """A card from test ``token`` becomes the default source, replacing the old default."""
    if token in DECLINED_TOKENS:
        raise CardError("Your card was declined.", code="card_declined",
                        decline_code="generic_decline", param="source")
    known = TEST_TOKENS.get(token)
    if known is None:
        raise MissingReferenceError("token", token, param="source")
    brand, last4, funding, behaviour = known
    card = new_card(card_id=new_id("card"), customer=customer["id"], brand=brand, last4=last4,
                    funding=funding)
    card["_pays_like"] = behaviour
    previous = customer.get("default_source")
    sources = [s for s in customer.get("_sources") or [] if s["id"] != previous]
    customer["_sources"] = [*sources, card]
    customer["default_source"] = card["id"]
    return card


def tax_location(customer: dict[str, Any]) -> dict[str, Any] | None:
    """Where Stripe would place the customer for tax: billing address, else shipping."""
    shipping = (customer.get("shipping") or {}).get("address")
    for address, source in ((customer.get("address"), "billing_address"),
                            (shipping, "shipping_destination")):
        if not address or not address.get("country"):
            continue
        country = str(address["country"]).upper()
        if country == "US" and not address.get("postal_code"):
            continue
        return {"country": country, "source": source, "state": address.get("state")}
    return None


def _stored(state: EmulatorState, owner: dict[str, Any]) -> dict[str, Any]:
    return state.store.get(CUSTOMERS, owner["id"]) or {}


def tax_ids(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.tax_ids`` (includable): the list of the customer's ``tax_id`` objects."""
    rows = [dict(t) for t in _stored(state, owner).get("_tax_ids") or []]
    return list_object(rows, f"/v1/customers/{owner['id']}/tax_ids", False)


def tax(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.tax`` (includable): the tax location Stripe infers."""
    customer = _stored(state, owner)
    location = tax_location(customer)
    return {"automatic_tax": "supported" if location else "unrecognized_location",
            "ip_address": (customer.get("_tax") or {}).get("ip_address"),
            "location": location, "provider": "stripe"}


def cash_balance(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.cash_balance`` (includable): no funds in test mode, only the settings."""
    settings = _stored(state, owner).get("_cash_balance")
    mode = (settings or {}).get("reconciliation_mode") or "merchant_default"
    return {"object": "cash_balance", "available": None, "customer": owner["id"],
            "customer_account": None, "livemode": False,
            "settings": {"reconciliation_mode": "automatic" if mode == "merchant_default"
                         else mode, "using_merchant_default": mode == "merchant_default"}}


def sources(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.sources`` (includable): the customer's cards."""
    cards = [public_card(c) for c in _stored(state, owner).get("_sources") or []]
    return list_object(cards, f"/v1/customers/{owner['id']}/sources", False)


def default_source(state: EmulatorState, value: Any, owner: dict[str, Any]) -> Any:
    """``customer.default_source``: the card (the id stays if it is gone)."""
    found = next((c for c in _stored(state, owner).get("_sources") or [] if c["id"] == value),
                 None)
    return public_card(found) if found else value


def subscriptions(_state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.subscriptions`` (includable): the emulator makes no subscriptions."""
    return list_object([], f"/v1/customers/{owner['id']}/subscriptions", False)


def invoice_credit_balance(state: EmulatorState, _value: Any, owner: dict[str, Any]) -> Any:
    """``customer.invoice_credit_balance`` (includable): the balance per currency."""
    customer = _stored(state, owner)
    balance, currency = int(customer.get("balance") or 0), customer.get("currency")
    return {currency: balance} if balance and currency else {}


def public_card(card: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in card.items() if not k.startswith("_")}
