"""HTTP edge of ``/v1/tax_rates`` (no DELETE: archive with ``active=false``)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import tax_rates
from stripe_emulator.lib.params import (
    LIST_FIELDS,
    Bool,
    Decimal,
    Enum,
    Metadata,
    Range,
    Schema,
    Str,
)
from stripe_emulator.lib.routing import ApiCall, Route, get, post
from stripe_emulator.models.tax_rate import render

TAX_TYPES = ("admissions_tax", "amusement_tax", "attendance_tax", "communications_tax",
             "digital_excise_tax", "entertainment_tax", "get_fund", "gross_receipts_tax", "gst",
             "hospitality_tax", "hst", "igst", "jct", "lease_tax", "luxury_tax",
             "mass_transit_parking_tax", "nhil", "parking_tax", "pst", "qst", "resort_tax",
             "retail_delivery_fee", "rst", "sales_tax", "service_tax", "tourism_tax",
             "utility_users_tax", "vat")

_LABELS = {
    "active": Bool(),
    "country": Str(max_length=2, pattern=r"[A-Za-z]{2}",
                   pattern_hint="must be a two-letter country code"),
    "description": Str(max_length=5000),
    "jurisdiction": Str(max_length=50),
    "metadata": Metadata(),
    "state": Str(max_length=2),
    "tax_type": Enum(choices=TAX_TYPES),
}

CREATE = Schema(**_LABELS, display_name=Str(required=True, max_length=50),
                percentage=Decimal(required=True, places=4, minimum=0),
                inclusive=Bool(required=True))
UPDATE = Schema(**_LABELS, display_name=Str(max_length=50))
RETRIEVE = Schema()
LIST = Schema(**LIST_FIELDS, active=Bool(), inclusive=Bool(), created=Range())


def create_tax_rate(call: ApiCall) -> dict[str, Any]:
    return render(tax_rates.create_tax_rate(call.state, call.params(CREATE)))


def retrieve_tax_rate(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(tax_rates.retrieve_tax_rate(call.state, call.path_params["id"]))


def update_tax_rate(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(tax_rates.update_tax_rate(call.state, call.path_params["id"], fields))


def list_tax_rates(call: ApiCall) -> dict[str, Any]:
    return tax_rates.list_tax_rates(call.state, call.params(LIST), call.path)


ROUTES: list[Route] = [
    post("/v1/tax_rates", create_tax_rate),
    get("/v1/tax_rates", list_tax_rates),
    get("/v1/tax_rates/{id}", retrieve_tax_rate),
    post("/v1/tax_rates/{id}", update_tax_rate),
]
