"""The ``product`` object: endive shape (incl. ``tax_details``), table, search fields."""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.search import SearchField, metadata_field
from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

PRODUCTS = register_table(
    TableSpec(
        name="products",
        object_name="product",
        columns=(Column("active", "INTEGER"), Column("shippable", "INTEGER"), Column("type"),
                 Column("url")),
        indexes=(("active",),),
    )
)

SEARCH_FIELDS = {
    "active": SearchField("active", "boolean", "active"),
    "description": SearchField("description", "string", "json_extract(data, '$.description')"),
    "metadata": metadata_field(),
    "name": SearchField("name", "string", "json_extract(data, '$.name')"),
    "shippable": SearchField("shippable", "boolean", "shippable"),
    "url": SearchField("url", "string", "url"),
}

#: Parameters copied onto the object under the same name.
PLAIN_FIELDS = ("active", "description", "images", "marketing_features", "name",
                "package_dimensions", "shippable", "statement_descriptor", "tax_code",
                "tax_details", "unit_label", "url")


def new_product(*, product_id: str, created: int, name: str, product_type: str) -> dict[str, Any]:
    return {
        "id": product_id,
        "object": "product",
        "active": True,
        "created": created,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": name,
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "tax_details": None,
        "type": product_type,
        "unit_label": None,
        "updated": created,
        "url": None,
    }


def render(product: dict[str, Any]) -> dict[str, Any]:
    return public(product)
