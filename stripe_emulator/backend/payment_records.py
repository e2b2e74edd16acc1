"""Payment records: payments made outside Stripe, reported to it (``/v1/payment_records``).

Follows Stripe's "Payment Records" API (``POST /v1/payment_records/report_payment``,
``GET /v1/payment_records/{id}``) at endive. A record is made in one call with its
outcome: ``guaranteed`` (the money is there: ``amount``/``amount_guaranteed`` = the
requested value), ``failed`` or ``canceled`` (``amount_failed``/``amount_canceled``), or no
outcome (nothing received yet). Attaching it to an invoice is ``backend.invoice_payments``.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.customers import referenced_customer
from stripe_emulator.backend.payments import test_payment_method
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.currencies import validate_currency
from stripe_emulator.lib.errors import ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.models import payment_record as model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.payment_record import PAYMENT_RECORDS

#: The hash that must accompany each outcome, and its one time field.
OUTCOME_DETAILS = {"guaranteed": "guaranteed_at", "failed": "failed_at",
                   "canceled": "canceled_at"}


def _missing(name: str) -> ParameterError:
    return ParameterError(f"Missing required param: {name}.", code="parameter_missing",
                          param=name)


def _check_outcome(fields: dict[str, Any]) -> tuple[str | None, int | None]:
    """The outcome and its time; its hash is required with it and refused without it."""
    outcome = fields.get("outcome")
    for name in OUTCOME_DETAILS:
        if fields.get(name) is not None and name != outcome:
            raise ParameterError(
                f"`{name}` can only be given with `outcome={name}`.", param=name)
    if outcome is None:
        return None, None
    details = fields.get(outcome)
    if details is None:
        raise _missing(outcome)
    return outcome, int(details[OUTCOME_DETAILS[outcome]])


def report_payment(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/payment_records/report_payment``: the record of a payment made elsewhere.

    ``fields``: ``amount_requested{currency, value > 0}`` (minor units),
    ``initiated_at`` (unix seconds), ``payment_method_details`` (``type=custom`` with
    ``custom{display_name, type}``, or a test ``payment_method`` such as ``pm_card_visa``:
    its kind becomes the type; an unknown one is 400 ``resource_missing`` naming
    ``payment_method_details[payment_method]``), optional ``outcome`` with its
    hash (``guaranteed[guaranteed_at]``…), ``customer_details`` (``customer`` must exist:
    400 ``resource_missing`` naming ``customer_details[customer]``), ``processor_details``,
    ``metadata``, ``description``, ``shipping_details``, ``customer_presence``.
    Raises ``ParameterError`` naming the field for an outcome without its hash (or a hash
    without its outcome), ``payment_method_details`` naming neither a type nor a method, and
    an unsupported currency (``amount_requested[currency]``).
    """
    requested = fields["amount_requested"]
    currency = validate_currency(requested["currency"], param="amount_requested[currency]")
    outcome, outcome_at = _check_outcome(fields)
    method = fields["payment_method_details"]
    if not method.get("type") and not method.get("payment_method"):
        raise _missing("payment_method_details[type]")
    if method.get("payment_method"):
        kind = test_payment_method(method["payment_method"],
                                   param="payment_method_details[payment_method]").kind
        if not method.get("type"):
            fields["payment_method_details"] = {**method, "type": kind}
    customer_id = (fields.get("customer_details") or {}).get("customer")
    clock = None
    if customer_id:
        clock = referenced_customer(state, customer_id,
                                    param="customer_details[customer]").get("test_clock")
    record = model.new_payment_record(
        record_id=new_id("pr"), created=state.now(clock), currency=currency,
        value=int(requested["value"]), outcome=outcome, fields=fields)
    record["metadata"] = apply_metadata({}, fields.get("metadata"))
    record.update(_initiated_at=int(fields["initiated_at"]), _outcome=outcome,
                  _outcome_at=outcome_at, _test_clock=clock)
    state.store.insert(PAYMENT_RECORDS, record)
    return record


def retrieve_payment_record(state: EmulatorState, record_id: str) -> dict[str, Any]:
    """``GET /v1/payment_records/{id}``; 404 ``resource_missing`` naming ``id``."""
    return state.store.require(PAYMENT_RECORDS, record_id)
