"""Overview page: KPI tiles per currency, invoices by status, aging charts, rows behind a number."""

from __future__ import annotations

import pytest

from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    needs_invoicing_fixture,
    open_invoice,
    stripe_services_fixture,
)

PAGE = "pages/overview.py"
pytestmark = pytest.mark.usefixtures("needs_invoicing")


def drill(at):
    return next(s for s in at.segmented_control if s.key.startswith("overview_drill."))


def test_outstanding_tile_and_the_invoices_behind_it(app_test, stripe_services):
    _customer, invoice = open_invoice(stripe_services, amount=250_000, currency="jpy",
                                      days_until_due=14)
    at = app_test(PAGE, role="viewer").run()
    assert not at.exception
    assert "Outstanding (open invoices)" in texts(at)
    assert "Days sales outstanding (last 90 days)" in texts(at)
    assert "¥" in texts(at)  # JPY outstanding, no decimals
    assert len(at.get("vega_lite_chart")) >= 2  # by status + one aging chart per currency
    drill(at).set_value("kpi:outstanding").run()
    rows = at.dataframe[0].value
    mine = rows[rows["Number"] == invoice.number]
    assert list(mine["Total"]) == ["¥250,000"]
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]


def test_status_counts_open_the_invoices_of_that_status(app_test, stripe_services):
    _customer, invoice = open_invoice(stripe_services, amount=1_000, currency="usd",
                                      days_until_due=7)
    at = app_test(PAGE, role="viewer").run()
    options = drill(at).options
    assert any(o.startswith("Open, last 90 days (") for o in options)
    drill(at).set_value("status:open").run()
    rows = at.dataframe[0].value
    assert invoice.number in set(rows["Number"])
    assert set(rows["Status"]) == {"Open"}
    assert "[Filter the Invoices list to open](/invoices?status=Open)" in texts(at)


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Outstanding" not in texts(at)


def test_an_empty_account_shows_dashes_and_says_nothing_is_ageing(
    app_test, dashboard_env, fresh_emulator
):
    import os

    from services.container import build_services
    from services.core.settings import Settings
    from ui import runtime

    empty = fresh_emulator()
    services = build_services(
        Settings(database_url=os.environ["DATABASE_URL"]).with_emulator(empty.base_url)
    )
    runtime.install_services_factory(lambda: services, replace=True)
    at = app_test(PAGE, role="viewer").run()
    assert not at.exception
    assert "No open invoices: nothing is ageing." in texts(at)
    assert "0 invoices behind this number" in texts(at)


def test_collected_opens_the_payments_behind_it_not_whole_invoices(app_test, stripe_services):
    from services.core.idempotency import new_form_nonce
    from services.invoicing.payments import PaymentMethod
    from tests.services.conftest import APPROVER

    _customer, invoice = open_invoice(stripe_services, amount=80_000, currency="usd",
                                      days_until_due=30)
    stripe_services.invoices.payments.record(
        APPROVER, invoice.id, amount_text="300", received_on=None,
        method=PaymentMethod.CHEQUE, reference=None, overpayment_confirmed=False,
        form_nonce=new_form_nonce())  # a part payment: the invoice stays open
    at = app_test(PAGE, role="viewer").run()
    assert "1 payment behind this number" in texts(at)
    drill(at).set_value("kpi:collected").run()
    assert not at.exception
    rows = at.dataframe[0].value
    mine = rows[rows["Invoice"] == invoice.number]
    assert list(mine["Amount"]) == ["$300.00"] and list(mine["Method"]) == ["Cheque"]
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]


def test_dso_lists_an_invoice_counted_two_ways_on_two_rows_and_says_so(app_test,
                                                                      stripe_services):
    """An open invoice finalized in the period is both receivable and invoiced in the
    period: two rows, one invoice, and the reason in sight right after the number."""
    _customer, invoice = open_invoice(stripe_services, amount=4_000, currency="usd",
                                      days_until_due=30)
    at = app_test(PAGE, role="viewer").run()
    drill(at).set_value("kpi:dso").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert list(rows.columns[:2]) == ["Number", "Counted as"]
    mine = rows[rows["Number"] == invoice.number]
    assert sorted(mine["Counted as"]) == ["invoiced in period", "receivable"]
    invoices = rows["Invoice ID"].nunique()
    assert invoices < len(rows)
    counted = f"{invoices} invoice" + ("s" if invoices != 1 else "")
    assert (f"{len(rows)} rows for {counted} (an invoice counted two ways has a row for "
            "each) · select a row to open it") in texts(at)
