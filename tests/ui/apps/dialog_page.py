"""A page with one confirmed action through ui.dialogs, for testing the helper alone."""

import streamlit as st

from services.core.errors import NotAllowedInState
from ui import dialogs
from ui.layout import show_flashes

show_flashes()
done: list = st.session_state.setdefault("done", [])


def perform(pending: dialogs.Pending, reason: str | None) -> str:
    if reason == "refuse":
        raise NotAllowedInState("This invoice is already paid; it cannot be voided.")
    done.append((pending.target_id, reason))
    return f"{pending.target_label} voided"


st.button("Void INV-0042", on_click=dialogs.ask, args=("void", "in_42", "INV-0042"))
dialogs.confirm(
    "void", title="Void the invoice?", consequence="Void **{label}**: this cannot be undone.",
    confirm_label="Void invoice", perform=perform, reason_label="Reason",
)
