"""Forms and action buttons that act once per click, and errors shown next to the field they name.

A double click can run two overlapping script runs, so session-state flags do
not stop a second create. Instead each form (or action button) instance has a
random nonce kept in session state (:func:`form_nonce`); the services turn nonce +
submitted content into the Stripe idempotency key, so the same submission twice
makes one object. The nonce a click uses is the one *drawn with the button*: it is
part of the button's key and passed to its callback, so the second click of a
double click (sent by the same, not yet redrawn, button) carries the same nonce
even when the first one has already finished. Once an action has completed,
success or refusal, the nonce is renewed (:func:`renew_nonce`), so the next
deliberate click (a second "Send" is a reminder) is a new submission. Fields are
cleared by hand only after success (never ``clear_on_submit``, which can lose
the first submit), by assigning each widget its default (:func:`clear_fields`), so
the browser shows the form empty and a second click submits nothing.

Typical use, inside ``st.form(FORM)``::

    st.text_input("Name", key=forms.widget_key(FORM, "name"))
    forms.field_error(FORM, "name")
    forms.submit_button(FORM, "Create", write, success="Customer created", clear=["name"])
    forms.other_errors(FORM, shown=["name"])

and outside a form ``forms.action_button(FORM, "Duplicate", write, success=...)``,
where ``write(nonce)`` reads the widget values with :func:`value` and makes the
one service call.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import streamlit as st

from services.core.errors import DashboardError
from ui.layout import flash
from ui.text import plain

T = TypeVar("T")
FORM_LEVEL = "_form"  # errors that name no field


def widget_key(form: str, field: str) -> str:
    """The session-state key of a form field's widget."""
    return f"{form}.{field}"


def value(form: str, field: str, default: Any = None) -> Any:
    """The current value of a form field (read it in the submit callback)."""
    return st.session_state.get(widget_key(form, field), default)


def form_nonce(form: str) -> str:
    """This form instance's nonce: created when first asked for, kept until the action
    it is drawn with completes (see module doc)."""
    key = f"_nonce.{form}"
    if key not in st.session_state:
        st.session_state[key] = secrets.token_urlsafe(16)
    return st.session_state[key]


def renew_nonce(form: str) -> None:
    """The action drawn with the current nonce has completed: the next one gets a new one."""
    st.session_state.pop(f"_nonce.{form}", None)


def button_key(form: str, name: str = "submit") -> str:
    """The key of a button that carries this instance's nonce: a new instance draws a new
    button, and a click sent by the old one (a double click) keeps the old nonce."""
    return f"{form}.{name}.{form_nonce(form)}"


def new_form_instance(form: str) -> None:
    """Start a fresh instance (the user asked for another one): new nonce, no errors."""
    st.session_state.pop(f"_nonce.{form}", None)
    st.session_state.pop(f"_errors.{form}", None)


def errors(form: str) -> dict[str, str]:
    """Errors of the last submit, by field (``FORM_LEVEL`` when no field is named)."""
    return st.session_state.setdefault(f"_errors.{form}", {})


def set_error(form: str, field: str | None, message: str) -> None:
    """Record an error to show next to ``field`` (or at form level)."""
    errors(form)[field or FORM_LEVEL] = message


def field_error(form: str, field: str, *, with_parts: bool = False) -> None:
    """Show the last submit's error for ``field`` right where this is called.

    With ``with_parts`` also errors about its parts (``items`` shows ``items[2].amount``).
    """
    for name, message in errors(form).items():
        if name == field or (with_parts and name.startswith((f"{field}[", f"{field}."))):
            st.error(plain(message), icon=":material/error:")


def _shown_next_to_field(field: str, shown: set[str]) -> bool:
    """Whether an error about ``field`` (or a part of it, ``items[2].amount``) is drawn by a
    :func:`field_error` of ``shown``."""
    return field in shown or field.split("[", 1)[0].split(".", 1)[0] in shown


def other_errors(form: str, shown: Iterable[str] = ()) -> None:
    """Show errors whose field has no :func:`field_error` on this form."""
    shown_set = set(shown)
    for field, message in errors(form).items():
        if not _shown_next_to_field(field, shown_set):
            st.error(plain(message), icon=":material/error:")


def not_saved_summary(form: str, shown: Iterable[str]) -> None:
    """Under a submit button: when the last submit was refused for fields whose errors are
    shown next to them (``shown``, as given to :func:`other_errors`), say so here too, so
    a button far below those fields does not look as if it did nothing."""
    shown_set = set(shown)
    messages = [message for field, message in errors(form).items()
                if _shown_next_to_field(field, shown_set)]
    if messages:
        st.error(plain("Not saved: " + " ".join(messages) + " (marked above)"),
                 icon=":material/error:")


def _widget_default(key: str) -> tuple[bool, Any]:
    """(found, value) the widget under ``key`` starts with, as drawn in the last run.

    Streamlit keeps it as the widget's deserializer applied to "no value from the
    browser"; reached through Streamlit's session state internals (pinned version),
    so anything unexpected counts as not found."""
    try:
        from streamlit.runtime.state import get_session_state

        state = get_session_state()._state
        widget_id = state._key_id_mapper.get_id_from_key(key, None)
        metadata = state._new_widget_state.widget_metadata.get(widget_id or "")
        if metadata is None:
            return False, None
        return True, metadata.deserializer(None)
    except Exception:  # internals moved: fall back to forgetting the value
        return False, None


def clear_fields(form: str, fields: Iterable[str]) -> None:
    """Reset widgets to their defaults (only ever after a successful write).

    The default is *assigned* (not just dropped from session state): an assigned value
    is sent to the browser, which otherwise keeps showing, and submits again, what was
    typed (a second click would then repeat the write with a new nonce)."""
    for field in fields:
        key = widget_key(form, field)
        found, default = _widget_default(key)
        if found:
            st.session_state[key] = default
        else:
            st.session_state.pop(key, None)


def run_write(
    form: str, write: Callable[[str], T], *, nonce: str | None = None
) -> tuple[bool, T | None]:
    """Call ``write(nonce)``; record a :class:`DashboardError` by field. Returns (ok, result).

    ``nonce`` is the one drawn with the clicked button (:func:`button_key`); once the
    write has completed, success or refusal, the form's nonce is renewed, except after
    an error that is ``resumable`` (part of the write is in Stripe) or ``retryable``
    (Stripe may have carried it out): the same submission then finishes it with the
    same idempotency keys. Without ``nonce`` the form's current nonce is used and kept
    (the caller renews it)."""
    errors(form).clear()
    renew = nonce is not None
    try:
        return True, write(nonce or form_nonce(form))
    except DashboardError as err:
        set_error(form, err.field, str(err))
        if err.resumable or err.retryable:
            renew = False
        return False, None
    finally:
        if renew:
            renew_nonce(form)


def submit(
    form: str,
    write: Callable[[str], T],
    *,
    success: str | Callable[[T], str],
    clear: Iterable[str] = (),
    then: Callable[[T], None] | None = None,
    nonce: str | None = None,
) -> None:
    """Submit-button callback: one idempotent write, then toast, clear fields, ``then``.

    ``nonce``: the one drawn with the button (:func:`submit_button` passes it)."""
    ok, result = run_write(form, write, nonce=nonce)
    if not ok:
        return
    flash(success(result) if callable(success) else success)  # type: ignore[arg-type]
    clear_fields(form, clear)
    if then is not None:
        then(result)  # type: ignore[arg-type]


def submit_button(
    form: str,
    label: str,
    write: Callable[[str], T],
    *,
    success: str | Callable[[T], str],
    clear: Iterable[str] = (),
    then: Callable[[T], None] | None = None,
    **button: Any,
) -> None:
    """``st.form_submit_button`` (inside ``st.form(form)``) that runs :func:`submit` with
    the nonce drawn with it; ``button`` goes to the widget (``type``, ``icon``...)."""
    st.form_submit_button(
        label, key=button_key(form), on_click=submit, args=(form, write),
        kwargs={"success": success, "clear": tuple(clear), "then": then,
                "nonce": form_nonce(form)},
        **button,
    )


def action_button(
    form: str,
    label: str,
    write: Callable[[str], T],
    *,
    success: str | Callable[[T], str],
    then: Callable[[T], None] | None = None,
    container: Any = None,
    **button: Any,
) -> None:
    """A plain button (outside a form) whose one write runs with the nonce drawn with
    it: a double click acts once, a later click acts again. Errors go to
    :func:`other_errors` of ``form``."""
    (container or st).button(
        label, key=button_key(form, "button"), on_click=submit, args=(form, write),
        kwargs={"success": success, "then": then, "nonce": form_nonce(form)},
        **button,
    )
