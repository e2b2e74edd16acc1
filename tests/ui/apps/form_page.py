"""A form built with ui.forms whose write is recorded, for testing the helpers alone."""

import streamlit as st

from services.core.errors import InvalidInput
from ui import forms
from ui.layout import show_flashes

FORM = "gadget"
show_flashes()
written: list = st.session_state.setdefault("written", [])


def write(nonce: str) -> str:
    name = str(forms.value(FORM, "name") or "").strip()
    if not name:
        raise InvalidInput("Give the gadget a name.", field="name")
    if name == "boom":
        raise InvalidInput("Something about the whole form.")
    written.append((nonce, name))
    return name


with st.form(FORM):
    st.text_input("Name", key=forms.widget_key(FORM, "name"))
    forms.field_error(FORM, "name")
    st.text_input("Colour", key=forms.widget_key(FORM, "colour"))
    st.form_submit_button(
        "Create gadget", on_click=forms.submit, args=(FORM, write),
        kwargs={"success": lambda name: f"Gadget {name} created", "clear": ["name", "colour"]},
    )
    forms.other_errors(FORM, shown=["name"])
