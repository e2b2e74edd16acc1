"""The items of the New-invoice form, kept in session state until the draft is saved.

Items come from a price (with a quantity) or are a custom amount with a
description, each with its own tax rates and coupons if chosen; at most
:data:`MAX_ITEMS` (Stripe's limit per invoice). The list is plain dicts in session
state; :func:`draft_items` turns it into the services' ``DraftItem`` values for the
preview and the save. "Add item" carries a token from the run that drew it: a double
click sends the same token twice and adds one item (the token changes after each add).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from services.core.models import DraftItem
from services.core.money import parse_amount
from ui import forms
from ui.formatting import money

if TYPE_CHECKING:
    from services.core.models import Price, Product

FORM = "new_invoice"
ITEM_FORM = "new_invoice_item"
ITEMS = "new_invoice.items"
ITEM_CLICK = "new_invoice.item_click"
MAX_ITEMS = 250
FROM_PRICE = "From a price"
CUSTOM = "Custom amount"


def items() -> list[dict[str, Any]]:
    """The items added so far."""
    return st.session_state.setdefault(ITEMS, [])


def one_time_prices(products: list[Product], currency: str) -> dict[str, tuple[Product, Price]]:
    """Active one-time prices in ``currency`` (recurring prices cannot go on an invoice)."""
    return {
        price.id: (product, price)
        for product in products if product.active
        for price in product.prices
        if price.active and price.type == "one_time" and price.currency == currency
        and price.unit_amount is not None
    }


def item_token() -> str:
    """The token the Add-item button of this run carries (see the module doc)."""
    return st.session_state.setdefault(ITEM_CLICK, secrets.token_urlsafe(8))


def add_item(prices: dict[str, tuple[Product, Price]], currency: str, token: str = "") -> None:
    """Add-item callback: validate the item's fields, append it, clear the item fields.

    A second call with the token of an item already added (a double click) does nothing.
    """
    if token and token != item_token():
        return  # the same click again: the item is in already
    forms.errors(ITEM_FORM).clear()
    if len(items()) >= MAX_ITEMS:
        forms.set_error(ITEM_FORM, "items", f"An invoice can have at most {MAX_ITEMS} items.")
        return
    kind = forms.value(ITEM_FORM, "kind", FROM_PRICE)
    quantity = int(forms.value(ITEM_FORM, "quantity", 1) or 1)
    if kind == FROM_PRICE:
        price_id = forms.value(ITEM_FORM, "price")
        if price_id not in prices:
            forms.set_error(ITEM_FORM, "price", "Choose a price for this item.")
            return
        product, price = prices[price_id]
        description = f"{product.name} ({price.display})"
        items().append({"price_id": price_id, "quantity": quantity, "amount": None,
                        "unit_amount": price.unit_amount, "description": description,
                        **_adjustments()})
    else:
        description = str(forms.value(ITEM_FORM, "description", "") or "").strip()
        try:
            amount = parse_amount(str(forms.value(ITEM_FORM, "amount", "") or ""), currency)
        except ValueError as err:
            forms.set_error(ITEM_FORM, "amount", str(err))
            return
        if not description:
            forms.set_error(ITEM_FORM, "description", "Describe what this amount is for.")
            return
        items().append({"price_id": None, "quantity": 1, "amount": amount,
                        "unit_amount": amount, "description": description, **_adjustments()})
    st.session_state[ITEM_CLICK] = secrets.token_urlsafe(8)
    forms.clear_fields(ITEM_FORM, ["price", "quantity", "amount", "description", "tax_rates",
                                   "coupons"])


def _adjustments() -> dict[str, list[str]]:
    """The item's own tax rates and coupons as chosen in the item form."""
    return {"tax_rates": list(forms.value(ITEM_FORM, "tax_rates") or []),
            "coupons": list(forms.value(ITEM_FORM, "coupons") or [])}


def remove_items(positions: list[int]) -> None:
    """Remove-button callback: drop the selected items."""
    keep = [item for index, item in enumerate(items()) if index not in set(positions)]
    st.session_state[ITEMS] = keep


def draft_items() -> list[DraftItem]:
    """The items as the services expect them."""
    return [
        DraftItem(price_id=item["price_id"], quantity=item["quantity"],
                  amount=item["amount"], description=item["description"],
                  tax_rates=tuple(item.get("tax_rates") or ()),
                  coupons=tuple(item.get("coupons") or ()))
        for item in items()
    ]


def items_frame(
    currency: str, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The items as shown (and selectable for removal); ``labels`` names tax rates and
    coupons by id. Amounts before discounts and tax: the totals below are Stripe's."""
    named = labels or {}
    return pd.DataFrame(
        [{
            "Description": item["description"],
            "Quantity": item["quantity"],
            "Unit price": money(item["unit_amount"], currency),
            "Amount": money(item["unit_amount"] * item["quantity"], currency),
            "Own tax rates": ", ".join(named.get(r, r) for r in item.get("tax_rates") or []),
            "Coupons": ", ".join(named.get(c, c) for c in item.get("coupons") or []),
        } for item in items()],
        columns=["Description", "Quantity", "Unit price", "Amount", "Own tax rates", "Coupons"],
    )


FORM_FIELDS = ["customer", "days_until_due", "memo", "footer", "po_number",
               "default_tax_rates", "coupons"]


def start_fresh() -> None:
    """After a saved draft: no items, empty fields, no errors left. (The Create button's
    nonce is renewed by :mod:`ui.forms` once its action completes, saved or refused.)"""
    st.session_state.pop(ITEMS, None)
    forms.clear_fields(FORM, FORM_FIELDS)
    forms.clear_fields(ITEM_FORM, ["price", "quantity", "amount", "description", "tax_rates",
                                   "coupons"])
    forms.new_form_instance(FORM)


def reset() -> None:
    """"Start another invoice": leave the saved one's screen for an empty form."""
    st.session_state.pop("new_invoice.created", None)
    start_fresh()
