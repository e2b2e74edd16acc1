"""The Invoices page's list (``Reports.invoice_list_page`` / ``invoice_list_export``): any
filter, sorted and paged in SQL over the read model, with the count and the totals per
currency of the whole set, the paid date and its filter, and exports of the whole set.

Each test's read model starts empty at the test's start and holds what the test wrote
(``services_for`` begins it at now), so the lists below are exactly the test's invoices
whatever else the shared emulator holds. Payments made outside Stripe (bank transfers)
are reported as payment records and attached with the ``stripe`` SDK, as a clerk's
"Record payment" does, then the invoice is re-read into the read model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import pytest

from services.container import Services
from services.core.errors import InvalidInput
from services.core.idempotency import new_form_nonce
from services.core.models import Customer, DraftItem
from services.readmodel.columns import fold
from services.reporting.invoice_list import SORT_COLUMNS, InvoiceOrder
from services.reporting.receivables import InvoiceFilters
from tests.services.conftest import ADMIN

TODAY = datetime.now(UTC).date()


def _at(day: date) -> int:
    return int(datetime.combine(day, time(12), tzinfo=UTC).timestamp())


def _pay_outside_stripe(services: Services, invoice_id: str, amount: int, currency: str,
                        on: date) -> None:
    """A bank transfer of ``amount`` received ``on`` that day, attached to the invoice."""
    record = services.client.v1.payment_records.report_payment({
        "amount_requested": {"currency": currency, "value": amount},
        "initiated_at": _at(on), "outcome": "guaranteed", "guaranteed": {"guaranteed_at": _at(on)},
        "payment_method_details": {"type": "custom", "custom": {
            "display_name": "Bank transfer", "type": "bank_transfer"}},
    })  # fmt: skip
    services.client.v1.invoices.attach_payment(invoice_id, {"payment_record": record.id})
    services.upkeep.sync.refresh("invoice", invoice_id)


@pytest.fixture
def make(services: Services, make_customer, make_price):  # type: ignore[no-untyped-def]
    """An invoice of ``amount_text`` in ``currency`` in a status; ``paid_on`` pays it in full
    on that day, ``partly`` pays that many minor units of it."""

    def invoice(status: str, amount_text: str = "10", currency: str = "usd", *,
                customer: Customer | None = None, paid_on: date | None = None,
                partly: int | None = None) -> str:
        draft = services.invoices.create_draft(
            ADMIN, customer_id=(customer or make_customer()).id,
            items=[DraftItem(price_id=make_price(amount_text, currency).id, quantity=1)],
            days_until_due=30, memo=None, footer=None, po_number=None, currency=currency,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
        if status == "draft":
            return draft.id
        opened = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
        if status == "void":
            services.invoices.void(ADMIN, draft.id, reason="issued twice",
                                   form_nonce=new_form_nonce())
        elif status == "uncollectible":
            services.invoices.mark_uncollectible(ADMIN, draft.id, reason="bankrupt",
                                                 form_nonce=new_form_nonce())
        elif status == "paid":
            _pay_outside_stripe(services, draft.id, opened.amount_due, currency,
                                paid_on or TODAY)
        elif partly is not None:
            _pay_outside_stripe(services, draft.id, partly, currency, paid_on or TODAY)
        return draft.id

    return invoice


def _all_pages(services: Services, filters: InvoiceFilters, order: InvoiceOrder,
               size: int) -> list[list[str]]:
    first = services.reports.invoice_list_page(filters, order=order, page_size=size)
    pages = [list(first.rows["invoice_id"])]
    for number in range(2, first.pages + 1):
        page = services.reports.invoice_list_page(filters, order=order, page=number,
                                                  page_size=size)
        assert (page.page, page.count, page.pages) == (number, first.count, first.pages)
        pages.append(list(page.rows["invoice_id"]))
    return pages


def _expected_order(rows: pd.DataFrame, order: InvoiceOrder, made: list[str],
                    due: dict[str, int | None]) -> list[str]:
    """The order the list promises, computed row by row: by the column (no number, no due
    or paid date, and a draft's or void invoice's remaining last either way), then id;
    by creation, the order they were made in (``made``: Stripe's order within a second);
    by due date, the due time Stripe gives (``due``; the table shows its day); by days
    overdue, the overdue ones first when descending, longest past their due moment first
    (so within one day overdue the one due earlier), then the rest by id."""
    if order.column == "created":
        return made[::-1] if order.descending else made

    def value(row: pd.Series) -> Any:
        column = order.column
        if column == "customer":
            return fold(row["customer"])
        if column == "due_date":
            return due[row["invoice_id"]]
        if column == "days_overdue":
            late = row["days_overdue"] > 0
            return (1, -int(due[row["invoice_id"]] or 0)) if late else (0, 0)
        if column == "amount_remaining" and row["status"] in ("draft", "void"):
            return None
        found = row[column]
        if column in ("paid_at", "due_date", "number") and (found is None or pd.isna(found)):
            return None
        return found.value if isinstance(found, pd.Timestamp) else found

    keyed = [(value(row), row["invoice_id"]) for _, row in rows.iterrows()]
    present = sorted((k for k in keyed if k[0] is not None), reverse=order.descending)
    missing = sorted((k for k in keyed if k[0] is None), reverse=order.descending)
    return [invoice_id for _, invoice_id in present + missing]


def test_pages_show_every_match_once_in_the_chosen_order(services, make):  # type: ignore[no-untyped-def]
    made = [make("open") for _ in range(5)] + [make("draft") for _ in range(2)]
    everything = InvoiceFilters(as_of=TODAY)
    by_amount = InvoiceOrder("amount_due", descending=False)  # all equal: the id decides

    pages = _all_pages(services, everything, by_amount, size=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == sorted(made)
    first, last = (services.reports.invoice_list_page(everything, order=by_amount, page=n,
                                                      page_size=3) for n in (1, 3))
    assert (first.count, first.first_row, first.last_row) == (7, 1, 3)
    assert (last.first_row, last.last_row) == (7, 7)
    beyond = services.reports.invoice_list_page(everything, order=by_amount, page=9,
                                                page_size=3)
    assert beyond.page == 3 and list(beyond.rows["invoice_id"]) == pages[-1]


def test_every_column_sorts_the_whole_set_both_ways(services, make, make_customer):  # type: ignore[no-untyped-def]
    zoe, adam = make_customer("zoë Ltd"), make_customer("Adam & Söhne")
    made = [
        make("open", "30", customer=zoe),
        make("draft", "5", "eur", customer=adam),
        make("paid", "12", customer=adam, paid_on=TODAY - timedelta(days=3)),
        make("paid", "7", "eur", customer=zoe, paid_on=TODAY - timedelta(days=1)),
        make("open", "20", customer=adam, partly=500),
        make("void", "9", customer=zoe),
        make("uncollectible", "15", "eur", customer=adam),
        make("draft", "30", customer=zoe),
    ]
    later = TODAY + timedelta(days=45)  # the open ones are overdue by then
    filters = InvoiceFilters(as_of=later)
    rows = services.reports.invoice_list_export(filters).rows
    assert len(rows) == len(made) and rows["days_overdue"].max() > 0
    due = {i: services.client.v1.invoices.retrieve(i).due_date for i in made}

    for column in SORT_COLUMNS:
        for descending in (True, False):
            order = InvoiceOrder(column, descending)
            shown = [i for page in _all_pages(services, filters, order, size=2) for i in page]
            assert shown == _expected_order(rows, order, made, due), order


def test_totals_are_those_of_every_match_not_only_the_page(services, make):  # type: ignore[no-untyped-def]
    make("open", "100")
    make("open", "40", partly=1500)  # 15.00 paid, 25.00 remaining
    make("paid", "60")
    make("draft", "8")  # counts, but nothing is owed on a draft
    make("void", "9")  # nor on a voided invoice
    make("uncollectible", "11")
    make("open", "200", "eur")
    make("paid", "50", "eur")

    listing = services.reports.invoice_list_page(InvoiceFilters(as_of=TODAY), page_size=2)

    assert len(listing.rows) == 2 and listing.count == 8
    totals = {t.currency: (t.count, t.amount_due, t.amount_paid, t.amount_remaining)
              for t in listing.totals}
    assert totals == {
        "eur": (2, 25000, 5000, 20000),
        # the voided invoice's 9.00 is no longer due: shown "—", not added up
        "usd": (6, 10000 + 4000 + 6000 + 800 + 1100, 1500 + 6000, 10000 + 2500 + 1100),
    }
    every = services.reports.invoice_list_export(InvoiceFilters(as_of=TODAY)).rows
    for currency, (count, due, paid, _) in totals.items():
        mine = every[every["currency"] == currency]
        still_due = mine[mine["status"] != "void"]
        assert (len(mine), still_due["amount_due"].sum(), mine["amount_paid"].sum()) == (
            count, due, paid)
    opened = services.reports.invoice_list_page(
        InvoiceFilters(statuses=("open",), currency="usd", as_of=TODAY), page_size=1)
    assert [(t.currency, t.count, t.amount_remaining) for t in opened.totals] == [
        ("usd", 2, 12500)]


def test_paid_date_is_the_day_it_became_fully_paid_and_filters(services, make):  # type: ignore[no-untyped-def]
    week_ago = TODAY - timedelta(days=7)
    early = make("paid", "10", paid_on=week_ago)
    recent = make("paid", "20", paid_on=TODAY)
    partly = make("open", "30", partly=1000, paid_on=TODAY)
    make("open", "40")

    rows = services.reports.invoice_list_export(InvoiceFilters(as_of=TODAY)).rows
    paid_days = {i: (None if pd.isna(at) else at.date())
                 for i, at in zip(rows["invoice_id"], rows["paid_at"], strict=True)}
    assert paid_days[early] == week_ago and paid_days[recent] == TODAY
    assert paid_days[partly] is None  # a part payment leaves it unpaid

    def paid_between(start: date | None, end: date | None) -> list[str]:
        found = services.reports.invoice_list_page(
            InvoiceFilters(paid_from=start, paid_to=end, as_of=TODAY),
            order=InvoiceOrder("paid_at", descending=False))
        return list(found.rows["invoice_id"])

    assert paid_between(week_ago, TODAY) == [early, recent]
    assert paid_between(TODAY, TODAY) == [recent]
    assert paid_between(None, TODAY - timedelta(days=1)) == [early]
    assert paid_between(TODAY + timedelta(days=1), None) == []


def test_export_holds_the_whole_set_in_order_and_says_when_cut(services, make):  # type: ignore[no-untyped-def]
    for amount in ("3", "1", "2", "5", "4"):
        make("open", amount)
    filters = InvoiceFilters(statuses=("open",), as_of=TODAY)
    order = InvoiceOrder("total", descending=True)

    export = services.reports.invoice_list_export(filters, order=order)

    assert (export.count, export.capped) == (5, False)
    assert list(export.rows["total"]) == [500, 400, 300, 200, 100]
    assert list(export.rows["invoice_id"]) == [
        i for page in _all_pages(services, filters, order, size=2) for i in page]
    cut = services.reports.invoice_list_export(filters, order=order, max_rows=2)
    assert (cut.count, cut.capped, list(cut.rows["total"])) == (5, True, [500, 400])


@pytest.mark.parametrize(("call", "field"), [
    ({"page": 0}, "page"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 5000}, "page_size"),
    ({"order": InvoiceOrder("data")}, "sort"),
])  # fmt: skip
def test_a_page_size_or_sort_that_cannot_be_is_refused_naming_it(  # type: ignore[no-untyped-def]
    services, call, field
):
    with pytest.raises(InvalidInput) as refused:
        services.reports.invoice_list_page(InvoiceFilters(as_of=TODAY), **call)
    assert refused.value.field == field
