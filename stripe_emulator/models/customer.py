"""The ``customer`` object: fields of the endive shape, table and search fields.

A deleted customer keeps its row (flag ``_deleted``) so that retrieving it
answers the deleted stub and its ``invoice_prefix`` stays reserved.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.search import SearchField, metadata_field
from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import deleted_stub, public

CUSTOMERS = register_table(
    TableSpec(
        name="customers",
        object_name="customer",
        columns=(
            Column("email"),
            Column("test_clock"),
            Column("invoice_prefix"),
            Column("deleted", "INTEGER", lambda c: int(bool(c.get("_deleted")))),
        ),
        # Filters every list applies (deleted, test_clock) lead each index so that the index
        # with the most equality columns, the one SQLite picks, is also the most selective.
        indexes=(("deleted", "test_clock"), ("deleted", "test_clock", "email"),
                 ("lower(email)",), ("invoice_prefix",)),
    )
)

SEARCH_FIELDS = {
    "created": SearchField("created", "numeric", "created"),
    "email": SearchField("email", "string", "email", exact=True),
    "metadata": metadata_field(),
    "name": SearchField("name", "string", "json_extract(data, '$.name')"),
    "phone": SearchField("phone", "string", "json_extract(data, '$.phone')"),
}

#: Fields a create/update may set directly (same name in params and object).
PLAIN_FIELDS = ("address", "balance", "business_name", "description", "email",
                "individual_name", "name", "phone", "preferred_locales", "shipping",
                "tax_exempt")


def new_customer(*, customer_id: str, created: int, invoice_prefix: str,
                 test_clock: str | None) -> dict[str, Any]:
    """A customer with every endive field at its default."""
    return {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "business_name": None,
        "created": created,
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "individual_name": None,
        "invoice_prefix": invoice_prefix,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": test_clock,
        "_payment_methods": [],
    }


def render(customer: dict[str, Any]) -> dict[str, Any]:
    """The customer as the API shows it (the deleted stub once deleted)."""
    if customer.get("_deleted"):
        return deleted_stub("customer", customer["id"])
    return public(customer)


def new_tax_id(*, tax_id: str, created: int, customer: str, tax_type: str,
               value: str) -> dict[str, Any]:
    """A customer's ``tax_id`` (``txi_…``); the country follows the type (EU VAT: the value)."""
    country = tax_type[:2].upper()
    if tax_type in ("eu_vat", "eu_oss_vat") and len(value) >= 2 and value[:2].isalpha():
        country = {"EL": "GR"}.get(value[:2].upper(), value[:2].upper())
    return {
        "id": tax_id,
        "object": "tax_id",
        "country": country,
        "created": created,
        "customer": customer,
        "customer_account": None,
        "livemode": False,
        "owner": {"account": None, "application": None, "customer": customer,
                  "customer_account": None, "type": "customer"},
        "type": tax_type,
        "value": value,
        # Test mode never reaches a tax authority: verification stays pending.
        "verification": {"status": "pending", "verified_address": None, "verified_name": None},
    }


def new_card(*, card_id: str, customer: str, brand: str, last4: str,
             funding: str) -> dict[str, Any]:
    """A card source made from a test token (``tok_visa``…), attached to ``customer``."""
    return {
        "id": card_id,
        "object": "card",
        "address_city": None, "address_country": None, "address_line1": None,
        "address_line1_check": None, "address_line2": None, "address_state": None,
        "address_zip": None, "address_zip_check": None,
        "allow_redisplay": "unspecified",
        "brand": brand,
        "country": "US",
        "customer": customer,
        "cvc_check": "pass",
        "dynamic_last4": None,
        "exp_month": 12,
        "exp_year": 2034,
        "fingerprint": f"fp_{last4}{brand[:3].lower()}",
        "funding": funding,
        "last4": last4,
        "metadata": {},
        "name": None,
        "regulated_status": "unregulated",
        "tokenization_method": None,
        "wallet": None,
    }
