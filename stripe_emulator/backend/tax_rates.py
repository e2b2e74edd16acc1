"""Tax rate use cases: create, retrieve, update, list (``tax_rate.created|updated``), and
the lookup the invoice backends use to apply rates (:func:`tax_rates_for`)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import tax_rate as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.tax_rate import TAX_RATES


def _percentage(text: str) -> float:
    value = Decimal(text)
    if not Decimal(0) <= value <= Decimal(100):
        raise InvalidRequestError("Invalid percentage: must be between 0 and 100.",
                                  param="percentage")
    return float(value)


def _apply_labels(tax_rate: dict[str, Any], fields: dict[str, Any]) -> None:
    for name in model.LABEL_FIELDS:
        if name in fields and fields[name] is not None:
            tax_rate[name] = fields[name]
    if tax_rate.get("country"):
        tax_rate["country"] = str(tax_rate["country"]).upper()
    if "metadata" in fields:
        tax_rate["metadata"] = apply_metadata(tax_rate["metadata"], fields["metadata"])


def create_tax_rate(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    tax_rate = model.new_tax_rate(tax_rate_id=new_id("txr"), created=state.now(),
                                  display_name=fields["display_name"],
                                  percentage=_percentage(fields["percentage"]),
                                  inclusive=fields["inclusive"])
    _apply_labels(tax_rate, fields)
    state.store.insert(TAX_RATES, tax_rate)
    emit_event(state, "tax_rate.created", tax_rate)
    return tax_rate


def retrieve_tax_rate(state: EmulatorState, tax_rate_id: str) -> dict[str, Any]:
    return state.store.require(TAX_RATES, tax_rate_id)


def update_tax_rate(state: EmulatorState, tax_rate_id: str,
                    fields: dict[str, Any]) -> dict[str, Any]:
    tax_rate = state.store.require(TAX_RATES, tax_rate_id)
    before = copy.deepcopy(tax_rate)
    _apply_labels(tax_rate, fields)
    state.store.update(TAX_RATES, tax_rate)
    if tax_rate != before:
        emit_event(state, "tax_rate.updated", tax_rate, previous=before)
    return tax_rate


def list_tax_rates(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    """Newest first; ``active``, ``inclusive``, ``created``."""
    where = Where()
    for name in ("active", "inclusive"):
        if params.get(name) is not None:
            where.eq(name, params[name])
    where.range("created", params.get("created"))
    return list_page(state.store, TAX_RATES, where, params, url, model.render)


def tax_rates_for(state: EmulatorState, ids: list[str] | None, param: str) -> list[dict[str, Any]]:
    """The tax rates ``ids`` name, to apply to an invoice or item (snapshots, in order).

    A missing one is 400 ``resource_missing`` naming ``param[i]``; an archived one cannot
    be applied anew; the same rate twice is refused.
    """
    rates: list[dict[str, Any]] = []
    for index, rate_id in enumerate(ids or []):
        name = f"{param}[{index}]"
        rate = state.store.require_reference(TAX_RATES, rate_id, param=name)
        if not rate["active"]:
            raise InvalidRequestError(
                f"Tax rate {rate_id} is archived (active=false) and cannot be applied to new "
                "invoices or items.", param=name)
        if any(r["id"] == rate_id for r in rates):
            raise InvalidRequestError(f"Tax rate {rate_id} was given more than once.",
                                      param=name)
        rates.append(model.render(rate))
    return rates


def manual_tax_amounts(state: EmulatorState, given: list[dict[str, Any]] | None,
                       param: str) -> list[dict[str, Any]] | None:
    """``tax_amounts`` of a line: amounts given as they are, each with the tax rate Stripe
    finds or makes (archived, reused when ``tax_rate_data`` is the same) for it."""
    if given is None:
        return None
    result = []
    for index, entry in enumerate(given):
        data = entry["tax_rate_data"]
        key = json.dumps({k: data.get(k) for k in sorted(data)}, sort_keys=True)
        found = state.store.select(TAX_RATES, Where().eq("active", False).raw(
            "json_extract(data, '$._manual_key') = ?", [key]), limit=1)
        if found:
            rate = found[0]
        else:
            rate = model.new_tax_rate(tax_rate_id=new_id("txr"), created=state.now(),
                                      display_name=data["display_name"],
                                      percentage=_percentage(data["percentage"]),
                                      inclusive=data["inclusive"])
            _apply_labels(rate, {k: v for k, v in data.items() if k in model.LABEL_FIELDS})
            rate.update(active=False, jurisdiction_level=data.get("jurisdiction_level"),
                        _manual_key=key)
            state.store.insert(TAX_RATES, rate)
        if entry["taxable_amount"] < 0 or entry["amount"] < 0:
            raise InvalidRequestError("Tax amounts cannot be negative.",
                                      param=f"{param}[{index}]")
        result.append({"amount": entry["amount"], "taxable_amount": entry["taxable_amount"],
                       "taxability_reason": entry.get("taxability_reason") or "standard_rated",
                       "rate": model.render(rate)})
    return result
