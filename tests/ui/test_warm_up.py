"""The start-up warm-up: run from a plain thread (no session) it fills the caches the
Invoices, Overview, Overdue & aging and Cash received pages read first, and a Stripe that cannot be
reached only costs that head start."""

from __future__ import annotations

import threading

from services.core.errors import DashboardError
from tests.ui import seed
from ui import runtime, warm_up


def _warm_in_a_plain_thread() -> None:
    """Run the warm-up as app.py does; re-raise here anything that escaped it."""
    escaped: list[BaseException] = []

    def run() -> None:
        try:
            warm_up.warm_default_views()
        except BaseException as error:  # handed to the test thread
            escaped.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    if escaped:
        raise escaped[0]


def test_warmed_pages_open_without_reading_stripe_again(app_test, services, monkeypatch):  # type: ignore[no-untyped-def]
    customer = seed.customer(services)
    opened = seed.open_invoice(services, customer.id, seed.one_time_price(services, "10.00").id)
    _warm_in_a_plain_thread()

    def no_second_read(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise DashboardError("read Stripe again although the cache was warm")

    for name in ("invoice_list_page", "invoices_page", "invoices_table", "kpis", "aging",
                 "debtors", "aging_page"):
        monkeypatch.setattr(services.reports, name, no_second_read)
    from services.reporting.cash_received import CashReceivedReport

    monkeypatch.setattr(CashReceivedReport, "report", no_second_read)
    invoices = app_test("pages/invoices.py", role="viewer").run()
    assert not invoices.exception and not invoices.error
    assert opened.id in set(invoices.dataframe[0].value["Invoice ID"])
    overview = app_test("pages/overview.py", role="viewer").run()
    assert not overview.exception and not overview.error
    assert overview.title[0].value == "Overview"
    overdue = app_test("pages/overdue.py", role="viewer").run()  # its first view: all overdue
    assert not overdue.exception and not overdue.error
    assert list(overdue.dataframe[0].value["currency"]) == ["USD"]  # the aging, from the cache
    cash = app_test("pages/cash_received.py", role="viewer").run()  # the last 30 days
    assert not cash.exception and not cash.error


def test_unreachable_stripe_does_not_break_the_warm_up():  # type: ignore[no-untyped-def]
    def unreachable():  # type: ignore[no-untyped-def]
        raise ConnectionError("Stripe cannot be reached")

    runtime.install_services_factory(unreachable, replace=True)
    _warm_in_a_plain_thread()  # logs and returns; nothing raised


def test_the_libraries_pages_load_late_are_imported_at_start(caplog):  # type: ignore[no-untyped-def]
    """Every module named imports (a misspelt one would only be logged, and its page would
    pay for the import again)."""
    import sys

    with caplog.at_level("WARNING", logger=warm_up.LOG.name):
        warm_up.import_page_libraries()
    assert not caplog.records
    assert all(name in sys.modules for name in warm_up.PAGE_LIBRARIES)


def test_a_library_that_cannot_be_imported_is_only_logged(monkeypatch, caplog):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(warm_up, "PAGE_LIBRARIES", ("no_such_library_here", "openpyxl"))
    with caplog.at_level("WARNING", logger=warm_up.LOG.name):
        warm_up.import_page_libraries()  # no exception reaches the server's start
    assert "could not import no_such_library_here" in caplog.text
