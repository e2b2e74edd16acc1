"""The state owns what it runs by name: timed-job handlers, expandable fields, clock hooks.

A state opened by the backend alone (``backend.registry.open_state``, no ``api``
module imported, backend use cases called directly) must finalize, collect and
settle invoices on time, expand fields and clean up after a deleted clock exactly
as the HTTP emulator does. pytest has imported everything already, so that is
checked in a fresh interpreter. A state cannot be built without its registry, and
work of a kind nobody handles is refused loudly, never dropped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stripe_emulator.backend.customers import create_customer
from stripe_emulator.backend.registry import EXPANDABLE_FIELDS, build_registry, open_state
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.backend.test_clocks import advance_test_clock, create_test_clock
from stripe_emulator.lib.scheduler import UnknownJobKindError
from stripe_emulator.models.customer import CUSTOMERS
from tests.emulator.invoicing_helpers import customer, draft, open_invoice

ROOT = Path(__file__).resolve().parents[2]
PAST = 1_700_000_000

BACKEND_ONLY = textwrap.dedent("""
    import json, sys, time

    # Use cases first and the state last: the order most likely to miss a registration.
    from stripe_emulator.backend import (
        customers, invoice_items, invoice_lifecycle, invoicing, test_clocks)
    from stripe_emulator.backend.registry import open_state
    from stripe_emulator.backend.state import Settings
    from stripe_emulator.lib.errors import ResourceMissingError
    from stripe_emulator.models.invoice import render

    PAST = 1_700_000_000
    state = open_state(settings=Settings(settlement_delay_seconds=0.2))
    state.start()
    out = {}

    def invoice_for(buyer, amount, **fields):
        invoice = invoicing.create_invoice(state, {"customer": buyer["id"], **fields})
        invoice_items.create_invoice_item(
            state, {"invoice": invoice["id"], "amount": amount, "currency": "usd"})
        return invoice["id"]

    with state.store.transaction():  # one unit of work per "request", as the API does
        clock = test_clocks.create_test_clock(state, {"frozen_time": PAST})
        on_clock = customers.create_customer(state, {
            "name": "Backend Only", "test_clock": clock["id"],
            "invoice_settings": {"default_payment_method": "pm_card_visa"}})
        auto = invoice_for(on_clock, 5000, auto_advance=True)
        debit = invoice_for(on_clock, 700)
        invoice_lifecycle.finalize_invoice(state, debit, {})
        invoice_lifecycle.pay_invoice(state, debit, {"payment_method": "pm_usBankAccount"})
        out["before_advance"] = [invoicing.retrieve_invoice(state, i)["status"]
                                 for i in (auto, debit)]
    with state.store.transaction():
        test_clocks.advance_test_clock(state, clock["id"], PAST + 7200)
    auto_invoice = invoicing.retrieve_invoice(state, auto)
    out["auto"] = [auto_invoice["status"], auto_invoice["status_transitions"]["finalized_at"]]
    out["debit_on_clock"] = invoicing.retrieve_invoice(state, debit)["status"]

    with state.store.transaction():
        real_time = invoice_for(customers.create_customer(state, {"name": "Real time"}), 300)
        invoice_lifecycle.pay_invoice(state, real_time, {"payment_method": "pm_usBankAccount"})
    deadline = time.monotonic() + 10
    while (invoicing.retrieve_invoice(state, real_time)["status"] != "paid"
           and time.monotonic() < deadline):
        time.sleep(0.05)
    out["debit_real_time"] = invoicing.retrieve_invoice(state, real_time)["status"]

    with state.store.transaction():
        expanded = state.expand(render(invoicing.retrieve_invoice(state, auto)),
                                ["customer.test_clock", "payments"])
    out["expanded"] = [expanded["customer"]["name"], expanded["customer"]["test_clock"]["id"],
                       [p["amount_paid"] for p in expanded["payments"]["data"]]]
    out["clock"] = clock["id"]

    with state.store.transaction():
        test_clocks.delete_test_clock(state, clock["id"])
    try:
        invoicing.retrieve_invoice(state, auto)
        out["after_clock_deleted"] = "still there"
    except ResourceMissingError:
        out["after_clock_deleted"] = "deleted"
    state.stop()
    out["api_modules_loaded"] = sorted(
        m for m in sys.modules if m.startswith(("stripe_emulator.api", "stripe_emulator.app",
                                                "stripe_emulator.urls")))
    print(json.dumps(out))
""")


def test_a_state_driven_without_the_api_runs_its_jobs_expands_and_cleans_up():
    done = subprocess.run([sys.executable, "-c", BACKEND_ONLY], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "no handler" not in done.stderr
    out = json.loads(done.stdout)
    assert out["api_modules_loaded"] == []
    assert out["before_advance"] == ["draft", "open"]
    assert out["auto"] == ["paid", PAST + 3600]  # finalized and charged an hour in
    assert out["debit_on_clock"] == "paid"
    assert out["debit_real_time"] == "paid"
    assert out["expanded"] == ["Backend Only", out["clock"], [5000]]
    assert out["after_clock_deleted"] == "deleted"


def test_a_state_cannot_be_built_without_its_registry():
    with pytest.raises(TypeError, match="registry"):
        EmulatorState()


def test_work_of_an_unknown_kind_is_refused_and_its_use_case_undone():
    state = open_state()
    try:
        with (pytest.raises(UnknownJobKindError, match=r"invoice\.auto_finalise"),
              state.store.transaction()):
            buyer = create_customer(state, {"name": "Typo"})
            state.scheduler.schedule("invoice.auto_finalise", PAST, {"invoice": "in_x"})
        assert state.store.get(CUSTOMERS, buyer["id"]) is None
        assert state.store.execute("SELECT COUNT(*) FROM scheduled_jobs") == [(0,)]
        with pytest.raises(UnknownJobKindError):
            state.scheduler.cancel("invoice.auto_finalise", "in_x")
    finally:
        state.stop()


def _note(state, payload):
    """Test work: rename the customer, so running it shows."""
    buyer = state.store.require(CUSTOMERS, payload["customer"])
    buyer["name"] = payload["name"]
    state.store.update(CUSTOMERS, buyer)


def test_a_database_queuing_work_nobody_handles_is_refused_on_open(tmp_path):
    db = tmp_path / "emulator.sqlite3"
    first = open_state(db, extra_jobs={"tests.note": _note})
    with first.store.transaction():
        clock = create_test_clock(first, {"frozen_time": PAST})
        buyer = create_customer(first, {"name": "Before", "test_clock": clock["id"]})
        first.scheduler.schedule("tests.note", PAST + 60,
                                 {"customer": buyer["id"], "name": "After"},
                                 test_clock=clock["id"])
    first.stop()

    with pytest.raises(UnknownJobKindError, match=r"tests\.note"):
        open_state(db)

    again = open_state(db, extra_jobs={"tests.note": _note})
    try:
        with again.store.transaction():
            advance_test_clock(again, clock["id"], PAST + 120)
        assert again.store.require(CUSTOMERS, buyer["id"])["name"] == "After"
    finally:
        again.stop()


def test_each_state_runs_only_the_work_it_was_built_with():
    with_note = open_state(extra_jobs={"tests.note": _note})
    plain = open_state()
    try:
        assert "tests.note" in with_note.scheduler.kinds
        assert "tests.note" not in plain.scheduler.kinds
        assert {"invoice.auto_finalize", "invoice.auto_collect",
                "invoice.settle_bank_debit"} <= plain.scheduler.kinds
        with pytest.raises(UnknownJobKindError):
            plain.scheduler.schedule("tests.note", PAST, {})
    finally:
        with_note.stop()
        plain.stop()


def test_extra_jobs_cannot_replace_built_in_work():
    with pytest.raises(ValueError, match=r"invoice\.auto_finalize"):
        build_registry({"invoice.auto_finalize": _note})


def test_every_expandable_field_is_owned_by_the_state(emulator):
    fields = emulator.state.registry.expandables.fields()
    assert fields == frozenset(EXPANDABLE_FIELDS)
    assert {
        ("customer", "test_clock"), ("customer", "tax_ids"), ("customer", "cash_balance"),
        ("invoice", "customer"), ("invoice", "payments"), ("invoice", "discounts"),
        ("invoiceitem", "pricing.price_details.price"), ("line_item", "discounts"),
        ("invoice_payment", "payment.payment_intent"), ("price", "product"),
        ("price", "currency_options"), ("price", "tiers"), ("product", "default_price"),
        ("discount", "source.coupon"),
    } <= fields


def test_item_payment_and_intent_references_expand_over_http(stripe_client):
    buyer = customer(stripe_client, name="Expanded Buyer")
    invoice = draft(stripe_client, buyer.id, (400,))
    item_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    item = stripe_client.v1.invoice_items.retrieve(item_id, {"expand": ["customer", "invoice"]})
    assert (item.customer.name, item.invoice.id) == ("Expanded Buyer", invoice.id)

    paid = open_invoice(stripe_client, (900,))
    stripe_client.v1.invoices.pay(paid.id, {"payment_method": "pm_card_visa"})
    payment = stripe_client.v1.invoice_payments.list({
        "invoice": paid.id, "expand": ["data.invoice", "data.payment.payment_intent"]}).data[0]
    assert (payment.invoice.id, payment.invoice.status) == (paid.id, "paid")
    intent = payment.payment.payment_intent
    assert (intent.object, intent.amount, intent.status) == ("payment_intent", 900, "succeeded")
    again = stripe_client.v1.payment_intents.retrieve(intent.id, {"expand": ["customer"]})
    assert again.customer.id == paid.customer
