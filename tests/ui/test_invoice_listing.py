"""The Invoices page pages through any filtered set in the order chosen (sorted over the whole
set, not the page), shows the count and the totals per currency of every match, has a
paid-date column and filter, keeps sort and page in the URL, and exports every match.

Pages hold 50, 100 or 250 invoices; the tests offer a page of 2 as well
(``PAGE_SIZES`` patched) so that a handful of invoices fills several pages.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import pytest

from services.core.models import DraftItem
from tests.ui import seed
from tests.ui.conftest import texts
from ui import invoice_filters
from ui.text import plain

TODAY = datetime.now(UTC).date()
USD_TOTALS = (1000, 2000, 3000, 4000, 5000)  # open, in minor units


def _invoice(services, customer_id: str, amount: str, currency: str = "usd") -> str:  # type: ignore[no-untyped-def]
    price = seed.one_time_price(services, amount, currency)
    draft = services.invoices.create_draft(
        seed.ADMIN, customer_id=customer_id, items=[DraftItem(price_id=price.id, quantity=1)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency=currency,
        form_nonce=seed.nonce(),
    )  # fmt: skip
    services.invoices.finalize(seed.ADMIN, draft.id, form_nonce=seed.nonce())
    return str(draft.id)


def _paid_by_transfer(services, invoice_id: str, amount: int) -> None:  # type: ignore[no-untyped-def]
    """Received today by bank transfer, reported to Stripe and attached to the invoice."""
    at = int(datetime.combine(TODAY, time(12), tzinfo=UTC).timestamp())
    record = services.client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": amount}, "initiated_at": at,
        "outcome": "guaranteed", "guaranteed": {"guaranteed_at": at},
        "payment_method_details": {"type": "custom", "custom": {
            "display_name": "Bank transfer", "type": "bank_transfer"}},
    })  # fmt: skip
    services.client.v1.invoices.attach_payment(invoice_id, {"payment_record": record.id})
    services.upkeep.sync.refresh("invoice", invoice_id)


@pytest.fixture
def book(services, monkeypatch):  # type: ignore[no-untyped-def]
    """One customer's invoices: five open in USD (10 to 50), one paid today (15.00, by
    transfer), one open in EUR (70) and a draft of 2 × 3.00 USD; pages of 2 offered."""
    monkeypatch.setattr(invoice_filters, "PAGE_SIZES", (2, 50, 100, 250))
    customer = seed.customer(services)
    ids = {total: _invoice(services, customer.id, f"{total / 100:.2f}") for total in USD_TOTALS}
    ids[1500] = _invoice(services, customer.id, "15.00")
    _paid_by_transfer(services, ids[1500], 1500)
    ids[7000] = _invoice(services, customer.id, "70.00", "eur")
    draft = seed.draft_invoice(services, customer.id, seed.one_time_price(services, "3.00").id)
    ids[600] = str(draft.id)
    return customer, ids


def _shown_ids(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.dataframe[0].value["Invoice ID"])


def test_pages_go_through_every_match_once_in_the_chosen_order(app_test, book):  # type: ignore[no-untyped-def]
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2",
                  sort="Total", order="Ascending").run()
    assert not at.exception and not at.error, texts(at)
    assert "Rows 1–2 of 8 invoices · select a row to open it" in texts(at)
    seen = [_shown_ids(at)]
    pager = at.pagination[0]
    assert pager.num_pages == 4
    for number in (2, 3, 4):
        at.pagination[0].select(number).run()
        seen.append(_shown_ids(at))
    assert "Rows 7–8 of 8 invoices · select a row to open it" in texts(at)
    in_order = [ids[total] for total in sorted(ids)]  # 6.00, 10.00, 15.00, ... 70.00
    assert [i for page in seen for i in page] == in_order

    at.selectbox(key="order").set_value("Descending").run()  # a new order starts at page 1
    assert at.pagination[0].value == 1
    assert _shown_ids(at) == in_order[::-1][:2]


def test_a_shared_link_opens_that_page_of_that_order(app_test, book):  # type: ignore[no-untyped-def]
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2",
                  sort="Total", order="Descending")
    at.query_params["page"] = "2"  # app_test's own first argument is named page
    at.run()
    assert _shown_ids(at) == [ids[4000], ids[3000]]
    assert at.selectbox(key="sort").value == "Total"
    shown = at.dataframe[0].value
    assert list(shown["Total"]) == ["$40.00", "$30.00"]


def test_totals_are_those_of_every_match_per_currency(app_test, book):  # type: ignore[no-untyped-def]
    customer, _ = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2").run()
    assert len(at.dataframe[0].value) == 2
    lines = texts(at)
    # USD: 10+20+30+40+50 open, 15 paid, a 6.00 draft that is owed by nobody yet.
    assert plain("USD: 7 invoices · amount due $171.00 · paid $15.00 · "
                 "outstanding (open) $150.00") in lines
    assert plain("EUR: 1 invoice · amount due €70.00 · paid €0.00 · "
                 "outstanding (open) €70.00") in lines
    draft_row = at.dataframe[0].value.iloc[0]  # newest first: the draft
    assert draft_row["Status"] == "Draft" and draft_row["Amount remaining"] == "—"


def test_paid_column_and_paid_between_filter(app_test, book):  # type: ignore[no-untyped-def]
    customer, ids = book
    day = TODAY.isoformat()
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id,
                  paid_from=day, paid_to=day).run()
    shown = at.dataframe[0].value
    assert list(shown["Invoice ID"]) == [ids[1500]]
    assert list(shown["Paid"]) == [TODAY] and list(shown["Amount paid"]) == ["$15.00"]
    before = app_test("pages/invoices.py", role="viewer", customer=customer.id,
                      paid_to="2020-01-31").run()
    assert "No invoices match these filters." in texts(before)


def _popover_labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    """The labels of the page's popovers (AppTest has no accessor for them)."""
    found: list[str] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "popover" and proto is not None:
            found.append(proto.popover.label)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def test_date_filters_sit_in_a_popover_that_counts_those_set(  # type: ignore[no-untyped-def]
    app_test, book
):
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id).run()
    assert _popover_labels(at) == ["Dates"]
    assert len(at.dataframe[0].value) > 1
    at.date_input(key="paid_from").set_value(TODAY).run()
    at.date_input(key="paid_to").set_value(TODAY).run()
    assert _popover_labels(at) == ["Dates (2 set)"]
    assert list(at.dataframe[0].value["Invoice ID"]) == [ids[1500]]
    at.date_input(key="paid_from").set_value(None).run()
    assert _popover_labels(at) == ["Dates (1 set)"]
    assert not at.warning
    at.date_input(key="paid_from").set_value(TODAY + timedelta(days=1)).run()  # after "to"
    assert [w.value for w in at.warning] == [
        "Paid from is after paid to: no invoice can match. Open Dates to change them."]


def test_export_holds_every_match_in_order_not_only_the_page(  # type: ignore[no-untyped-def]
    app_test, book
):
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2",
                  sort="Amount due", order="Ascending", status="Open").run()
    assert len(at.dataframe[0].value) == 2
    assert "The CSV and Excel files hold all 6 invoices in this order, not only this page." \
        in texts(at)
    assert not at.get("download_button")  # nothing to download before it is prepared
    prepare = at.button(key="invoices_export.prepare")
    assert prepare.label == "Prepare CSV and Excel of every match"
    prepare.click().run()
    assert not at.exception, at.exception
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]
    prepared = at.session_state["_ready_download.invoices_export"].files

    exported = pd.read_csv(io.BytesIO(prepared["csv"]), encoding="utf-8-sig")

    wanted = [1000, 2000, 3000, 4000, 5000, 7000]
    assert list(exported["Invoice ID"]) == [ids[total] for total in wanted]
    assert list(exported["Amount due"]) == [total / 100 for total in wanted]
