"""Confirmation dialogs for irreversible actions, opened from session state.

A dialog opened from a button's return value vanishes on the next rerun (and
cannot be completed in AppTest); so a button only *asks* for confirmation
(:func:`ask`, an ``on_click`` callback that records what is pending), and the
page calls :func:`confirm` on every run, which shows the dialog while that
request is pending. The dialog says exactly what will happen and names the
object, asks for a reason when one is required, and closes only on success.

Each request carries its own nonce (:attr:`Pending.nonce`, made when the
confirmation is asked for): a double click on "Confirm" is one write, a refusal
renews it (trying again is a new attempt), and asking again after a success (a
second "Send" is a reminder) is a new write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import streamlit as st

from services.core.errors import DashboardError
from services.core.idempotency import new_form_nonce
from ui.layout import flash
from ui.text import plain

_PENDING = "_ui_confirm_pending"


@dataclass(frozen=True)
class Pending:
    """An action waiting for confirmation: which one, on which object, and the nonce its
    write uses (the idempotency key's form instance)."""

    action: str
    target_id: str
    target_label: str
    nonce: str = field(default_factory=new_form_nonce)


def ask(action: str, target_id: str, target_label: str) -> None:
    """Button callback: open the confirmation for ``action`` on ``target_id``."""
    st.session_state[_PENDING] = Pending(action, target_id, target_label)


def pending() -> Pending | None:
    """The action waiting for confirmation, if any."""
    return st.session_state.get(_PENDING)


def close() -> None:
    """Forget the pending confirmation (dismiss, cancel or done)."""
    st.session_state.pop(_PENDING, None)


def confirm(
    action: str,
    *,
    title: str,
    consequence: str,
    confirm_label: str,
    perform: Callable[[Pending, str | None], str],
    reason_label: str | None = None,
    reason_required: bool = True,
) -> None:
    """Show the dialog when ``action`` is pending; ``perform`` returns the success toast.

    ``consequence`` is Markdown saying exactly what will happen; it may use
    ``{label}`` for the object's name (e.g. the invoice number), which is put in as
    plain text (escaped); anything else from Stripe or a form must already be escaped
    with :func:`ui.text.plain`. ``perform``'s toast text is plain text. With
    ``reason_label`` a text box asks why (required unless ``reason_required=False``).
    """
    request = pending()
    if request is None or request.action != action:
        return

    @st.dialog(title, on_dismiss=close)
    def _dialog() -> None:
        st.markdown(consequence.replace("{label}", plain(request.target_label)))
        reason: str | None = None
        if reason_label is not None:
            reason = st.text_area(reason_label, key=f"confirm_reason.{action}")
        problem = st.empty()  # a refusal is shown here, and the dialog stays open
        yes, no = st.columns(2)
        # Both buttons are drawn before either is acted on, so Cancel stays after a refusal.
        confirmed = yes.button(confirm_label, type="primary", key=f"confirm_yes.{action}")
        if no.button("Cancel", key=f"confirm_no.{action}"):
            close()
            st.rerun()
        if confirmed:
            if reason_label is not None and reason_required and not (reason or "").strip():
                problem.error(f"{plain(reason_label)} is required.", icon=":material/error:")
                return
            try:
                done = perform(request, reason.strip() if reason else None)
            except DashboardError as err:
                # A retry after a refusal is a new attempt; after a write that may have
                # reached Stripe it is the same one (same key: nothing doubled).
                if pending() == request and not (err.resumable or err.retryable):
                    st.session_state[_PENDING] = replace(request, nonce=new_form_nonce())
                problem.error(plain(err), icon=":material/error:")
                return
            close()
            st.session_state.pop(f"confirm_reason.{action}", None)
            flash(done)
            st.rerun()

    _dialog()
