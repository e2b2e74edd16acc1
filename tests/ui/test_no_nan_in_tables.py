"""A missing value never reaches finance users as "nan" or as an id that is not one: the
timeline of an invoice made and finalized in the dashboard, the payment events that name
no invoice, money marked paid outside Stripe (no payment object), customers without a
name in the pickers. Under pandas 3 a text column with a missing value holds NaN, which
is truthy and prints "nan" (real services on the emulator)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pandas as pd
import pytest

from services.core.access import Actor, Role
from services.core.clock import business_today
from services.core.models import DraftItem
from services.invoicing.payments import PaymentMethod
from services.readmodel.payment_queries import OUTSIDE_STRIPE
from tests.ui import seed
from tests.ui.test_payment_activity import payment_failed_event
from ui import runtime

CLERK = Actor("carl", Role.CLERK)
APPROVER = Actor("anna", Role.APPROVER)


def cells(frame: pd.DataFrame) -> list[str]:
    """Every cell of a table as the text it holds (a missing cell is left out)."""
    return [str(value) for column in frame.columns for value in frame[column]
            if not (value is None or (isinstance(value, float) and pd.isna(value)))]


def part_paid_dashboard_invoice(services: Any) -> Any:
    """An invoice a clerk made, an approver finalized and a clerk recorded a cheque on:
    the cheque's audit row carries a reason, the other two none."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    draft = services.invoices.create_draft(
        CLERK, customer_id=customer.id,
        items=[DraftItem(price_id=price.id, quantity=1, amount=None, description=None)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=seed.nonce())
    invoice = services.invoices.finalize(APPROVER, draft.id, form_nonce=seed.nonce())
    services.invoices.payments.record(
        seed.ADMIN, invoice.id, amount_text="3", received_on=business_today(),
        method=PaymentMethod.CHEQUE, reference=None, overpayment_confirmed=False,
        form_nonce=seed.nonce())
    return invoice


def test_timeline_of_a_dashboard_invoice_leaves_empty_notes_empty(app_test, services) -> None:  # type: ignore[no-untyped-def]
    invoice = part_paid_dashboard_invoice(services)
    at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
    assert not at.exception
    timeline = next(t.value for t in at.dataframe if "Reason or note" in t.value.columns)
    steps = timeline.set_index("What")
    assert list(steps.loc[["Created", "Finalized"], "Who"]) == ["carl", "anna"]
    assert list(steps.loc[["Created", "Finalized"], "Reason or note"]) == ["", ""]
    assert "nan" not in cells(timeline)


def event(event_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A Stripe event of ``kind`` about ``data`` (the fields that matter here)."""
    return {"id": event_id, "object": "event", "api_version": "2026-10-28.endive",
            "created": int(time.time()), "type": kind, "livemode": False,
            "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
            "data": {"object": data}}


@pytest.fixture
def events_with_and_without_invoice(services):  # type: ignore[no-untyped-def]
    """The payment-events service with a failed invoice payment, a test clock that got
    ready and a payment intent cancelled: the last two name no invoice."""
    events_module = pytest.importorskip("services.payments.events")
    events = events_module.PaymentEvents(services.engine, None, "whsec_ui_blank")
    events.handle_event(payment_failed_event("in_uiblankfail", "BLANK-0001"))
    events.handle_event(event("evt_uiblank_clock", "test_helpers.test_clock.ready", {
        "id": "clock_uiblank", "object": "test_helpers.test_clock", "status": "ready"}))
    events.handle_event(event("evt_uiblank_pi", "payment_intent.canceled", {
        "id": "pi_uiblank", "object": "payment_intent", "status": "canceled", "amount": 100,
        "currency": "usd", "metadata": {}}))
    changed = dataclasses.replace(services, events=events)
    runtime.install_services_factory(lambda: changed, replace=True)
    yield events
    events.close()


def test_events_without_an_invoice_offer_no_invoice_link(  # type: ignore[no-untyped-def]
        app_test, events_with_and_without_invoice) -> None:
    at = app_test("pages/payment_activity.py", role="viewer").run()
    assert not at.exception
    received = at.dataframe[0].value.set_index("event_id")
    assert received.loc["evt_in_uiblankfail", "open"] == "/invoice?invoice=in_uiblankfail"
    for no_invoice in ("evt_uiblank_clock", "evt_uiblank_pi"):
        assert pd.isna(received.loc[no_invoice, "open"])  # an empty cell: no link
        assert pd.isna(received.loc[no_invoice, "invoice_id"])
    assert not [link for link in cells(received[["open"]]) if "nan" in link or "None" in link]


def paid_inside_and_outside_stripe(services: Any) -> tuple[Any, Any, Any]:
    """One invoice paid in full by a recorded cheque (a payment record: a payment id), two
    marked paid outside Stripe (no payment object at all), the last one returned last."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    by_cheque = seed.open_invoice(services, customer.id, price.id)
    services.invoices.payments.record(
        seed.ADMIN, by_cheque.id, amount_text="20", received_on=business_today(),
        method=PaymentMethod.CHEQUE, reference=None, overpayment_confirmed=False,
        form_nonce=seed.nonce())
    outside = [seed.open_invoice(services, customer.id, price.id) for _ in range(2)]
    for invoice in outside:
        services.client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
        services.read_model.refresh("invoice", invoice.id)
    return by_cheque, outside[0], outside[1]


def check_payment_ids(payments: pd.DataFrame, by_cheque: Any, outside: Any) -> None:
    """The cheque keeps its payment id; money marked paid outside Stripe shows none."""
    rows = payments.set_index("Invoice ID")
    assert str(rows.loc[by_cheque.id, "Payment ID"]).startswith("inpay_")
    assert rows.loc[outside.id, "Method"] == OUTSIDE_STRIPE
    assert pd.isna(rows.loc[outside.id, "Payment ID"])  # empty, not the invoice id
    assert not (payments["Payment ID"] == payments["Invoice ID"]).any()


def test_money_marked_paid_outside_stripe_shows_no_payment_id(app_test, services) -> None:  # type: ignore[no-untyped-def]
    by_cheque, first, outside = paid_inside_and_outside_stripe(services)
    at = app_test("pages/cash_received.py", role="viewer").run()
    assert not at.exception
    payments = at.dataframe[1].value
    check_payment_ids(payments, by_cheque, outside)
    assert pd.isna(payments.set_index("Invoice ID").loc[first.id, "Payment ID"])
    # selecting one of the two rows without a payment id opens that row's invoice
    row = list(payments["Invoice ID"]).index(outside.id)
    at.session_state[at.dataframe[1].key] = {
        "selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    opened = " ".join(m.value for m in at.markdown if "/invoice?invoice=" in m.value)
    assert outside.id in opened and first.id not in opened

    overview = app_test("pages/overview.py", role="viewer").run()
    drill = next(s for s in overview.segmented_control if s.key.startswith("overview_drill."))
    drill.set_value("kpi:collected").run()
    assert not overview.exception
    check_payment_ids(overview.dataframe[0].value, by_cheque, outside)
    assert first.id in set(overview.dataframe[0].value["Invoice ID"])


def test_a_customer_without_a_name_is_named_by_email_in_the_picker(app_test, services) -> None:  # type: ignore[no-untyped-def]
    seed.customer(services, name="Named Client")
    # the dashboard asks for a name; a customer made in Stripe may have none
    nameless = services.client.v1.customers.create(params={"email": "no-name@example.com"})
    services.read_model.refresh("customer", nameless.id)
    at = app_test("pages/invoices.py", role="viewer").run()
    assert not at.exception
    picker = at.selectbox(key="customer_filter")
    labels = list(picker.options)
    assert "no-name@example.com" in labels, labels
    assert not [label for label in labels if "nan" in label.split()], labels
    assert nameless.id not in labels  # named by email, not by id
