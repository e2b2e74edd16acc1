"""Parameter fidelity: every top-level parameter Stripe accepts on a route the emulator
serves is known to the emulator (stripe-python 16.1's typed params are the reference).

The sweep walks ``stripe_emulator.urls.ROUTES``, finds each route's ``…Params``
``TypedDict`` in the SDK (``tests/emulator/sdk_params.py``), and sends every top-level
parameter on its own, with a plausible value, through the real SDK to a fresh emulator.
A parameter is *known* unless the answer is ``parameter_unknown`` naming it (the lie this
test exists to catch) or the emulator's explicit "does not support" refusal (for the few
that cannot be emulated). Run with ``-s`` to see the figure and what is missing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import stripe

from stripe_emulator.embedded import RunningEmulator, start_emulator
from stripe_emulator.urls import ROUTES
from tests.emulator.sdk_params import route_key, sample, sdk_routes, top_level_params

#: Known parameters over every served route: may only go up (raise it as gaps close).
#: (On the 50 routes served before tax rates, coupons and line endpoints: 274/340 then,
#: 330/340 then; 445/461 with payment records and balance transactions, 507/523 with credit notes.)
FLOOR = 507
#: The only parameters refused as "not supported by the emulator": Connect, Accounts v2 and
#: subscriptions, which the emulator does not have. Anything else must be emulated.
ALLOWED_UNSUPPORTED = frozenset({
    f"{route} {name}"
    for route, names in {
        "POST /v1/invoices": ("application_fee_amount", "customer_account", "on_behalf_of",
                              "subscription", "transfer_data"),
        "POST /v1/invoices/{id}": ("application_fee_amount", "on_behalf_of", "transfer_data"),
        "POST /v1/invoiceitems": ("customer_account", "subscription"),
        "POST /v1/invoices/create_preview": ("customer_account", "on_behalf_of", "schedule",
                                             "schedule_details", "subscription",
                                             "subscription_details"),
    }.items()
    for name in names
})
#: The emulator's refusal of a parameter it cannot emulate contains this.
UNSUPPORTED_MARK = "the Stripe emulator does not support"


@dataclass
class Sweep:
    known: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.known) + len(self.unknown) + len(self.unsupported)

    def figure(self) -> str:
        return f"{len(self.known)}/{self.total}"


@pytest.fixture(scope="module")
def running() -> Iterator[RunningEmulator]:
    with start_emulator(settlement_delay_seconds=0.2) as emulator:
        yield emulator


def _objects(client: stripe.StripeClient) -> dict[str, str]:
    """One object of each kind the routes name, in the fresh emulator."""
    buyer = client.v1.customers.create({"name": "Sweep Ltd", "email": "sweep@acme.test"})
    product = client.v1.products.create({"name": "Sweep"})
    price = client.v1.prices.create({"currency": "usd", "unit_amount": 500,
                                     "product": product.id})
    draft = client.v1.invoices.create({"customer": buyer.id})
    item = client.v1.invoice_items.create({"invoice": draft.id, "amount": 700})
    opened = client.v1.invoices.create({"customer": buyer.id})
    client.v1.invoice_items.create({"invoice": opened.id, "amount": 900})
    client.v1.invoices.finalize_invoice(opened.id)
    payment = client.v1.invoice_payments.list({"invoice": opened.id}).data[0]
    clock = client.v1.test_helpers.test_clocks.create({"frozen_time": 1_700_000_000})
    endpoint = client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/hook",
                                                   "enabled_events": ["*"]})
    line = client.v1.invoices.line_items.list(draft.id).data[0]
    record = client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": 100}, "initiated_at": 1_700_000_000,
        "payment_method_details": {"type": "custom"}})
    adjustment = client.v1.customers.balance_transactions.create(
        buyer.id, {"amount": -100, "currency": "usd"})
    note = client.v1.credit_notes.create({"invoice": opened.id, "amount": 100})
    return {
        "payment_records": record.id, "balance_transactions": adjustment.id,
        "credit_notes": note.id,
        "customers": buyer.id, "products": product.id, "prices": price.id,
        "invoices": draft.id, "invoiceitems": item.id, "line_items": line.id,
        "invoice_payments": payment.id,
        "payment_intents": payment.payment.payment_intent,
        "test_clocks": clock.id, "webhook_endpoints": endpoint.id,
        "events": client.v1.events.list({"limit": 1}).data[0].id,
    }


def _path(pattern: str, objects: dict[str, str]) -> str:
    """``pattern`` with its placeholders filled by ids of the kind each segment names."""
    parts = pattern.strip("/").split("/")
    filled = []
    for index, part in enumerate(parts):
        if part.startswith("{"):
            kind = "line_items" if parts[index - 1] == "lines" else parts[index - 1]
            filled.append(objects.get(kind, "missing_object"))
        else:
            filled.append(part)
    return "/" + "/".join(filled)


def _known_values(objects: dict[str, str]) -> dict[str, Any]:
    return {
        "currency": "usd", "customer": objects["customers"], "product": objects["products"],
        "price": objects["prices"], "invoice": objects["invoices"],
        "invoice_item": objects["invoiceitems"], "test_clock": objects["test_clocks"],
        "payment_method": "pm_card_visa", "default_payment_method": "pm_card_visa",
        "url": "http://127.0.0.1:9/hook", "enabled_events": ["*"],
        "id": objects["line_items"],
    }


def _classify(error: stripe.StripeError, name: str) -> str:
    param = getattr(error, "param", None) or ""
    names_it = param == name or param.startswith(f"{name}[")
    if error.code == "parameter_unknown" and names_it:
        return "unknown"
    if UNSUPPORTED_MARK in (error.user_message or str(error)) and names_it:
        return "unsupported"
    if error.http_status is not None and error.http_status >= 500:
        return "fault"
    return "known"


@functools.cache
def _sweep(base_url: str) -> Sweep:
    client = stripe.StripeClient("sk_test_sweep", base_addresses={"api": base_url},
                                 max_network_retries=0)
    objects = _objects(client)
    known = _known_values(objects)
    sdk = sdk_routes()
    result = Sweep()
    for route in ROUTES:
        if route.public:
            continue
        params_type = sdk[route_key(route.method, route.pattern)]
        path = _path(route.pattern, objects)
        for name, annotation in top_level_params(params_type).items():
            label = f"{route.method} {route.pattern} {name}"
            value = sample(annotation, name, known, params_type)
            try:
                client.raw_request(route.method.lower(), path, **{name: value})
                outcome = "known"
            except stripe.StripeError as error:
                outcome = _classify(error, name)
                if outcome == "fault":
                    result.faults.append(f"{label}: {error}")
                    outcome = "known"
            getattr(result, outcome).append(label)
    print(f"\nparameter sweep: {result.figure()} known; unsupported: {result.unsupported}; "
          f"unknown: {result.unknown}")
    return result


def test_every_served_route_is_a_route_of_the_sdk():
    sdk = sdk_routes()
    strays = [f"{r.method} {r.pattern}" for r in ROUTES
              if not r.public and route_key(r.method, r.pattern) not in sdk]
    assert strays == []


def test_known_parameters_never_fall_below_the_floor(running):
    sweep = _sweep(running.base_url)
    assert len(sweep.known) >= FLOOR, (
        f"{sweep.figure()} parameters known (floor {FLOOR}); unknown: {sweep.unknown}")


def test_no_parameter_makes_the_emulator_fail(running):
    assert _sweep(running.base_url).faults == []


def test_no_parameter_stripe_accepts_is_refused_as_unknown(running):
    assert _sweep(running.base_url).unknown == []


def test_only_what_cannot_be_emulated_is_refused_as_unsupported(running):
    assert set(_sweep(running.base_url).unsupported) <= ALLOWED_UNSUPPORTED


def test_an_unsupported_parameter_is_refused_naming_it(running):
    client = stripe.StripeClient("sk_test_sweep", base_addresses={"api": running.base_url},
                                 max_network_retries=0)
    buyer = client.v1.customers.create({"name": "Connect"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoices.create({"customer": buyer.id, "on_behalf_of": "acct_1"})
    error = caught.value
    assert (error.http_status, error.code, error.param) == (400, None, "on_behalf_of")
    assert UNSUPPORTED_MARK in error.user_message and "Connect" in error.user_message
