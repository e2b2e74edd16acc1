"""Overdue & aging page: as-of date, buckets per currency, bucket → customer → invoices."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa
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
    assert customers["Overdue amount"][row] == "€42.00"
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


def _second_invoice(services, customer, *, amount: int, currency: str, days_until_due: int):
    """One more finalized invoice for ``customer``."""
    from services.core.models import DraftItem
    from tests.ui.page_fixtures import ADMIN, nonce

    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(amount=amount, description="Goods")],
        days_until_due=days_until_due, memo=None, footer=None, po_number=None,
        currency=currency, form_nonce=nonce(),
    )  # fmt: skip
    return services.invoices.finalize(ADMIN, draft.id, form_nonce=nonce())


def test_the_overdue_view_ranks_and_totals_overdue_amounts_not_open_ones(
    app_test, dashboard_env, fresh_emulator
):
    """Rossi Alimentari owes €21,500 of which €10,750 is overdue; Nordlicht Energie owes
    €16,590, all overdue: the overdue list puts Nordlicht first, at its overdue amount."""
    import os

    from services.container import build_services
    from services.core.settings import Settings
    from ui import runtime

    services = build_services(
        Settings(database_url=os.environ["DATABASE_URL"]).with_emulator(fresh_emulator().base_url)
    )
    runtime.install_services_factory(lambda: services, replace=True)
    rossi, _ = open_invoice(services, amount=1_075_000, currency="eur", days_until_due=10,
                            name="Rossi Alimentari")
    _second_invoice(services, rossi, amount=1_075_000, currency="eur", days_until_due=60)
    nordlicht, _ = open_invoice(services, amount=1_659_000, currency="eur", days_until_due=10,
                                name="Nordlicht Energie")
    as_of = datetime.now(UTC).date() + timedelta(days=20)  # 10 days late; Rossi's 2nd not due
    at = app_test(PAGE, role="viewer", as_of=f"{as_of:%Y-%m-%d}").run()
    assert not at.exception
    bucket = at.segmented_control(key=f"overdue_bucket.{as_of}.eur")
    assert bucket.value == "overdue"  # the drill-down opens on what is overdue
    customers = at.dataframe[1].value
    assert list(customers["email"]) == [nordlicht.email, rossi.email]
    assert list(customers["Overdue amount"]) == ["€16,590.00", "€10,750.00"]
    assert "Total overdue amount: €27,340.00 · 2 invoices · 2 customers" in texts(at)
    invoices = at.dataframe[2].value
    assert list(invoices["Amount remaining"]) == ["€16,590.00", "€10,750.00"]

    bucket.set_value("total").run()  # all open: Rossi owes more, and says how much is late
    customers = at.dataframe[1].value
    assert list(customers["email"]) == [rossi.email, nordlicht.email]
    assert list(customers["Open amount"]) == ["€21,500.00", "€16,590.00"]
    assert list(customers["Of which overdue"]) == ["€10,750.00", "€16,590.00"]
    assert ("Total open amount: €38,090.00 (of which overdue €27,340.00) · 3 invoices"
            in texts(at))
    at.session_state[f"overdue_customers.{as_of}.eur.total"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    assert len(at.dataframe[2].value) == 2
    assert ("Total open amount: €21,500.00 (of which overdue €10,750.00) · 2 invoices"
            in texts(at))


def _charts(at) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Each aging chart drawn: its title → the rows it plots."""
    drawn = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        drawn[spec["title"]] = pa.ipc.open_stream(element.proto.data.data).read_all().to_pandas()
    return drawn


def test_each_currency_has_a_chart_of_its_open_amount_by_age(app_test, stripe_services):
    open_invoice(stripe_services, amount=4_200, currency="eur", days_until_due=30)
    as_of = datetime.now(UTC).date() + timedelta(days=45)  # 15 days late
    at = app_test(PAGE, role="viewer", as_of=f"{as_of:%Y-%m-%d}").run()
    assert not at.exception
    drawn = _charts(at)
    summary = at.dataframe[0].value
    assert set(drawn) == {f"Open {code} by age" for code in summary["currency"]}
    bars = drawn["Open EUR by age"].set_index("short")
    assert list(bars.index) == ["Current", "1-30", "31-60", "61-90", "90+"]
    late = bars.loc["1-30"]
    assert late["amount_remaining"] >= 4_200 and late["count"] >= 1
    assert late["amount"] == summary.set_index("currency").loc["EUR", "1-30 days"].split(" (")[0]
