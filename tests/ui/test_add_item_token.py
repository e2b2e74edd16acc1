"""The New-invoice "Add item" button adds one item per click the user meant.

A double click sends the button's callback twice with what that button was drawn
with (its token) and the form's fields filled again; a click on the button drawn
after the rerun carries a new token. A small script draws the button the way
``pages/new_invoice.py`` does and, for the double click, calls its callback twice
with the token of one drawing.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def add_item_script() -> None:
    import streamlit as st

    from ui import draft_items, forms

    def type_item() -> None:
        """What the browser sends with each click: the custom amount's fields."""
        st.session_state[forms.widget_key(draft_items.ITEM_FORM, "kind")] = draft_items.CUSTOM
        st.session_state[forms.widget_key(draft_items.ITEM_FORM, "description")] = "Setup"
        st.session_state[forms.widget_key(draft_items.ITEM_FORM, "amount")] = "80.00"

    def click(token: str) -> None:
        type_item()
        draft_items.add_item({}, "usd", token)

    def double_click(token: str) -> None:
        click(token)
        click(token)  # the second click of the same drawn button

    token = draft_items.item_token()
    st.button("Add item", key="add_item", on_click=click, args=(token,))
    st.button("Double click", key="double", on_click=double_click, args=(token,))
    st.write(len(draft_items.items()))


def item_count(at: AppTest) -> int:
    return len(at.session_state["new_invoice.items"])


def test_a_double_click_adds_one_item_and_the_next_click_another() -> None:
    at = AppTest.from_function(add_item_script).run()
    at.button(key="double").click().run()
    assert not at.exception
    assert item_count(at) == 1
    assert at.session_state["new_invoice.items"][0]["amount"] == 8000
    at.button(key="add_item").click().run()  # drawn after the rerun: a new token
    assert item_count(at) == 2
    at.button(key="double").click().run()
    assert item_count(at) == 3


def test_a_click_from_a_button_drawn_before_the_last_add_is_dropped() -> None:
    at = AppTest.from_function(add_item_script).run()
    at.session_state["new_invoice.item_click"] = "after-an-add"  # as an add in between would
    at.button(key="add_item").click().run()  # still carries the token it was drawn with
    assert item_count(at) == 0
    at.button(key="add_item").click().run()  # drawn with the current token
    assert item_count(at) == 1
