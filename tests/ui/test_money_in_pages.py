"""Record payment and Issue credit note on the Invoice page, through AppTest on real
services: what will remain before confirming, the overpayment checkbox, the preview
before issuing, the payments and credit notes on the invoice and customer pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.core.clock import business_time
from services.invoicing.credit_notes import CreditNoteRequest
from tests.ui import seed
from tests.ui.conftest import texts


@pytest.fixture
def opened(services):
    """An open invoice of 2 x $10.00."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    return seed.open_invoice(services, customer.id, price.id)


def _open_form(app_test, invoice, action: str):  # type: ignore[no-untyped-def]
    at = app_test("pages/invoice.py", role="approver", invoice=invoice.id).run()
    at.button(key=f"ask.{action}").click().run()
    return at


def _shown(elements) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts of ``elements`` as a reader sees them (Markdown escapes removed)."""
    return [e.value.replace("\\", "").replace("\u2060", "") for e in elements]


def _field(at, key: str):  # type: ignore[no-untyped-def]
    for kind in ("text_input", "selectbox", "date_input", "checkbox", "text_area", "radio",
                 "number_input"):
        for widget in at.get(kind):
            if widget.key == key:
                return widget
    raise AssertionError(f"no widget {key}")


def test_a_part_payment_shows_what_remains_then_is_listed_with_its_date(app_test, services,
                                                                         opened):
    at = _open_form(app_test, opened, "record_payment")
    prefix = f"record_payment.{opened.id}"
    assert _field(at, f"{prefix}.amount").value == "20.00"  # what remains
    assert "This pays the invoice in full: it becomes Paid." in _shown(at.info)
    _field(at, f"{prefix}.amount").input("7.50").run()
    assert "After this payment $12.50 remains to be paid; the invoice stays open." in _shown(
        at.info)
    _field(at, f"{prefix}.method").set_value("cheque").run()
    _field(at, f"{prefix}.reference").input("cheque 2001").run()
    at.button(key="confirm_yes.record_payment").click().run()
    shown = services.invoices.get(opened.id)
    assert (shown.status, shown.amount_paid, shown.amount_remaining) == ("open", 750, 1250)
    payments = next(d.value for d in at.dataframe if "Method" in d.value.columns)
    assert list(payments["Amount"]) == ["$7.50"]
    assert list(payments["Method"]) == ["Cheque"]
    assert list(payments["Reference"]) == ["cheque 2001"]
    timeline = at.dataframe[0].value
    assert "Payment of $7.50 received (Cheque)" in list(timeline["What"])
    assert "Paid" not in list(timeline["What"])  # a part payment does not pay the invoice


def test_an_overpayment_needs_its_own_confirmation(app_test, services, opened):
    at = _open_form(app_test, opened, "record_payment")
    prefix = f"record_payment.{opened.id}"
    _field(at, f"{prefix}.amount").input("25").run()
    assert any("$5.00 more" in text for text in _shown(at.info))
    at.button(key="confirm_yes.record_payment").click().run()
    assert any("Confirm the overpayment" in text for text in _shown(at.error))
    assert services.invoices.get(opened.id).amount_paid == 0
    _field(at, f"{prefix}.overpaid").check().run()
    at.button(key="confirm_yes.record_payment").click().run()
    assert services.invoices.get(opened.id).status == "paid"


def test_a_credit_note_is_previewed_then_issued_and_listed(app_test, services, opened):
    at = _open_form(app_test, opened, "issue_credit_note")
    prefix = f"credit_note.{opened.id}"
    _field(at, f"{prefix}.how").set_value("A custom amount").run()
    _field(at, f"{prefix}.amount").input("4").run()
    _field(at, f"{prefix}.memo").input("Late delivery").run()
    assert at.button(key="confirm_yes.issue_credit_note").disabled  # not previewed yet
    at.button(key="preview.issue_credit_note").click().run()
    assert any(e.value.startswith("Choose the reason") for e in at.error)
    _field(at, f"{prefix}.reason").set_value("order_change").run()
    at.button(key="preview.issue_credit_note").click().run()
    preview = next(d.value for d in at.dataframe if "" in d.value.columns
                   and "Credit note total" in list(d.value[""]))
    figures = dict(zip(preview[""], preview["Amount"], strict=True))
    assert figures["Owed on the invoice afterwards"] == "$16.00"
    at.button(key="confirm_yes.issue_credit_note").click().run()
    assert services.invoices.get(opened.id).amount_remaining == 1600
    notes = next(d.value for d in at.dataframe if "Reduced what is owed" in d.value.columns)
    assert list(notes["Number"]) == [f"{opened.number}-CN-01"]
    assert list(notes["Memo"]) == ["Late delivery"]
    assert f"Void credit note {opened.number}-CN-01" in [b.label for b in at.button]

    page = app_test("pages/customers.py", role="viewer", customer=opened.customer_id).run()
    assert f"{opened.number}-CN-01" in texts(page) or any(
        f"{opened.number}-CN-01" in list(d.value.get("Number", [])) for d in page.dataframe)


def test_voiding_a_credit_note_confirms_first(app_test, services, opened):
    request = CreditNoteRequest(opened.id, "duplicate", "reduce_owed", amount_text="3")
    note = services.invoices.credit_notes.issue(seed.ADMIN, request, form_nonce=seed.nonce())
    at = app_test("pages/invoice.py", role="approver", invoice=opened.id).run()
    at.button(key=f"ask.void_credit_note.{note.id}").click().run()
    assert f"Void credit note **{note.number}**" in texts(at)
    at.button(key="confirm_yes.void_credit_note").click().run()
    assert services.invoices.get(opened.id).amount_remaining == 2000
    assert f"Credit note {note.number} voided" in _shown(at.toast)


def test_clerks_and_viewers_get_neither_form(app_test, opened):
    for role in ("clerk", "viewer"):
        at = app_test("pages/invoice.py", role=role, invoice=opened.id).run()
        labels = [b.label for b in at.button]
        assert not any(label.startswith(("Record payment", "Issue credit note", "Void credit"))
                       for label in labels)



def test_a_day_before_finalizing_is_refused_by_name_and_nothing_is_recorded(
        app_test, services, opened):
    """The date field sets no range (a browser would replace a day outside it with today,
    silently): the day typed is the day checked, refused under the form, not recorded."""
    at = _open_form(app_test, opened, "record_payment")
    prefix = f"record_payment.{opened.id}"
    finalized = business_time(opened.finalized_at).date()
    day = _field(at, f"{prefix}.received_on")
    assert day.help == (f"Not before the invoice was finalized on {finalized.isoformat()}, "
                        "not in the future.")
    day.set_value(finalized - timedelta(days=2)).run()
    assert _field(at, f"{prefix}.received_on").value == finalized - timedelta(days=2)
    assert any(f"The invoice was finalized on {finalized.isoformat()}" in e.value
               for e in at.error)
    assert at.button(key="confirm_yes.record_payment").disabled  # cannot be recorded
    shown = services.invoices.get(opened.id)
    assert (shown.status, shown.amount_paid) == ("open", 0)
