"""Forms that cannot create twice, and errors shown next to the field they name.

A double click can run two overlapping script runs, so session-state flags do
not stop a second create. Instead each form instance has a random nonce kept in
session state (:func:`form_nonce`, *not* rotated on success); the services turn
nonce + submitted content into the Stripe idempotency key, so the same
submission twice makes one object. Fields are cleared by hand only after
success (never ``clear_on_submit``, which can lose the first submit).

Typical use, inside ``st.form(FORM)``::

    st.text_input("Name", key=forms.widget_key(FORM, "name"))
    forms.field_error(FORM, "name")
    st.form_submit_button("Create", on_click=forms.submit, args=(FORM, write),
                          kwargs={"success": "Customer created", "clear": ["name"]})
    forms.other_errors(FORM, shown=["name"])

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
    """This form instance's nonce: created once, kept after success (see module doc)."""
    key = f"_nonce.{form}"
    if key not in st.session_state:
        st.session_state[key] = secrets.token_urlsafe(16)
    return st.session_state[key]


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


def other_errors(form: str, shown: Iterable[str] = ()) -> None:
    """Show errors whose field has no :func:`field_error` on this form."""
    shown_set = set(shown)
    for field, message in errors(form).items():
        root = field.split("[", 1)[0].split(".", 1)[0]
        if field not in shown_set and root not in shown_set:
            st.error(plain(message), icon=":material/error:")


def clear_fields(form: str, fields: Iterable[str]) -> None:
    """Reset widgets to their defaults (only ever after a successful write)."""
    for field in fields:
        st.session_state.pop(widget_key(form, field), None)


def run_write(form: str, write: Callable[[str], T]) -> tuple[bool, T | None]:
    """Call ``write(nonce)``; record a :class:`DashboardError` by field. Returns (ok, result)."""
    errors(form).clear()
    try:
        return True, write(form_nonce(form))
    except DashboardError as err:
        set_error(form, err.field, str(err))
        return False, None


def submit(
    form: str,
    write: Callable[[str], T],
    *,
    success: str | Callable[[T], str],
    clear: Iterable[str] = (),
    then: Callable[[T], None] | None = None,
) -> None:
    """Submit-button callback: one idempotent write, then toast, clear fields, ``then``."""
    ok, result = run_write(form, write)
    if not ok:
        return
    flash(success(result) if callable(success) else success)  # type: ignore[arg-type]
    clear_fields(form, clear)
    if then is not None:
        then(result)  # type: ignore[arg-type]
