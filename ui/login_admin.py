"""The Admin page's login panel: running throttles and remembered failed logins, with "Lift".

Throttles (:mod:`services.core.login_guard`) end by themselves after at most 15
minutes; an admin who knows the person at the keyboard can lift one at once. Every
lift is written to the audit trail by the guard. Names and addresses here were typed
or sent by whoever tried to log in, so they are shown as plain text, never Markdown.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from services.core.access import Actor
from services.core.clock import business_time
from services.core.errors import DashboardError
from services.core.login_guard import USER, Throttle
from ui import auth
from ui.layout import flash

SHOWN = 50  # the newest rows; more only during an attack, and they end by themselves
_KINDS = {USER: "Username"}


def _moment(epoch: float) -> str:
    return f"{business_time(datetime.fromtimestamp(epoch, tz=UTC)):%Y-%m-%d %H:%M:%S}"


def _label(throttle: Throttle) -> str:
    subject = throttle.subject if len(throttle.subject) <= 60 else throttle.subject[:59] + "…"
    return f"{_KINDS.get(throttle.kind, 'Address')} {subject}"


def _state(throttle: Throttle, now: float) -> str:
    failed = f"{throttle.failures} failed, last at {_moment(throttle.last_failure_at)}"
    if throttle.locked(now):
        return f"{failed}; waiting {auth.wait_text(throttle.locked_until - now)} more"
    return f"{failed}; not waiting"


def _lift(key: str, label: str, actor: Actor) -> None:
    shown = label  # flash shows it as plain text (ui.text.plain)
    try:
        lifted = auth.login_guard().lift(key, actor)
    except (DashboardError, SQLAlchemyError) as err:
        flash(f"Could not lift {shown}: {err}", icon=":material/error:")
        return
    flash(f"Lifted the login wait of {shown}." if lifted else f"{shown}: nothing left to lift.")


def login_throttles_panel(actor: Actor) -> None:
    """Section "Logins": the throttled usernames and addresses, each with a Lift button."""
    st.subheader("Logins: failed attempts and waits")
    guard = auth.login_guard()
    try:
        throttles = guard.throttles()
    except SQLAlchemyError:
        st.error("The login throttles cannot be read (the app database does not answer).")
        return
    st.caption(
        "After a few failed logins, the next one must wait, per username and per client "
        "address (known or unknown names alike); a wait ends by itself after at most 15 "
        "minutes. Lifting is recorded in the audit log."
    )
    if not throttles:
        st.caption("No failed logins in the last hour.")
        return
    now = guard.now()
    for throttle in throttles[:SHOWN]:
        label = _label(throttle)
        name, state, button = st.columns([3, 5, 1], vertical_alignment="center")
        name.text(label)
        state.text(_state(throttle, now))
        button.button(
            "Lift", key=f"login_lift_{throttle.key}", on_click=_lift,
            args=(throttle.key, label, actor), icon=":material/lock_open:",
        )
    if len(throttles) > SHOWN:
        st.caption(f"{len(throttles) - SHOWN} more not shown.")
