"""The Invoice page and the draft editor say what Stripe holds (AppTest, real services).

Figures are worked out by hand: (3 × 200.00 + 420.50) = 1,020.50; the invoice's 10 %
coupon leaves 918.45; 20 % VAT on that is 183.69: total 1,102.14. With quantity 4:
800.00 + 420.50 = 1,220.50 → 1,098.45 → +219.69 = 1,318.14.
"""

from __future__ import annotations

import pytest

from services.core.models import DraftItem
from tests.ui import seed


@pytest.fixture
def draft_with_invoice_coupon(services):
    """A draft (3 × $200.00 and a $420.50 custom line) with a 10 % coupon and 20 % VAT on
    the whole invoice, nothing of their own on the lines."""
    vat = services.catalog.taxes.create_tax_rate(
        seed.ADMIN, display_name="VAT", percentage_text="20", inclusive=False, country="DE",
        jurisdiction=None, description=None, form_nonce=seed.nonce())
    loyalty = services.catalog.taxes.create_coupon(
        seed.ADMIN, name="Loyalty", percent_off_text="10", amount_off_text=None, currency=None,
        max_redemptions=None, redeem_by=None, form_nonce=seed.nonce())
    price = seed.one_time_price(services, "200.00")
    draft = services.invoices.create_draft(
        seed.ADMIN, customer_id=seed.customer(services).id,
        items=[DraftItem(price_id=price.id, quantity=3),
               DraftItem(amount=42050, description="Setup")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=seed.nonce(), default_tax_rates=[vat.id], coupons=[loyalty.id])
    assert draft.total == 110214  # by hand, see the module docstring
    return draft, price, loyalty


def test_changing_a_lines_quantity_keeps_the_invoice_coupon_off_the_line(
        app_test, services, draft_with_invoice_coupon):
    draft, price, loyalty = draft_with_invoice_coupon
    at = app_test("pages/invoice.py", role="clerk", invoice=draft.id).run()
    priced = next(line for line in draft.lines if line.price_id == price.id)
    at.selectbox(key=f"draft_line_choice.{draft.id}").set_value(priced.id).run()
    form = f"draft_line.{draft.id}.{priced.id}"
    coupons = next(m for m in at.multiselect if m.label == "Coupons on this line")
    rates = next(m for m in at.multiselect if m.label.startswith("This line's own tax rates"))
    assert coupons.value == [] and rates.value == []  # the invoice's, not the line's own
    quantity = next(n for n in at.number_input if n.label == "Quantity")
    quantity.set_value(4)
    next(b for b in at.button if b.label == "Save line" and form in b.form_id).click().run()
    assert not at.exception
    saved = services.invoices.get(draft.id)
    assert saved.total == 131814  # 1,318.14 by hand: one 10 % discount, not two
    line = next(item for item in services.client.v1.invoices.line_items.list(draft.id)
                if item.id == priced.id)
    assert line.quantity == 4 and not line.discounts  # no coupon of its own
    assert services.client.v1.coupons.retrieve(loyalty.id).times_redeemed == 1
    assert {m.label: m.value for m in at.metric}["Total"] == "$1,318.14"


def _totals(at) -> dict[str, str]:
    """The totals table: row label → amount as shown."""
    table = next(d.value for d in at.dataframe if "" in d.value.columns)
    return dict(zip(table[""], table["Amount"], strict=True))


def _open_eur_invoice(services, amount: int):
    draft = services.invoices.create_draft(
        seed.ADMIN, customer_id=seed.customer(services).id,
        items=[DraftItem(amount=amount, description="Consulting")], days_until_due=30,
        memo=None, footer=None, po_number=None, currency="eur", form_nonce=seed.nonce())
    return services.invoices.finalize(seed.ADMIN, draft.id, form_nonce=seed.nonce())


def test_a_credit_note_adds_up_in_the_header_and_the_totals(app_test, services):
    from services.invoicing.credit_notes import CreditNoteRequest, Destination

    invoice = _open_eur_invoice(services, 1_075_000)
    services.invoices.credit_notes.issue(seed.ADMIN, CreditNoteRequest(
        invoice_id=invoice.id, reason="order_change", destination=Destination.REDUCE_OWED,
        amount_text="700"), form_nonce=seed.nonce())
    at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Total"], tiles["Credited"], tiles["Paid"], tiles["Remaining"]) == (
        "€10,750.00", "€700.00", "€0.00", "€10,050.00")
    rows = list(_totals(at).items())
    at_total = rows.index(("Total", "€10,750.00"))
    assert rows[at_total + 1:] == [("Credit notes (before payment)", "-€700.00"),
                                   ("Amount due", "€10,050.00")]


def test_a_void_invoice_owes_nothing(app_test, services):
    invoice = _open_eur_invoice(services, 140_000)
    services.invoices.void(seed.ADMIN, invoice.id, reason="Sent twice",
                           form_nonce=seed.nonce())
    at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
    assert _totals(at)["Amount due"] == "—"
    assert {m.label: m.value for m in at.metric}["Remaining"] == "—"


def test_a_drafts_title_names_customer_and_total_and_its_id_is_small_print(app_test, services):
    customer = seed.customer(services)
    draft = seed.draft_invoice(services, customer.id, seed.one_time_price(services, "10.00").id)
    at = app_test("pages/invoice.py", role="approver", invoice=draft.id).run()
    assert at.title[0].value.replace("\\", "") == f"Draft for {customer.name} · $20.00"
    assert f"Draft {draft.id}" in [c.value for c in at.caption]
    assert not any(draft.id in b.label for b in at.button)


def test_sending_again_is_a_secondary_button_that_really_sends(app_test, services):
    customer = seed.customer(services)
    invoice = seed.open_invoice(services, customer.id, seed.one_time_price(services).id)
    at = app_test("pages/invoice.py", role="approver", invoice=invoice.id).run()
    assert at.button(key="ask.send_invoice").proto.type == "primary"
    at.button(key="ask.send_invoice").click().run()
    at.button(key="confirm_yes.send_invoice").click().run()
    again = at.button(key="ask.send_invoice")
    assert again.label == f"Send {invoice.number} again" and again.proto.type == "secondary"
    again.click().run()
    at.button(key="confirm_yes.send_invoice").click().run()
    sends = services.audit.history(invoice.id)
    sends = sends[(sends["action"] == "send_invoice") & (sends["outcome"] == "success")]
    assert len(sends) == 2


def test_the_timeline_has_the_dashboards_times_and_the_drafts_edits_in_order(
        app_test, services):

    from services.core.clock import business_today
    from services.invoicing.credit_notes import CreditNoteRequest, Destination

    customer = seed.clocked_customer(services, "Clocked", "clocked@example.com", days_ago=200)
    price = seed.one_time_price(services, "10.00")
    draft = seed.draft_invoice(services, customer.id, price.id)
    services.invoices.edits.update_line(
        seed.ADMIN, draft.id, draft.lines[0].id, quantity=5, amount_text=None,
        description=None, tax_rates=[], coupons=[], form_nonce=seed.nonce())
    invoice = services.invoices.finalize(seed.ADMIN, draft.id, form_nonce=seed.nonce())
    services.invoices.credit_notes.issue(seed.ADMIN, CreditNoteRequest(
        invoice_id=invoice.id, reason="order_change", destination=Destination.REDUCE_OWED,
        amount_text="7"), form_nonce=seed.nonce())
    at = app_test("pages/invoice.py", role="viewer", invoice=invoice.id).run()
    timeline = next(d.value for d in at.dataframe if "What" in d.value.columns)
    today = business_today()
    assert list(timeline["What"]) == ["Created", "Line changed", "Finalized",
                                      f"Credit note {invoice.number}-CN-01 of $7.00 issued"]
    # every one done in the dashboard today, not at the test clock's frozen time
    assert all(when.startswith(f"{today.day} {today:%b %Y}") for when in timeline["When"])
    assert set(timeline["Who"]) == {"adam"}
