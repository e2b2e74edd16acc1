"""Overdue & aging page: as-of date, buckets per currency, bucket → customer → invoices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    needs_invoicing_fixture,
    open_invoice,
    stripe_services_fixture,
)

PAGE = "pages/overdue.py"
pytestmark = pytest.mark.usefixtures("needs_invoicing")


def test_an_invoice_ages_into_its_bucket_and_drills_down_to_the_customer(
    app_test, stripe_services
):
    customer, invoice = open_invoice(stripe_services, amount=4_200, currency="eur",
                                     days_until_due=30)
    as_of = datetime.now(UTC).date() + timedelta(days=45)  # due in 30 days → 15 days late
    at = app_test(PAGE, role="viewer", as_of=f"{as_of:%Y-%m-%d}").run()
    assert not at.exception
    summary = at.dataframe[0].value
    assert "EUR" in set(summary["currency"])
    assert "1-30 days" in summary.columns
    view = f"{as_of}"
    at.segmented_control(key=f"overdue_currency.{view}").set_value("eur").run()
    at.segmented_control(key=f"overdue_bucket.{view}.eur").set_value("1-30").run()
    customers = at.dataframe[1].value
    row = list(customers["email"]).index(customer.email)
    assert customers["Open amount"][row] == "€42.00"
    assert customers["oldest_days_overdue"][row] == 15
    at.session_state[f"overdue_customers.{view}.eur.1-30"] = {
        "selection": {"rows": [row], "columns": [], "cells": []}
    }
    at.run()
    invoices = at.dataframe[2].value
    assert list(invoices["Number"]) == [invoice.number]
    assert list(invoices["Days overdue"]) == [15]
    assert f"Invoices of {customer.name}" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]


def test_not_yet_due_is_current_not_overdue(app_test, stripe_services):
    customer, _invoice = open_invoice(stripe_services, amount=900, currency="usd",
                                     days_until_due=30)
    at = app_test(PAGE, role="viewer").run()  # as of today: due in 30 days
    today = datetime.now(UTC).date()
    at.segmented_control(key=f"overdue_currency.{today}").set_value("usd").run()
    at.segmented_control(key=f"overdue_bucket.{today}.usd").set_value("current").run()
    assert customer.email in set(at.dataframe[1].value["email"])
    at.segmented_control(key=f"overdue_bucket.{today}.usd").set_value("1-30").run()
    emails = set(at.dataframe[1].value["email"]) if len(at.dataframe) > 1 else set()
    assert customer.email not in emails


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Overdue" not in texts(at)
