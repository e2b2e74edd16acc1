"""The bounded invoice list (``Reports.invoices_page``): newest first, filtered in the read model.

Each test works on its own customer, so the shared emulator's other invoices never
count; the Stripe requests are recorded to show a report makes none (the read model
answers, kept current by the writes the test made).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.reporting.receivables import InvoiceFilters
from tests.services.conftest import ADMIN


@pytest.fixture
def list_requests(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The parameters and row counts of every list request the reports make."""
    seen: list[dict[str, Any]] = []
    original = services.client.raw_request

    def recording(method: str, path: str, **params: Any) -> Any:
        response = original(method, path, **params)
        seen.append({**params, "_rows": len(response.data.get("data") or [])})
        return response

    monkeypatch.setattr(services.client, "raw_request", recording)
    return seen


def _open_invoices(make_invoice, customer, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [make_invoice("open", customer=customer).id for _ in range(count)]


def test_more_matching_than_max_rows_gives_the_newest_and_says_incomplete(
    services, make_customer, make_invoice, list_requests
):  # type: ignore[no-untyped-def]
    customer = make_customer()
    made = _open_invoices(make_invoice, customer, 5)
    make_invoice("draft", customer=customer)
    filters = InvoiceFilters(statuses=("open",), customer_id=customer.id)
    list_requests.clear()

    listing = services.reports.invoices_page(filters, max_rows=3)

    assert listing.complete is False
    assert list(listing.rows["invoice_id"]) == made[::-1][:3]
    assert set(listing.rows["status"]) == {"open"}
    assert list_requests == []  # the read model answered
    everything = services.reports.invoices_table(filters)
    assert list(everything["invoice_id"]) == made[::-1]
    assert list(listing.rows.columns) == list(everything.columns)


def test_all_matching_within_max_rows_is_complete(services, make_customer, make_invoice):  # type: ignore[no-untyped-def]
    customer = make_customer()
    made = _open_invoices(make_invoice, customer, 3)
    paid = make_invoice("paid", customer=customer).id
    exact = services.reports.invoices_page(InvoiceFilters(customer_id=customer.id), max_rows=4)
    assert exact.complete is True
    assert list(exact.rows["invoice_id"]) == [paid, *made[::-1]]
    several = services.reports.invoices_page(
        InvoiceFilters(statuses=("paid", "open"), customer_id=customer.id), max_rows=3
    )
    assert several.complete is False
    assert list(several.rows["invoice_id"]) == [paid, *made[::-1][:2]]


def test_overdue_only_gives_open_invoices_due_before_the_day(
    services, make_customer, make_invoice, list_requests
):  # type: ignore[no-untyped-def]
    customer = make_customer()
    made = _open_invoices(make_invoice, customer, 2)
    make_invoice("paid", customer=customer)
    as_of = datetime.now(UTC).date() + timedelta(days=45)  # due in 30 days: overdue by then
    list_requests.clear()

    listing = services.reports.invoices_page(
        InvoiceFilters(customer_id=customer.id, overdue_only=True, as_of=as_of), max_rows=10
    )

    assert listing.complete is True
    assert list(listing.rows["invoice_id"]) == made[::-1]
    assert (listing.rows["days_overdue"] > 0).all()
    not_yet = services.reports.invoices_page(
        InvoiceFilters(customer_id=customer.id, overdue_only=True), max_rows=10
    )
    assert not_yet.rows.empty  # due in 30 days: not overdue today
    assert list_requests == []


def test_created_range_and_currency_narrow_the_list(
    services, make_customer, make_invoice, make_price
):  # type: ignore[no-untyped-def]
    customer = make_customer()
    made = _open_invoices(make_invoice, customer, 2)
    euro = services.invoices.create_draft(
        ADMIN, customer_id=customer.id,
        items=[DraftItem(price_id=make_price("7", "eur").id, quantity=1)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="eur",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    today = datetime.now(UTC).date()
    by_currency = services.reports.invoices_page(
        InvoiceFilters(customer_id=customer.id, currency="EUR"), max_rows=1
    )
    assert by_currency.complete is True
    assert list(by_currency.rows["invoice_id"]) == [euro.id]
    tomorrow = services.reports.invoices_page(
        InvoiceFilters(customer_id=customer.id, created_from=today + timedelta(days=1)))
    assert tomorrow.complete is True and tomorrow.rows.empty
    today_rows = services.reports.invoices_page(
        InvoiceFilters(customer_id=customer.id, created_from=today, created_to=today),
        max_rows=2,
    )
    assert today_rows.complete is False
    assert list(today_rows.rows["invoice_id"]) == [euro.id, made[-1]]


def test_max_rows_must_be_positive(services):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="max_rows"):
        services.reports.invoices_page(InvoiceFilters(), max_rows=0)


def test_kpis_make_no_stripe_request(services, make_invoice, list_requests):  # type: ignore[no-untyped-def]
    opened = make_invoice("open")
    list_requests.clear()
    today = datetime.now(UTC).date()
    kpis = {kpi.key: kpi for kpi in services.reports.kpis(today)}
    assert kpis["outstanding"].invoices >= 1
    assert opened.id in set(services.reports.kpi_rows(today, "outstanding")["invoice_id"])
    assert list_requests == []
