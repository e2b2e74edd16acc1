"""The ``tax_rate`` object (``txr_…``): a manual tax rate applied to invoices and items.

``percentage`` and ``inclusive`` are fixed at creation (Stripe refuses to change them,
so invoices can keep a snapshot of the rates they use); the labels (display name,
jurisdiction, country, state, tax type, description), ``active`` and metadata change.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import public

TAX_RATES = register_table(
    TableSpec(
        name="tax_rates",
        object_name="tax_rate",
        columns=(Column("active", "INTEGER"), Column("inclusive", "INTEGER")),
        indexes=(("active",), ("inclusive",), ("active", "inclusive")),
    )
)

#: Parameters copied onto the object under the same name (create and update).
LABEL_FIELDS = ("active", "country", "description", "display_name", "jurisdiction", "state",
                "tax_type")


def new_tax_rate(*, tax_rate_id: str, created: int, display_name: str, percentage: float,
                 inclusive: bool) -> dict[str, Any]:
    """A tax rate with every endive field (Stripe Tax fields null for manual rates)."""
    return {
        "id": tax_rate_id,
        "object": "tax_rate",
        "active": True,
        "country": None,
        "created": created,
        "description": None,
        "display_name": display_name,
        "effective_percentage": percentage,
        "flat_amount": None,
        "inclusive": inclusive,
        "jurisdiction": None,
        "jurisdiction_level": None,
        "livemode": False,
        "metadata": {},
        "percentage": percentage,
        "rate_type": "percentage",
        "state": None,
        "tax_type": None,
    }


def render(tax_rate: dict[str, Any]) -> dict[str, Any]:
    return public(tax_rate)
