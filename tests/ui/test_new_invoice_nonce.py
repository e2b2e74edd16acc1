"""New invoice's "Create invoice" follows the forms' nonce lifecycle (ui.forms): the button
carries the nonce it was drawn with, and once a save completes, saved or refused, the
next click is a new submission. So a second invoice with the same content is a second
draft, and a refused save followed by the corrected one makes exactly one draft.
(A double click in a real browser: tests/ui/browser/test_new_invoice_clicks_browser.py.)
"""

from __future__ import annotations

from tests.ui import seed
from tests.ui.test_new_invoice_page import choose, create_button, invoices_of
from ui.draft_items import FORM, ITEM_FORM
from ui.forms import widget_key

PAGE = "pages/new_invoice.py"


def fill(at, customer_id: str | None, price_id: str, memo: str = "") -> None:
    """Customer (if given), one item of ``price_id``, and the memo, as a clerk would."""
    if customer_id is not None:
        choose(at, widget_key(FORM, "customer"), customer_id)
    choose(at, widget_key(ITEM_FORM, "price"), price_id)
    at.button(key="add_item").click().run()
    at.text_input(key=widget_key(FORM, "memo")).input(memo).run()


def test_the_same_content_created_twice_on_purpose_is_two_drafts(
    app_test, services, stripe_client
):
    customer = seed.customer(services)
    price = seed.one_time_price(services, "40.00")
    at = app_test(PAGE, role="clerk").run()
    fill(at, customer.id, price.id, memo="March retainer")
    create_button(at).click().run()
    assert [t.value for t in at.toast] == [f"Draft invoice for {customer.name} saved"]
    assert len(invoices_of(stripe_client, customer.id)) == 1

    next(b for b in at.button if b.label == "Start another invoice").click().run()
    assert at.selectbox(key=widget_key(FORM, "customer")).value is None  # starts empty
    assert at.text_input(key=widget_key(FORM, "memo")).value == ""
    assert not at.dataframe  # no items carried over
    fill(at, customer.id, price.id, memo="March retainer")  # the very same content
    create_button(at).click().run()

    made = invoices_of(stripe_client, customer.id)
    assert len(made) == 2
    assert [(i.status, i.total, i.description) for i in made] == [
        ("draft", 4000, "March retainer")] * 2


def test_a_refused_create_then_the_corrected_one_makes_exactly_one_draft(
    app_test, services, stripe_client
):
    customer = seed.customer(services)
    price = seed.one_time_price(services, "12.00")
    at = app_test(PAGE, role="clerk").run()
    fill(at, None, price.id, memo="x" * 1501)  # no customer; a memo over Stripe's 1,500
    drawn = create_button(at).key
    create_button(at).click().run()
    assert [e.value for e in at.error] == [
        "The memo is 1,501 characters long; Stripe keeps at most 1,500. "
        "Shorten it (nothing was saved)."]
    assert create_button(at).key != drawn  # the refusal completed: a new instance is drawn

    at.text_input(key=widget_key(FORM, "memo")).input("Retainer").run()
    create_button(at).click().run()  # the memo is fine now; the customer is still missing
    assert any("customer" in e.value.lower() for e in at.error)
    assert at.session_state["new_invoice.items"]  # nothing lost

    choose(at, widget_key(FORM, "customer"), customer.id)
    create_button(at).click().run()
    (draft,) = invoices_of(stripe_client, customer.id)
    assert (draft.status, draft.total, draft.description) == ("draft", 1200, "Retainer")
    assert not at.error


def test_a_save_cut_short_after_the_draft_exists_is_finished_by_the_same_click(
    app_test, services, stripe_client, monkeypatch
):
    """Stripe made the draft, then the item failed (Stripe unreachable): the error says
    submitting again finishes it, so the form keeps its nonce and the next click makes
    no second draft."""
    import stripe

    customer = seed.customer(services)
    price = seed.one_time_price(services, "15.00")
    at = app_test(PAGE, role="clerk").run()
    fill(at, customer.id, price.id, memo="Cut short")
    add_item = services.client.v1.invoice_items.create

    def unreachable(*args, **kwargs):
        raise stripe.APIConnectionError("connection reset by peer")

    monkeypatch.setattr(services.client.v1.invoice_items, "create", unreachable)
    drawn = create_button(at).key
    create_button(at).click().run()
    assert any("was created but item 1 failed" in e.value for e in at.error)
    assert create_button(at).key == drawn  # the same submission, the same keys

    monkeypatch.setattr(services.client.v1.invoice_items, "create", add_item)
    create_button(at).click().run()
    (draft,) = invoices_of(stripe_client, customer.id)
    assert (draft.status, draft.total, draft.description) == ("draft", 1500, "Cut short")
