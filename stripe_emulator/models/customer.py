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
