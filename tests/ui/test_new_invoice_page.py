"""The New-invoice flow through AppTest on real services: errors, save, finalize, roles."""

from __future__ import annotations

from tests.ui import seed
from ui.forms import widget_key

PAGE = "pages/new_invoice.py"


def invoices_of(stripe_client, customer_id: str) -> list:
    return list(stripe_client.v1.invoices.list({"customer": customer_id, "limit": 100}).data)


def create_button(at):
    """The "Create invoice" button (its key carries the form's current nonce: ui.forms)."""
    return next(b for b in at.button if b.label == "Create invoice")


def choose(at, key: str, value) -> None:
    at.selectbox(key=key).set_value(value)


def test_viewer_may_not_open_the_page(app_test, services):
    at = app_test(PAGE, role="viewer").run()
    assert "Your role (viewer) may not open this page" in at.error[0].value
    assert not at.selectbox


def test_missing_customer_is_named_and_nothing_is_created(app_test, services, stripe_client):
    price = seed.one_time_price(services, "12.00")
    at = app_test(PAGE, role="clerk").run()
    choose(at, widget_key("new_invoice_item", "price"), price.id)
    at.button(key="add_item").click().run()  # Add item
    assert len(at.dataframe[0].value) == 1
    create_button(at).click().run()
    assert any("customer" in e.value.lower() for e in at.error)
    # ... under the customer field, and again under the button (which may be far below it)
    assert at.error[-1].value == "Not saved: Choose the customer to invoice. (marked above)"
    assert at.session_state["new_invoice.items"]  # nothing lost


def test_bad_custom_amount_shows_its_error_and_adds_nothing(app_test, services):
    at = app_test(PAGE, role="clerk").run()
    at.segmented_control(key=widget_key("new_invoice_item", "kind")).set_value("Custom amount")
    at.run()
    at.text_input(key=widget_key("new_invoice_item", "description")).input("Consulting")
    at.text_input(key=widget_key("new_invoice_item", "amount")).input("twelve")
    at.button(key="add_item").click().run()
    assert at.error and not at.dataframe
    assert at.session_state["new_invoice.items"] == []


def test_clerk_saves_a_draft_once_and_is_not_offered_finalize(
    app_test, services, stripe_client
):
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    at = app_test(PAGE, role="clerk").run()
    choose(at, widget_key("new_invoice", "customer"), customer.id)
    choose(at, widget_key("new_invoice_item", "price"), price.id)
    at.number_input(key=widget_key("new_invoice_item", "quantity")).set_value(3)
    at.button(key="add_item").click().run()
    assert {m.label: m.value for m in at.metric}["Total (1 item)"] == "$30.00"
    at.text_input(key=widget_key("new_invoice", "po_number")).input("PO-77")
    create_button(at).click().run()
    made = invoices_of(stripe_client, customer.id)
    assert len(made) == 1 and made[0].status == "draft" and made[0].total == 3000
    assert "ask.finalize_invoice" not in {b.key for b in at.button}
    assert f"Draft invoice for {customer.name} saved" in [t.value for t in at.toast]


def test_approver_saves_then_finalizes_from_the_same_flow(app_test, services, stripe_client):
    customer = seed.customer(services)
    at = app_test(PAGE, role="approver").run()
    choose(at, widget_key("new_invoice", "customer"), customer.id)
    at.segmented_control(key=widget_key("new_invoice_item", "kind")).set_value("Custom amount")
    at.run()
    at.text_input(key=widget_key("new_invoice_item", "description")).input("Setup fee")
    at.text_input(key=widget_key("new_invoice_item", "amount")).input("99.50")
    at.button(key="add_item").click().run()
    create_button(at).click().run()
    (draft,) = invoices_of(stripe_client, customer.id)
    at.button(key="ask.finalize_invoice").click().run()
    at.button(key="confirm_yes.finalize_invoice").click().run()
    finalized = stripe_client.v1.invoices.retrieve(draft.id)
    assert finalized.status == "open" and finalized.total == 9950
    assert at.button(key="ask.send_invoice").label == f"Send {finalized.number}"


def test_item_error_is_shown_with_the_items_and_nothing_is_created(
    app_test, services, stripe_client
):
    customer = seed.customer(services)
    price = seed.one_time_price(services, "5.00")
    at = app_test(PAGE, role="clerk").run()
    choose(at, widget_key("new_invoice", "customer"), customer.id)
    choose(at, widget_key("new_invoice_item", "price"), price.id)
    at.button(key="add_item").click().run()
    services.catalog.archive_price(seed.ADMIN, price.id, form_nonce=seed.nonce())
    create_button(at).click().run()
    archived = f"Item 1: price {price.id} is archived."
    # with the items, and summed up under the button
    assert [e.value for e in at.error] == [archived, f"Not saved: {archived} (marked above)"]
    assert invoices_of(stripe_client, customer.id) == []
