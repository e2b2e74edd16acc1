"""Admin's "Local copy of Stripe" panel, as finance staff read it: "Catch up now" says
what it did (and "Last checked" moves), and the reconciliation table has labels in
words and amounts in each row's currency.

Each test has its own emulator, so the reconciliation's sums are exactly the invoices
the test made.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import update

from services.container import Services, build_services
from services.core.errors import StripeUnavailable
from services.core.settings import Settings
from services.readmodel import store
from services.readmodel.tables import sync_state
from tests.ui.page_fixtures import open_invoice
from ui import runtime
from ui.exports import MoneyText, export_table
from ui.read_model_panel import reconciliation_shown

PAGE = "pages/admin.py"
CAUGHT_UP = "Caught up with Stripe: 0 new events applied."


@pytest.fixture
def own_services(fresh_emulator: Callable[..., object], dashboard_env: dict) -> Iterator[Services]:
    """Services on an emulator of the test's own, copied from the start (nothing to list)."""
    running = fresh_emulator()
    settings = Settings(stripe_api_key="sk_test_emulator",
                        stripe_api_base=running.base_url,  # type: ignore[attr-defined]
                        database_url=os.environ["DATABASE_URL"])
    services = build_services(settings)
    services.upkeep.begin_at_now()
    runtime.install_services_factory(lambda: services, replace=True)
    yield services
    services.close()


def _metric(at, label: str) -> str:  # type: ignore[no-untyped-def]
    return next(str(m.value) for m in at.metric if m.label == label)


def test_catch_up_now_says_what_it_did_and_last_checked_moves(app_test, own_services):  # type: ignore[no-untyped-def]
    an_hour_ago = int(time.time()) - 3600
    with own_services.engine.begin() as conn:
        conn.execute(update(sync_state).where(sync_state.c.name == store.EVENTS_CURSOR)
                     .values(updated_at=an_hour_ago))
    at = app_test(PAGE, role="admin").run()
    before = _metric(at, "Last checked")
    at.button(key="admin_catch_up").click().run()
    assert not at.exception
    assert CAUGHT_UP in [t.value for t in at.toast]
    assert [s.value for s in at.success if CAUGHT_UP in s.value], "no lasting message"
    assert _metric(at, "Last checked") != before
    at.run()  # the toast is gone after the next run; the words under the buttons stay
    assert [s.value for s in at.success if CAUGHT_UP in s.value]


def test_catch_up_now_says_why_it_could_not(app_test, own_services, monkeypatch):  # type: ignore[no-untyped-def]
    def unreachable() -> int:
        raise StripeUnavailable("Could not read events from Stripe: connection refused",
                                retryable=True)

    monkeypatch.setattr(own_services.upkeep, "catch_up", unreachable)
    at = app_test(PAGE, role="admin").run()
    at.button(key="admin_catch_up").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Could not read Stripe's events" in e and "connection refused" in e
               for e in errors), errors


def test_reconciliation_reads_as_finance_text(app_test, own_services):  # type: ignore[no-untyped-def]
    open_invoice(own_services, amount=3_558_000, currency="eur", days_until_due=30)
    open_invoice(own_services, amount=120_000, currency="jpy", days_until_due=30)
    at = app_test(PAGE, role="admin").run()
    at.button(key="admin_reconcile").click().run()
    assert not at.exception
    assert [s.value for s in at.success if "no drift" in s.value]
    table = next(frame.value for frame in at.dataframe if "Differs" in frame.value.columns)
    assert list(table.columns) == [
        "Status", "Currency", "Invoices (Stripe)", "Invoices (dashboard)", "Total (Stripe)",
        "Total (dashboard)", "Amount remaining (Stripe)", "Amount remaining (dashboard)",
        "Invoices (list totals)", "Amount remaining (list totals)", "Differs",
    ]
    rows = {row["Currency"]: row for row in table.to_dict("records")}
    assert rows["EUR"]["Status"] == "Open"
    assert rows["EUR"]["Total (Stripe)"] == "€35,580.00"
    assert rows["EUR"]["Amount remaining (dashboard)"] == "€35,580.00"
    assert rows["JPY"]["Total (dashboard)"] == "¥120,000"  # a zero-decimal currency
    assert rows["EUR"]["Invoices (Stripe)"] == 1
    assert not any(rows[code]["Differs"] for code in rows)


def test_reconciliation_export_keeps_numbers(own_services):  # type: ignore[no-untyped-def]
    from services.readmodel.reconcile import reconcile

    open_invoice(own_services, amount=3_558_000, currency="eur", days_until_due=30)
    shown = reconciliation_shown(reconcile(own_services.read_model, own_services.engine))
    assert isinstance(shown.loc[0, "Total (Stripe)"], MoneyText)
    row = export_table(shown).frame.to_dict("records")[0]
    assert row["Total (Stripe)"] == Decimal("35580.00")  # a number in the currency's unit
    assert row["Currency"] == "EUR"


def test_the_caption_says_when_stripe_was_last_checked(app_test, own_services):  # type: ignore[no-untyped-def]
    an_hour_ago = int(time.time()) - 3600
    with own_services.engine.begin() as conn:  # a quiet hour: nothing new since
        conn.execute(update(sync_state).where(sync_state.c.name == store.EVENTS_CURSOR)
                     .values(position=an_hour_ago, updated_at=an_hour_ago))
    at = app_test(PAGE, role="admin").run()
    at.button(key="admin_catch_up").click().run()
    caption = next(c.value for c in at.caption if "Stripe events applied up to" in c.value)
    assert "(checked " in caption, caption
