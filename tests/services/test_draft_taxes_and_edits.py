"""Drafts with tax rates and coupons, Stripe's preview, edits of a saved draft.

The expected figures are worked out here by hand from Stripe's rules (discounts
before tax; each line's discount and tax rounded half up on its own), never by the
code under test: 3 × 33.33 = 99.99; 10 % off = 9.999 → 10.00; 20 % VAT on 89.99 =
17.998 → 18.00.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.container import Services
from services.core.errors import InvalidInput, NotAllowedInState
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.invoicing import finalize_checks
from tests.services.conftest import ADMIN, CLERK, unique
from tests.services.stripe_requests import record_stripe_requests


@pytest.fixture
def vat(services: Services):  # type: ignore[no-untyped-def]
    return services.catalog.taxes.create_tax_rate(
        CLERK, display_name="VAT", percentage_text="20", inclusive=False, country="DE",
        jurisdiction=None, description=None, form_nonce=new_form_nonce())


@pytest.fixture
def ten_off(services: Services):  # type: ignore[no-untyped-def]
    return services.catalog.taxes.create_coupon(
        CLERK, name="Ten off", percent_off_text="10", amount_off_text=None, currency=None,
        max_redemptions=None, redeem_by=None, form_nonce=new_form_nonce())


def _items(price_id: str, coupon_id: str, quantity: int = 3) -> list[DraftItem]:
    return [DraftItem(price_id=price_id, quantity=quantity, coupons=(coupon_id,)),
            DraftItem(amount=5000, description="Setup")]


def test_preview_and_saved_draft_agree_with_stripes_rules(
    services: Services, make_customer, make_price, vat, ten_off  # type: ignore[no-untyped-def]
) -> None:
    price = make_price("33.33", "eur")
    items = _items(price.id, ten_off.id)
    preview = services.invoices.previews.new_invoice(
        items=items, currency="eur", default_tax_rates=[vat.id])
    # by hand: 9999 + 5000 = 14999; 10 % of 9999 = 999.9 → 1000; Stripe's subtotal has the
    # line discount taken off already: 13999; tax 20 % of 8999 = 1799.8 → 1800 and of 5000
    # = 1000; total 13999 + 2800 = 16799
    assert [line.amount for line in preview.lines] == [9999, 5000]
    assert (preview.subtotal, preview.discount_total, preview.total_excluding_tax) == (
        13999, 1000, 13999)
    assert [(t.label, t.taxable_amount, t.amount) for t in preview.taxes] == [
        ("VAT 20%", 13999, 2800)]
    assert [(d.label, d.amount, d.on_invoice) for d in preview.discounts] == [
        ("Ten off (10% off)", 1000, False)]
    assert (preview.total, preview.amount_due) == (16799, 16799)
    assert [[t.amount for t in line.taxes] for line in preview.lines] == [[1800], [1000]]

    draft = services.invoices.create_draft(
        CLERK, customer_id=make_customer().id, items=items, days_until_due=30, memo=None,
        footer=None, po_number=None, currency="eur", form_nonce=new_form_nonce(),
        default_tax_rates=[vat.id])
    assert (draft.subtotal, draft.total) == (13999, 16799)
    from services.invoicing.breakdown import breakdown_from_stripe

    stripe_copy = services.client.v1.invoices.retrieve(draft.id)
    assert breakdown_from_stripe(stripe_copy).total == preview.total
    assert [t.id for t in stripe_copy.default_tax_rates] == [vat.id]


def test_preview_asks_stripe_once_per_content(
    services: Services, make_price, vat, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    price = make_price("12.00", "usd")
    seen = record_stripe_requests(monkeypatch)
    items = [DraftItem(price_id=price.id, quantity=2)]
    for _ in range(3):
        services.invoices.previews.new_invoice(items=items, currency="usd",
                                               default_tax_rates=[vat.id])
    assert seen.sent == [("POST", "/v1/invoices/create_preview")]


@pytest.mark.parametrize(("change", "field"), [
    ({"default_tax_rates": ["txr_missing"]}, "default_tax_rates"),
    ({"coupons": ["nope"]}, "discounts"),
])
def test_unknown_rates_and_coupons_are_refused_before_stripe(
    services: Services, make_customer, monkeypatch, change, field  # type: ignore[no-untyped-def]
) -> None:
    customer = make_customer()
    seen = record_stripe_requests(monkeypatch)
    fields = {"default_tax_rates": [], "coupons": [], **change}
    with pytest.raises(InvalidInput) as caught:
        services.invoices.create_draft(
            CLERK, customer_id=customer.id, items=[DraftItem(amount=100, description="A")],
            days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
            form_nonce=new_form_nonce(), **fields)
    assert caught.value.field == field
    assert [s for s in seen.sent if s[0] != "GET"] == []


def test_an_amount_off_coupon_in_another_currency_is_refused(
    services: Services, make_customer  # type: ignore[no-untyped-def]
) -> None:
    euros = services.catalog.taxes.create_coupon(
        CLERK, name="Five euros", percent_off_text=None, amount_off_text="5", currency="eur",
        max_redemptions=None, redeem_by=None, form_nonce=new_form_nonce())
    with pytest.raises(InvalidInput) as caught:
        services.invoices.previews.new_invoice(
            items=[DraftItem(amount=1000, description="A", coupons=(euros.id,))],
            currency="usd")
    assert caught.value.field == "items[0].discounts"


def test_editing_a_draft_changes_lines_terms_taxes_and_discounts(
    services: Services, make_customer, make_price, vat, ten_off  # type: ignore[no-untyped-def]
) -> None:
    price = make_price("33.33", "eur")
    draft = services.invoices.create_draft(
        CLERK, customer_id=make_customer().id, items=_items(price.id, ten_off.id, quantity=2),
        days_until_due=30, memo=None, footer=None, po_number=None, currency="eur",
        form_nonce=new_form_nonce(), default_tax_rates=[vat.id])
    edits = services.invoices.edits
    priced = next(line for line in draft.lines if line.price_id == price.id)
    edited = edits.update_line(CLERK, draft.id, priced.id, quantity=3, amount_text=None,
                               description=None, tax_rates=[], coupons=[ten_off.id],
                               form_nonce=new_form_nonce())
    assert (edited.subtotal, edited.total) == (13999, 16799)  # the figures worked out above
    assert services.client.v1.coupons.retrieve(ten_off.id).times_redeemed == 1  # kept, not again

    added = edits.add_line(CLERK, draft.id, price_id=None, quantity=1, amount_text="10.00",
                           description="Travel", tax_rates=[], coupons=[],
                           form_nonce=new_form_nonce())
    assert added.subtotal == 14999
    travel = next(line for line in added.lines if line.description == "Travel")
    removed = edits.remove_line(CLERK, draft.id, travel.id, form_nonce=new_form_nonce())
    assert removed.subtotal == 13999

    terms = edits.update_terms(
        CLERK, draft.id, memo="Thanks", footer="Pay by transfer", po_number="PO-1",
        days_until_due=14, default_tax_rates=[], coupons=[ten_off.id],
        form_nonce=new_form_nonce())
    # no tax now; the invoice coupon takes 10 % of what is left after the line coupon:
    # 8999 - 900 (899.9 → 900) and 5000 - 500: total 12599
    assert (terms.memo, terms.footer, terms.po_number) == ("Thanks", "Pay by transfer", "PO-1")
    assert (terms.subtotal, terms.total) == (13999, 12599)
    shown = services.invoices.get(draft.id)  # the read model has the change at once
    assert (shown.total, shown.po_number) == (12599, "PO-1")
    actions = list(services.audit.history(draft.id)["action"])
    assert {"update_line", "add_line", "remove_line", "edit_draft_terms"} <= set(actions)


def test_a_repeated_edit_is_one_change(
    services: Services, make_invoice  # type: ignore[no-untyped-def]
) -> None:
    draft = make_invoice("draft")
    nonce = new_form_nonce()
    for _ in range(2):
        services.invoices.edits.add_line(
            CLERK, draft.id, price_id=None, quantity=1, amount_text="1.00",
            description="Once", tax_rates=[], coupons=[], form_nonce=nonce)
    lines = services.invoices.get(draft.id).lines
    assert [line.description for line in lines].count("Once") == 1
    outcomes = services.audit.history(draft.id)
    assert "failure" not in set(outcomes["outcome"])


@pytest.mark.parametrize(("call", "field"), [
    (lambda e, i: e.add_line(CLERK, i.id, price_id=None, quantity=1, amount_text="abc",
                             description="X", tax_rates=[], coupons=[], form_nonce="n1"),
     "amount"),
    (lambda e, i: e.add_line(CLERK, i.id, price_id=None, quantity=1, amount_text="1",
                             description=" ", tax_rates=[], coupons=[], form_nonce="n2"),
     "description"),
    (lambda e, i: e.update_line(CLERK, i.id, i.lines[0].id, quantity=0, amount_text=None,
                                description=None, tax_rates=[], coupons=[], form_nonce="n3"),
     "quantity"),
    (lambda e, i: e.update_terms(CLERK, i.id, memo=None, footer=None, po_number=None,
                                 days_until_due=400, default_tax_rates=[], coupons=[],
                                 form_nonce="n4"), "days_until_due"),
    (lambda e, i: e.update_terms(CLERK, i.id, memo=None, footer=None, po_number=None,
                                 days_until_due=3, default_tax_rates=["txr_nope"], coupons=[],
                                 form_nonce="n5"), "default_tax_rates"),
])
def test_bad_edits_are_refused_before_stripe_writes(
    services: Services, make_invoice, monkeypatch, call, field  # type: ignore[no-untyped-def]
) -> None:
    draft = make_invoice("draft")
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        call(services.invoices.edits, draft)
    assert caught.value.field == field
    assert [s for s in seen.sent if s[0] != "GET"] == []


def test_a_finalized_invoice_cannot_be_edited(
    services: Services, make_invoice  # type: ignore[no-untyped-def]
) -> None:
    invoice = make_invoice("open")
    with pytest.raises(NotAllowedInState):
        services.invoices.edits.remove_line(CLERK, invoice.id, invoice.lines[0].id,
                                            form_nonce=new_form_nonce())


def test_finalize_warnings_name_what_looks_wrong(
    services: Services, make_customer  # type: ignore[no-untyped-def]
) -> None:
    customer, po = make_customer(), unique("PO")

    def draft(currency: str, days: int, po_number: str | None, owner: str = customer.id):
        return services.invoices.create_draft(
            CLERK, customer_id=owner, items=[DraftItem(amount=500, description="A")],
            days_until_due=days, memo=None, footer=None, po_number=po_number,
            currency=currency, form_nonce=new_form_nonce())

    earlier = services.invoices.finalize(ADMIN, draft("usd", 30, po).id,
                                         form_nonce=new_form_nonce())
    assert earlier.status == "open"
    fine = services.invoices.get(draft("usd", 30, unique("PO")).id)
    assert services.invoices.finalize_warnings(fine, date.today()) == []

    doubtful = services.invoices.get(draft("eur", 0, po).id)
    tomorrow = date.today() + timedelta(days=1)
    found = services.invoices.finalize_warnings(doubtful, tomorrow)
    assert [w.code for w in found] == [finalize_checks.OTHER_CURRENCY,
                                       finalize_checks.DUE_DATE_PASSED,
                                       finalize_checks.PO_NUMBER_REUSED]
    assert earlier.number and earlier.number in found[2].message

    no_email = services.client.v1.customers.create({"name": unique("No Mail")})
    silent = services.invoices.get(draft("usd", 30, None, owner=no_email.id).id)
    assert [w.code for w in services.invoices.finalize_warnings(silent, date.today())] == [
        finalize_checks.MISSING_EMAIL]


def test_the_pdf_of_a_finalized_invoice_is_fetched_from_stripes_address(
    services: Services, make_invoice  # type: ignore[no-untyped-def]
) -> None:
    invoice = make_invoice("open")
    pdf = services.pdfs.download(invoice.id)
    assert pdf.content.startswith(b"%PDF") and pdf.file_name == f"Invoice-{invoice.number}.pdf"
    with pytest.raises(InvalidInput) as caught:
        services.pdfs.download(make_invoice("draft").id)
    assert caught.value.field == "invoice_id"
    assert not services.pdfs.allowed("https://evil.example/pdf")
    assert services.pdfs.allowed("https://pay.stripe.com/invoice/acct_1/test_x/pdf")
    assert not services.pdfs.allowed("http://pay.stripe.com/invoice/acct_1/test_x/pdf")
