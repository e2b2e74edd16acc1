"""The shared form, dialog and cache helpers, each on a small page of its own."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.ui.conftest import texts
from ui.caching import cached_view, invalidate

FORM_PAGE = "tests/ui/apps/form_page.py"
DIALOG_PAGE = "tests/ui/apps/dialog_page.py"


def test_form_error_is_shown_next_to_its_field_and_nothing_is_written(app_test):
    at = app_test(FORM_PAGE).run()
    at.text_input[1].input("blue")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Give the gadget a name."]
    assert at.session_state["written"] == []
    assert at.text_input[1].value == "blue"  # nothing cleared after a failure


def test_form_success_toasts_and_clears_only_after_success(app_test):
    at = app_test(FORM_PAGE).run()
    at.text_input[0].input("Sprocket")
    at.text_input[1].input("red")
    at.button[0].click().run()
    assert [t.value for t in at.toast] == ["Gadget Sprocket created"]
    assert [t.value for t in at.text_input] == ["", ""]
    assert not at.error


def test_form_nonce_survives_success_so_a_repeat_is_the_same_submission(app_test):
    at = app_test(FORM_PAGE).run()
    for _ in range(2):
        at.text_input[0].input("Sprocket")
        at.button[0].click().run()
    (first_nonce, _), (second_nonce, _) = at.session_state["written"]
    assert first_nonce == second_nonce  # services derive the same idempotency key


def test_error_naming_no_field_is_shown_for_the_form(app_test):
    at = app_test(FORM_PAGE).run()
    at.text_input[0].input("boom")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Something about the whole form."]


def test_dialog_names_the_invoice_and_requires_a_reason(app_test):
    at = app_test(DIALOG_PAGE).run()
    at.button[0].click().run()
    assert "Void **INV-0042**: this cannot be undone." in texts(at)
    at.button(key="confirm_yes.void").click().run()
    assert [e.value for e in at.error] == ["Reason is required."]
    assert at.session_state["done"] == []


def test_dialog_confirms_once_with_a_reason_and_closes(app_test):
    at = app_test(DIALOG_PAGE).run()
    at.button[0].click().run()
    at.text_area[0].input("Customer cancelled the order")
    at.button(key="confirm_yes.void").click().run()
    assert at.session_state["done"] == [("in_42", "Customer cancelled the order")]
    assert [t.value for t in at.toast] == ["INV-0042 voided"]
    assert "this cannot be undone" not in texts(at)


def test_dialog_shows_a_refusal_and_stays_open(app_test):
    at = app_test(DIALOG_PAGE).run()
    at.button[0].click().run()
    at.text_area[0].input("refuse")
    at.button(key="confirm_yes.void").click().run()
    assert [e.value for e in at.error] == ["This invoice is already paid; it cannot be voided."]
    assert "this cannot be undone" in texts(at)


def test_cancel_closes_the_dialog_without_acting(app_test):
    at = app_test(DIALOG_PAGE).run()
    at.button[0].click().run()
    at.button(key="confirm_no.void").click().run()
    assert "this cannot be undone" not in texts(at)
    assert at.session_state["done"] == []


calls: list[int] = []


@cached_view("customers", ttl="1h")
def _counted_load(n: int) -> int:
    calls.append(n)
    return n * 2


def test_cached_view_stamps_its_time_and_invalidate_reloads():
    calls.clear()
    first = _counted_load(3)
    again = _counted_load(3)
    assert (first.value, again.value, calls) == (6, 6, [3])
    assert isinstance(first.as_of, datetime) and first.as_of == again.as_of
    invalidate("invoices")  # another area: still cached
    _counted_load(3)
    assert calls == [3]
    invalidate("customers")
    _counted_load(3)
    assert calls == [3, 3]


def test_cached_view_refuses_unknown_areas():
    with pytest.raises(ValueError, match="areas"):
        cached_view("invoicez")
