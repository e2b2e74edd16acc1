"""Reports on backdated data: customers on test clocks frozen in the past.

The store is a fresh emulator of this module's own, so aging and KPIs (which
cover every invoice) see exactly the invoices made here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem, Invoice
from services.reporting.receivables import AGING_BUCKETS, InvoiceFilters
from stripe_emulator.embedded import start_emulator
from tests.app_database import new_database_url
from tests.services.conftest import ADMIN, services_for, unique

TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def books(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Services, dict[str, Invoice]]]:
    """USD invoices aged into every bucket, one EUR, one paid, one draft, one void."""
    with start_emulator(settlement_delay_seconds=0.2) as running:
        database = new_database_url(request, tmp_path_factory.mktemp("reports"), "app")
        services = services_for(running.base_url, database)
        usd = _price(services, "10", "usd")
        eur = _price(services, "7", "eur")
        made = {
            "61-90": _invoice(services, usd, 1, days_ago=100, due_in=30),
            "31-60": _invoice(services, usd, 2, days_ago=45, due_in=10),
            "1-30": _invoice(services, usd, 3, days_ago=20, due_in=5),
            "90+": _invoice(services, usd, 4, days_ago=200, due_in=30),
            "current": _invoice(services, usd, 5, days_ago=None, due_in=30),
            "eur": _invoice(services, eur, 1, days_ago=10, due_in=30),
            "paid": _invoice(services, usd, 6, days_ago=10, due_in=30, then="paid"),
            "draft": _invoice(services, usd, 7, days_ago=None, due_in=30, then="draft"),
            "void": _invoice(services, usd, 8, days_ago=50, due_in=5, then="void"),
        }
        yield services, made


def _price(services: Services, amount: str, currency: str) -> str:
    product = services.catalog.create_product(
        ADMIN, name=unique("Gold Special"), description=None, form_nonce=new_form_nonce()
    )
    return services.catalog.create_price(
        ADMIN, product_id=product.id, amount_text=amount, currency=currency,
        recurring_interval=None, nickname=None, form_nonce=new_form_nonce(),
    ).id  # fmt: skip


def _invoice(
    services: Services, price_id: str, quantity: int, *, days_ago: int | None, due_in: int,
    then: str = "open",
) -> Invoice:  # fmt: skip
    params: dict[str, object] = {"name": unique("Aged Customer"), "email": "aged@example.com"}
    if days_ago is not None:
        clock = services.client.v1.test_helpers.test_clocks.create(
            params={"frozen_time": int(time.time()) - days_ago * 86400}
        )
        params["test_clock"] = clock.id
    customer = services.client.v1.customers.create(params=params)  # type: ignore[arg-type]
    invoice = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price_id, quantity=quantity)],
        days_until_due=due_in, memo=None, footer=None, po_number=None, currency=None,
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    if then == "draft":
        return invoice
    invoice = services.invoices.finalize(ADMIN, invoice.id, form_nonce=new_form_nonce())
    if then == "paid":
        invoice = services.invoices.record_payment(
            ADMIN, invoice.id, note="wire", form_nonce=new_form_nonce()
        )
    if then == "void":
        invoice = services.invoices.void(
            ADMIN, invoice.id, reason="dup", form_nonce=new_form_nonce()
        )
    return invoice


def test_backdated_invoices_really_are_in_the_past(books) -> None:  # type: ignore[no-untyped-def]
    _, made = books
    assert made["90+"].due_date == (TODAY - timedelta(days=170))
    assert made["61-90"].created.date() == TODAY - timedelta(days=100)
    assert made["paid"].paid_at and made["paid"].paid_at.date() == TODAY - timedelta(days=10)


def test_aging_buckets_per_currency_with_totals(books) -> None:  # type: ignore[no-untyped-def]
    services, _ = books
    aging = services.reports.aging(TODAY)
    usd = aging[aging["currency"] == "usd"].set_index("bucket")
    assert list(usd.index) == [*AGING_BUCKETS, "total"]
    assert usd["amount_remaining"].to_dict() == {
        "current": 5000, "1-30": 3000, "31-60": 2000, "61-90": 1000, "90+": 4000,
        "total": 15000,
    }  # fmt: skip
    assert usd["count"].to_dict() == {b: 1 for b in AGING_BUCKETS} | {"total": 5}
    eur = aging[aging["currency"] == "eur"].set_index("bucket")
    assert eur.loc["current", "amount_remaining"] == 700 and eur.loc["total", "count"] == 1


def test_aging_cell_rows_are_the_invoices_behind_it(books) -> None:  # type: ignore[no-untyped-def]
    services, made = books
    for bucket in AGING_BUCKETS:
        rows = services.reports.aging_rows(TODAY, bucket=bucket, currency="usd")
        assert list(rows["invoice_id"]) == [made[bucket].id]
    one = services.reports.aging_rows(
        TODAY, bucket="total", currency="usd", customer_id=made["1-30"].customer_id
    )
    assert list(one["invoice_id"]) == [made["1-30"].id]


def test_overdue_list_most_overdue_first(books) -> None:  # type: ignore[no-untyped-def]
    services, made = books
    overdue = services.reports.overdue(TODAY)
    assert list(overdue["invoice_id"]) == [made[b].id for b in ("90+", "61-90", "31-60", "1-30")]
    assert list(overdue["days_overdue"]) == [170, 70, 35, 15]
    earlier = services.reports.overdue(TODAY - timedelta(days=40))
    assert set(earlier["invoice_id"]) == {made["90+"].id, made["61-90"].id}


def test_invoices_table_uses_the_filters(books) -> None:  # type: ignore[no-untyped-def]
    services, made = books
    everything = services.reports.invoices_table(InvoiceFilters(as_of=TODAY))
    assert set(everything["invoice_id"]) == {i.id for i in made.values()}
    assert list(everything.columns[:15]) == [
        "invoice_id", "number", "customer_id", "customer", "email", "status", "currency",
        "total", "amount_due", "amount_paid", "amount_remaining", "created", "due_date",
        "days_overdue", "hosted_invoice_url",
    ]  # fmt: skip
    drafts_and_void = services.reports.invoices_table(InvoiceFilters(statuses=("draft", "void")))
    assert set(drafts_and_void["invoice_id"]) == {made["draft"].id, made["void"].id}
    mine = services.reports.invoices_table(InvoiceFilters(customer_id=made["eur"].customer_id))
    assert list(mine["invoice_id"]) == [made["eur"].id]
    recent = services.reports.invoices_table(
        InvoiceFilters(created_from=TODAY - timedelta(days=30), created_to=TODAY)
    )
    assert set(recent["invoice_id"]) == {
        made[k].id for k in ("1-30", "current", "eur", "paid", "draft")
    }
    due_window = services.reports.invoices_table(
        InvoiceFilters(due_from=TODAY - timedelta(days=80), due_to=TODAY - timedelta(days=30))
    )
    assert set(due_window["invoice_id"]) == {made["61-90"].id, made["31-60"].id, made["void"].id}
    euros = services.reports.invoices_table(InvoiceFilters(currency="EUR"))
    assert list(euros["invoice_id"]) == [made["eur"].id]
    overdue_only = services.reports.invoices_table(InvoiceFilters(overdue_only=True, as_of=TODAY))
    assert len(overdue_only) == 4 and (overdue_only["days_overdue"] > 0).all()


def test_kpis_and_the_rows_behind_them(books) -> None:  # type: ignore[no-untyped-def]
    services, made = books
    kpis = {k.key: k for k in services.reports.kpis(TODAY)}
    rows = {key: services.reports.kpi_rows(TODAY, key) for key in kpis}
    assert kpis["outstanding"].values_by_currency == {"usd": 15000, "eur": 700}
    assert len(rows["outstanding"]) == 6 == kpis["outstanding"].invoices
    assert kpis["overdue"].values_by_currency == {"usd": 10000}
    assert set(rows["overdue"]["invoice_id"]) == {
        made[b].id for b in ("90+", "61-90", "31-60", "1-30")
    }
    assert kpis["overdue"].invoices == 4
    assert kpis["collected"].values_by_currency == {"usd": 6000}
    assert list(rows["collected"]["invoice_id"]) == [made["paid"].id]
    # DSO: receivable 15000 over invoiced in 90 days (2000+3000+5000+6000) x 90 days.
    assert kpis["dso"].values_by_currency == {"usd": 84, "eur": 90}
    assert kpis["dso"].unit == "days"
    assert set(rows["dso"]["part"]) == {"receivable", "invoiced in period"}
    assert kpis["dso"].invoices == rows["dso"]["invoice_id"].nunique() == 7


def test_kpi_periods_can_be_chosen(books) -> None:  # type: ignore[no-untyped-def]
    services, _ = books
    kpis = {k.key: k for k in services.reports.kpis(TODAY, collection_days=5, dso_days=30)}
    assert kpis["collected"].values_by_currency == {}  # paid 10 days ago: outside 5 days
    assert kpis["collected"].label == "Collected in the last 5 days"
    # invoiced in 30 days: 1-30 (3000), current (5000), paid (6000) in USD.
    assert kpis["dso"].values_by_currency == {"usd": round(15000 / 14000 * 30), "eur": 30}
